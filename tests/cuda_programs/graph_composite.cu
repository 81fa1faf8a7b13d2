// Composite CUDA graphs: child graph nodes (added by hand, nested, read back and edited through
// cudaGraphChildGraphNodeGetGraph), memcpy nodes to and from __constant__/__device__ variables,
// a graph launched into a capturing stream (it becomes a child graph node), a captured
// cudaMemcpyToSymbolAsync, which must copy when the graph runs, not at capture, and
// cudaStreamBeginCaptureToGraph (capture appended to an existing graph after given nodes). Every result is
// compared with a CPU computation of what the graph does.
#include <cstdio>
#include <vector>
#include "check.cuh"

__constant__ float coeff[16];
__device__ int launches_seen[4];

__global__ void scale_add(float* x, int n, float add) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] = x[i] * coeff[i % 16] + add;
  if (i == 0) atomicAdd(&launches_seen[0], 1);
}

static void cpu_scale_add(std::vector<float>& x, const float* c, float add) {
  for (size_t i = 0; i < x.size(); ++i) x[i] = x[i] * c[i % 16] + add;
}

static cudaGraphNode_t kernel_node(cudaGraph_t g, const cudaGraphNode_t* deps, size_t ndeps, float** x, int* n, float* add) {
  cudaKernelNodeParams p = {};
  void* args[] = {x, n, add};
  p.func = reinterpret_cast<void*>(scale_add);
  p.gridDim = dim3((*n + 127) / 128);
  p.blockDim = dim3(128);
  p.kernelParams = args;
  cudaGraphNode_t node;
  CHECK(cudaGraphAddKernelNode(&node, g, deps, ndeps, &p));
  return node;
}

static void expect_equal(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i]) {
      std::fprintf(stderr, "%s: element %zu is %g, expected %g\n", what, i, got[i], want[i]);
      std::exit(1);
    }
}

