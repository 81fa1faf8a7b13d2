// Row softmax: one block per row of a rows x cols row-major matrix.
// out[r][c] = exp(x[r][c] - max_r) / sum_c exp(x[r][c] - max_r); subtracting the row maximum
// keeps expf in range. Block-wide max and sum use a warp shuffle, then shared memory across warps.
#include <cfloat>
#define FULL_MASK 0xffffffffu

__device__ float warp_max(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, offset));
  return v;
}
__device__ float warp_add(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(FULL_MASK, v, offset);
  return v;
}

// Reduces `v` over the block; every thread gets the result. blockDim.x: multiple of 32, <= 1024.
__device__ float block_reduce(float v, bool is_max, float* scratch) {
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  v = is_max ? warp_max(v) : warp_add(v);
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float identity = is_max ? -FLT_MAX : 0.0f;
  v = lane < warps ? scratch[lane] : identity;
  v = is_max ? warp_max(v) : warp_add(v);
  __syncthreads();  // scratch is reused by the next reduction
  return v;
}

extern "C" __global__ void softmax_rows(const float* in, float* out, int rows, int cols) {
  __shared__ float scratch[32];
  int row = blockIdx.x;
  if (row >= rows) return;
  const float* x = in + (size_t)row * cols;
  float* y = out + (size_t)row * cols;

  float m = -FLT_MAX;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, x[c]);
  m = block_reduce(m, true, scratch);

  float s = 0.0f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    float e = expf(x[c] - m);
    y[c] = e;
    s += e;
  }
  s = block_reduce(s, false, scratch);

  float inv = 1.0f / s;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) y[c] *= inv;
}
