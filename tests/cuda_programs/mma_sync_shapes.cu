// mma.sync through inline PTX, as hand-written int8 / fp64 GEMM kernels use it (llama.cpp's
// quantised matrix multiplies, CUTLASS-style code): m16n8k32 and m16n8k16 with .s8/.u8 (mixed
// signs, .satfinite), m8n8k16 .s8, m8n8k32 .s4, m8n8k128 .b1 (.xor.popc / .and.popc) and m8n8k4
// .f64, and movmatrix; m16n8k64 .s4, m16n8k256 .b1, m16n8k4 .tf32, mma.sp m16n8k16/k32 (2:4-sparse
// f16/bf16 A with metadata and sparsity selector) and wmma's f64 .rz/.rm/.rp. Built a second time
// as sm_89 PTX with MMA_SYNC_FP8 (mma_sync_shapes_sm89), it also runs FP8 m16n8k32 (e4m3 x e5m2
// into f32, e4m3 x e4m3 into f16) with operands made by cuda_fp8.h. Each lane packs its fragment registers from the matrices in memory by the PTX ISA's
// fragment tables (register r of lane L: groupID = L/4, threadID_in_group = L%4), written out
// here per shape; the host compares D with a plain int64 / double matrix product.
#include <cfenv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#ifdef MMA_SYNC_FP8
#include <cuda_fp8.h>
#define PROGRAM_NAME "mma_sync_shapes_sm89"
#else
#define PROGRAM_NAME "mma_sync_shapes"
#endif

#include "check.cuh"
#include "device_vectors.cuh"

// A is M x K row-major bytes/elements, B is K x N stored column by column, C/D M x N row-major.
// Sub-byte elements are packed from the low bits up. `bits` = element width.
__device__ uint32_t pack_row(const uint8_t* m, int ld, int row, int col0, int bits) {
  uint32_t r = 0;
  for (int j = 0; j < 32 / bits; ++j) {
    const int idx = row * ld + col0 + j;
    const uint32_t v = (m[idx * bits / 8] >> (idx * bits % 8)) & ((1u << bits) - 1);
    r |= v << (j * bits);
  }
  return r;
}

// m16n8k32 and m16n8k16 (K = 32 or 16) integer: A has K/8 registers, B K/16, C/D 4.
template <int K, bool Saturate, bool SignedA, bool SignedB>
__global__ void mma_m16n8_int(const uint8_t* a, const uint8_t* b, const int* c, int* d) {
  const int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  uint32_t ra[4], rb[2];
  int rc[4], rd[4];
  for (int r = 0; r < K / 8; ++r) ra[r] = pack_row(a, K, g + 8 * (r & 1), t * 4 + 16 * (r >> 1), 8);
  for (int r = 0; r < K / 16; ++r) rb[r] = pack_row(b, K, g, t * 4 + 16 * r, 8);  // column g of B
  for (int r = 0; r < 4; ++r) rc[r] = c[(g + 8 * (r >> 1)) * 8 + t * 2 + (r & 1)];
  if constexpr (K == 32) {
    if constexpr (SignedA && SignedB && !Saturate)
      asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
                   : "=r"(rd[0]), "=r"(rd[1]), "=r"(rd[2]), "=r"(rd[3])
                   : "r"(ra[0]), "r"(ra[1]), "r"(ra[2]), "r"(ra[3]), "r"(rb[0]), "r"(rb[1]), "r"(rc[0]), "r"(rc[1]), "r"(rc[2]), "r"(rc[3]));
    else
      asm volatile("mma.sync.aligned.m16n8k32.row.col.satfinite.s32.u8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
                   : "=r"(rd[0]), "=r"(rd[1]), "=r"(rd[2]), "=r"(rd[3])
                   : "r"(ra[0]), "r"(ra[1]), "r"(ra[2]), "r"(ra[3]), "r"(rb[0]), "r"(rb[1]), "r"(rc[0]), "r"(rc[1]), "r"(rc[2]), "r"(rc[3]));
  } else {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.satfinite.s32.u8.u8.s32 {%0,%1,%2,%3}, {%4,%5}, {%6}, {%7,%8,%9,%10};"
                 : "=r"(rd[0]), "=r"(rd[1]), "=r"(rd[2]), "=r"(rd[3])
                 : "r"(ra[0]), "r"(ra[1]), "r"(rb[0]), "r"(rc[0]), "r"(rc[1]), "r"(rc[2]), "r"(rc[3]));
  }
  for (int r = 0; r < 4; ++r) d[(g + 8 * (r >> 1)) * 8 + t * 2 + (r & 1)] = rd[r];
}

