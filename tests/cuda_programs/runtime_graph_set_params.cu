// Changing graph nodes after they were made, through the calls runtime_graph_params.cu leaves out:
// symbol copies (cudaGraphMemcpyNodeSetParams{To,From}Symbol and their executable-graph forms), an
// executable graph's child graph (cudaGraphExecChildGraphNodeSetParams), and the generic calls
// (cudaGraphNodeSetParams, cudaGraphExecNodeSetParams) for every node type they take. Each result
// is read back from the device and compared with values computed here; each bad input with CUDA's
// error code.
#include "graph_test_helpers.cuh"

__device__ int table[N];

static std::vector<int> pattern(int scale, int offset) {
  std::vector<int> h(N);
  for (int i = 0; i < N; ++i) h[i] = scale * i + offset;
  return h;
}

static std::vector<int> read_table() {
  std::vector<int> h(N);
  CHECK(cudaMemcpyFromSymbol(h.data(), table, N * sizeof(int)));
  return h;
}

static cudaGraphExec_t instantiate(cudaGraph_t g) {
  cudaGraphExec_t e;
  CHECK(cudaGraphInstantiate(&e, g, 0));
  return e;
}

static void launch(cudaGraphExec_t e) {
  CHECK(cudaGraphLaunch(e, 0));
  CHECK(cudaStreamSynchronize(0));
}

// ---- copies to and from a __device__ variable ----
static void symbol_copies(int* d) {
  const std::vector<int> first = pattern(1, 0), second = pattern(2, 5), third = pattern(-3, 11);
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphNode_t to, from;
  CHECK(cudaGraphAddMemcpyNodeToSymbol(&to, g, nullptr, 0, table, first.data(), N * sizeof(int), 0, cudaMemcpyHostToDevice));
  CHECK(cudaGraphAddMemcpyNodeFromSymbol(&from, g, &to, 1, d, table, N * sizeof(int), 0, cudaMemcpyDeviceToDevice));
  // The graph's nodes now copy `second` in, and the table's second half out to d's first half.
  CHECK(cudaGraphMemcpyNodeSetParamsToSymbol(to, table, second.data(), N * sizeof(int), 0, cudaMemcpyHostToDevice));
  CHECK(cudaGraphMemcpyNodeSetParamsFromSymbol(from, d, table, N / 2 * sizeof(int), N / 2 * sizeof(int),
                                               cudaMemcpyDeviceToDevice));
  CHECK(cudaMemset(d, 0, N * sizeof(int)));
  cudaGraphExec_t e = instantiate(g);
  launch(e);
  EXPECT(read_table() == second);
  std::vector<int> want(N, 0);
  for (int i = 0; i < N / 2; ++i) want[i] = second[N / 2 + i];
  EXPECT(read(d) == want);
  cudaMemcpy3DParms p{};
  CHECK(cudaGraphMemcpyNodeGetParams(to, &p));
  EXPECT(p.srcPtr.ptr == second.data() && p.extent.width == N * sizeof(int));

  // The executable graph's copy takes `third`; the graph's node keeps `second`.
  CHECK(cudaGraphExecMemcpyNodeSetParamsToSymbol(e, to, table, third.data(), N * sizeof(int), 0, cudaMemcpyHostToDevice));
  launch(e);
  EXPECT(read_table() == third);
  CHECK(cudaGraphMemcpyNodeGetParams(to, &p));
  EXPECT(p.srcPtr.ptr == second.data());
  // ... and from the table's start into d.
  CHECK(cudaGraphExecMemcpyNodeSetParamsFromSymbol(e, from, d, table, N * sizeof(int), 0, cudaMemcpyDeviceToDevice));
  launch(e);
  EXPECT(read(d) == third);

  // Bad inputs: past the variable's end, a wrong direction, another kind of memory than planned,
  // a node of another type.
  EXPECT_CODE(cudaGraphMemcpyNodeSetParamsToSymbol(to, table, first.data(), N * sizeof(int), 4, cudaMemcpyHostToDevice),
              cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemcpyNodeSetParamsToSymbol(to, table, first.data(), 4, 0, cudaMemcpyDeviceToHost),
              cudaErrorInvalidMemcpyDirection);
  EXPECT_CODE(cudaGraphExecMemcpyNodeSetParamsToSymbol(e, to, table, d, N * sizeof(int), 0, cudaMemcpyDeviceToDevice),
              cudaErrorInvalidValue);  // the node was planned with a host source
  cudaGraphNode_t empty;
  CHECK(cudaGraphAddEmptyNode(&empty, g, nullptr, 0));
  EXPECT_CODE(cudaGraphMemcpyNodeSetParamsFromSymbol(empty, d, table, 4, 0, cudaMemcpyDeviceToDevice), cudaErrorInvalidValue);
  CHECK(cudaGraphExecDestroy(e));
  CHECK(cudaGraphDestroy(g));
}

