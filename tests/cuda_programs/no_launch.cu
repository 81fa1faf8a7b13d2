// A CUDA program whose runtime calls never need the device to run a kernel: it creates a stream
// and an event and synchronises, launching nothing. gpusim exec still reports its 0 launches and
// writes --stats (a program that only called these had neither).
#include <cuda_runtime.h>

#include <cstdio>

#include "check.cuh"

__global__ void never_launched(int* p) { *p = 1; }

int main() {
  cudaStream_t stream;
  cudaEvent_t event;
  CHECK(cudaStreamCreate(&stream));
  CHECK(cudaEventCreate(&event));
  CHECK(cudaDeviceSynchronize());
  std::printf("no_launch: done\n");
  return 0;
}
