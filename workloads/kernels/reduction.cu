// Sum of n floats. Each block reduces a grid-stride slice: per-thread partial sums, then a warp
// reduction with __shfl_down_sync, one value per warp in shared memory, a final warp reduction
// in warp 0, and one atomicAdd per block into *out (which the host zeroes first).
#define FULL_MASK 0xffffffffu

__device__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(FULL_MASK, v, offset);
  return v;
}

// blockDim.x must be a multiple of 32 and at most 1024.
extern "C" __global__ void reduce_sum(const float* in, float* out, int n) {
  __shared__ float warp_partials[32];
  float v = 0.0f;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) v += in[i];
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warp_sum(v);
  if (lane == 0) warp_partials[warp] = v;
  __syncthreads();
  if (warp == 0) {
    int warps = blockDim.x >> 5;
    v = lane < warps ? warp_partials[lane] : 0.0f;
    v = warp_sum(v);
    if (lane == 0) atomicAdd(out, v);
  }
}
