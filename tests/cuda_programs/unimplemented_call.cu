// A runtime function gpusim does not implement returns an error the program can check, and the
// library names it once on stderr.
#include "check.cuh"

int main() {
  cudaIpcMemHandle_t handle;
  int* p;
  CHECK(cudaMalloc(&p, 16));
  const cudaError_t first = cudaIpcGetMemHandle(&handle, p);
  const cudaError_t second = cudaIpcGetMemHandle(&handle, p);
  std::printf("ipc: %s %s\n", cudaGetErrorName(first), cudaGetErrorName(second));
  EXPECT(cudaGetLastError() == cudaErrorNotSupported);
  int* d;
  CHECK(cudaMalloc(&d, 16));  // the library still works
  return first == cudaErrorNotSupported && second == cudaErrorNotSupported ? 0 : 1;
}
