// Shared by the graph-API test programs runtime_graph_params.cu and runtime_user_objects.cu: a
// kernel adding v to N ints, a kernel node of it, one graph launch, reading the ints back, and a
// check of a call's error code (EXPECT_CODE: check.cuh).
#pragma once
#include <cstring>
#include <vector>

#include "check.cuh"

__global__ void add_kernel(int* p, int n, int v) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] += v;
}

static const int N = 256;

inline cudaGraphNode_t add_kernel_node(cudaGraph_t g, int* d, int v, const cudaGraphNode_t* deps = nullptr, size_t ndeps = 0,
                                       unsigned grid = N / 64) {
  int n = N;
  void* args[] = {&d, &n, &v};
  cudaKernelNodeParams p{};
  p.func = reinterpret_cast<void*>(add_kernel);
  p.gridDim = dim3(grid);
  p.blockDim = dim3(N / grid);
  p.kernelParams = args;
  cudaGraphNode_t node;
  CHECK(cudaGraphAddKernelNode(&node, g, deps, ndeps, &p));
  return node;
}

inline void run(cudaGraph_t g) {
  cudaGraphExec_t e;
  CHECK(cudaGraphInstantiate(&e, g, 0));
  CHECK(cudaGraphLaunch(e, 0));
  CHECK(cudaStreamSynchronize(0));
  CHECK(cudaGraphExecDestroy(e));
}

inline std::vector<int> read(const int* d) {
  std::vector<int> h(N);
  CHECK(cudaMemcpy(h.data(), d, N * sizeof(int), cudaMemcpyDeviceToHost));
  return h;
}

