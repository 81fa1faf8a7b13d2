// Throughput microbenchmarks: FFMA and TensorCore (WMMA) issue rates with many independent
// dependency chains per warp, so that at full occupancy the pipes, not latencies, limit the rate.
#include <mma.h>
#include <cuda_fp16.h>
using namespace nvcuda;

#define FFMA_CHAINS 8

// Each thread runs FFMA_CHAINS independent chains of `iterations` FMAs: 2*FFMA_CHAINS*iterations
// FLOP per thread. The sums are written out so nothing is dead code.
extern "C" __global__ void ubench_ffma(float* out, float multiplier, float addend, int iterations) {
  float acc[FFMA_CHAINS];
  const int tid = blockIdx.x * blockDim.x + threadIdx.x;
#pragma unroll
  for (int c = 0; c < FFMA_CHAINS; ++c) acc[c] = (float)(tid + c);
  // Unrolled so that loop control takes few issue slots next to the FMAs.
#pragma unroll 4
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int c = 0; c < FFMA_CHAINS; ++c) acc[c] = fmaf(acc[c], multiplier, addend);
  }
  float sum = 0.0f;
#pragma unroll
  for (int c = 0; c < FFMA_CHAINS; ++c) sum += acc[c];
  out[tid] = sum;
}

#define MMA_CHAINS 4

// Each warp loads one A and one B fragment (16x16 halves from `a`, `b`) and then issues
// MMA_CHAINS independent m16n16k16 MMAs per iteration: 4096 FMA each. Warp w stores its
// accumulators to out + w * MMA_CHAINS * 256.
extern "C" __global__ void ubench_wmma(const half* a, const half* b, float* out, int iterations) {
  wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> fa;
  wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::row_major> fb;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[MMA_CHAINS];
  wmma::load_matrix_sync(fa, a, 16);
  wmma::load_matrix_sync(fb, b, 16);
#pragma unroll
  for (int c = 0; c < MMA_CHAINS; ++c) wmma::fill_fragment(acc[c], 0.0f);
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int c = 0; c < MMA_CHAINS; ++c) wmma::mma_sync(acc[c], fa, fb, acc[c]);
  }
  const int warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
#pragma unroll
  for (int c = 0; c < MMA_CHAINS; ++c)
    wmma::store_matrix_sync(out + ((size_t)warp * MMA_CHAINS + c) * 256, acc[c], 16, wmma::mem_row_major);
}