// ---- an executable graph's child graph ----
static cudaGraph_t adder(int* d, int v, int nodes) {
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphNode_t last = add_kernel_node(g, d, v);
  for (int k = 1; k < nodes; ++k) last = add_kernel_node(g, d, v, &last, 1);
  return g;
}

static void child_graphs(int* d) {
  cudaGraph_t outer, plus1 = adder(d, 1, 1), plus5 = adder(d, 5, 1), twice = adder(d, 2, 2);
  CHECK(cudaGraphCreate(&outer, 0));
  cudaGraphNode_t child;
  CHECK(cudaGraphAddChildGraphNode(&child, outer, nullptr, 0, plus1));
  CHECK(cudaMemset(d, 0, N * sizeof(int)));
  cudaGraphExec_t e = instantiate(outer);
  launch(e);
  EXPECT(read(d) == std::vector<int>(N, 1));
  CHECK(cudaGraphExecChildGraphNodeSetParams(e, child, plus5));  // same shape: one kernel node
  launch(e);
  EXPECT(read(d) == std::vector<int>(N, 6));
  // Another shape (two nodes) is refused and leaves the executable graph as it was.
  EXPECT_CODE(cudaGraphExecChildGraphNodeSetParams(e, child, twice), cudaErrorInvalidValue);
  launch(e);
  EXPECT(read(d) == std::vector<int>(N, 11));
  // Changing plus5 afterwards does not reach the executable graph's copy of it.
  CHECK(cudaGraphDestroy(plus5));
  launch(e);
  EXPECT(read(d) == std::vector<int>(N, 16));

  // The generic forms: the graph's child becomes a copy of `twice` (2 x 2 added), then the
  // executable graph's copy changes back to plus1's shape-equal body through the generic call.
  cudaGraphNodeParams np{};
  np.type = cudaGraphNodeTypeGraph;
  np.graph.graph = twice;
  CHECK(cudaGraphNodeSetParams(child, &np));
  CHECK(cudaMemset(d, 0, N * sizeof(int)));
  run(outer);
  EXPECT(read(d) == std::vector<int>(N, 4));
  np.graph.graph = plus1;
  CHECK(cudaGraphExecNodeSetParams(e, child, &np));
  CHECK(cudaMemset(d, 0, N * sizeof(int)));
  launch(e);
  EXPECT(read(d) == std::vector<int>(N, 1));
  CHECK(cudaGraphExecDestroy(e));
  CHECK(cudaGraphDestroy(outer));
  CHECK(cudaGraphDestroy(plus1));
  CHECK(cudaGraphDestroy(twice));
}

// ---- the generic calls on memcpy, memset, host and event nodes ----
static int host_calls;
static void count_call(void* by) { host_calls += *static_cast<int*>(by); }

