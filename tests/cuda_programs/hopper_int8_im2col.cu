// sm_90a features written as inline PTX the way CUDA code uses them, checked against CPU
// references: an integer warpgroup MMA (wgmma.mma_async .s32.s8.s8 and .s32.u8.s8 with
// .satfinite, A and B from shared-memory descriptors in the no-swizzle K-major layout) and a
// Tensor Memory Accelerator load in im2col mode (cuTensorMapEncodeIm2col on an NHWC tensor,
// padding 1 for a 3x3 filter, the centre tap as im2col offsets).
#include <cuda.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "check.cuh"

constexpr int M = 64, N = 16, K = 32;

// No-swizzle K-major core matrices: 8 rows x 16 bytes, the K neighbour (LBO) 128 bytes on, the
// next 8 rows (SBO) 256 bytes on.
__host__ __device__ unsigned core_offset(unsigned row, unsigned k) { return (row % 8) * 16 + (row / 8) * 256 + (k / 16) * 128 + k % 16; }

__device__ uint64_t descriptor(const void* smem) {
  const uint32_t a = static_cast<uint32_t>(__cvta_generic_to_shared(smem));
  return uint64_t((a & 0x3ffff) >> 4) | uint64_t(128 >> 4) << 16 | uint64_t(256 >> 4) << 32;
}

// D (64 x 16, s32) = A (64 x 32) * B (32 x 16) + C; `unsigned_a` picks .u8 A with .satfinite.
__global__ void __launch_bounds__(128) int8_mma(const int8_t* a, const int8_t* b, const int* c, int* d, int unsigned_a) {
  __shared__ alignas(128) int8_t sa[M * K];
  __shared__ alignas(128) int8_t sb[N * K];
  const unsigned tid = threadIdx.x;
  for (unsigned i = tid; i < M * K; i += 128) sa[core_offset(i / K, i % K)] = a[i];
  for (unsigned i = tid; i < N * K; i += 128) sb[core_offset(i / K, i % K)] = b[i];  // b is N x K (column n, k)
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
  __syncthreads();
  const unsigned warp = tid / 32, lane = tid % 32;
  int acc[8];
  for (int i = 0; i < 8; ++i) {
    const unsigned row = 16 * warp + lane / 4 + 8 * ((i / 2) % 2), col = 8 * (i / 4) + 2 * (lane % 4) + i % 2;
    acc[i] = c[row * N + col];
  }
  const uint64_t da = descriptor(sa), db = descriptor(sb);
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
  if (unsigned_a)
    asm volatile("wgmma.mma_async.sync.aligned.m64n16k32.s32.u8.s8.satfinite {%0, %1, %2, %3, %4, %5, %6, %7}, %8, %9, 1;\n"
                 : "+r"(acc[0]), "+r"(acc[1]), "+r"(acc[2]), "+r"(acc[3]), "+r"(acc[4]), "+r"(acc[5]), "+r"(acc[6]), "+r"(acc[7])
                 : "l"(da), "l"(db));
  else
    asm volatile("wgmma.mma_async.sync.aligned.m64n16k32.s32.s8.s8 {%0, %1, %2, %3, %4, %5, %6, %7}, %8, %9, 1;\n"
                 : "+r"(acc[0]), "+r"(acc[1]), "+r"(acc[2]), "+r"(acc[3]), "+r"(acc[4]), "+r"(acc[5]), "+r"(acc[6]), "+r"(acc[7])
                 : "l"(da), "l"(db));
  asm volatile("wgmma.commit_group.sync.aligned;\nwgmma.wait_group.sync.aligned 0;\n" ::: "memory");
  for (int i = 0; i < 8; ++i) {
    const unsigned row = 16 * warp + lane / 4 + 8 * ((i / 2) % 2), col = 8 * (i / 4) + 2 * (lane % 4) + i % 2;
    d[row * N + col] = acc[i];
  }
}

constexpr int BATCH = 2, H = 5, W = 6, C = 8, PIXELS = 32;

