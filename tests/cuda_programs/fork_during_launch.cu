// One thread forks while another thread's kernel is being simulated (a worker pool forking beside
// GPU work): the child inherits the runtime's lock held by a thread it does not have. Its CUDA
// calls must fail at once with cudaErrorInitializationError (as on a GPU) and its exit() must
// end it (both waited forever: an outside user's report).
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "check.cuh"

__global__ void spin(unsigned* out, int iterations) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned v = i;
  for (int k = 0; k < iterations; ++k) v = v * 1664525u + 1013904223u;
  out[i] = v;
}

int main() {
  unsigned* d;
  CHECK(cudaMalloc(&d, 64 * 128 * sizeof(unsigned)));
  cudaStream_t busy;
  CHECK(cudaStreamCreateWithFlags(&busy, cudaStreamNonBlocking));
  spin<<<1, 32, 0, busy>>>(d, 1);  // the module is loaded before the measured launch
  CHECK(cudaStreamSynchronize(busy));

  std::atomic<int> state{0};
  std::thread launcher([&] {
    state = 1;
    spin<<<64, 128, 0, busy>>>(d, 3000);
    state = 2;
  });
  while (state.load() == 0) {
  }
  // Fork once the launch is being simulated (the stream answers "not ready"), or after it.
  while (state.load() != 2 && cudaStreamQuery(busy) != cudaErrorNotReady) {
  }
  const pid_t child = fork();
  if (child == 0) {
    void* p = nullptr;
    const cudaError_t e = cudaMalloc(&p, 256);
    std::printf("child: cudaMalloc -> %s\n", cudaGetErrorName(e));
    std::exit(e == cudaErrorInitializationError ? 0 : 1);
  }
  int status = -1;
  EXPECT(waitpid(child, &status, 0) == child);
  launcher.join();
  EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(cudaStreamSynchronize(busy));
  std::printf("fork_during_launch OK\n");
  return 0;
}