int main() {
  const int n = 1000;
  float* x;
  CHECK(cudaMalloc(&x, n * sizeof(float)));
  std::vector<float> host_x(n), want(n, 0.0f);
  float c1[16], c2[16];
  for (int i = 0; i < 16; ++i) c1[i] = 1.0f + i * 0.25f, c2[i] = 2.0f - i * 0.125f;
  int counts[4];

  // Child: coefficients into the __constant__ array, then the kernel.
  cudaGraph_t child;
  CHECK(cudaGraphCreate(&child, 0));
  cudaGraphNode_t to_sym, k1;
  CHECK(cudaGraphAddMemcpyNodeToSymbol(&to_sym, child, nullptr, 0, coeff, c1, sizeof c1, 0, cudaMemcpyHostToDevice));
  float add1 = 1.0f, add2 = 3.0f;
  int nn = n;
  k1 = kernel_node(child, &to_sym, 1, &x, &nn, &add1);

  // Parent: zero x, the child, the kernel again with the same coefficients, then read the counter back.
  cudaGraph_t parent;
  CHECK(cudaGraphCreate(&parent, 0));
  cudaGraphNode_t zero, sub, k2, from_sym;
  cudaMemsetParams ms = {};
  ms.dst = x;
  ms.value = 0;
  ms.elementSize = 4;
  ms.width = n;
  ms.height = 1;
  CHECK(cudaGraphAddMemsetNode(&zero, parent, nullptr, 0, &ms));
  CHECK(cudaGraphAddChildGraphNode(&sub, parent, &zero, 1, child));
  k2 = kernel_node(parent, &sub, 1, &x, &nn, &add2);
  CHECK(cudaGraphAddMemcpyNodeFromSymbol(&from_sym, parent, &k2, 1, counts, launches_seen, sizeof counts, 0,
                                         cudaMemcpyDeviceToHost));

  // The child node holds a copy: changing the original child graph afterwards changes nothing.
  cudaGraphNode_t extra;
  CHECK(cudaGraphAddEmptyNode(&extra, child, &k1, 1));
  cudaGraph_t inside;
  CHECK(cudaGraphChildGraphNodeGetGraph(sub, &inside));
  size_t count = 0;
  CHECK(cudaGraphGetNodes(inside, nullptr, &count));
  EXPECT(count == 2);
  cudaGraphNodeType type;
  CHECK(cudaGraphNodeGetType(sub, &type));
  EXPECT(type == cudaGraphNodeTypeGraph);
  EXPECT(cudaGraphDestroy(inside) == cudaErrorInvalidValue);  // the node owns it
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);
  EXPECT(cudaGraphChildGraphNodeGetGraph(k2, &inside) == cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);

  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, parent, 0));
  for (int round = 1; round <= 2; ++round) {
    counts[0] = -1;
    CHECK(cudaGraphLaunch(exec, 0));
    CHECK(cudaStreamSynchronize(0));
    CHECK(cudaMemcpy(host_x.data(), x, n * sizeof(float), cudaMemcpyDeviceToHost));
    std::fill(want.begin(), want.end(), 0.0f);
    cpu_scale_add(want, c1, add1);
    cpu_scale_add(want, c1, add2);
    expect_equal(host_x, want, "child graph launch");
    EXPECT(counts[0] == 2 * round);  // read back by the graph's last node
  }

  // Editing the graph inside the node (through its handle) changes the node: new coefficients.
  cudaGraphNode_t inner_nodes[2];
  count = 2;
  CHECK(cudaGraphChildGraphNodeGetGraph(sub, &inside));
  CHECK(cudaGraphGetNodes(inside, inner_nodes, &count));
  cudaGraphNodeType t0;
  CHECK(cudaGraphNodeGetType(inner_nodes[0], &t0));
  EXPECT(t0 == cudaGraphNodeTypeMemcpy);
  cudaGraphNode_t inner_tail;
  CHECK(cudaGraphAddEmptyNode(&inner_tail, inside, &inner_nodes[1], 1));
  count = 0;
  CHECK(cudaGraphGetNodes(inside, nullptr, &count));
  EXPECT(count == 3);

  // A clone of the parent runs the same work.
  cudaGraph_t clone;
  cudaGraphExec_t clone_exec;
  CHECK(cudaGraphClone(&clone, parent));
  CHECK(cudaGraphInstantiate(&clone_exec, clone, 0));
  CHECK(cudaGraphLaunch(clone_exec, 0));
  CHECK(cudaMemcpy(host_x.data(), x, n * sizeof(float), cudaMemcpyDeviceToHost));
  expect_equal(host_x, want, "cloned graph");

  // Capture: a kernel, the executable graph launched into the stream, a captured symbol copy of
  // host memory that changes after capture, and a kernel that uses it.
  cudaStream_t s;
  CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  float c_captured[16];
  for (int i = 0; i < 16; ++i) c_captured[i] = -1.0f;  // overwritten before the graph runs
  float add3 = 0.5f;
  CHECK(cudaMemcpy(x, want.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  scale_add<<<(n + 127) / 128, 128, 0, s>>>(x, n, add3);
  CHECK(cudaGraphLaunch(exec, s));
  CHECK(cudaMemcpyToSymbolAsync(coeff, c_captured, sizeof c_captured, 0, cudaMemcpyHostToDevice, s));
  scale_add<<<(n + 127) / 128, 128, 0, s>>>(x, n, add3);
  cudaGraph_t captured;
  CHECK(cudaStreamEndCapture(s, &captured));
  CHECK(cudaMemcpy(host_x.data(), x, n * sizeof(float), cudaMemcpyDeviceToHost));
  expect_equal(host_x, want, "nothing runs during capture");
  count = 0;
  CHECK(cudaGraphGetNodes(captured, nullptr, &count));
  EXPECT(count == 4);
  std::vector<cudaGraphNode_t> cap_nodes(count);
  CHECK(cudaGraphGetNodes(captured, cap_nodes.data(), &count));
  CHECK(cudaGraphNodeGetType(cap_nodes[1], &type));
  EXPECT(type == cudaGraphNodeTypeGraph);
  CHECK(cudaGraphNodeGetType(cap_nodes[2], &type));
  EXPECT(type == cudaGraphNodeTypeMemcpy);

  for (int i = 0; i < 16; ++i) c_captured[i] = c2[i];
  cudaGraphExec_t cap_exec;
  CHECK(cudaGraphInstantiate(&cap_exec, captured, 0));
  counts[0] = -1;
  CHECK(cudaGraphLaunch(cap_exec, s));
  CHECK(cudaStreamSynchronize(s));
  // The first kernel used the coefficients the clone's launch left (c1); the launched graph
  // zeroes x and runs twice with c1; the captured copy brings c2 for the last kernel.
  std::fill(want.begin(), want.end(), 0.0f);
  cpu_scale_add(want, c1, add1);
  cpu_scale_add(want, c1, add2);
  cpu_scale_add(want, c2, add3);
  CHECK(cudaMemcpy(host_x.data(), x, n * sizeof(float), cudaMemcpyDeviceToHost));
  expect_equal(host_x, want, "captured graph with a child graph and a symbol copy");
  EXPECT(counts[0] == 2 * 2 + 2 + 3);  // two exec launches, the clone, then the capture's first three kernels (read before its last)
  int seen = 0;
  CHECK(cudaMemcpyFromSymbol(&seen, launches_seen, sizeof seen));
  EXPECT(seen == 2 * 2 + 2 + 4);

  // Capture into an existing graph, after its memset node (an unrelated earlier node need not join).
  cudaGraph_t target;
  CHECK(cudaGraphCreate(&target, 0));
  cudaGraphNode_t target_zero, unrelated;
  CHECK(cudaGraphAddMemsetNode(&target_zero, target, nullptr, 0, &ms));
  CHECK(cudaGraphAddEmptyNode(&unrelated, target, nullptr, 0));
  CHECK(cudaStreamBeginCaptureToGraph(s, target, &target_zero, nullptr, 1, cudaStreamCaptureModeGlobal));
  scale_add<<<(n + 127) / 128, 128, 0, s>>>(x, n, add1);
  cudaGraph_t ended;
  CHECK(cudaStreamEndCapture(s, &ended));
  EXPECT(ended == target);
  count = 0;
  CHECK(cudaGraphGetNodes(target, nullptr, &count));
  EXPECT(count == 3);
  cudaGraphExec_t target_exec;
  CHECK(cudaGraphInstantiate(&target_exec, target, 0));
  CHECK(cudaGraphLaunch(target_exec, s));
  CHECK(cudaStreamSynchronize(s));
  CHECK(cudaMemcpy(host_x.data(), x, n * sizeof(float), cudaMemcpyDeviceToHost));
  std::fill(want.begin(), want.end(), add1);  // zeroed first, then x * c + add1
  expect_equal(host_x, want, "capture into an existing graph after its memset node");
  CHECK(cudaGraphExecDestroy(target_exec));
  CHECK(cudaGraphDestroy(target));

  // Bad symbol copies get CUDA's codes.
  cudaGraphNode_t bad;
  EXPECT(cudaGraphAddMemcpyNodeToSymbol(&bad, parent, nullptr, 0, coeff, c1, sizeof c1, 8, cudaMemcpyHostToDevice) ==
         cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);
  EXPECT(cudaGraphAddMemcpyNodeToSymbol(&bad, parent, nullptr, 0, coeff, c1, 4, 0, cudaMemcpyDeviceToHost) ==
         cudaErrorInvalidMemcpyDirection);
  EXPECT(cudaGetLastError() == cudaErrorInvalidMemcpyDirection);
  EXPECT(cudaGraphAddMemcpyNodeFromSymbol(&bad, parent, nullptr, 0, counts, x, 4, 0, cudaMemcpyDeviceToHost) ==
         cudaErrorInvalidSymbol);
  EXPECT(cudaGetLastError() == cudaErrorInvalidSymbol);

  CHECK(cudaGraphExecDestroy(cap_exec));
  CHECK(cudaGraphDestroy(captured));
  CHECK(cudaGraphExecDestroy(clone_exec));
  CHECK(cudaGraphDestroy(clone));
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(parent));
  CHECK(cudaGraphDestroy(child));
  CHECK(cudaStreamDestroy(s));
  CHECK(cudaFree(x));
  std::printf("graph_composite: OK\n");
  return 0;
}