// One im2col load of PIXELS pixels x C channels starting at (w, h) = (-1, -1) of batch 0, with
// offsets (1, 1): the centre tap of a padded 3x3 filter, i.e. the input pixels themselves.
__global__ void im2col_load(const __grid_constant__ CUtensorMap map, float* out) {
  __shared__ alignas(128) float box[PIXELS * C];
  __shared__ uint64_t bar;
  const uint32_t sbox = static_cast<uint32_t>(__cvta_generic_to_shared(box));
  const uint32_t sbar = static_cast<uint32_t>(__cvta_generic_to_shared(&bar));
  if (threadIdx.x == 0) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;\nfence.proxy.async.shared::cta;\n" ::"r"(sbar) : "memory");
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    const short tap_w = 1, tap_h = 1;
    asm volatile(
        "mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n"
        "cp.async.bulk.tensor.4d.shared::cluster.global.im2col.mbarrier::complete_tx::bytes [%2], [%3, {%4, %5, %6, %7}], [%0], {%8, %9};\n"
        ::"r"(sbar), "r"(uint32_t(sizeof box)), "r"(sbox), "l"(&map), "r"(0), "r"(-1), "r"(-1), "r"(0), "h"(tap_w), "h"(tap_h)
        : "memory");
  }
  uint32_t done = 0;
  while (!done)
    asm volatile("{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], 0;\n selp.u32 %0, 1, 0, p;\n}\n"
                 : "=r"(done) : "r"(sbar) : "memory");
  for (int i = threadIdx.x; i < PIXELS * C; i += blockDim.x) out[i] = box[i];
}

int main() {
  // --- integer wgmma ---
  std::vector<int8_t> a(M * K), b(N * K);
  std::vector<int> c(M * N), d(M * N);
  for (int i = 0; i < M * K; ++i) a[i] = int8_t((i * 37) % 256 - 128);
  for (int i = 0; i < N * K; ++i) b[i] = int8_t((i * 91 + 5) % 256 - 128);
  for (int i = 0; i < M * N; ++i) c[i] = (i % 7 == 0) ? 2147483647 - 100 : i * 1000 - 300000;
  int8_t *da, *db;
  int *dc, *dd;
  CHECK(cudaMalloc(&da, a.size()));
  CHECK(cudaMalloc(&db, b.size()));
  CHECK(cudaMalloc(&dc, c.size() * 4));
  CHECK(cudaMalloc(&dd, d.size() * 4));
  CHECK(cudaMemcpy(da, a.data(), a.size(), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(db, b.data(), b.size(), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(dc, c.data(), c.size() * 4, cudaMemcpyHostToDevice));
  for (int unsigned_a = 0; unsigned_a < 2; ++unsigned_a) {
    int8_mma<<<1, 128>>>(da, db, dc, dd, unsigned_a);
    CHECK(cudaGetLastError());
    CHECK(cudaMemcpy(d.data(), dd, d.size() * 4, cudaMemcpyDeviceToHost));
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        long long sum = c[m * N + n];
        for (int k = 0; k < K; ++k)
          sum += (unsigned_a ? (long long)(uint8_t)a[m * K + k] : (long long)a[m * K + k]) * b[n * K + k];
        const int want = unsigned_a ? int(std::clamp<long long>(sum, -2147483648ll, 2147483647ll)) : int(uint32_t(sum));
        EXPECT(d[m * N + n] == want);
      }
  }
  // --- im2col tensor load ---
  std::vector<float> x(BATCH * H * W * C);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i + 1);
  float *dx, *dout;
  CHECK(cudaMalloc(&dx, x.size() * 4));
  CHECK(cudaMalloc(&dout, PIXELS * C * 4));
  CHECK(cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice));
  CUtensorMap map;
  const cuuint64_t dims[4] = {C, W, H, BATCH};
  const cuuint64_t strides[3] = {C * 4, W * C * 4, H * W * C * 4};
  const int lower[2] = {-1, -1}, upper[2] = {-1, -1};  // padding 1, filter 3: 1 - (3 - 1)
  const cuuint32_t estrides[4] = {1, 1, 1, 1};
  if (cuTensorMapEncodeIm2col(&map, CU_TENSOR_MAP_DATA_TYPE_FLOAT32, 4, dx, dims, strides, lower, upper, C, PIXELS,
                              estrides, CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_NONE,
                              CU_TENSOR_MAP_L2_PROMOTION_NONE, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE) != CUDA_SUCCESS) {
    std::printf("hopper_int8_im2col: cuTensorMapEncodeIm2col failed\n");
    return 1;
  }
  im2col_load<<<1, 128>>>(map, dout);
  CHECK(cudaGetLastError());
  std::vector<float> got(PIXELS * C);
  CHECK(cudaMemcpy(got.data(), dout, got.size() * 4, cudaMemcpyDeviceToHost));
  // Traversal positions: the bounding box (w, h) in -1..4 x -1..3 (W 6 - 1 - 1, H 5 - 1 - 1),
  // W fastest, batch after batch; the centre tap reads (w + 1, h + 1), always inside.
  int p = 0;
  for (int n = 0; n < BATCH && p < PIXELS; ++n)
    for (int h = -1; h <= 3 && p < PIXELS; ++h)
      for (int w = -1; w <= 4 && p < PIXELS; ++w, ++p)
        for (int ch = 0; ch < C; ++ch) EXPECT(got[p * C + ch] == x[((n * H + h + 1) * W + w + 1) * C + ch]);
  std::printf("hopper_int8_im2col: OK\n");
  return 0;
}
