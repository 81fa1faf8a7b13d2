// Dynamic parallelism (CDP2) launch errors reach device code through cudaGetLastError /
// cudaPeekAtLastError, with CUDA's codes: an invalid configuration, the pending-launch limit
// (cudaLimitDevRuntimePendingLaunchCount, set by the host), and the nesting depth limit of 24.
#include <cstdio>

#include "check.cuh"

__device__ int ran;
__device__ int deepest;
__device__ int depth_error;

__global__ void child() { atomicAdd(&ran, 1); }

__global__ void bad_launches(int* codes) {
  child<<<dim3(0, 1, 1), 32>>>();          // zero-sized grid
  codes[0] = cudaPeekAtLastError();        // peek: the error stays
  codes[1] = cudaGetLastError();           // get: returns it and clears it
  codes[2] = cudaGetLastError();
  child<<<1, 4096>>>();                    // more threads than a block may have
  codes[3] = cudaGetLastError();
  child<<<1, 32>>>();                      // a good one: runs
  codes[4] = cudaGetLastError();
}

__global__ void many_launches(int* codes, int count) {
  for (int i = 0; i < count; ++i) {
    child<<<1, 1>>>();
    codes[i] = cudaGetLastError();
  }
}

__global__ void recurse(int depth) {
  atomicMax(&deepest, depth);
  recurse<<<1, 1>>>(depth + 1);
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) depth_error = e;
}

int main() {
  int* codes = nullptr;
  CHECK(cudaMalloc(&codes, 16 * sizeof(int)));
  bad_launches<<<1, 1>>>(codes);
  CHECK(cudaDeviceSynchronize());
  int h[16];
  CHECK(cudaMemcpy(h, codes, 5 * sizeof(int), cudaMemcpyDeviceToHost));
  EXPECT(h[0] == cudaErrorInvalidConfiguration);
  EXPECT(h[1] == cudaErrorInvalidConfiguration);
  EXPECT(h[2] == cudaSuccess);
  EXPECT(h[3] == cudaErrorInvalidConfiguration);
  EXPECT(h[4] == cudaSuccess);
  int ran_count = 0;
  CHECK(cudaMemcpyFromSymbol(&ran_count, ran, sizeof(int)));
  EXPECT(ran_count == 32);  // only the good launch ran

  size_t limit = 0;
  CHECK(cudaDeviceGetLimit(&limit, cudaLimitDevRuntimePendingLaunchCount));
  EXPECT(limit == 2048);
  CHECK(cudaDeviceSetLimit(cudaLimitDevRuntimePendingLaunchCount, 4));
  CHECK(cudaDeviceGetLimit(&limit, cudaLimitDevRuntimePendingLaunchCount));
  EXPECT(limit == 4);
  const int zero = 0;
  CHECK(cudaMemcpyToSymbol(ran, &zero, sizeof(int)));
  many_launches<<<1, 1>>>(codes, 9);  // 5 over the limit: gpusim prints 3 of them and a count
  CHECK(cudaDeviceSynchronize());
  CHECK(cudaMemcpy(h, codes, 9 * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < 4; ++i) EXPECT(h[i] == cudaSuccess);
  for (int i = 4; i < 9; ++i) EXPECT(h[i] == cudaErrorLaunchPendingCountExceeded);
  CHECK(cudaMemcpyFromSymbol(&ran_count, ran, sizeof(int)));
  EXPECT(ran_count == 4);
  CHECK(cudaDeviceSetLimit(cudaLimitDevRuntimePendingLaunchCount, 2048));

  recurse<<<1, 1>>>(0);
  CHECK(cudaDeviceSynchronize());
  int deep = 0, err = 0;
  CHECK(cudaMemcpyFromSymbol(&deep, deepest, sizeof(int)));
  CHECK(cudaMemcpyFromSymbol(&err, depth_error, sizeof(int)));
  EXPECT(deep == 24);
  EXPECT(err == cudaErrorLaunchMaxDepthExceeded);
  std::printf("cdp_errors: invalid configuration, pending limit 4 of 9, depth limit at %d: OK\n", deep);
  return 0;
}
