#include "check.cuh"

__global__ void add_offset(int* p, int offset, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) p[i] += offset;
}

void launch_offset(int* p, int offset, int n) {
  void* args[] = {&p, &offset, &n};
  CHECK(cudaLaunchKernel(reinterpret_cast<const void*>(add_offset), dim3(3), dim3(64), args, 0, nullptr));
}
