// A program that dies of a signal in its host code after a launch (a store through a null
// pointer, abort(), an uncaught exception): its exit handlers never run, yet gpusim's launch
// table and --stats file must still come out (runtime/fatal_signal_report.h).
// quick_exit() skips the exit handlers too, without a signal.
// raise(SIGTERM) ends the program at the call, as the default action would (gpusim's interrupt
// handling writes the results first).
// Usage: host_crash segv|abort|throw|raise|quick_exit|sigterm
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "check.cuh"

__global__ void add_one(int* v, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] += 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "segv";
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);  // the test dies on purpose: no core file in its folder
  const int n = 1000;
  int* d = nullptr;
  CHECK(cudaMalloc(&d, n * sizeof(int)));
  CHECK(cudaMemset(d, 0, n * sizeof(int)));
  add_one<<<(n + 255) / 256, 256>>>(d, n);
  int h[n];
  CHECK(cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i)
    if (h[i] != 1) {
      std::printf("host_crash: FAIL at %d: %d\n", i, h[i]);
      return 1;
    }
  std::printf("host_crash: launched, now %s\n", mode);
  std::fflush(stdout);
  if (!std::strcmp(mode, "segv")) {
    volatile int* nowhere = nullptr;
    *nowhere = 1;
  } else if (!std::strcmp(mode, "abort")) {
    std::abort();
  } else if (!std::strcmp(mode, "throw")) {
    throw std::runtime_error("a host-side bug");
  } else if (!std::strcmp(mode, "raise")) {
    raise(SIGBUS);
  } else if (!std::strcmp(mode, "quick_exit")) {
    std::quick_exit(4);
  } else if (!std::strcmp(mode, "sigterm")) {
    raise(SIGTERM);
  }
  std::printf("host_crash: still alive\n");
  return 0;
}
