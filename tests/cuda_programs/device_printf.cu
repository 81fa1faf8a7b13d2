// printf from many threads and from divergent branches; the test checks every line arrives.
#include "check.cuh"

__global__ void say(int rounds) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  for (int r = 0; r < rounds; ++r) {
    if (t % 2 == 0)
      printf("even t=%d r=%d v=%.2f\n", t, r, t * 0.5);
    else
      printf("odd  t=%d r=%d s=%s\n", t, r, "str");
  }
}

int main() {
  std::printf("host before\n");
  say<<<4, 40>>>(2);
  CHECK(cudaDeviceSynchronize());
  std::printf("host after\n");
  return 0;
}
