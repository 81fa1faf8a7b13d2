// With -rdc, this file is built for SASS only (code=sm_80) and linked with one that has PTX
// (rdc_sass_only_lib.cu): the linked PTX lacks `own_kernel`, so its launch must fail with
// cudaErrorNoKernelImageForDevice, as on a GPU of another architecture (it was cudaErrorInvalidValue
// "no kernel named": an outside user's CMake CUDA_ARCHITECTURES 80-real). The other file's kernel runs.
#include "check.cuh"

__global__ void own_kernel(int* p) { p[threadIdx.x] = threadIdx.x + 1; }
void launch_library_kernel(int* p);

int main() {
  int* d;
  CHECK(cudaMalloc(&d, 64 * sizeof(int)));
  launch_library_kernel(d);
  CHECK(cudaGetLastError());
  own_kernel<<<1, 32>>>(d);
  const cudaError_t e = cudaGetLastError();
  std::printf("own_kernel: %s\n", cudaGetErrorName(e));
  EXPECT(e == cudaErrorNoKernelImageForDevice);
  int h = 0;
  CHECK(cudaMemcpy(&h, d + 32, sizeof h, cudaMemcpyDeviceToHost));
  EXPECT(h == 7);
  std::printf("rdc_sass_only OK\n");
  return 0;
}
