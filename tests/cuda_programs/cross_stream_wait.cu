// A producer/consumer handshake between two streams: the consumer kernel spins until the
// producer kernel, launched next on another stream, sets a flag. A GPU may run both at once; the
// simulator runs each launch to its end, so the consumer waits for ever: the launch returns (as
// an asynchronous launch does) and the next synchronisation fails with cudaErrorLaunchTimeout;
// the report says why (tests/exec/exec_residency_test.cpp).
#include <cstdio>

#include "check.cuh"

__global__ void consumer(volatile int* flag, int* out) {
  while (*flag == 0) {
  }
  *out = 1;
}

__global__ void producer(volatile int* flag) { *flag = 1; }

int main() {
  int *flag, *out;
  CHECK(cudaMalloc(&flag, sizeof(int)));
  CHECK(cudaMalloc(&out, sizeof(int)));
  CHECK(cudaMemset(flag, 0, sizeof(int)));
  cudaStream_t a, b;
  CHECK(cudaStreamCreateWithFlags(&a, cudaStreamNonBlocking));
  CHECK(cudaStreamCreateWithFlags(&b, cudaStreamNonBlocking));
  consumer<<<1, 1, 0, a>>>(flag, out);
  const cudaError_t launch = cudaGetLastError();
  producer<<<1, 1, 0, b>>>(flag);
  const cudaError_t sync = cudaDeviceSynchronize();
  std::printf("cross_stream_wait: consumer launch %s, sync %s\n", cudaGetErrorName(launch), cudaGetErrorName(sync));
  return 0;
}
