// Built twice (compute_80 and compute_90): the DPX intrinsics of CUDA 12+ (__vimax3_s32,
// __viaddmax_s16x2_relu, __vibmax_s32, ... every family in s32/u32/s16x2/u16x2, with and without
// relu), which sm_90 PTX spells max/min/add .s16x2/.u16x2 (.relu) and max.s32.relu while sm_80
// PTX emulates them; __syncthreads_count/_and/_or (bar.red.popc/and/or); cg::invoke_one (elect.sync
// on sm_90); the address-space predicates __isGlobal/__isShared/__isLocal/__isConstant on
// pointers chosen at run time; shared <-> generic address conversions; __fmaf_ieee_rn-style half2
// relu FMA and NaN-propagating max; __prof_trigger and __threadfence_block (no effect on results);
// cuda::std::mdspan indexing. The host computes every value from the CUDA Math API's definitions.
#include <cuda/std/mdspan>
#include <cuda_fp16.h>
#include <cooperative_groups.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.cuh"
#include "device_vectors.cuh"

namespace cg = cooperative_groups;

constexpr int kDpx = 40;

__global__ void dpx(const unsigned* in, unsigned* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const unsigned a = in[3 * i], b = in[3 * i + 1], c = in[3 * i + 2];
  const int sa = int(a), sb = int(b), sc = int(c);
  bool p = false, q = false;
  unsigned* o = out + size_t(i) * kDpx;
  o[0] = __vimax3_s32(sa, sb, sc), o[1] = __vimax3_u32(a, b, c), o[2] = __vimin3_s32(sa, sb, sc);
  o[3] = __vimin3_u32(a, b, c), o[4] = __vimax3_s16x2(a, b, c), o[5] = __vimax3_u16x2(a, b, c);
  o[6] = __vimin3_s16x2(a, b, c), o[7] = __vimin3_u16x2(a, b, c);
  o[8] = __vimax_s32_relu(sa, sb), o[9] = __vimin_s32_relu(sa, sb), o[10] = __vimax3_s32_relu(sa, sb, sc);
  o[11] = __vimin3_s32_relu(sa, sb, sc), o[12] = __vimax_s16x2_relu(a, b), o[13] = __vimin_s16x2_relu(a, b);
  o[14] = __vimax3_s16x2_relu(a, b, c), o[15] = __vimin3_s16x2_relu(a, b, c);
  o[16] = __viaddmax_s32(sa, sb, sc), o[17] = __viaddmax_u32(a, b, c), o[18] = __viaddmin_s32(sa, sb, sc);
  o[19] = __viaddmin_u32(a, b, c), o[20] = __viaddmax_s16x2(a, b, c), o[21] = __viaddmax_u16x2(a, b, c);
  o[22] = __viaddmin_s16x2(a, b, c), o[23] = __viaddmin_u16x2(a, b, c), o[24] = __viaddmax_s32_relu(sa, sb, sc);
  o[25] = __viaddmin_s32_relu(sa, sb, sc), o[26] = __viaddmax_s16x2_relu(a, b, c), o[27] = __viaddmin_s16x2_relu(a, b, c);
  o[28] = __vibmax_s32(sa, sb, &p), o[29] = p, o[30] = __vibmin_u32(a, b, &p), o[31] = p;
  o[32] = __vibmax_s16x2(a, b, &p, &q), o[33] = p | (q << 1), o[34] = __vibmin_u16x2(a, b, &p, &q), o[35] = p | (q << 1);
  o[36] = __vimax_s16x2_relu(a, a), o[37] = __viaddmax_u32(a, a, 0), o[38] = __vimax3_s32(sa, sa, sa), o[39] = __vimax3_u16x2(c, b, a);
}

