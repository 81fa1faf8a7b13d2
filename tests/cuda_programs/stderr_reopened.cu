// A daemon-style program: after a launch it closes stderr and opens a data file, which takes
// fd 2, then makes a failing CUDA call. gpusim's messages (the failing call's explanation, the
// launch table at exit) must go to the stderr the program started with, never into the program's
// file (an outside user found the launch table appended to its data).
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "check.cuh"

__global__ void twice(int* p) { p[threadIdx.x] = 2 * threadIdx.x; }

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  int* d;
  CHECK(cudaMalloc(&d, 32 * sizeof(int)));
  twice<<<1, 32>>>(d);
  CHECK(cudaDeviceSynchronize());
  close(2);
  const int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd != 2) return 3;
  const char data[] = "USER DATA ONLY\n";
  if (write(fd, data, sizeof data - 1) != ssize_t(sizeof data - 1)) return 4;
  void* huge = nullptr;
  if (cudaMalloc(&huge, size_t(1) << 50) == cudaSuccess) return 5;  // explained by gpusim: not here
  std::printf("stderr_reopened OK\n");
  return 0;
}
