// A graph built by hand: a memset root, two kernels that depend on it, a kernel that joins them, a
// copy back and a host node (a diamond). Checks the node queries, launches it, changes a kernel's
// argument in the executable graph, updates the executable from an edited clone, and writes DOT.
// The same kinds of node built with the generic calls (cudaGraphAddNode, cudaGraphNodeSetParams,
// cudaGraphExecNodeSetParams) run the same way.
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include "check.cuh"

__global__ void fill(int* p, int value, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] += value + i;
}

__global__ void join(int* out, const int* a, const int* b, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = a[i] * b[i];
}

static int host_runs = 0;
void CUDART_CB bump(void*) { ++host_runs; }

// alloc -> memset -> fill(value) -> copy to `out` -> free -> host node, through cudaGraphAddNode.
void check_generic_nodes(int* out, int n) {
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphNodeParams p{};
  p.type = cudaGraphNodeTypeMemAlloc;
  p.alloc.poolProps.allocType = cudaMemAllocationTypePinned;
  p.alloc.poolProps.location.type = cudaMemLocationTypeDevice;
  p.alloc.bytesize = n * sizeof(int);
  cudaGraphNode_t alloc, set, kernel, copy, release, host;
  CHECK(cudaGraphAddNode(&alloc, g, nullptr, nullptr, 0, &p));
  int* scratch = static_cast<int*>(p.alloc.dptr);
  EXPECT(scratch != nullptr);
  p = {};
  p.type = cudaGraphNodeTypeMemset;
  p.memset.dst = scratch;
  p.memset.elementSize = 4;
  p.memset.width = n;
  p.memset.height = 1;
  CHECK(cudaGraphAddNode(&set, g, &alloc, nullptr, 1, &p));
  int value = 7;
  void* args[] = {&scratch, &value, &n};
  // fill(scratch, value, n): `value` is read when the parameters are given.
  const auto fill_params = [&] {
    cudaGraphNodeParams k{};
    k.type = cudaGraphNodeTypeKernel;
    k.kernel.func = reinterpret_cast<void*>(fill);
    k.kernel.gridDim = dim3((n + 127) / 128);
    k.kernel.blockDim = dim3(128);
    k.kernel.kernelParams = args;
    return k;
  };
  p = fill_params();
  CHECK(cudaGraphAddNode(&kernel, g, &set, nullptr, 1, &p));
  p = {};
  p.type = cudaGraphNodeTypeMemcpy;
  p.memcpy.copyParams.srcPtr = make_cudaPitchedPtr(scratch, n * sizeof(int), n, 1);
  p.memcpy.copyParams.dstPtr = make_cudaPitchedPtr(out, n * sizeof(int), n, 1);
  p.memcpy.copyParams.extent = make_cudaExtent(n * sizeof(int), 1, 1);
  p.memcpy.copyParams.kind = cudaMemcpyDeviceToDevice;
  CHECK(cudaGraphAddNode(&copy, g, &kernel, nullptr, 1, &p));
  p = {};
  p.type = cudaGraphNodeTypeMemFree;
  p.free.dptr = scratch;
  CHECK(cudaGraphAddNode(&release, g, &copy, nullptr, 1, &p));
  p = {};
  p.type = cudaGraphNodeTypeHost;
  p.host.fn = bump;
  CHECK(cudaGraphAddNode(&host, g, &release, nullptr, 1, &p));

  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  const int runs_before = host_runs;
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  std::vector<int> h(n);
  CHECK(cudaMemcpy(h.data(), out, n * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == 7 + i);
  EXPECT(host_runs == runs_before + 1);

  // The executable's kernel takes a new argument; the graph's own node another.
  value = 11;
  p = fill_params();
  CHECK(cudaGraphExecNodeSetParams(exec, kernel, &p));
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  CHECK(cudaMemcpy(h.data(), out, n * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == 11 + i);
  // A graph with allocation nodes has one executable at a time (CUDA's rule).
  CHECK(cudaGraphExecDestroy(exec));
  value = 5;
  CHECK(cudaGraphNodeSetParams(kernel, &p));
  cudaGraphExec_t second;
  CHECK(cudaGraphInstantiate(&second, g, 0));
  CHECK(cudaGraphLaunch(second, 0));
  CHECK(cudaStreamSynchronize(0));
  CHECK(cudaMemcpy(h.data(), out, n * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == 5 + i);
  // An executable graph with allocation nodes takes no update (CUDA: ErrorNotSupported).
  cudaGraphExecUpdateResultInfo info;
  EXPECT(cudaGraphExecUpdate(second, g, &info) == cudaErrorGraphExecUpdateFailure);
  EXPECT(info.result == cudaGraphExecUpdateErrorNotSupported);
  cudaGetLastError();

  // Parameters of another node type, reserved fields set, a conditional node without a handle
  // (graph_conditional.cu makes real ones): refused.
  p.type = cudaGraphNodeTypeHost;
  EXPECT(cudaGraphNodeSetParams(kernel, &p) == cudaErrorInvalidValue);
  cudaGraphNodeParams bad{};
  bad.type = cudaGraphNodeTypeEmpty;
  bad.reserved0[1] = 1;
  cudaGraphNode_t unused;
  EXPECT(cudaGraphAddNode(&unused, g, nullptr, nullptr, 0, &bad) == cudaErrorInvalidValue);
  bad = {};
  bad.type = cudaGraphNodeTypeConditional;
  EXPECT(cudaGraphAddNode(&unused, g, nullptr, nullptr, 0, &bad) == cudaErrorInvalidValue);
  cudaGetLastError();
  CHECK(cudaGraphExecDestroy(second));
  CHECK(cudaGraphDestroy(g));
}

int main() {
  const int n = 512, block = 128, grid = n / block;
  int *d_a, *d_b, *d_out;
  CHECK(cudaMalloc(&d_a, n * sizeof(int)));
  CHECK(cudaMalloc(&d_b, n * sizeof(int)));
  CHECK(cudaMalloc(&d_out, n * sizeof(int)));
  std::vector<int> h(n);

  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphNode_t zero_a, zero_b, ka, kb, kj, copy, host;
  cudaMemsetParams ms = {};
  ms.dst = d_a;
  ms.elementSize = 4;
  ms.width = n;
  ms.height = 1;
  ms.value = 0;
  CHECK(cudaGraphAddMemsetNode(&zero_a, g, nullptr, 0, &ms));
  ms.dst = d_b;
  ms.value = 2;  // 4-byte elements of value 2
  CHECK(cudaGraphAddMemsetNode(&zero_b, g, nullptr, 0, &ms));

  int value_a = 5, value_b = -1, count = n;
  void* args_a[] = {&d_a, &value_a, &count};
  void* args_b[] = {&d_b, &value_b, &count};
  cudaKernelNodeParams kp = {};
  kp.func = reinterpret_cast<void*>(fill);
  kp.gridDim = dim3(grid);
  kp.blockDim = dim3(block);
  kp.kernelParams = args_a;
  CHECK(cudaGraphAddKernelNode(&ka, g, &zero_a, 1, &kp));
  kp.kernelParams = args_b;
  CHECK(cudaGraphAddKernelNode(&kb, g, nullptr, 0, &kp));
  CHECK(cudaGraphAddDependencies(g, &zero_b, &kb, nullptr, 1));
  value_a = 1000;  // copied when the node was added: the graph keeps 5
  void* args_j[] = {&d_out, &d_a, &d_b, &count};
  kp.func = reinterpret_cast<void*>(join);
  kp.kernelParams = args_j;
  cudaGraphNode_t both[] = {ka, kb};
  CHECK(cudaGraphAddKernelNode(&kj, g, both, 2, &kp));
  CHECK(cudaGraphAddMemcpyNode1D(&copy, g, &kj, 1, h.data(), d_out, n * sizeof(int), cudaMemcpyDeviceToHost));
  cudaHostNodeParams hp = {bump, nullptr};
  CHECK(cudaGraphAddHostNode(&host, g, &copy, 1, &hp));
  cudaGraphNode_t empty;
  CHECK(cudaGraphAddEmptyNode(&empty, g, &host, 1));

  size_t nodes = 0, roots = 0, edges = 0;
  CHECK(cudaGraphGetNodes(g, nullptr, &nodes));
  CHECK(cudaGraphGetRootNodes(g, nullptr, &roots));
  CHECK(cudaGraphGetEdges(g, nullptr, nullptr, nullptr, &edges));
  EXPECT(nodes == 8 && roots == 2 && edges == 7);
  std::vector<cudaGraphNode_t> root_list(roots);
  CHECK(cudaGraphGetRootNodes(g, root_list.data(), &roots));
  EXPECT(root_list[0] == zero_a && root_list[1] == zero_b);
  cudaGraphNodeType type;
  CHECK(cudaGraphNodeGetType(kj, &type));
  EXPECT(type == cudaGraphNodeTypeKernel);

  const auto expect_result = [&](int va, int vb) {
    for (int i = 0; i < n; ++i) EXPECT(h[i] == (0 + va + i) * (2 + vb + i));
  };
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaDeviceSynchronize());
  expect_result(5, -1);
  CHECK(cudaGraphLaunch(exec, 0));  // the memsets reset the inputs: the same result again
  CHECK(cudaDeviceSynchronize());
  expect_result(5, -1);

  // A new argument for one kernel of the executable graph; the graph itself keeps the old one.
  int value_new = 9;
  void* args_new[] = {&d_a, &value_new, &count};
  kp.func = reinterpret_cast<void*>(fill);
  kp.kernelParams = args_new;
  CHECK(cudaGraphExecKernelNodeSetParams(exec, ka, &kp));
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaDeviceSynchronize());
  expect_result(9, -1);

  // Update the executable from a clone whose kernel node b has another argument.
  cudaGraph_t clone;
  CHECK(cudaGraphClone(&clone, g));
  std::vector<cudaGraphNode_t> clone_nodes(nodes);
  CHECK(cudaGraphGetNodes(clone, clone_nodes.data(), &nodes));
  int value_b2 = 4;
  void* args_b2[] = {&d_b, &value_b2, &count};
  kp.kernelParams = args_b2;
  CHECK(cudaGraphKernelNodeSetParams(clone_nodes[3], &kp));  // creation order: kb is the 4th node
  cudaGraphExecUpdateResultInfo info;
  CHECK(cudaGraphExecUpdate(exec, clone, &info));
  EXPECT(info.result == cudaGraphExecUpdateSuccess);
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaDeviceSynchronize());
  expect_result(5, 4);  // the update takes every node's parameters from the clone (a: 5 again)
  EXPECT(host_runs == 4);

  // An update that changes the topology is refused, with the reason.
  cudaGraphNode_t extra;
  CHECK(cudaGraphAddEmptyNode(&extra, clone, nullptr, 0));
  EXPECT(cudaGraphExecUpdate(exec, clone, &info) == cudaErrorGraphExecUpdateFailure);
  EXPECT(info.result == cudaGraphExecUpdateErrorTopologyChanged);
  cudaGetLastError();

  const char* dot = "graph_manual.dot";
  CHECK(cudaGraphDebugDotPrint(g, dot, 0));
  std::ifstream in(dot);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  size_t arrows = 0;
  for (size_t p = s.find("->"); p != std::string::npos; p = s.find("->", p + 2)) ++arrows;
  EXPECT(s.find("digraph") != std::string::npos && arrows == edges);
  std::remove(dot);

  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(clone));
  CHECK(cudaGraphDestroy(g));
  check_generic_nodes(d_out, n);
  std::printf("graph_manual: OK\n");
  return 0;
}
