// Events and allocations of captured graphs, as CUDA documents them (an outside user's server):
// an event recorded in a capture cannot be queried, synchronised or timed
// (cudaErrorCapturedEvent); cudaEventRecordExternal / cudaEventWaitExternal in a capture become
// event-record / event-wait nodes; a graph that allocates memory has one executable at a time,
// and is not launched again while its previous launch's allocation is unfreed (unless
// instantiated with cudaGraphInstantiateFlagAutoFreeOnLaunch).
#include <vector>

#include "check.cuh"

__global__ void fill(int* p, int n, int value) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] = value + i;
}

static size_t node_count(cudaGraph_t g, cudaGraphNodeType type) {
  size_t n = 0;
  CHECK(cudaGraphGetNodes(g, nullptr, &n));
  std::vector<cudaGraphNode_t> nodes(n);
  CHECK(cudaGraphGetNodes(g, nodes.data(), &n));
  size_t count = 0;
  for (cudaGraphNode_t node : nodes) {
    cudaGraphNodeType t;
    CHECK(cudaGraphNodeGetType(node, &t));
    count += t == type;
  }
  return count;
}

static void captured_events(cudaStream_t s, int* d) {
  cudaEvent_t a, b;
  CHECK(cudaEventCreate(&a));
  CHECK(cudaEventCreate(&b));
  CHECK(cudaEventRecord(a, s));
  cudaGraph_t g;
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed));
  fill<<<1, 32, 0, s>>>(d, 32, 0);
  CHECK(cudaEventRecord(b, s));
  EXPECT_CODE(cudaEventQuery(b), cudaErrorCapturedEvent);
  CHECK(cudaStreamEndCapture(s, &g));
  float ms = 0;
  EXPECT_CODE(cudaEventQuery(b), cudaErrorCapturedEvent);
  EXPECT_CODE(cudaEventSynchronize(b), cudaErrorCapturedEvent);
  EXPECT_CODE(cudaEventElapsedTime(&ms, a, b), cudaErrorCapturedEvent);
  CHECK(cudaEventRecord(b, s));  // recorded outside a capture again: an ordinary event
  CHECK(cudaEventQuery(b));
  CHECK(cudaEventElapsedTime(&ms, a, b));
  CHECK(cudaGraphDestroy(g));
  CHECK(cudaEventDestroy(a));
  CHECK(cudaEventDestroy(b));
}

static void external_event_nodes(cudaStream_t s, int* d) {
  cudaEvent_t a, b, other;
  CHECK(cudaEventCreate(&a));
  CHECK(cudaEventCreate(&b));
  CHECK(cudaEventCreate(&other));
  CHECK(cudaEventRecord(other, s));
  cudaGraph_t g;
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed));
  CHECK(cudaEventRecordWithFlags(a, s, cudaEventRecordExternal));
  CHECK(cudaStreamWaitEvent(s, other, cudaEventWaitExternal));
  fill<<<4, 64, 0, s>>>(d, 256, 7);
  CHECK(cudaEventRecordWithFlags(b, s, cudaEventRecordExternal));
  CHECK(cudaStreamEndCapture(s, &g));
  EXPECT(node_count(g, cudaGraphNodeTypeEventRecord) == 2);
  EXPECT(node_count(g, cudaGraphNodeTypeWaitEvent) == 1);
  EXPECT(node_count(g, cudaGraphNodeTypeKernel) == 1);
  // Not recorded before the graph runs; recorded by each launch of it.
  float ms = -1;
  EXPECT_CODE(cudaEventElapsedTime(&ms, a, b), cudaErrorInvalidResourceHandle);
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  CHECK(cudaGraphLaunch(exec, s));
  CHECK(cudaStreamSynchronize(s));
  CHECK(cudaEventQuery(b));
  CHECK(cudaEventElapsedTime(&ms, a, b));
  EXPECT(ms >= 0);
  std::vector<int> h(256);
  CHECK(cudaMemcpy(h.data(), d, h.size() * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < 256; ++i) EXPECT(h[i] == 7 + i);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(g));
  for (cudaEvent_t e : {a, b, other}) CHECK(cudaEventDestroy(e));
}

// A graph that allocates `n` ints and fills them, without freeing them; the address it hands out.
static cudaGraph_t allocating_graph(cudaStream_t s, int n, int** out) {
  cudaGraph_t g;
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed));
  CHECK(cudaMallocAsync(reinterpret_cast<void**>(out), n * sizeof(int), s));
  fill<<<(n + 127) / 128, 128, 0, s>>>(*out, n, 100);
  CHECK(cudaStreamEndCapture(s, &g));
  return g;
}

static void graph_allocations(cudaStream_t s) {
  const int n = 1000;
  int* q = nullptr;
  cudaGraph_t g = allocating_graph(s, n, &q);
  cudaGraphExec_t exec, second;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  EXPECT_CODE(cudaGraphInstantiate(&second, g, 0), cudaErrorInvalidValue);  // one executable at a time
  CHECK(cudaGraphLaunch(exec, s));
  EXPECT_CODE(cudaGraphLaunch(exec, s), cudaErrorInvalidValue);  // q from the first launch is unfreed
  std::vector<int> h(n);
  CHECK(cudaMemcpy(h.data(), q, n * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == 100 + i);
  CHECK(cudaFreeAsync(q, s));
  CHECK(cudaGraphLaunch(exec, s));  // freed: the launch hands q out again
  // cudaFree ends the launch's use of q, but the address stays the graph's: a later allocation
  // does not take it, so the next launch does not write into the program's own buffer.
  CHECK(cudaFree(q));
  int* r = nullptr;
  CHECK(cudaMalloc(&r, n * sizeof(int)));
  EXPECT(r + n <= q || q + n <= r);
  CHECK(cudaMemset(r, 0, n * sizeof(int)));
  CHECK(cudaGraphLaunch(exec, s));
  CHECK(cudaMemcpy(h.data(), r, n * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == 0);
  CHECK(cudaFreeAsync(q, s));
  CHECK(cudaGraphExecDestroy(exec));
  // Destroyed: another executable may be made, and with auto-free it relaunches without a free.
  CHECK(cudaGraphInstantiateWithFlags(&second, g, cudaGraphInstantiateFlagAutoFreeOnLaunch));
  CHECK(cudaGraphLaunch(second, s));
  CHECK(cudaGraphLaunch(second, s));
  CHECK(cudaStreamSynchronize(s));
  CHECK(cudaGraphExecDestroy(second));
  CHECK(cudaGraphDestroy(g));
  CHECK(cudaFree(r));
}

int main() {
  int* d;
  CHECK(cudaMalloc(&d, 256 * sizeof(int)));
  cudaStream_t s;
  CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  captured_events(s, d);
  external_event_nodes(s, d);
  graph_allocations(s);
  CHECK(cudaStreamDestroy(s));
  CHECK(cudaFree(d));
  std::printf("graph_events_allocs OK\n");
  return 0;
}
