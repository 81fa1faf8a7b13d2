// Bandwidth microbenchmarks: DRAM streams (grid-stride, 16 B per thread per step): copy, read
// only, write only and two reads per write; and shared-memory loads with and without bank
// conflicts.

// dst[i] = src[i] over n float4 elements.
extern "C" __global__ void ubench_stream_copy(const float4* src, float4* dst, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) dst[i] = src[i];
}

// Read-only stream: each thread sums the components of its float4s; one float per thread out.
extern "C" __global__ void ubench_stream_read(const float4* src, float* out, int n) {
  float s = 0.0f;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float4 v = src[i];
    s += (v.x + v.y) + (v.z + v.w);
  }
  out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

// Write-only stream: dst[i] = (i, i, i, i) as floats (exact below 2^24; larger i round the same
// way on the host).
extern "C" __global__ void ubench_stream_write(float4* dst, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float f = (float)i;
    dst[i] = make_float4(f, f, f, f);
  }
}

// Two reads per write: c[i] = a[i] + b[i].
extern "C" __global__ void ubench_stream_add(const float4* a, const float4* b, float4* c, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float4 x = a[i], y = b[i];
    c[i] = make_float4(x.x + y.x, x.y + y.y, x.z + y.z, x.w + y.w);
  }
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
