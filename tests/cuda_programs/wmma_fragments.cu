// nvcuda::wmma with every fragment type CUDA offers on sm_80: f16 inputs with f32 and f16
// accumulators in the three shapes m16n16k16, m32n8k16 and m8n32k16; bf16 inputs; tf32
// m16n16k8 (with __float_to_tf32); s8 and u8 inputs into s32; double m8n8k4; and the sub-byte
// wmma::experimental types: s4/u4 m8n8k32 (with saturation) and b1 m8n8k128 (bmma_sync with XOR
// and AND). Each case loads A
// and B in row- or column-major order with a leading dimension larger than the tile (ldm),
// loads or fills C, scales the accumulator element-wise (fragments are arrays of num_elements),
// and stores D row- or column-major. A small multi-warp GEMM loops over K through shared memory.
// Inputs are small integers (or multiples of 1/8), so every product and sum is exact and the CPU
// reference - a plain triple loop in double / int64 - must match bit for bit.
#include <mma.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.cuh"

using namespace nvcuda;

// Host-side element encodings (the headers' host conversions are exact for these values).
template <typename T> T to_elem(double v);
template <> half to_elem<half>(double v) { return __double2half(v); }
template <> __nv_bfloat16 to_elem<__nv_bfloat16>(double v) { return __double2bfloat16(v); }
template <> float to_elem<float>(double v) { return float(v); }
template <> double to_elem<double>(double v) { return v; }
template <> signed char to_elem<signed char>(double v) { return (signed char)v; }
template <> unsigned char to_elem<unsigned char>(double v) { return (unsigned char)v; }
template <> int to_elem<int>(double v) { return int(v); }
template <typename T> double from_elem(T v);
template <> double from_elem<half>(half v) { return __half2float(v); }
template <> double from_elem<float>(float v) { return v; }
template <> double from_elem<double>(double v) { return v; }
template <> double from_elem<int>(int v) { return v; }

// The fragment element types: tf32 fragments hold float; their memory is float too.
template <typename T> struct Memory { using type = T; };
template <> struct Memory<wmma::precision::tf32> { using type = float; };

// One warp: D = alpha * (A*B + C). A is MxK, B is KxN, C/D MxN, each with its own leading
// dimension and layout (a_row / b_row / d_row: row-major), C either loaded or filled with c_fill.
template <int M, int N, int K, typename In, typename Acc, typename LayoutA, typename LayoutB>
__global__ void wmma_tile(const typename Memory<In>::type* a, int lda, const typename Memory<In>::type* b, int ldb,
                          const Acc* c, int ldc, bool c_row, Acc c_fill, Acc* d, int ldd, bool d_row, Acc alpha,
                          bool round_tf32) {
  wmma::fragment<wmma::matrix_a, M, N, K, In, LayoutA> fa;
  wmma::fragment<wmma::matrix_b, M, N, K, In, LayoutB> fb;
  wmma::fragment<wmma::accumulator, M, N, K, Acc> fc;
  wmma::load_matrix_sync(fa, a, lda);
  wmma::load_matrix_sync(fb, b, ldb);
  if constexpr (std::is_same_v<In, wmma::precision::tf32>) {
    if (round_tf32) {  // the documented way to feed fp32 data to tf32 fragments
      for (int i = 0; i < fa.num_elements; ++i) fa.x[i] = wmma::__float_to_tf32(fa.x[i]);
      for (int i = 0; i < fb.num_elements; ++i) fb.x[i] = wmma::__float_to_tf32(fb.x[i]);
    }
  }
  if (c) wmma::load_matrix_sync(fc, c, ldc, c_row ? wmma::mem_row_major : wmma::mem_col_major);
  else wmma::fill_fragment(fc, c_fill);
  wmma::mma_sync(fc, fa, fb, fc);
  for (int i = 0; i < fc.num_elements; ++i) fc.x[i] = fc.x[i] * alpha;
  wmma::store_matrix_sync(d, fc, ldd, d_row ? wmma::mem_row_major : wmma::mem_col_major);
}

// Element (r, c) of a matrix stored row- or column-major with leading dimension ld.
inline size_t at(bool row_major, int ld, int r, int c) { return row_major ? size_t(r) * ld + c : size_t(c) * ld + r; }

