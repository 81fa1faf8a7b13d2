// A kernel that runs for hours in functional mode (2^40 iterations per thread, each a store the
// loop watch cannot prove repeating): the test of Ctrl-C during one long functional launch.
// argv[1]: a file created just before the launch, so the test signals only once it runs.
#include <cstdio>

#include "check.cuh"

__global__ void spin(unsigned long long* out, unsigned long long iterations) {
  unsigned long long x = threadIdx.x;
  for (unsigned long long i = 0; i < iterations; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    out[(x >> 40) & 1023] = x;
  }
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  unsigned long long* out;
  CHECK(cudaMalloc(&out, 1024 * sizeof(unsigned long long)));
  if (FILE* ready = std::fopen(argv[1], "w")) std::fclose(ready);
  spin<<<4, 64>>>(out, 1ull << 40);
  CHECK(cudaDeviceSynchronize());
  std::printf("long_kernel: finished (it should have been interrupted)\n");
  return 0;
}