// The m8n8 shapes: one A register (a row run of 32 bits), one B register, two C/D elements.
// kind 0: s8 k16, 1: s4 k32, 2: b1 k128 xor, 3: b1 k128 and.
template <int Kind>
__global__ void mma_m8n8_int(const uint8_t* a, const uint8_t* b, const int* c, int* d) {
  constexpr int bits = Kind == 0 ? 8 : Kind == 1 ? 4 : 1, K = 32 / bits * 4;
  const int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  const uint32_t ra = pack_row(a, K, g, t * (32 / bits), bits), rb = pack_row(b, K, g, t * (32 / bits), bits);
  const int c0 = c[g * 8 + t * 2], c1 = c[g * 8 + t * 2 + 1];
  int d0, d1;
  if constexpr (Kind == 0)
    asm volatile("mma.sync.aligned.m8n8k16.row.col.s32.s8.s8.s32 {%0,%1}, {%2}, {%3}, {%4,%5};" : "=r"(d0), "=r"(d1) : "r"(ra), "r"(rb), "r"(c0), "r"(c1));
  else if constexpr (Kind == 1)
    asm volatile("mma.sync.aligned.m8n8k32.row.col.s32.s4.s4.s32 {%0,%1}, {%2}, {%3}, {%4,%5};" : "=r"(d0), "=r"(d1) : "r"(ra), "r"(rb), "r"(c0), "r"(c1));
  else if constexpr (Kind == 2)
    asm volatile("mma.sync.aligned.m8n8k128.row.col.s32.b1.b1.s32.xor.popc {%0,%1}, {%2}, {%3}, {%4,%5};" : "=r"(d0), "=r"(d1) : "r"(ra), "r"(rb), "r"(c0), "r"(c1));
  else
    asm volatile("mma.sync.aligned.m8n8k128.row.col.s32.b1.b1.s32.and.popc {%0,%1}, {%2}, {%3}, {%4,%5};" : "=r"(d0), "=r"(d1) : "r"(ra), "r"(rb), "r"(c0), "r"(c1));
  d[g * 8 + t * 2] = d0, d[g * 8 + t * 2 + 1] = d1;
}

// m8n8k4 f64: A element (g, t), B element (t, g), C/D (g, 2t) and (g, 2t+1).
__global__ void mma_m8n8k4_f64(const double* a, const double* b, const double* c, double* d) {
  const int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  double d0, d1;
  asm volatile("mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 {%0,%1}, {%2}, {%3}, {%4,%5};"
               : "=d"(d0), "=d"(d1)
               : "d"(a[g * 4 + t]), "d"(b[g * 4 + t]), "d"(c[g * 8 + 2 * t]), "d"(c[g * 8 + 2 * t + 1]));
  d[g * 8 + 2 * t] = d0, d[g * 8 + 2 * t + 1] = d1;
}

// movmatrix (sm_75+): lane l holds row l/4, columns 2(l%4) and 2(l%4)+1 of an 8x8 b16 matrix;
// .trans gives it the same positions of the transpose (how llama.cpp transposes mma tiles).
__global__ void movmatrix_transpose(const uint16_t* in, uint16_t* out) {
  const int lane = threadIdx.x, r = lane / 4, c = 2 * (lane % 4);
  const uint32_t a = in[r * 8 + c] | uint32_t(in[r * 8 + c + 1]) << 16;
  uint32_t d;
  asm volatile("movmatrix.sync.aligned.m8n8.trans.b16 %0, %1;" : "=r"(d) : "r"(a));
  out[r * 8 + c] = uint16_t(d), out[r * 8 + c + 1] = uint16_t(d >> 16);
}

