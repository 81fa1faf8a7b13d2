// Bandwidth microbenchmarks: DRAM streaming copy (grid-stride, 16 B per thread per step) and
// shared-memory loads with and without bank conflicts.

// dst[i] = src[i] over n float4 elements.
extern "C" __global__ void ubench_stream_copy(const float4* src, float4* dst, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) dst[i] = src[i];
}

#define SHARED_WORDS 4096

// Every warp reads `iterations` x 8 shared words per thread. Lane l of a warp reads word
// (l * lane_stride + k) mod SHARED_WORDS: lane_stride 1 touches 32 different banks (no conflict),
// lane_stride 32 puts all 32 lanes in one bank (a 32-way conflict). 4 B per lane per load.
extern "C" __global__ void ubench_shared_read(float* out, int lane_stride, int iterations) {
  __shared__ float words[SHARED_WORDS];
  for (int i = threadIdx.x; i < SHARED_WORDS; i += blockDim.x) words[i] = (float)i;
  __syncthreads();
  const int lane = threadIdx.x & 31;
  const int warp_offset = (threadIdx.x >> 5) * 8;
  float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
  for (int i = 0; i < iterations; ++i) {
    const int base = lane * lane_stride + warp_offset + i;
#pragma unroll
    for (int k = 0; k < 8; k += 4) {
      s0 += words[(base + k + 0) & (SHARED_WORDS - 1)];
      s1 += words[(base + k + 1) & (SHARED_WORDS - 1)];
      s2 += words[(base + k + 2) & (SHARED_WORDS - 1)];
      s3 += words[(base + k + 3) & (SHARED_WORDS - 1)];
    }
  }
  out[blockIdx.x * blockDim.x + threadIdx.x] = s0 + s1 + s2 + s3;
}
