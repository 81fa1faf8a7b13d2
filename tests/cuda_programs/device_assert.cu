// A failed device-side assert: cudaErrorAssert at the next synchronisation, sticky afterwards.
#include <cassert>
#include "check.cuh"

__global__ void check_positive(const int* p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) assert(p[i] > 0);
}

int main() {
  int h[64];
  for (int i = 0; i < 64; ++i) h[i] = i == 37 ? -1 : i + 1;
  int* d;
  CHECK(cudaMalloc(&d, sizeof h));
  CHECK(cudaMemcpy(d, h, sizeof h, cudaMemcpyHostToDevice));
  check_positive<<<2, 32>>>(d, 64);
  const cudaError_t e = cudaDeviceSynchronize();
  std::printf("sync: %s\n", cudaGetErrorName(e));
  std::printf("after: %s\n", cudaGetErrorName(cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost)));
  return e == cudaErrorAssert ? 0 : 1;
}
