// 1-D window sum with RADIUS 2: out[i] = in[i-2] + ... + in[i+2], zero outside [0, n).
// The naive kernel reads its 5 inputs from global memory; the shared kernel stages a
// (blockDim + 2*RADIUS) tile, halo included, so each input is read from global memory once.
#define RADIUS 2

extern "C" __global__ void window_sum_naive(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float sum = 0.0f;
  for (int d = -RADIUS; d <= RADIUS; ++d) {
    int j = i + d;
    if (j >= 0 && j < n) sum += in[j];
  }
  out[i] = sum;
}

// blockDim.x must be WINDOW_BLOCK (the tile is sized statically).
#define WINDOW_BLOCK 256
extern "C" __global__ void window_sum_shared(const float* in, float* out, int n) {
  __shared__ float tile[WINDOW_BLOCK + 2 * RADIUS];
  int block_start = blockIdx.x * blockDim.x;
  // Cooperative load of the tile and both halos; threads stride over it so any block size works.
  for (int t = threadIdx.x; t < blockDim.x + 2 * RADIUS; t += blockDim.x) {
    int j = block_start + t - RADIUS;
    tile[t] = (j >= 0 && j < n) ? in[j] : 0.0f;
  }
  __syncthreads();
  int i = block_start + threadIdx.x;
  if (i >= n) return;
  float sum = 0.0f;
  for (int d = 0; d <= 2 * RADIUS; ++d) sum += tile[threadIdx.x + d];
  out[i] = sum;
}
