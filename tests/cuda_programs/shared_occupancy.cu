// Dynamic shared memory beyond 48 KiB through cudaFuncSetAttribute, the occupancy API,
// cudaFuncGetAttributes, and the launch errors CUDA gives for bad configurations.
#include <vector>
#include "check.cuh"

__global__ void reverse_block(int* p) {
  extern __shared__ int buffer[];
  const int n = blockDim.x * 64;
  int* base = p + blockIdx.x * n;
  for (int i = threadIdx.x; i < n; i += blockDim.x) buffer[i] = base[i];
  __syncthreads();
  for (int i = threadIdx.x; i < n; i += blockDim.x) base[i] = buffer[n - 1 - i];
}

int main() {
  int optin = 0;
  CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0));
  const int threads = 256, per_block = threads * 64, bytes = per_block * sizeof(int);  // 64 KiB
  EXPECT(bytes > 48 * 1024);
  std::vector<int> h(2 * per_block);
  for (size_t i = 0; i < h.size(); ++i) h[i] = int(i) * 7;
  int* d;
  CHECK(cudaMalloc(&d, h.size() * sizeof(int)));
  CHECK(cudaMemcpy(d, h.data(), h.size() * sizeof(int), cudaMemcpyHostToDevice));
  // Without the opt-in, more than 48 KiB is refused.
  reverse_block<<<2, threads, bytes>>>(d);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);
  if (optin >= bytes) {
    CHECK(cudaFuncSetAttribute(reverse_block, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
    reverse_block<<<2, threads, bytes>>>(d);
    CHECK(cudaGetLastError());
    std::vector<int> r(h.size());
    CHECK(cudaMemcpy(r.data(), d, r.size() * sizeof(int), cudaMemcpyDeviceToHost));
    for (int b = 0; b < 2; ++b)
      for (int i = 0; i < per_block; ++i) EXPECT(r[b * per_block + i] == h[b * per_block + per_block - 1 - i]);
  }
  cudaFuncAttributes attr;
  CHECK(cudaFuncGetAttributes(&attr, reverse_block));
  EXPECT(attr.sharedSizeBytes == 0 && attr.maxThreadsPerBlock > 0 && attr.ptxVersion == 80);  // compute_80 PTX, as CUDA reports it
  int blocks = 0;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, reverse_block, threads, 0));
  EXPECT(blocks >= 1);
  int min_grid = 0, best_block = 0;
  CHECK(cudaOccupancyMaxPotentialBlockSize(&min_grid, &best_block, reverse_block, 0, 0));
  EXPECT(best_block > 0 && best_block <= 1024 && min_grid > 0);
  // Bad configurations: CUDA's codes, and the next call succeeds again (not sticky).
  reverse_block<<<1, 2048>>>(d);
  EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration);
  reverse_block<<<dim3(1, 70000), 32>>>(d);
  EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration);
  reverse_block<<<0, 32>>>(d);
  EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration);
  int max_block_z = 0, max_grid_z = 0;
  CHECK(cudaDeviceGetAttribute(&max_block_z, cudaDevAttrMaxBlockDimZ, 0));
  CHECK(cudaDeviceGetAttribute(&max_grid_z, cudaDevAttrMaxGridDimZ, 0));
  reverse_block<<<1, dim3(1, 1, max_block_z + 1)>>>(d);
  EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration);
  reverse_block<<<dim3(1, 1, max_grid_z + 1), 32>>>(d);
  EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration);
  // cudaLaunchKernel answers through the same checks as <<<>>>.
  void* args[] = {&d};
  EXPECT(cudaLaunchKernel((const void*)reverse_block, dim3(1), dim3(2048), args, 0, nullptr) ==
         cudaErrorInvalidConfiguration);
  EXPECT(cudaLaunchKernel((const void*)reverse_block, dim3(0), dim3(32), args, 0, nullptr) ==
         cudaErrorInvalidConfiguration);
  EXPECT(cudaLaunchKernel((const void*)reverse_block, dim3(1), dim3(32), args, size_t(optin) + 1, nullptr) ==
         cudaErrorInvalidValue);
  CHECK(cudaDeviceSynchronize());
  std::printf("shared_occupancy: OK (%d blocks/SM at %d threads; suggested block %d)\n", blocks, threads, best_block);
  return 0;
}
