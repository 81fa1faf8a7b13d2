// Graphs made through one CUDA API read through the other, as on NVIDIA's stack where a
// cudaGraph_t IS a CUgraph: a driver graph (cuGraphCreate, memset, empty and host nodes) walked
// with cudaGraphGetNodes / GetRootNodes / GetEdges / NodeGetType / NodeGetDependencies /
// HostNodeGetParams, cloned with cudaGraphClone and printed with cudaGraphDebugDotPrint; a runtime
// graph walked, cloned and printed with the cu* equivalents. Each clone is launched through the
// API that did not make it and its memset values and host-node calls checked against the host;
// runtime work captured into the driver graph with cuStreamBeginCaptureToGraph.
// The expected nodes and edges are the ones the program added.
#include <cuda_runtime.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "check_jit.cuh"

static void bump(void* counter) { ++*static_cast<int*>(counter); }

template <typename T>
static std::set<T> as_set(const T* items, size_t n) {
  return std::set<T>(items, items + n);
}

static std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

static size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

static void expect_filled(const unsigned* device, size_t n, unsigned value) {
  std::vector<unsigned> host(n);
  CHECK(cudaMemcpy(host.data(), device, n * sizeof(unsigned), cudaMemcpyDeviceToHost));
  for (size_t i = 0; i < n; ++i)
    if (host[i] != value) {
      std::fprintf(stderr, "element %zu: got %u, expected %u\n", i, host[i], value);
      std::exit(1);
    }
}

