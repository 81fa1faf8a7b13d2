// An out-of-bounds store: the GPU reports cudaErrorIllegalAddress at the next synchronisation and
// the context stays unusable; the simulator prints where it happened.
#include "check.cuh"

__global__ void write_past_end(int* p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  p[i + n] = i;  // every thread writes past the allocation
}

int main() {
  int* d;
  CHECK(cudaMalloc(&d, 256 * sizeof(int)));
  write_past_end<<<1, 32>>>(d, 1 << 20);
  const cudaError_t sync = cudaDeviceSynchronize();
  const cudaError_t later = cudaMalloc(&d, 16);
  std::printf("sync: %s\nlater: %s\n", cudaGetErrorName(sync), cudaGetErrorName(later));
  return sync == cudaErrorIllegalAddress && later == cudaErrorIllegalAddress ? 0 : 1;
}
