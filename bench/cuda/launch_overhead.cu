// Host overhead of gpusim's CUDA runtime (docs/PERFORMANCE.md): wall time per launch of an empty
// kernel and per small cudaMemcpy, measured by the program itself. Usage: launch_overhead [N].
#include <chrono>
#include <cstdio>
#include <cstdlib>

__global__ void empty_kernel() {}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  int* d;
  int h = 0;
  cudaMalloc(&d, sizeof(int));
  empty_kernel<<<1, 32>>>();  // first launch loads the module
  cudaDeviceSynchronize();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) empty_kernel<<<1, 32>>>();
  cudaDeviceSynchronize();
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) cudaMemcpy(d, &h, sizeof h, cudaMemcpyHostToDevice);
  auto t2 = std::chrono::steady_clock::now();
  const double launch_us = std::chrono::duration<double, std::micro>(t1 - t0).count() / n;
  const double copy_us = std::chrono::duration<double, std::micro>(t2 - t1).count() / n;
  std::printf("%d launches: %.2f us host time per empty-kernel launch; %.2f us per 4-byte cudaMemcpy\n", n, launch_us, copy_us);
  return cudaGetLastError() == cudaSuccess ? 0 : 1;
}
