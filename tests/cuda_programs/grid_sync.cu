// cooperative_groups grid synchronisation through cudaLaunchCooperativeKernel: every block
// publishes a value, the grid synchronises, every block reads all the others'. A grid larger than
// the device holds at once is CUDA's cudaErrorCooperativeLaunchTooLarge.
#include <cooperative_groups.h>
#include <vector>
#include "check.cuh"

namespace cg = cooperative_groups;

__global__ void publish_then_sum(int* published, int* sums) {
  cg::grid_group grid = cg::this_grid();
  if (threadIdx.x == 0) published[blockIdx.x] = (blockIdx.x + 1) * 10;
  grid.sync();
  if (threadIdx.x == 0) {
    int s = 0;
    for (unsigned b = 0; b < gridDim.x; ++b) s += published[b];
    sums[blockIdx.x] = s;
  }
}

int main() {
  int sms = 0, per_sm = 0;
  CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, publish_then_sum, 128, 0));
  const int blocks = sms * per_sm < 64 ? sms * per_sm : 64;
  int *published, *sums;
  CHECK(cudaMalloc(&published, 4096 * sizeof(int)));
  CHECK(cudaMalloc(&sums, 4096 * sizeof(int)));
  void* args[] = {&published, &sums};
  CHECK(cudaLaunchCooperativeKernel(reinterpret_cast<void*>(publish_then_sum), blocks, 128, args, 0, nullptr));
  CHECK(cudaDeviceSynchronize());
  std::vector<int> h(blocks);
  CHECK(cudaMemcpy(h.data(), sums, blocks * sizeof(int), cudaMemcpyDeviceToHost));
  const int expected = 10 * blocks * (blocks + 1) / 2;
  for (int b = 0; b < blocks; ++b) EXPECT(h[b] == expected);
  const cudaError_t too_large = cudaLaunchCooperativeKernel(reinterpret_cast<void*>(publish_then_sum),
                                                            sms * per_sm + 1, 128, args, 0, nullptr);
  EXPECT(too_large == cudaErrorCooperativeLaunchTooLarge);
  cudaGetLastError();
  std::printf("grid_sync: OK (%d blocks)\n", blocks);
  return 0;
}
