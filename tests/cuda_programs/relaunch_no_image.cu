// Built SASS-only (no PTX for gpusim to run): each of three launches returns
// cudaErrorNoKernelImageForDevice, as on a GPU without a matching image; the program goes on (as
// code that checks errors late does) and exits 0 when all three said so.
#include <cstdio>
#include <cuda_runtime.h>

__global__ void touch(int* p) { p[threadIdx.x] = 1; }

int main() {
  int* d = nullptr;
  if (cudaMalloc(&d, 32 * sizeof(int)) != cudaSuccess) return 2;
  int refused = 0;
  for (int i = 0; i < 3; ++i) {
    touch<<<1, 32>>>(d);
    const cudaError_t e = cudaGetLastError();
    std::printf("launch %d: %s\n", i, cudaGetErrorName(e));
    refused += e == cudaErrorNoKernelImageForDevice;
  }
  return refused == 3 ? 0 : 1;
}