// m16n8k64 .s4 and m16n8k256 .b1 (.xor.popc): A four registers (rows g, g+8, g, g+8; columns from
// t*per, plus 4*per in the last two), B two (column g, rows from t*per and t*per + 4*per).
template <int Bits>
__global__ void mma_m16n8_subbyte(const uint8_t* a, const uint8_t* b, const int* c, int* d) {
  constexpr int K = 256 / Bits, per = 32 / Bits;
  const int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  uint32_t ra[4], rb[2];
  int rc[4], rd[4];
  for (int r = 0; r < 4; ++r) ra[r] = pack_row(a, K, g + 8 * (r & 1), t * per + 4 * per * (r >> 1), Bits);
  for (int r = 0; r < 2; ++r) rb[r] = pack_row(b, K, g, t * per + 4 * per * r, Bits);
  for (int r = 0; r < 4; ++r) rc[r] = c[(g + 8 * (r >> 1)) * 8 + t * 2 + (r & 1)];
  if constexpr (Bits == 4)
    asm volatile("mma.sync.aligned.m16n8k64.row.col.s32.s4.s4.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
                 : "=r"(rd[0]), "=r"(rd[1]), "=r"(rd[2]), "=r"(rd[3])
                 : "r"(ra[0]), "r"(ra[1]), "r"(ra[2]), "r"(ra[3]), "r"(rb[0]), "r"(rb[1]), "r"(rc[0]), "r"(rc[1]), "r"(rc[2]), "r"(rc[3]));
  else
    asm volatile("mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.xor.popc {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
                 : "=r"(rd[0]), "=r"(rd[1]), "=r"(rd[2]), "=r"(rd[3])
                 : "r"(ra[0]), "r"(ra[1]), "r"(ra[2]), "r"(ra[3]), "r"(rb[0]), "r"(rb[1]), "r"(rc[0]), "r"(rc[1]), "r"(rc[2]), "r"(rc[3]));
  for (int r = 0; r < 4; ++r) d[(g + 8 * (r >> 1)) * 8 + t * 2 + (r & 1)] = rd[r];
}

// m16n8k4 .tf32: a0 = A(g, t), a1 = A(g+8, t), b0 = B(t, g) (B stored column by column).
__global__ void mma_m16n8k4_tf32(const float* a, const float* b, const float* c, float* d) {
  const int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  float rd[4];
  asm volatile("mma.sync.aligned.m16n8k4.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5}, {%6}, {%7,%8,%9,%10};"
               : "=f"(rd[0]), "=f"(rd[1]), "=f"(rd[2]), "=f"(rd[3])
               : "r"(__float_as_uint(a[g * 4 + t])), "r"(__float_as_uint(a[(g + 8) * 4 + t])), "r"(__float_as_uint(b[g * 4 + t])),
                 "f"(c[g * 8 + 2 * t]), "f"(c[g * 8 + 2 * t + 1]), "f"(c[(g + 8) * 8 + 2 * t]), "f"(c[(g + 8) * 8 + 2 * t + 1]));
  for (int r = 0; r < 4; ++r) d[(g + 8 * (r >> 1)) * 8 + t * 2 + (r & 1)] = rd[r];
}

// mma.sp: A is stored compressed (16 x K/2, the two kept values of each 4-wide chunk); its
// fragment is the dense m16n8k(K/2) one. B (K x 8) is stored column by column. meta[lane] is the
// metadata word of each lane; the selector names the lane(s) of each group the MMA reads.
template <int K, bool Bf16, int Selector>
__global__ void mma_sparse(const uint16_t* a, const uint16_t* b, const float* c, const uint32_t* meta, float* d) {
  const int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  auto pair = [](const uint16_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 16; };
  uint32_t ra[4], rb[4];
  for (int r = 0; r < K / 8; ++r) ra[r] = pair(a + (g + 8 * (r & 1)) * (K / 2) + 2 * t + 8 * (r >> 1));
  for (int r = 0; r < K / 8; ++r) rb[r] = pair(b + g * K + 2 * t + 8 * r);
  float rc[4], rd[4];
  for (int r = 0; r < 4; ++r) rc[r] = c[(g + 8 * (r >> 1)) * 8 + t * 2 + (r & 1)];
  if constexpr (K == 16)
    asm volatile("mma.sp.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5}, {%6,%7}, {%8,%9,%10,%11}, %12, %13;"
                 : "=f"(rd[0]), "=f"(rd[1]), "=f"(rd[2]), "=f"(rd[3])
                 : "r"(ra[0]), "r"(ra[1]), "r"(rb[0]), "r"(rb[1]), "f"(rc[0]), "f"(rc[1]), "f"(rc[2]), "f"(rc[3]),
                   "r"(meta[lane]), "n"(Selector));
  else
    asm volatile("mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
                 "{%8,%9,%10,%11}, {%12,%13,%14,%15}, %16, %17;"
                 : "=f"(rd[0]), "=f"(rd[1]), "=f"(rd[2]), "=f"(rd[3])
                 : "r"(ra[0]), "r"(ra[1]), "r"(ra[2]), "r"(ra[3]), "r"(rb[0]), "r"(rb[1]), "r"(rb[2]), "r"(rb[3]),
                   "f"(rc[0]), "f"(rc[1]), "f"(rc[2]), "f"(rc[3]), "r"(meta[lane]), "n"(Selector));
  for (int r = 0; r < 4; ++r) d[(g + 8 * (r >> 1)) * 8 + t * 2 + (r & 1)] = rd[r];
}

