// Bandwidth microbenchmarks: DRAM streaming copy (grid-stride, 16 B per thread per step) and
// shared-memory loads with and without bank conflicts.

// dst[i] = src[i] over n float4 elements.
extern "C" __global__ void ubench_stream_copy(const float4* src, float4* dst, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) dst[i] = src[i];
}

#define SHARED_WORDS 4096

// Every warp reads `iterations` x 8 shared words per thread: in iteration i lane l reads the 8
// consecutive words from start = (l * lane_stride + 8 i + warp offset) mod SHARED_WORDS (the array
// has 8 spare words so that no read wraps and each load takes a constant offset from one
// address: loads, not address arithmetic, fill the issue slots). lane_stride 1 puts the 32 lanes
// of a load in 32 different banks (no conflict); lane_stride 32 puts them all in one bank (a
// 32-way conflict). No iteration rereads a word the compiler could reuse.
extern "C" __global__ void ubench_shared_read(float* out, int lane_stride, int iterations) {
  __shared__ float words[SHARED_WORDS + 8];
  for (int i = threadIdx.x; i < SHARED_WORDS + 8; i += blockDim.x) words[i] = (float)i;
  __syncthreads();
  const int lane = threadIdx.x & 31;
  const int lane_offset = lane * lane_stride + (threadIdx.x >> 5) * 8;
  float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
  for (int i = 0; i < iterations; ++i) {
    const float* p = words + ((lane_offset + i * 8) & (SHARED_WORDS - 1));
    s0 += p[0];
    s1 += p[1];
    s2 += p[2];
    s3 += p[3];
    s0 += p[4];
    s1 += p[5];
    s2 += p[6];
    s3 += p[7];
  }
  out[blockIdx.x * blockDim.x + threadIdx.x] = s0 + s1 + s2 + s3;
}