// Block-wide votes; invoke_one per tile; address-space predicates on pointers picked at run time.
__constant__ int c_table[4] = {1, 2, 3, 4};
__global__ void votes_and_spaces(const int* in, int* out, int* calls, const int* select) {
  __shared__ int shared_word;
  int local_word = in[threadIdx.x];
  const int t = threadIdx.x, v = in[blockIdx.x * blockDim.x + t];
  const int count = __syncthreads_count(v > 50), all = __syncthreads_and(v >= 0), any = __syncthreads_or(v > 95);
  out[blockIdx.x * 4] = count, out[blockIdx.x * 4 + 1] = all, out[blockIdx.x * 4 + 2] = any;
  auto tile = cg::tiled_partition<8>(cg::this_thread_block());
  cg::invoke_one(tile, [&] { atomicAdd(calls, 1); });
  // select[t] picks which pointer the thread classifies: the compiler cannot know the space.
  const void* p = nullptr;
  switch (select[t] % 4) {
    case 0: p = in; break;
    case 1: p = &shared_word; break;
    case 2: p = &local_word; break;
    default: p = &c_table[1]; break;
  }
  const int spaces = __isGlobal(p) | __isShared(p) << 1 | __isLocal(p) << 2 | __isConstant(p) << 3;
  // generic -> shared window -> generic gives the same address back.
  const size_t window = __cvta_generic_to_shared(&shared_word);
  const bool round_trip = __cvta_shared_to_generic(window) == (void*)&shared_word;
  __prof_trigger(2);
  __threadfence_block();
  out[64 + blockIdx.x * blockDim.x + t] = spaces | round_trip << 4 | (local_word == in[t]) << 5;
}

// half2: the NaN-propagating max, the relu FMA.
__global__ void half_ops(const __half2* x, const __half2* y, __half2* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  out[2 * i] = __hmax2_nan(x[i], y[i]);
  out[2 * i + 1] = __hfma2_relu(x[i], y[i], x[(i + 1) % n]);
}

// mdspan over a row-major matrix: the transpose of a 2-D view.
__global__ void mdspan_transpose(const int* in, int* out, int rows, int cols) {
  cuda::std::mdspan<const int, cuda::std::dextents<int, 2>> a(in, rows, cols);
  cuda::std::mdspan<int, cuda::std::dextents<int, 2>> b(out, cols, rows);
  const int r = blockIdx.x, c = threadIdx.x;
  if (r < a.extent(0) && c < a.extent(1)) b(c, r) = a(r, c) * 2 + int(a.size() % 7);
}

// ---------------- host reference ----------------
int16_t lo(unsigned v) { return int16_t(v & 0xffff); }
int16_t hi(unsigned v) { return int16_t(v >> 16); }
unsigned pack(int l, int h) { return (unsigned(uint16_t(l))) | (unsigned(uint16_t(h)) << 16); }
// Applies f to the two signed (or unsigned) halves of a, b, c.
template <typename F> unsigned halves(unsigned a, unsigned b, unsigned c, bool is_signed, F f) {
  auto get = [&](unsigned v, int k) { return is_signed ? int(k ? hi(v) : lo(v)) : int(k ? v >> 16 : v & 0xffff); };
  return pack(f(get(a, 0), get(b, 0), get(c, 0)), f(get(a, 1), get(b, 1), get(c, 1)));
}
int wrap16(int v, bool is_signed) { return is_signed ? int(int16_t(uint16_t(v))) : int(uint16_t(v)); }