template <typename T> T* upload(const std::vector<T>& v) {
  T* p = nullptr;
  CHECK(cudaMalloc(&p, v.size() * sizeof(T) + 64));
  CHECK(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  return p;
}

// Runs one case and compares D with the CPU's alpha * (A*B + C). `lo..hi` bounds the integer
// inputs (scaled by `scale`); the accumulator type decides how the CPU result is encoded.
template <int M, int N, int K, typename In, typename Acc, typename LayoutA, typename LayoutB>
void run_case(const char* name, int lo, int hi, double scale, bool load_c, bool c_row, bool d_row, double alpha,
              bool round_tf32 = false) {
  using Mem = typename Memory<In>::type;
  const bool a_row = std::is_same_v<LayoutA, wmma::row_major>, b_row = std::is_same_v<LayoutB, wmma::row_major>;
  // Leading dimensions beyond the tile, in elements; multiples of 16 bytes as the API requires.
  auto ld_of = [](int dim, int elem_bytes, int extra) {
    const int q = 16 / elem_bytes;
    return (dim + q - 1) / q * q + extra * q;
  };
  const int lda = ld_of(a_row ? K : M, sizeof(Mem), 1), ldb = ld_of(b_row ? N : K, sizeof(Mem), 1);
  const int ldc = ld_of(c_row ? N : M, sizeof(Acc), 1), ldd = ld_of(d_row ? N : M, sizeof(Acc), 2);
  std::vector<double> av(M * K), bv(K * N), cv(M * N);
  unsigned seed = 12345u + M * 7 + N * 3 + K;
  auto next = [&] { seed = seed * 1103515245u + 12345u; return lo + int((seed >> 16) % unsigned(hi - lo + 1)); };
  for (auto& x : av) x = next() * scale;
  for (auto& x : bv) x = next() * scale;
  for (auto& x : cv) x = load_c ? next() : 3;
  std::vector<Mem> ah(size_t(lda) * (a_row ? M : K), to_elem<Mem>(0)), bh(size_t(ldb) * (b_row ? K : N), to_elem<Mem>(0));
  std::vector<Acc> ch(size_t(ldc) * (c_row ? M : N), to_elem<Acc>(0));
  for (int r = 0; r < M; ++r)
    for (int k = 0; k < K; ++k) ah[at(a_row, lda, r, k)] = to_elem<Mem>(av[r * K + k]);
  for (int k = 0; k < K; ++k)
    for (int n = 0; n < N; ++n) bh[at(b_row, ldb, k, n)] = to_elem<Mem>(bv[k * N + n]);
  for (int r = 0; r < M; ++r)
    for (int n = 0; n < N; ++n) ch[at(c_row, ldc, r, n)] = to_elem<Acc>(cv[r * N + n]);
  const size_t d_size = size_t(ldd) * (d_row ? M : N);
  Mem *a = upload(ah), *b = upload(bh);
  Acc* c = upload(ch);
  Acc* d = upload(std::vector<Acc>(d_size, to_elem<Acc>(-7)));
  wmma_tile<M, N, K, In, Acc, LayoutA, LayoutB><<<1, 32>>>(a, lda, b, ldb, load_c ? c : nullptr, ldc, c_row,
                                                          to_elem<Acc>(3), d, ldd, d_row, to_elem<Acc>(alpha),
                                                          round_tf32);
  CHECK(cudaGetLastError());
  std::vector<Acc> dh(d_size);
  CHECK(cudaMemcpy(dh.data(), d, d_size * sizeof(Acc), cudaMemcpyDeviceToHost));
  for (int r = 0; r < M; ++r)
    for (int n = 0; n < N; ++n) {
      double want = cv[r * N + n];
      for (int k = 0; k < K; ++k) want += av[r * K + k] * bv[k * N + n];
      want *= alpha;
      const double got = from_elem<Acc>(dh[at(d_row, ldd, r, n)]);
      if (got != want) {
        std::fprintf(stderr, "wmma %s: D(%d,%d) = %.17g, expected %.17g\n", name, r, n, got, want);
        std::exit(1);
      }
    }
  // Padding between the tile's rows (columns) must be untouched.
  for (size_t i = 0; i < d_size; ++i) {
    const size_t line = i / ldd, within = i % ldd;
    if (within >= size_t(d_row ? N : M) && from_elem<Acc>(dh[i]) != -7) {
      std::fprintf(stderr, "wmma %s: store wrote padding element %zu of line %zu\n", name, within, line);
      std::exit(1);
    }
  }
  cudaFree(a), cudaFree(b), cudaFree(c), cudaFree(d);
}

// A 64x64 GEMM by a block of 4 warps (each a 32x32 block of 2x2 m16n16k16 tiles), K = 96 in
// steps of 16 staged through shared memory. Checks that fragments survive loops and barriers.
__global__ void tiled_gemm(const half* a, const half* b, float* c, int k_total) {
  __shared__ __align__(32) half as[64][16 + 8];
  __shared__ __align__(32) half bs[16][64 + 8];
  const int warp = threadIdx.x / 32, wr = warp / 2, wc = warp % 2;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);
  for (int k0 = 0; k0 < k_total; k0 += 16) {
    for (int e = threadIdx.x; e < 64 * 16; e += blockDim.x) {
      as[e / 16][e % 16] = a[(e / 16) * k_total + k0 + e % 16];
      bs[e / 64][e % 64] = b[(k0 + e / 64) * 64 + e % 64];
    }
    __syncthreads();
    for (int i = 0; i < 2; ++i) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> fa;
      wmma::load_matrix_sync(fa, &as[wr * 32 + i * 16][0], 16 + 8);
      for (int j = 0; j < 2; ++j) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::row_major> fb;
        wmma::load_matrix_sync(fb, &bs[0][wc * 32 + j * 16], 64 + 8);
        wmma::mma_sync(acc[i][j], fa, fb, acc[i][j]);
      }
    }
    __syncthreads();
  }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      wmma::store_matrix_sync(c + (wr * 32 + i * 16) * 64 + wc * 32 + j * 16, acc[i][j], 64, wmma::mem_row_major);
}