// wmma m8n8k4 f64 with a directed rounding, through wmma.load/store (row-major A 8x4, B 4x8, C/D 8x8).
template <int Mode>  // 0: .rz, 1: .rm, 2: .rp
__global__ void wmma_f64_rounding(const double* a, const double* b, const double* c, double* d) {
#define WMMA_F64(RND)                                                                              \
  asm volatile("{\n .reg .f64 fa, fb, fc0, fc1, fd0, fd1;\n"                                        \
               " wmma.load.a.sync.aligned.row.m8n8k4.f64 {fa}, [%0];\n"                            \
               " wmma.load.b.sync.aligned.row.m8n8k4.f64 {fb}, [%1];\n"                            \
               " wmma.load.c.sync.aligned.row.m8n8k4.f64 {fc0, fc1}, [%2];\n"                      \
               " wmma.mma.sync.aligned.row.row.m8n8k4." RND ".f64.f64.f64.f64 {fd0, fd1}, {fa}, {fb}, {fc0, fc1};\n" \
               " wmma.store.d.sync.aligned.row.m8n8k4.f64 [%3], {fd0, fd1};\n}"                   \
               ::"l"(a), "l"(b), "l"(c), "l"(d) : "memory")
  if constexpr (Mode == 0) WMMA_F64("rz");
  else if constexpr (Mode == 1) WMMA_F64("rm");
  else WMMA_F64("rp");
#undef WMMA_F64
}

#ifdef MMA_SYNC_FP8
// m16n8k32 FP8 (sm_89): the .s8 layouts, four codes to a register. E4m3xE4m3F16: e4m3 x e4m3
// into f16 accumulators (c0/c1 in one register, c2/c3 in the other); else e4m3 x e5m2 into f32.
template <bool E4m3xE4m3F16>
__global__ void mma_fp8(const uint8_t* a, const uint8_t* b, const float* c, float* d) {
  const int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  uint32_t ra[4], rb[2];
  for (int r = 0; r < 4; ++r) ra[r] = pack_row(a, 32, g + 8 * (r & 1), t * 4 + 16 * (r >> 1), 8);
  for (int r = 0; r < 2; ++r) rb[r] = pack_row(b, 32, g, t * 4 + 16 * r, 8);
  float rc[4], rd[4];
  for (int r = 0; r < 4; ++r) rc[r] = c[(g + 8 * (r >> 1)) * 8 + t * 2 + (r & 1)];
  if constexpr (E4m3xE4m3F16) {
    const __half2 c01 = __floats2half2_rn(rc[0], rc[1]), c23 = __floats2half2_rn(rc[2], rc[3]);
    uint32_t h[2], hc[2];
    memcpy(&hc[0], &c01, 4), memcpy(&hc[1], &c23, 4);
    asm volatile("mma.sync.aligned.m16n8k32.row.col.f16.e4m3.e4m3.f16 {%0,%1}, {%2,%3,%4,%5}, {%6,%7}, {%8,%9};"
                 : "=r"(h[0]), "=r"(h[1])
                 : "r"(ra[0]), "r"(ra[1]), "r"(ra[2]), "r"(ra[3]), "r"(rb[0]), "r"(rb[1]), "r"(hc[0]), "r"(hc[1]));
    __half2 d01, d23;
    memcpy(&d01, &h[0], 4), memcpy(&d23, &h[1], 4);
    rd[0] = __low2float(d01), rd[1] = __high2float(d01), rd[2] = __low2float(d23), rd[3] = __high2float(d23);
  } else {
    asm volatile("mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e5m2.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
                 : "=f"(rd[0]), "=f"(rd[1]), "=f"(rd[2]), "=f"(rd[3])
                 : "r"(ra[0]), "r"(ra[1]), "r"(ra[2]), "r"(ra[3]), "r"(rb[0]), "r"(rb[1]), "f"(rc[0]), "f"(rc[1]), "f"(rc[2]), "f"(rc[3]));
  }
  for (int r = 0; r < 4; ++r) d[(g + 8 * (r >> 1)) * 8 + t * 2 + (r & 1)] = rd[r];
}
#endif