std::vector<unsigned> expected_dpx(unsigned a, unsigned b, unsigned c) {
  const int sa = int(a), sb = int(b), sc = int(c);
  const int add_s = int(unsigned(sa) + unsigned(sb));  // 32-bit wrapping add
  const unsigned add_u = a + b;
  auto relu = [](int v) { return std::max(v, 0); };
  std::vector<unsigned> w(kDpx);
  w[0] = unsigned(std::max({sa, sb, sc})), w[1] = std::max({a, b, c}), w[2] = unsigned(std::min({sa, sb, sc}));
  w[3] = std::min({a, b, c});
  w[4] = halves(a, b, c, true, [](int x, int y, int z) { return std::max({x, y, z}); });
  w[5] = halves(a, b, c, false, [](int x, int y, int z) { return std::max({x, y, z}); });
  w[6] = halves(a, b, c, true, [](int x, int y, int z) { return std::min({x, y, z}); });
  w[7] = halves(a, b, c, false, [](int x, int y, int z) { return std::min({x, y, z}); });
  w[8] = unsigned(relu(std::max(sa, sb))), w[9] = unsigned(relu(std::min(sa, sb)));
  w[10] = unsigned(relu(std::max({sa, sb, sc}))), w[11] = unsigned(relu(std::min({sa, sb, sc})));
  w[12] = halves(a, b, 0, true, [&](int x, int y, int) { return relu(std::max(x, y)); });
  w[13] = halves(a, b, 0, true, [&](int x, int y, int) { return relu(std::min(x, y)); });
  w[14] = halves(a, b, c, true, [&](int x, int y, int z) { return relu(std::max({x, y, z})); });
  w[15] = halves(a, b, c, true, [&](int x, int y, int z) { return relu(std::min({x, y, z})); });
  w[16] = unsigned(std::max(add_s, sc)), w[17] = std::max(add_u, c), w[18] = unsigned(std::min(add_s, sc));
  w[19] = std::min(add_u, c);
  w[20] = halves(a, b, c, true, [](int x, int y, int z) { return std::max(wrap16(x + y, true), z); });
  w[21] = halves(a, b, c, false, [](int x, int y, int z) { return std::max(wrap16(x + y, false), z); });
  w[22] = halves(a, b, c, true, [](int x, int y, int z) { return std::min(wrap16(x + y, true), z); });
  w[23] = halves(a, b, c, false, [](int x, int y, int z) { return std::min(wrap16(x + y, false), z); });
  w[24] = unsigned(relu(std::max(add_s, sc))), w[25] = unsigned(relu(std::min(add_s, sc)));
  w[26] = halves(a, b, c, true, [&](int x, int y, int z) { return relu(std::max(wrap16(x + y, true), z)); });
  w[27] = halves(a, b, c, true, [&](int x, int y, int z) { return relu(std::min(wrap16(x + y, true), z)); });
  w[28] = unsigned(std::max(sa, sb)), w[29] = sa >= sb, w[30] = std::min(a, b), w[31] = a <= b;
  w[32] = halves(a, b, 0, true, [](int x, int y, int) { return std::max(x, y); });
  w[33] = unsigned(hi(a) >= hi(b)) | unsigned(lo(a) >= lo(b)) << 1;
  w[34] = halves(a, b, 0, false, [](int x, int y, int) { return std::min(x, y); });
  w[35] = unsigned((a >> 16) <= (b >> 16)) | unsigned((a & 0xffff) <= (b & 0xffff)) << 1;
  w[36] = halves(a, a, 0, true, [&](int x, int, int) { return relu(x); });
  w[37] = std::max(a + a, 0u), w[38] = a;
  w[39] = halves(c, b, a, false, [](int x, int y, int z) { return std::max({x, y, z}); });
  return w;
}

#define FAIL(...) (std::fprintf(stderr, "dpx_and_block_votes: " __VA_ARGS__), std::exit(1))