void run_tiled_gemm() {
  const int K = 96;
  std::vector<half> ah(64 * K), bh(K * 64);
  std::vector<int> ai(64 * K), bi(K * 64);
  for (int i = 0; i < 64 * K; ++i) ai[i] = (i * 37 + 11) % 9 - 4, ah[i] = __int2half_rn(ai[i]);
  for (int i = 0; i < K * 64; ++i) bi[i] = (i * 53 + 5) % 7 - 3, bh[i] = __int2half_rn(bi[i]);
  half *a = upload(ah), *b = upload(bh);
  float* c = nullptr;
  CHECK(cudaMalloc(&c, 64 * 64 * sizeof(float)));
  tiled_gemm<<<1, 128>>>(a, b, c, K);
  CHECK(cudaGetLastError());
  std::vector<float> ch(64 * 64);
  CHECK(cudaMemcpy(ch.data(), c, ch.size() * sizeof(float), cudaMemcpyDeviceToHost));
  for (int r = 0; r < 64; ++r)
    for (int n = 0; n < 64; ++n) {
      long want = 0;
      for (int k = 0; k < K; ++k) want += long(ai[r * K + k]) * bi[k * 64 + n];
      if (ch[r * 64 + n] != float(want)) {
        std::fprintf(stderr, "tiled_gemm: C(%d,%d) = %g, expected %ld\n", r, n, ch[r * 64 + n], want);
        std::exit(1);
      }
    }
  cudaFree(a), cudaFree(b), cudaFree(c);
}

// wmma::__float_to_tf32 on its own: round to nearest, ties away from zero, to 10 fraction bits.
__global__ void to_tf32(const float* in, float* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = wmma::__float_to_tf32(in[i]);
}

uint32_t host_tf32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7f800000u) == 0x7f800000u) return (u & 0x7fffffu) ? 0x7fffffffu : u;  // inf stays, NaN canonical
  const uint64_t rounded = uint64_t(u & 0x7fffffffu) + 0x1000u;  // half of the dropped 13 bits: ties away
  return (u & 0x80000000u) | uint32_t(rounded & 0xffffe000u);
}