// ---------------- host ----------------

uint32_t next(uint32_t& s) { return s = s * 1664525u + 1013904223u; }

// Element (row, k) of a packed matrix with `ld` elements per row.
int element(const std::vector<uint8_t>& m, int ld, int row, int k, int bits, bool is_signed) {
  const int idx = row * ld + k, v = (m[idx * bits / 8] >> (idx * bits % 8)) & ((1 << bits) - 1);
  return is_signed && v >= (1 << (bits - 1)) ? v - (1 << bits) : v;
}

// D = C + A * B over M x 8 outputs; op: 0 multiply, 1 xor, 2 and (b1).
void check(const char* name, int M, int K, int bits, bool sa, bool sb, int op, bool saturate, const std::vector<uint8_t>& a,
           const std::vector<uint8_t>& b, const std::vector<int>& c, const std::vector<int>& d) {
  for (int r = 0; r < M; ++r)
    for (int n = 0; n < 8; ++n) {
      long long want = c[r * 8 + n];
      for (int k = 0; k < K; ++k) {
        const int x = element(a, K, r, k, bits, sa), y = element(b, K, n, k, bits, sb);
        want += op == 0 ? (long long)x * y : op == 1 ? (x ^ y) : (x & y);
      }
      if (saturate) want = want > INT_MAX ? INT_MAX : want < INT_MIN ? INT_MIN : want;
      const int expect = int(uint32_t(uint64_t(want)));
      if (d[r * 8 + n] != expect) {
        std::fprintf(stderr, "mma_sync_shapes %s: D(%d,%d) = %d, expected %d\n", name, r, n, d[r * 8 + n], expect);
        std::exit(1);
      }
    }
}

template <int K, bool Sat, bool SA, bool SB>
void run_m16n8(const char* name, uint32_t seed) {
  std::vector<uint8_t> a(16 * K), b(8 * K);
  std::vector<int> c(16 * 8);
  for (auto& v : a) v = uint8_t(next(seed) >> 24);
  for (auto& v : b) v = uint8_t(next(seed) >> 24);
  for (int i = 0; i < 128; ++i) c[i] = i % 4 == 0 ? INT_MAX - 100000 : i % 4 == 1 ? INT_MIN + 100000 : int(next(seed) % 2001) - 1000;
  uint8_t *da = dev(a), *db = dev(b);
  int *dc = dev(c), *dd = dev(std::vector<int>(128, 0));
  mma_m16n8_int<K, Sat, SA, SB><<<1, 32>>>(da, db, dc, dd);
  CHECK(cudaGetLastError());
  check(name, 16, K, 8, SA, SB, 0, Sat, a, b, c, host(dd, 128));
}

template <int Kind>
void run_m8n8(const char* name, uint32_t seed) {
  const int bits = Kind == 0 ? 8 : Kind == 1 ? 4 : 1, K = 32 / bits * 4;
  std::vector<uint8_t> a(8 * K * bits / 8), b(8 * K * bits / 8);
  std::vector<int> c(64);
  for (auto& v : a) v = uint8_t(next(seed) >> 24);
  for (auto& v : b) v = uint8_t(next(seed) >> 24);
  for (auto& v : c) v = int(next(seed) % 20001) - 10000;
  uint8_t *da = dev(a), *db = dev(b);
  int *dc = dev(c), *dd = dev(std::vector<int>(64, 0));
  mma_m8n8_int<Kind><<<1, 32>>>(da, db, dc, dd);
  CHECK(cudaGetLastError());
  check(name, 8, K, bits, Kind < 2, Kind < 2, Kind < 2 ? 0 : Kind - 1, false, a, b, c, host(dd, 64));
}