int main() {
  CHECK(cudaFree(nullptr));  // the runtime's primary context; the driver shares it
  CU(cuInit(0));
  CUcontext ctx = nullptr;
  CU(cuCtxGetCurrent(&ctx));
  const size_t n = 1024;
  unsigned* buf = nullptr;
  CHECK(cudaMalloc(&buf, n * sizeof(unsigned)));
  int counter = 0;
  const std::string dot = "/tmp/gpusim_mixed_graphs_" + std::to_string(getpid()) + ".dot";

  // A driver graph: memset and empty (the roots) before a host node.
  CUgraph dg = nullptr;
  CU(cuGraphCreate(&dg, 0));
  CUDA_MEMSET_NODE_PARAMS ms{};
  ms.dst = reinterpret_cast<CUdeviceptr>(buf);
  ms.value = 0x2a2a2a2a;
  ms.elementSize = 4;
  ms.width = n;
  ms.height = 1;
  CUgraphNode d_memset = nullptr, d_empty = nullptr, d_host = nullptr;
  CU(cuGraphAddMemsetNode(&d_memset, dg, nullptr, 0, &ms, ctx));
  CU(cuGraphAddEmptyNode(&d_empty, dg, nullptr, 0));
  const CUDA_HOST_NODE_PARAMS hp{bump, &counter};
  const CUgraphNode d_deps[] = {d_memset, d_empty};
  CU(cuGraphAddHostNode(&d_host, dg, d_deps, 2, &hp));

  // Read through the runtime.
  size_t count = 0;
  CHECK(cudaGraphGetNodes(dg, nullptr, &count));
  EXPECT(count == 3);
  cudaGraphNode_t nodes[4] = {};
  CHECK(cudaGraphGetNodes(dg, nodes, &count));
  EXPECT(as_set(nodes, count) == (std::set<cudaGraphNode_t>{d_memset, d_empty, d_host}));
  count = 4;
  CHECK(cudaGraphGetRootNodes(dg, nodes, &count));
  EXPECT(count == 2 && as_set(nodes, count) == (std::set<cudaGraphNode_t>{d_memset, d_empty}));
  cudaGraphNode_t from[4] = {}, to[4] = {};
  count = 4;
  CHECK(cudaGraphGetEdges(dg, from, to, nullptr, &count));
  EXPECT(count == 2);
  std::set<std::pair<cudaGraphNode_t, cudaGraphNode_t>> edges;
  for (size_t i = 0; i < count; ++i) edges.insert({from[i], to[i]});
  EXPECT(edges == (std::set<std::pair<cudaGraphNode_t, cudaGraphNode_t>>{{d_memset, d_host}, {d_empty, d_host}}));
  cudaGraphNodeType type = cudaGraphNodeTypeCount;
  CHECK(cudaGraphNodeGetType(d_memset, &type));
  EXPECT(type == cudaGraphNodeTypeMemset);
  CHECK(cudaGraphNodeGetType(d_empty, &type));
  EXPECT(type == cudaGraphNodeTypeEmpty);
  CHECK(cudaGraphNodeGetType(d_host, &type));
  EXPECT(type == cudaGraphNodeTypeHost);
  count = 4;
  CHECK(cudaGraphNodeGetDependencies(d_host, nodes, nullptr, &count));
  EXPECT(count == 2 && as_set(nodes, count) == (std::set<cudaGraphNode_t>{d_memset, d_empty}));
  cudaHostNodeParams rt_hp{};
  CHECK(cudaGraphHostNodeGetParams(d_host, &rt_hp));
  EXPECT(rt_hp.fn == bump && rt_hp.userData == &counter);
  CHECK(cudaGraphDebugDotPrint(dg, dot.c_str(), 0));
  const std::string d_text = read_file(dot);
  EXPECT(d_text.find("digraph") != std::string::npos && count_of(d_text, "->") == 2);
  // Cloned through the runtime, launched through the runtime.
  cudaGraph_t d_clone = nullptr;
  CHECK(cudaGraphClone(&d_clone, dg));
  count = 0;
  CU(cuGraphGetNodes(d_clone, nullptr, &count));  // the clone is the driver's graph too
  EXPECT(count == 3);
  cudaGraphExec_t d_exec = nullptr;
  CHECK(cudaGraphInstantiate(&d_exec, d_clone, 0));
  CHECK(cudaGraphLaunch(d_exec, nullptr));
  CHECK(cudaStreamSynchronize(nullptr));
  EXPECT(counter == 1);
  expect_filled(buf, n, 0x2a2a2a2au);

  // Runtime work captured into the driver graph after its host node (cuStreamBeginCaptureToGraph
  // on a runtime stream): the memset of the first half now runs last.
  cudaStream_t rs = nullptr;
  CHECK(cudaStreamCreateWithFlags(&rs, cudaStreamNonBlocking));
  CU(cuStreamBeginCaptureToGraph(rs, dg, &d_host, nullptr, 1, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CHECK(cudaMemsetAsync(buf, 0, n / 2 * sizeof(unsigned), rs));
  cudaGraph_t ended = nullptr;
  CHECK(cudaStreamEndCapture(rs, &ended));
  EXPECT(ended == dg);
  count = 0;
  CHECK(cudaGraphGetNodes(dg, nullptr, &count));
  EXPECT(count == 4);
  CUgraphExec d_exec2 = nullptr;
  CU(cuGraphInstantiateWithFlags(&d_exec2, dg, 0));
  CU(cuGraphLaunch(d_exec2, nullptr));
  CU(cuStreamSynchronize(nullptr));
  EXPECT(counter == 2);
  {
    std::vector<unsigned> host(n);
    CHECK(cudaMemcpy(host.data(), buf, n * sizeof(unsigned), cudaMemcpyDeviceToHost));
    for (size_t i = 0; i < n; ++i) EXPECT(host[i] == (i < n / 2 ? 0u : 0x2a2a2a2au));
  }
  CU(cuGraphExecDestroy(d_exec2));
  CHECK(cudaStreamDestroy(rs));

  // A runtime graph: a memset before a host node, read through the driver.
  cudaGraph_t rg = nullptr;
  CHECK(cudaGraphCreate(&rg, 0));
  cudaMemsetParams rms{};
  rms.dst = buf;
  rms.value = 7;
  rms.elementSize = 4;
  rms.width = n;
  rms.height = 1;
  cudaGraphNode_t r_memset = nullptr, r_host = nullptr;
  CHECK(cudaGraphAddMemsetNode(&r_memset, rg, nullptr, 0, &rms));
  const cudaHostNodeParams rhp{bump, &counter};
  CHECK(cudaGraphAddHostNode(&r_host, rg, &r_memset, 1, &rhp));
  count = 0;
  CU(cuGraphGetNodes(rg, nullptr, &count));
  EXPECT(count == 2);
  CUgraphNode cnodes[4] = {};
  count = 4;
  CU(cuGraphGetRootNodes(rg, cnodes, &count));
  EXPECT(count == 1 && cnodes[0] == r_memset);
  CUgraphNode cfrom[4] = {}, cto[4] = {};
  count = 4;
  CU(cuGraphGetEdges(rg, cfrom, cto, nullptr, &count));
  EXPECT(count == 1 && cfrom[0] == r_memset && cto[0] == r_host);
  CUgraphNodeType ctype = CU_GRAPH_NODE_TYPE_EMPTY;  // neither answer below
  CU(cuGraphNodeGetType(r_memset, &ctype));
  EXPECT(ctype == CU_GRAPH_NODE_TYPE_MEMSET);
  CU(cuGraphNodeGetType(r_host, &ctype));
  EXPECT(ctype == CU_GRAPH_NODE_TYPE_HOST);
  count = 4;
  CU(cuGraphNodeGetDependencies(r_host, cnodes, nullptr, &count));
  EXPECT(count == 1 && cnodes[0] == r_memset);
  CUDA_HOST_NODE_PARAMS cu_hp{};
  CU(cuGraphHostNodeGetParams(r_host, &cu_hp));
  EXPECT(cu_hp.fn == bump && cu_hp.userData == &counter);
  CU(cuGraphDebugDotPrint(rg, dot.c_str(), 0));
  const std::string r_text = read_file(dot);
  EXPECT(r_text.find("digraph") != std::string::npos && count_of(r_text, "->") == 1);
  std::remove(dot.c_str());
  // Cloned through the driver, launched through the driver.
  CUgraph r_clone = nullptr;
  CU(cuGraphClone(&r_clone, rg));
  count = 0;
  CHECK(cudaGraphGetNodes(r_clone, nullptr, &count));  // the runtime's graph
  EXPECT(count == 2);
  CUgraphExec r_exec = nullptr;
  CU(cuGraphInstantiateWithFlags(&r_exec, r_clone, 0));
  CU(cuGraphLaunch(r_exec, nullptr));
  CU(cuStreamSynchronize(nullptr));
  EXPECT(counter == 3);
  expect_filled(buf, n, 7u);

  // A node neither library made is refused by both (and the query does not go round for ever).
  EXPECT(cudaGraphNodeGetType(reinterpret_cast<cudaGraphNode_t>(&counter), &type) == cudaErrorInvalidValue);
  (void)cudaGetLastError();
  EXPECT(cuGraphNodeGetType(reinterpret_cast<CUgraphNode>(&counter), &ctype) == CUDA_ERROR_INVALID_VALUE);

  CU(cuGraphExecDestroy(r_exec));
  CHECK(cudaGraphExecDestroy(d_exec));
  CU(cuGraphDestroy(r_clone));
  CHECK(cudaGraphDestroy(d_clone));
  CU(cuGraphDestroy(rg));
  CHECK(cudaGraphDestroy(dg));
  CHECK(cudaFree(buf));
  std::printf("mixed_graphs: OK\n");
  return 0;
}