static void generic_calls(int* d, int* d2) {
  const std::vector<int> a = pattern(7, 1), b = pattern(1, 100);
  CHECK(cudaMemcpy(d2, a.data(), N * sizeof(int), cudaMemcpyHostToDevice));
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphNode_t copy, set, host, record;
  CHECK(cudaGraphAddMemcpyNode1D(&copy, g, nullptr, 0, d, d2, N * sizeof(int), cudaMemcpyDeviceToDevice));
  cudaMemsetParams ms{};
  ms.dst = d;
  ms.value = 9;
  ms.elementSize = 4;
  ms.width = 4;
  ms.height = 1;
  CHECK(cudaGraphAddMemsetNode(&set, g, &copy, 1, &ms));
  int one = 1, ten = 10;
  cudaHostNodeParams hp{count_call, &one};
  CHECK(cudaGraphAddHostNode(&host, g, &set, 1, &hp));
  cudaEvent_t ev1, ev2;
  CHECK(cudaEventCreate(&ev1));
  CHECK(cudaEventCreate(&ev2));
  CHECK(cudaGraphAddEventRecordNode(&record, g, &host, 1, ev1));

  // Memset the first 8 ints to 3 instead of 4 ints to 9; the host function adds 10; record ev2.
  cudaGraphNodeParams np{};
  np.type = cudaGraphNodeTypeMemset;
  np.memset.dst = d;
  np.memset.value = 3;
  np.memset.elementSize = 4;
  np.memset.width = 8;
  np.memset.height = 1;
  CHECK(cudaGraphNodeSetParams(set, &np));
  np = {};
  np.type = cudaGraphNodeTypeHost;
  np.host.fn = count_call;
  np.host.userData = &ten;
  CHECK(cudaGraphNodeSetParams(host, &np));
  np = {};
  np.type = cudaGraphNodeTypeEventRecord;
  np.eventRecord.event = ev2;
  CHECK(cudaGraphNodeSetParams(record, &np));
  cudaEvent_t got;
  CHECK(cudaGraphEventRecordNodeGetEvent(record, &got));
  EXPECT(got == ev2);
  host_calls = 0;
  cudaGraphExec_t e = instantiate(g);
  launch(e);
  std::vector<int> want = a;
  for (int i = 0; i < 8; ++i) want[i] = 3;
  EXPECT(read(d) == want && host_calls == 10);

  // The executable graph's memcpy node now copies from another device buffer holding b (CUDA
  // keeps the kinds of memory the node was planned for: device to device).
  int* d3;
  CHECK(cudaMalloc(&d3, N * sizeof(int)));
  CHECK(cudaMemcpy(d3, b.data(), N * sizeof(int), cudaMemcpyHostToDevice));
  cudaMemcpy3DParms p{};
  p.srcPtr = make_cudaPitchedPtr(d3, N * sizeof(int), N, 1);
  p.dstPtr = make_cudaPitchedPtr(d, N * sizeof(int), N, 1);
  p.extent = make_cudaExtent(N * sizeof(int), 1, 1);
  p.kind = cudaMemcpyDeviceToDevice;
  np = {};
  np.type = cudaGraphNodeTypeMemcpy;
  np.memcpy.copyParams = p;
  CHECK(cudaGraphExecNodeSetParams(e, copy, &np));
  np = {};
  np.type = cudaGraphNodeTypeEventRecord;
  np.eventRecord.event = ev1;
  CHECK(cudaGraphExecNodeSetParams(e, record, &np));
  CHECK(cudaEventRecord(ev1, 0));
  CHECK(cudaStreamSynchronize(0));
  CHECK(cudaGraphLaunch(e, 0));
  CHECK(cudaEventSynchronize(ev1));  // the executable graph records ev1 now
  CHECK(cudaStreamSynchronize(0));
  want = b;
  for (int i = 0; i < 8; ++i) want[i] = 3;
  EXPECT(read(d) == want && host_calls == 20);

  // Bad inputs: the type does not match the node, a memcpy with flags, memory nodes.
  np = {};
  np.type = cudaGraphNodeTypeHost;
  np.host.fn = count_call;
  EXPECT_CODE(cudaGraphNodeSetParams(set, &np), cudaErrorInvalidValue);
  np = {};
  np.type = cudaGraphNodeTypeMemcpy;
  np.memcpy.copyParams = p;
  np.memcpy.flags = 1;
  EXPECT_CODE(cudaGraphNodeSetParams(copy, &np), cudaErrorInvalidValue);
  cudaGraphNode_t alloc;
  cudaMemAllocNodeParams ap{};
  ap.poolProps.allocType = cudaMemAllocationTypePinned;
  ap.poolProps.location.type = cudaMemLocationTypeDevice;
  ap.bytesize = 1024;
  CHECK(cudaGraphAddMemAllocNode(&alloc, g, nullptr, 0, &ap));
  np = {};
  np.type = cudaGraphNodeTypeMemAlloc;
  np.alloc.bytesize = 2048;
  EXPECT_CODE(cudaGraphNodeSetParams(alloc, &np), cudaErrorNotSupported);
  CHECK(cudaGraphExecDestroy(e));
  CHECK(cudaGraphDestroy(g));  // frees the allocation node's memory: never instantiated
  CHECK(cudaEventDestroy(ev1));
  CHECK(cudaEventDestroy(ev2));
  CHECK(cudaFree(d3));
}

int main() {
  int *d, *d2;
  CHECK(cudaMalloc(&d, N * sizeof(int)));
  CHECK(cudaMalloc(&d2, N * sizeof(int)));
  symbol_copies(d);
  child_graphs(d);
  generic_calls(d, d2);
  CHECK(cudaFree(d));
  CHECK(cudaFree(d2));
  CHECK(cudaGetLastError());
  std::printf("OK\n");
  return 0;
}
