// Legacy dynamic parallelism (CDP1, -DCUDA_FORCE_CDP1_IF_SUPPORTED): device-side
// cudaDeviceSynchronize, which CUDA 12 removed. gpusim must refuse it by name (a fault the host
// sees as an error), never run on as if the parent had waited.
#include <cstdio>

#include "check.cuh"

__global__ void child(int* out) { out[threadIdx.x] = threadIdx.x; }

__global__ void parent(int* out) {
  child<<<1, 32>>>(out);
  cudaDeviceSynchronize();
  out[32] = out[31];  // what CDP1 allowed: read the child's result
}

int main() {
  int* out = nullptr;
  CHECK(cudaMalloc(&out, 64 * sizeof(int)));
  parent<<<1, 1>>>(out);
  const cudaError_t e = cudaDeviceSynchronize();
  std::printf("sync: %s\n", cudaGetErrorName(e));
  EXPECT(e != cudaSuccess);
  std::printf("cdp1_sync: refused: OK\n");
  return 0;
}
