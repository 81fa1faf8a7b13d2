// A training-loop-like program: ITERATIONS iterations of a small kernel, every fourth followed by a
// second kernel with a grid that changes. `launch_loop N` checks the counters the kernels add to;
// `launch_loop N K` launches, at iteration K, a kernel that stores through a null pointer, and then
// goes on without looking at the error until its final synchronisation (which must report it).
// The exit report keeps GPUSIM_LAUNCH_RECORDS launches whole and sums the rest per kernel.
#include <cstdio>
#include <cstdlib>

#include "check.cuh"

__global__ void count_up(unsigned* counters) {
  if (threadIdx.x == 0) atomicAdd(&counters[0], 1u);
}

__global__ void count_blocks(unsigned* counters) {
  if (threadIdx.x == 0) atomicAdd(&counters[1], 1u);
}

__global__ void store_through(unsigned* p) { p[threadIdx.x] = 1; }

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 40;
  const long fault_at = argc > 2 ? std::atol(argv[2]) : -1;
  unsigned* counters = nullptr;
  CHECK(cudaMalloc(&counters, 2 * sizeof(unsigned)));
  CHECK(cudaMemset(counters, 0, 2 * sizeof(unsigned)));
  unsigned long blocks = 0;
  for (long i = 0; i < iterations; ++i) {
    count_up<<<1, 32>>>(counters);
    if (i == fault_at) store_through<<<1, 32>>>(nullptr);
    if (i % 4 == 0) {
      const unsigned grid = 1 + unsigned(i / 4) % 3;  // 1, 2, 3, 1, ...
      count_blocks<<<grid, 64>>>(counters);
      blocks += grid;
    }
  }
  if (fault_at >= 0) {
    const cudaError_t e = cudaDeviceSynchronize();
    std::printf("launch_loop: the fault reached the program as %s\n", cudaGetErrorName(e));
    return e == cudaErrorIllegalAddress ? 0 : 1;
  }
  unsigned got[2] = {};
  CHECK(cudaMemcpy(got, counters, sizeof got, cudaMemcpyDeviceToHost));
  if (got[0] != unsigned(iterations) || got[1] != blocks) {
    std::printf("launch_loop: FAIL count_up %u (expected %ld), count_blocks %u (expected %lu)\n", got[0], iterations,
                got[1], blocks);
    return 1;
  }
  std::printf("launch_loop: OK\n");
  return 0;
}
