// mma.sync through inline PTX, as hand-written int8 / fp64 GEMM kernels use it (llama.cpp's
// quantised matrix multiplies, CUTLASS-style code): m16n8k32 and m16n8k16 with .s8/.u8 (mixed
// signs, .satfinite), m8n8k16 .s8, m8n8k32 .s4, m8n8k128 .b1 (.xor.popc / .and.popc) and m8n8k4
// .f64, and movmatrix. Each lane packs its fragment registers from the matrices in memory by the PTX ISA's
// fragment tables (register r of lane L: groupID = L/4, threadID_in_group = L%4), written out
// here per shape; the host compares D with a plain int64 / double matrix product.
#include <climits>
#include <cstdint>
#include <cstdio>
#include <vector>

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

int main() {
  run_m16n8<32, false, true, true>("m16n8k32 s8.s8", 1);
  run_m16n8<32, true, false, true>("m16n8k32 u8.s8 satfinite", 2);
  run_m16n8<16, true, false, false>("m16n8k16 u8.u8 satfinite", 3);
  run_m8n8<0>("m8n8k16 s8", 4);
  run_m8n8<1>("m8n8k32 s4", 5);
  run_m8n8<2>("m8n8k128 b1 xor", 6);
  run_m8n8<3>("m8n8k128 b1 and", 7);
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
  std::printf("mma_sync_shapes: OK\n");
  return 0;
}