template <int Bits>
void run_m16n8_subbyte(const char* name, uint32_t seed) {
  const int K = 256 / Bits;
  std::vector<uint8_t> a(16 * K * Bits / 8), b(8 * K * Bits / 8);
  std::vector<int> c(128);
  for (auto& v : a) v = uint8_t(next(seed) >> 24);
  for (auto& v : b) v = uint8_t(next(seed) >> 24);
  for (auto& v : c) v = int(next(seed) % 20001) - 10000;
  uint8_t *da = dev(a), *db = dev(b);
  int *dc = dev(c), *dd = dev(std::vector<int>(128, 0));
  mma_m16n8_subbyte<Bits><<<1, 32>>>(da, db, dc, dd);
  CHECK(cudaGetLastError());
  check(name, 16, K, Bits, Bits == 4, Bits == 4, Bits == 4 ? 0 : 1, false, a, b, c, host(dd, 128));
}

// Compares a 16 x 8 float result with a reference whose sums are exact (so rounding cannot differ).
void check_floats(const char* name, const std::vector<float>& d, const std::vector<double>& want) {
  for (int i = 0; i < 128; ++i)
    if (d[i] != float(want[i])) {
      std::fprintf(stderr, "mma_sync_shapes %s: D(%d,%d) = %.9g, expected %.9g\n", name, i / 8, i % 8, d[i], want[i]);
      std::exit(1);
    }
}

// Multiples of 1/8 below 2^4: exact in tf32, and every product and sum exact in f32.
void run_tf32_k4(uint32_t seed) {
  std::vector<float> a(64), b(32), c(128);
  for (auto& v : a) v = (int(next(seed) % 257) - 128) / 8.0f;
  for (auto& v : b) v = (int(next(seed) % 257) - 128) / 8.0f;
  for (auto& v : c) v = int(next(seed) % 2001) - 1000;
  float *da = dev(a), *db = dev(b), *dc = dev(c), *dd = dev(std::vector<float>(128, 0));
  mma_m16n8k4_tf32<<<1, 32>>>(da, db, dc, dd);
  CHECK(cudaGetLastError());
  std::vector<double> want(128);
  for (int r = 0; r < 16; ++r)
    for (int n = 0; n < 8; ++n) {
      want[r * 8 + n] = c[r * 8 + n];
      for (int k = 0; k < 4; ++k) want[r * 8 + n] += double(a[r * 4 + k]) * b[n * 4 + k];
    }
  check_floats("m16n8k4 tf32", host(dd, 128), want);
}

uint16_t half_bits(float x, bool bf16) {
  uint16_t bits;
  if (bf16) {
    const __nv_bfloat16 h = __float2bfloat16(x);
    std::memcpy(&bits, &h, 2);
  } else {
    const __half h = __float2half(x);
    std::memcpy(&bits, &h, 2);
  }
  return bits;
}

// 2:4-sparse A (values on a 1/4 grid, exact in f16 and bf16), metadata per the ISA's sparse
// fragment tables: each 4-wide chunk's nibble holds the columns of its two kept values (first in
// bits 1:0); the lanes the selector names carry rows g (bits 0-15) and g+8 (bits 16-31), and for
// K = 32 the first lane of the pair columns 0-15, the second 16-31. Other lanes carry junk.
template <int K, bool Bf16, int Selector>
void run_sparse(const char* name, uint32_t seed) {
  std::vector<uint16_t> ac(16 * K / 2), b(8 * K);
  std::vector<double> dense(16 * K, 0.0), bv(8 * K);
  std::vector<float> c(128);
  std::vector<uint32_t> meta(32, 0xa5a5a5a5u);
  const int lanes_per_group = K / 16;
  for (int g = 0; g < 8; ++g)
    for (int l = 0; l < lanes_per_group; ++l) meta[4 * g + Selector * lanes_per_group + l] = 0;
  for (int row = 0; row < 16; ++row)
    for (int chunk = 0; chunk < K / 4; ++chunk) {
      int first = int(next(seed) % 4), second = int(next(seed) % 3);
      if (second >= first) ++second;
      if (first > second) std::swap(first, second);  // ordered, as ::ordered_metadata needs
      for (int j = 0; j < 2; ++j) {
        const float v = (int(next(seed) % 33) - 16) / 4.0f;
        ac[row * (K / 2) + 2 * chunk + j] = half_bits(v, Bf16);
        dense[row * K + 4 * chunk + (j ? second : first)] = v;
      }
      const int lane = 4 * (row % 8) + Selector * lanes_per_group + chunk / 4;
      meta[lane] |= uint32_t(first | second << 2) << (16 * (row / 8) + 4 * (chunk % 4));
    }
  for (int i = 0; i < 8 * K; ++i) {
    const float v = (int(next(seed) % 33) - 16) / 4.0f;
    b[i] = half_bits(v, Bf16), bv[i] = v;
  }
  for (auto& v : c) v = int(next(seed) % 201) - 100;
  uint16_t *da = dev(ac), *db = dev(b);
  float *dc = dev(c), *dd = dev(std::vector<float>(128, 0));
  uint32_t* dm = dev(meta);
  mma_sparse<K, Bf16, Selector><<<1, 32>>>(da, db, dc, dm, dd);
  CHECK(cudaGetLastError());
  std::vector<double> want(128);
  for (int r = 0; r < 16; ++r)
    for (int n = 0; n < 8; ++n) {
      want[r * 8 + n] = c[r * 8 + n];
      for (int k = 0; k < K; ++k) want[r * 8 + n] += dense[r * K + k] * bv[n * K + k];
    }
  check_floats(name, host(dd, 128), want);
}

