// cudaStreamQuery and cudaEventQuery are non-blocking probes: while another host thread's kernel
// is being simulated they answer cudaErrorNotReady at once instead of waiting for the whole
// simulation (an outside user's server: every polling thread froze while any kernel ran).
#include <atomic>
#include <thread>

#include "check.cuh"

__global__ void spin(unsigned* out, int iterations) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned v = i;
  for (int k = 0; k < iterations; ++k) v = v * 1664525 + 1013904223;
  out[i] = v;
}

int main() {
  const int threads = 64 * 128;
  unsigned* d;
  CHECK(cudaMalloc(&d, threads * sizeof(unsigned)));
  cudaStream_t busy;
  CHECK(cudaStreamCreateWithFlags(&busy, cudaStreamNonBlocking));
  spin<<<1, 32, 0, busy>>>(d, 1);  // the module is loaded before the measured launch
  CHECK(cudaStreamSynchronize(busy));

  std::atomic<int> state{0};  // 1: about to launch, 2: the launch returned
  std::thread launcher([&] {
    state = 1;
    spin<<<64, 128, 0, busy>>>(d, 3000);
    state = 2;
  });
  while (state.load() == 0) {
  }
  long not_ready = 0, other = 0;
  while (state.load() != 2) {
    const cudaError_t e = cudaStreamQuery(busy);
    if (e == cudaErrorNotReady) ++not_ready;
    else if (e != cudaSuccess) ++other;
  }
  launcher.join();
  CHECK(cudaGetLastError());  // cudaErrorNotReady is no error the program must clear
  CHECK(cudaStreamQuery(busy));
  std::printf("cudaStreamQuery answered cudaErrorNotReady %ld times during the other thread's launch\n", not_ready);
  EXPECT(not_ready > 0);
  EXPECT(other == 0);

  // The result is the kernel's all the same.
  unsigned h[2];
  CHECK(cudaMemcpy(h, d + threads - 2, sizeof h, cudaMemcpyDeviceToHost));
  for (int j = 0; j < 2; ++j) {
    unsigned v = threads - 2 + j;
    for (int k = 0; k < 3000; ++k) v = v * 1664525 + 1013904223;
    EXPECT(h[j] == v);
  }
  std::printf("stream_query_busy OK\n");
  return 0;
}
