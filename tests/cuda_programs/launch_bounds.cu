// __launch_bounds__: the kernel's thread limit is what cudaFuncGetAttributes reports and what the
// occupancy helpers plan with, and a bigger block fails to launch with
// cudaErrorLaunchOutOfResources (not sticky) instead of running. Results checked on the CPU.
#include <vector>
#include "check.cuh"

__global__ void __launch_bounds__(128, 4) scale(const float* in, float* out, int n, float s) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * s + threadIdx.x;
}

__global__ void __launch_bounds__(64) cube(int* out) {
  const int t = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
  out[blockIdx.x * 64 + t] = t * 1000 + blockIdx.x;
}

__global__ void unbounded(int* out) { out[threadIdx.x] = threadIdx.x; }

int main() {
  cudaFuncAttributes a;
  CHECK(cudaFuncGetAttributes(&a, scale));
  EXPECT(a.maxThreadsPerBlock == 128);
  CHECK(cudaFuncGetAttributes(&a, unbounded));
  EXPECT(a.maxThreadsPerBlock >= 512);  // only the device (and registers) limit it
  int min_grid = 0, block = 0;
  CHECK(cudaOccupancyMaxPotentialBlockSize(&min_grid, &block, scale, 0, 0));
  EXPECT(block > 0 && block <= 128);
  // A block over the bound cannot launch, so none of it is resident.
  int resident = -1;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&resident, scale, 256, 0));
  EXPECT(resident == 0);
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&resident, scale, 128, 0));
  EXPECT(resident > 0);

  const int n = 1000;
  std::vector<float> in(n), out(n);
  for (int i = 0; i < n; ++i) in[i] = 0.5f * i - 100.0f;
  float *din, *dout;
  CHECK(cudaMalloc(&din, n * sizeof(float)));
  CHECK(cudaMalloc(&dout, n * sizeof(float)));
  CHECK(cudaMemcpy(din, in.data(), n * sizeof(float), cudaMemcpyHostToDevice));

  scale<<<(n + 255) / 256, 256>>>(din, dout, n, 3.0f);  // 256 > 128
  cudaError_t e = cudaGetLastError();
  std::printf("256 threads on __launch_bounds__(128): %s\n", cudaGetErrorName(e));
  EXPECT(e == cudaErrorLaunchOutOfResources);
  EXPECT(cudaGetLastError() == cudaSuccess);  // not sticky
  void* args[] = {&din, &dout, (void*)&n, nullptr};
  float s = 3.0f;
  args[3] = &s;
  e = cudaLaunchKernel((const void*)scale, dim3(4), dim3(129), args, 0, nullptr);
  EXPECT(e == cudaErrorLaunchOutOfResources);
  cudaGetLastError();

  scale<<<(n + 127) / 128, 128>>>(din, dout, n, 3.0f);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(out.data(), dout, n * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(out[i] == in[i] * 3.0f + float(i % 128));

  int* dcube;
  CHECK(cudaMalloc(&dcube, 3 * 64 * sizeof(int)));
  cube<<<3, dim3(4, 4, 4)>>>(dcube);  // exactly 64 threads in three dimensions
  CHECK(cudaGetLastError());
  std::vector<int> c(3 * 64);
  CHECK(cudaMemcpy(c.data(), dcube, c.size() * sizeof(int), cudaMemcpyDeviceToHost));
  for (int b = 0; b < 3; ++b)
    for (int t = 0; t < 64; ++t) EXPECT(c[b * 64 + t] == t * 1000 + b);
  cube<<<1, dim3(4, 4, 5)>>>(dcube);
  EXPECT(cudaGetLastError() == cudaErrorLaunchOutOfResources);
  std::printf("__launch_bounds__ limits honoured; results match\nOK\n");
  return 0;
}