void run_tf32_conversion() {
  const int n = 256;
  std::vector<float> in(n);
  for (int i = 0; i < n; ++i) {
    const uint32_t bits = 0x3f800000u + uint32_t(i) * 0x00001001u * ((i % 3) + 1) + (i % 5 == 0 ? 0x1000u : 0);
    std::memcpy(&in[i], &bits, 4);
    if (i % 2) in[i] = -in[i];
  }
  in[7] = 65504.0f * 4096.0f * 1000.0f, in[8] = 3.4028235e38f;  // near the top: rounds to infinity
  float *d_in = upload(in), *d_out = nullptr;
  CHECK(cudaMalloc(&d_out, n * sizeof(float)));
  to_tf32<<<1, n>>>(d_in, d_out, n);
  std::vector<float> out(n);
  CHECK(cudaMemcpy(out.data(), d_out, n * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) {
    uint32_t got;
    std::memcpy(&got, &out[i], 4);
    if (got != host_tf32_bits(in[i])) {
      std::fprintf(stderr, "__float_to_tf32(%a) = 0x%08x, expected 0x%08x\n", in[i], got, host_tf32_bits(in[i]));
      std::exit(1);
    }
  }
  cudaFree(d_in), cudaFree(d_out);
}

// Sub-byte fragments: A row-major and B column-major (the only layouts these take), packed from
// the low bits of each byte up, with leading dimensions of twice the tile.
namespace exp_ = wmma::experimental;
template <typename Prec, int K>
__global__ void subbyte_tile(const void* a, const void* b, int* d, int c_fill, bool saturate) {
  wmma::fragment<wmma::matrix_a, 8, 8, K, Prec, wmma::row_major> fa;
  wmma::fragment<wmma::matrix_b, 8, 8, K, Prec, wmma::col_major> fb;
  wmma::fragment<wmma::accumulator, 8, 8, K, int> fc;
  wmma::load_matrix_sync(fa, a, 2 * K);
  wmma::load_matrix_sync(fb, b, 2 * K);
  wmma::fill_fragment(fc, c_fill);
  if constexpr (K == 128) {
    wmma::bmma_sync(fc, fa, fb, fc, exp_::bmmaBitOpXOR);
    wmma::store_matrix_sync(d, fc, 8, wmma::mem_row_major);
    wmma::fill_fragment(fc, c_fill);
    wmma::bmma_sync(fc, fa, fb, fc, exp_::bmmaBitOpAND);
    wmma::store_matrix_sync(d + 64, fc, 8, wmma::mem_col_major);
  } else {
    wmma::mma_sync(fc, fa, fb, fc, saturate);
    wmma::store_matrix_sync(d, fc, 8, wmma::mem_row_major);
  }
}

// bits: 4 (s4 when is_signed, else u4) or 1 (b1).
template <typename Prec, int K>
void run_subbyte(const char* name, int bits, bool is_signed, int c_fill, bool saturate) {
  const int ld = 2 * K, per_byte = 8 / bits;
  std::vector<unsigned char> ah(8 * ld / per_byte, 0), bh(8 * ld / per_byte, 0);
  std::vector<int> av(8 * K), bv(K * 8);
  unsigned seed = 77u + bits;
  auto next = [&] { seed = seed * 1103515245u + 12345u; return int(seed >> 16); };
  auto put = [&](std::vector<unsigned char>& mem, int index, int value) {
    mem[index / per_byte] |= (unsigned char)((value & ((1 << bits) - 1)) << (bits * (index % per_byte)));
  };
  for (int r = 0; r < 8; ++r)
    for (int k = 0; k < K; ++k) {
      const int raw = next() & ((1 << bits) - 1);
      av[r * K + k] = is_signed && raw >= 8 ? raw - 16 : raw;
      put(ah, r * ld + k, raw);
    }
  for (int n = 0; n < 8; ++n)
    for (int k = 0; k < K; ++k) {
      const int raw = next() & ((1 << bits) - 1);
      bv[k * 8 + n] = is_signed && raw >= 8 ? raw - 16 : raw;
      put(bh, n * ld + k, raw);  // column-major: column n is contiguous
    }
  unsigned char *a = upload(ah), *b = upload(bh);
  int* d = upload(std::vector<int>(128, -7));
  subbyte_tile<Prec, K><<<1, 32>>>(a, b, d, c_fill, saturate);
  CHECK(cudaGetLastError());
  std::vector<int> dh(128);
  CHECK(cudaMemcpy(dh.data(), d, dh.size() * sizeof(int), cudaMemcpyDeviceToHost));
  for (int r = 0; r < 8; ++r)
    for (int n = 0; n < 8; ++n) {
      long long dot = 0, x = 0, both = 0;
      for (int k = 0; k < K; ++k) {
        dot += (long long)av[r * K + k] * bv[k * 8 + n];
        x += av[r * K + k] != bv[k * 8 + n], both += av[r * K + k] & bv[k * 8 + n];
      }
      long long want = bits == 1 ? c_fill + x : c_fill + dot;
      if (saturate) want = want > INT_MAX ? INT_MAX : want < INT_MIN ? INT_MIN : want;
      if (dh[r * 8 + n] != int(uint32_t(uint64_t(want))))
        std::fprintf(stderr, "wmma %s: D(%d,%d) = %d, expected %lld\n", name, r, n, dh[r * 8 + n], want), std::exit(1);
      if (bits == 1 && dh[64 + n * 8 + r] != c_fill + both)
        std::fprintf(stderr, "wmma %s AND: D(%d,%d) = %d, expected %lld\n", name, r, n, dh[64 + n * 8 + r], c_fill + both),
            std::exit(1);
    }
  cudaFree(a), cudaFree(b), cudaFree(d);
}

int main() {
  using R = wmma::row_major;
  using C = wmma::col_major;
  // f16 -> f32, every shape and layout mix.
  run_case<16, 16, 16, half, float, R, C>("f16 m16n16k16 row.col", -8, 8, 1, true, true, true, 1.0);
  run_case<16, 16, 16, half, float, C, R>("f16 m16n16k16 col.row", -8, 8, 1, true, false, false, -2.0);
  run_case<32, 8, 16, half, float, R, R>("f16 m32n8k16 row.row", -8, 8, 1, true, true, true, 1.0);
  run_case<32, 8, 16, half, float, C, C>("f16 m32n8k16 col.col", -8, 8, 1, false, true, false, 0.5);
  run_case<8, 32, 16, half, float, R, C>("f16 m8n32k16 row.col", -8, 8, 1, true, false, true, 1.0);
  run_case<8, 32, 16, half, float, C, R>("f16 m8n32k16 col.row", -8, 8, 0.125, true, true, false, 4.0);
  // f16 -> f16 accumulators.
  run_case<16, 16, 16, half, half, R, R>("f16->f16 m16n16k16", -4, 4, 1, true, true, true, 1.0);
  run_case<32, 8, 16, half, half, C, R>("f16->f16 m32n8k16", -4, 4, 1, true, false, true, 2.0);
  run_case<8, 32, 16, half, half, R, C>("f16->f16 m8n32k16", -4, 4, 1, false, true, false, 1.0);
  // bf16 -> f32.
  run_case<16, 16, 16, __nv_bfloat16, float, R, C>("bf16 m16n16k16", -16, 16, 1, true, true, true, 1.0);
  run_case<32, 8, 16, __nv_bfloat16, float, C, R>("bf16 m32n8k16", -16, 16, 1, true, true, false, 1.0);
  run_case<8, 32, 16, __nv_bfloat16, float, R, R>("bf16 m8n32k16", -16, 16, 1, true, false, true, -1.0);
  // tf32 -> f32 (values exact in tf32; __float_to_tf32 leaves them unchanged).
  run_case<16, 16, 8, wmma::precision::tf32, float, R, C>("tf32 m16n16k8 row.col", -64, 64, 0.125, true, true, true, 1.0, true);
  run_case<16, 16, 8, wmma::precision::tf32, float, C, R>("tf32 m16n16k8 col.row", -64, 64, 0.125, false, true, false, 1.0);
  // 8-bit integers -> s32.
  run_case<16, 16, 16, signed char, int, R, C>("s8 m16n16k16", -128, 127, 1, true, true, true, 1);
  run_case<32, 8, 16, signed char, int, C, R>("s8 m32n8k16", -128, 127, 1, true, false, true, 3);
  run_case<8, 32, 16, signed char, int, R, R>("s8 m8n32k16", -128, 127, 1, false, true, false, 1);
  run_case<16, 16, 16, unsigned char, int, C, C>("u8 m16n16k16", 0, 255, 1, true, true, false, 1);
  run_case<32, 8, 16, unsigned char, int, R, C>("u8 m32n8k16", 0, 255, 1, true, true, true, -1);
  run_case<8, 32, 16, unsigned char, int, C, R>("u8 m8n32k16", 0, 255, 1, true, false, true, 1);
  // double m8n8k4.
  run_case<8, 8, 4, double, double, R, C>("f64 m8n8k4 row.col", -1000, 1000, 0.25, true, true, true, 1.0);
  run_case<8, 8, 4, double, double, C, R>("f64 m8n8k4 col.row", -1000, 1000, 0.25, true, false, false, -0.5);
  run_subbyte<exp_::precision::s4, 32>("s4 m8n8k32", 4, true, -5, false);
  run_subbyte<exp_::precision::u4, 32>("u4 m8n8k32 wrapping", 4, false, INT_MAX - 2000, false);
  run_subbyte<exp_::precision::u4, 32>("u4 m8n8k32 saturating", 4, false, INT_MAX - 2000, true);
  run_subbyte<exp_::precision::b1, 128>("b1 m8n8k128", 1, false, 3, false);
  run_tiled_gemm();
  run_tf32_conversion();
  std::printf("wmma_fragments: OK\n");
  return 0;
}