// Full 53-bit significands, so the modes round differently; the reference is the fma chain in k
// order under the host's rounding mode.
template <int Mode>
void run_wmma_f64_rounding(const char* name, uint32_t seed) {
  std::vector<double> a(32), b(32), c(64);
  for (auto* m : {&a, &b, &c})
    for (auto& v : *m) v = (double(next(seed)) * 4294967296.0 + next(seed)) / 9007199254740992.0 * ((next(seed) & 1) ? -3.0 : 3.0);
  double *da = dev(a), *db = dev(b), *dc = dev(c), *dd = dev(std::vector<double>(64, 0));
  wmma_f64_rounding<Mode><<<1, 32>>>(da, db, dc, dd);
  CHECK(cudaGetLastError());
  const std::vector<double> d = host(dd, 64);
  const int saved = std::fegetround();
  std::fesetround(Mode == 0 ? FE_TOWARDZERO : Mode == 1 ? FE_DOWNWARD : FE_UPWARD);
  for (int r = 0; r < 8; ++r)
    for (int n = 0; n < 8; ++n) {
      volatile double acc = c[r * 8 + n];
      for (int k = 0; k < 4; ++k) {
        volatile double x = a[r * 4 + k], y = b[k * 8 + n];
        acc = std::fma(x, y, acc);
      }
      if (d[r * 8 + n] != acc) {
        std::fesetround(saved);
        std::fprintf(stderr, "mma_sync_shapes %s: D(%d,%d) = %.17g, expected %.17g\n", name, r, n, d[r * 8 + n], double(acc));
        std::exit(1);
      }
    }
  std::fesetround(saved);
}

#ifdef MMA_SYNC_FP8
// FP8 operands made by cuda_fp8.h's conversions from small values (every product and sum exact
// in f16 and f32), decoded back by it for the reference.
template <bool E4m3xE4m3F16>
void run_fp8(const char* name, uint32_t seed) {
  const float a_values[] = {0.0f, 0.5f, -0.5f, 1.0f, -1.0f, 1.5f, -1.5f, 2.0f, -2.0f};
  const float b_values[] = {0.0f, 0.25f, -0.25f, 0.5f, -0.5f, 1.0f, -1.0f, 2.0f, -2.0f};
  std::vector<uint8_t> a(16 * 32), b(8 * 32);
  std::vector<double> av(a.size()), bv(b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const __nv_fp8_e4m3 x(a_values[next(seed) % 9]);
    a[i] = x.__x, av[i] = float(x);
  }
  for (size_t i = 0; i < b.size(); ++i) {
    const float v = b_values[next(seed) % 9];
    if (E4m3xE4m3F16) {
      const __nv_fp8_e4m3 x(v);
      b[i] = x.__x, bv[i] = float(x);
    } else {
      const __nv_fp8_e5m2 x(v);
      b[i] = x.__x, bv[i] = float(x);
    }
  }
  std::vector<float> c(128);
  for (auto& v : c) v = (int(next(seed) % 129) - 64) / 4.0f;
  uint8_t *da = dev(a), *db = dev(b);
  float *dc = dev(c), *dd = dev(std::vector<float>(128, 0));
  mma_fp8<E4m3xE4m3F16><<<1, 32>>>(da, db, dc, dd);
  CHECK(cudaGetLastError());
  std::vector<double> want(128);
  for (int r = 0; r < 16; ++r)
    for (int n = 0; n < 8; ++n) {
      want[r * 8 + n] = c[r * 8 + n];
      for (int k = 0; k < 32; ++k) want[r * 8 + n] += av[r * 32 + k] * bv[n * 32 + k];
    }
  check_floats(name, host(dd, 128), want);
}
#endif