int main() {
  const int n = 512;
  std::vector<unsigned> in(3 * n);
  uint64_t s = 0x0123456789abcdefull;
  for (auto& v : in) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    v = uint32_t(s >> 32);
  }
  // Ties, zeros, limits and half-word edge values.
  const unsigned edges[] = {0, 1, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x80008000u, 0x7fff7fffu, 0x00018000u, 0xffff0001u};
  for (int i = 0; i < 9; ++i)
    for (int j = 0; j < 9; ++j) in[3 * (i * 9 + j)] = edges[i], in[3 * (i * 9 + j) + 1] = edges[j], in[3 * (i * 9 + j) + 2] = edges[(i + j) % 9];
  unsigned* d_in = dev(in);
  unsigned* d_out = dev(std::vector<unsigned>(size_t(n) * kDpx, 0));
  dpx<<<n / 128, 128>>>(d_in, d_out, n);
  CHECK(cudaGetLastError());
  const std::vector<unsigned> out = host(d_out, size_t(n) * kDpx);
  for (int i = 0; i < n; ++i) {
    const std::vector<unsigned> w = expected_dpx(in[3 * i], in[3 * i + 1], in[3 * i + 2]);
    for (int k = 0; k < kDpx; ++k)
      if (out[size_t(i) * kDpx + k] != w[k])
        FAIL("dpx %d of (0x%08x, 0x%08x, 0x%08x): 0x%08x, expected 0x%08x\n", k, in[3 * i], in[3 * i + 1], in[3 * i + 2],
             out[size_t(i) * kDpx + k], w[k]);
  }

  const int blocks = 3, threads = 64;
  std::vector<int> vals(blocks * threads), select(threads);
  for (int i = 0; i < blocks * threads; ++i) vals[i] = (i * 37) % 100 - (i == 70 ? 200 : 0);
  for (int t = 0; t < threads; ++t) select[t] = (t * 7) % 9;
  int* d_vals = dev(vals);
  int* d_sel = dev(select);
  int* d_calls = dev(std::vector<int>{0});
  int* d_res = dev(std::vector<int>(64 + blocks * threads, -1));
  votes_and_spaces<<<blocks, threads>>>(d_vals, d_res, d_calls, d_sel);
  CHECK(cudaGetLastError());
  const std::vector<int> res = host(d_res, 64 + blocks * threads);
  for (int b = 0; b < blocks; ++b) {
    int count = 0, all = 1, any = 0;
    for (int t = 0; t < threads; ++t) {
      const int v = vals[b * threads + t];
      count += v > 50, all &= v >= 0, any |= v > 95;
    }
    if (res[4 * b] != count || (res[4 * b + 1] != 0) != (all != 0) || (res[4 * b + 2] != 0) != (any != 0))
      FAIL("block %d votes: %d %d %d, expected %d %d %d\n", b, res[4 * b], res[4 * b + 1], res[4 * b + 2], count, all, any);
    for (int t = 0; t < threads; ++t) {
      const int want = (1 << (select[t] % 4)) | 1 << 4 | 1 << 5;
      if (res[64 + b * threads + t] != want) FAIL("block %d thread %d spaces: 0x%x, expected 0x%x\n", b, t, res[64 + b * threads + t], want);
    }
  }
  EXPECT(host(d_calls, 1)[0] == blocks * threads / 8);  // once per tile of 8

  const int m = 256;
  std::vector<__half2> x(m), y(m);
  std::vector<float> xf(2 * m), yf(2 * m);
  for (int i = 0; i < 2 * m; ++i) {
    xf[i] = float((i * 13) % 61 - 30) / 8, yf[i] = float((i * 29) % 43 - 21) / 4;
    if (i % 50 == 3) xf[i] = NAN;
  }
  for (int i = 0; i < m; ++i) x[i] = __floats2half2_rn(xf[2 * i], xf[2 * i + 1]), y[i] = __floats2half2_rn(yf[2 * i], yf[2 * i + 1]);
  __half2* d_x = dev(x);
  __half2* d_y = dev(y);
  __half2* d_h = dev(std::vector<__half2>(2 * m));
  half_ops<<<m / 64, 64>>>(d_x, d_y, d_h, m);
  CHECK(cudaGetLastError());
  const std::vector<__half2> h = host(d_h, 2 * m);
  for (int i = 0; i < m; ++i)
    for (int part = 0; part < 2; ++part) {
      const float a = xf[2 * i + part], b = yf[2 * i + part], c = xf[(2 * ((i + 1) % m)) + part];
      const float mx = part ? __high2float(h[2 * i]) : __low2float(h[2 * i]);
      const float fr = part ? __high2float(h[2 * i + 1]) : __low2float(h[2 * i + 1]);
      const bool mx_ok = std::isnan(a) || std::isnan(b) ? std::isnan(mx) : mx == std::max(a, b);
      // Small multiples of 1/32: a*b + c is exact in half, so the relu FMA is exact too.
      const float want = std::isnan(a) || std::isnan(c) ? NAN : std::max(a * b + c, 0.0f);
      const bool fr_ok = std::isnan(want) ? std::isnan(fr) : fr == want;
      if (!mx_ok || !fr_ok) FAIL("half %d.%d: max %g fma_relu %g (inputs %g %g %g)\n", i, part, mx, fr, a, b, c);
    }

  const int rows = 13, cols = 40;
  std::vector<int> mat(rows * cols);
  for (int i = 0; i < rows * cols; ++i) mat[i] = i * 3 - 50;
  int* d_mat = dev(mat);
  int* d_t = dev(std::vector<int>(rows * cols, 0));
  mdspan_transpose<<<rows, cols>>>(d_mat, d_t, rows, cols);
  CHECK(cudaGetLastError());
  const std::vector<int> t = host(d_t, rows * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      if (t[c * rows + r] != mat[r * cols + c] * 2 + (rows * cols) % 7) FAIL("mdspan (%d,%d)\n", r, c);
  std::printf("dpx_and_block_votes: OK\n");
  return 0;
}
