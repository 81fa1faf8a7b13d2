// Shared-memory accesses whose bank conflicts are known by hand (32 banks of 4 bytes): the
// `gpusim exec --stats` counters must call "bank conflicts" only the wavefronts beyond the
// conflict-free minimum of the access (as Nsight Compute's "extra wavefronts"), not every
// wavefront beyond one per request: a contiguous 16-byte-per-lane load and an ldmatrix.x4 over
// rows padded to 144 bytes take four wavefronts and have none; a stride-2 word load has exactly
// one extra per request; a stride-32 word load 31.
#include <cstdint>
#include <cstdio>

#include "check.cuh"

constexpr int kLoads = 8;  // shared loads per kernel in its loop (each a request)

__global__ void words_contiguous(float* out) {
  __shared__ float s[32 * kLoads];
  for (int i = threadIdx.x; i < 32 * kLoads; i += 32) s[i] = float(i);
  __syncwarp();
  float a = 0;
#pragma unroll
  for (int r = 0; r < kLoads; ++r) a += s[r * 32 + threadIdx.x];
  out[threadIdx.x] = a;
}

__global__ void float4_contiguous(float* out) {
  __shared__ __align__(16) float s[4 * 32 * kLoads];
  for (int i = threadIdx.x; i < 4 * 32 * kLoads; i += 32) s[i] = float(i);
  __syncwarp();
  float a = 0;
#pragma unroll
  for (int r = 0; r < kLoads; ++r) {
    const float4 v = reinterpret_cast<const float4*>(s)[r * 32 + threadIdx.x];
    a += v.x + v.y + v.z + v.w;
  }
  out[threadIdx.x] = a;
}

// Lane l gives the address of row l of the four 8x8 matrices; rows 144 bytes apart (72 halves):
// each 8-row matrix touches 8 x 16 bytes in distinct banks.
__global__ void ldmatrix_padded(float* out) {
  __shared__ __align__(16) uint16_t s[32 * 72];
  for (int i = threadIdx.x; i < 32 * 72; i += 32) s[i] = uint16_t(i);
  __syncwarp();
  const uint32_t row = uint32_t(__cvta_generic_to_shared(&s[threadIdx.x * 72]));
  uint32_t acc = 0;
#pragma unroll
  for (int r = 0; r < kLoads; ++r) {
    uint32_t r0, r1, r2, r3;
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
                 : "r"(row + 16u * (r & 1)));
    acc += r0 ^ r1 ^ r2 ^ r3;
  }
  out[threadIdx.x] = float(acc);
}

template <int kStride>
__global__ void words_strided(float* out) {
  __shared__ float s[32 * kStride + kLoads];
  for (int i = threadIdx.x; i < 32 * kStride + kLoads; i += 32) s[i] = float(i);
  __syncwarp();
  float a = 0;
#pragma unroll
  for (int r = 0; r < kLoads; ++r) a += s[threadIdx.x * kStride + r];
  out[threadIdx.x] = a;
}

int main() {
  float* d = nullptr;
  CHECK(cudaMalloc(&d, 32 * sizeof(float)));
  words_contiguous<<<1, 32>>>(d);
  float4_contiguous<<<1, 32>>>(d);
  ldmatrix_padded<<<1, 32>>>(d);
  words_strided<2><<<1, 32>>>(d);
  words_strided<32><<<1, 32>>>(d);
  CHECK(cudaDeviceSynchronize());
  std::printf("shared_bank_conflicts: OK\n");
  return 0;
}