int main() {
  run_m16n8<32, false, true, true>("m16n8k32 s8.s8", 1);
  run_m16n8<32, true, false, true>("m16n8k32 u8.s8 satfinite", 2);
  run_m16n8<16, true, false, false>("m16n8k16 u8.u8 satfinite", 3);
  run_m8n8<0>("m8n8k16 s8", 4);
  run_m8n8<1>("m8n8k32 s4", 5);
  run_m8n8<2>("m8n8k128 b1 xor", 6);
  run_m8n8<3>("m8n8k128 b1 and", 7);
  run_m16n8_subbyte<4>("m16n8k64 s4", 9);
  run_m16n8_subbyte<1>("m16n8k256 b1 xor", 10);
  run_tf32_k4(11);
  run_sparse<16, false, 1>("mma.sp m16n8k16 f16 selector 1", 12);
  run_sparse<32, true, 1>("mma.sp::ordered_metadata m16n8k32 bf16 selector 1", 13);
  run_wmma_f64_rounding<0>("wmma m8n8k4 f64 rz", 14);
  run_wmma_f64_rounding<1>("wmma m8n8k4 f64 rm", 15);
  run_wmma_f64_rounding<2>("wmma m8n8k4 f64 rp", 16);
#ifdef MMA_SYNC_FP8
  run_fp8<false>("m16n8k32 e4m3.e5m2 f32", 17);
  run_fp8<true>("m16n8k32 e4m3.e4m3 f16", 18);
#endif
  // f64: multiples of 1/8 below 2^10, so every product and sum is exact.
  std::vector<double> a(32), b(32), c(64);
  uint32_t seed = 8;
  for (auto& v : a) v = (int(next(seed) % 2001) - 1000) / 8.0;
  for (auto& v : b) v = (int(next(seed) % 2001) - 1000) / 8.0;
  for (auto& v : c) v = int(next(seed) % 2001) - 1000;
  double *da = dev(a), *db = dev(b), *dc = dev(c), *dd = dev(std::vector<double>(64, 0));
  mma_m8n8k4_f64<<<1, 32>>>(da, db, dc, dd);
  CHECK(cudaGetLastError());
  const std::vector<double> d = host(dd, 64);
  for (int r = 0; r < 8; ++r)
    for (int n = 0; n < 8; ++n) {
      double want = c[r * 8 + n];
      for (int k = 0; k < 4; ++k) want += a[r * 4 + k] * b[n * 4 + k];  // B stored column by column
      if (d[r * 8 + n] != want) {
        std::fprintf(stderr, "mma_sync_shapes m8n8k4 f64: D(%d,%d) = %.17g, expected %.17g\n", r, n, d[r * 8 + n], want);
        return 1;
      }
    }
  std::vector<uint16_t> m(64);
  for (int i = 0; i < 64; ++i) m[i] = uint16_t(0x3c00 + i * 7);
  uint16_t *dm = dev(m), *dt = dev(std::vector<uint16_t>(64, 0));
  movmatrix_transpose<<<1, 32>>>(dm, dt);
  CHECK(cudaGetLastError());
  const std::vector<uint16_t> t = host(dt, 64);
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 8; ++c)
      if (t[r * 8 + c] != m[c * 8 + r]) {
        std::fprintf(stderr, "mma_sync_shapes movmatrix: (%d,%d) = 0x%x, expected 0x%x\n", r, c, t[r * 8 + c], m[c * 8 + r]);
        return 1;
      }
  std::printf(PROGRAM_NAME ": OK\n");
  return 0;
}
