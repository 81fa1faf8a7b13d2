// libcuda's adapter over the shared graph model (runtime/graph/): the driver API's graph node
// (what it runs, in driver terms), the registry and capture state the driver keeps, and the hooks
// through which the stream calls (launch, copies, memsets, events, host functions) become nodes
// while their stream captures. graph_capture.cpp, graph_build.cpp and graph_exec.cpp hold the
// cuStream*Capture* and cuGraph* entry points.
#pragma once

#include <cuda.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/cudadrv/driver_state.h"
#include "runtime/graph/capture_bridge.h"
#include "runtime/graph/graph_model.h"
#include "runtime/graph/stream_capture.h"

namespace gpusim::cudadrv {

// Memory a mem-alloc node hands out (graph_memory.cpp): freed when no graph or executable holds it.
struct GraphAllocation {
  CUdeviceptr ptr = 0;
  size_t bytes = 0;
  ~GraphAllocation();
};

struct DriverGraphNode {
  int type = graph::kEmptyNode;
  graph::Graph<DriverGraphNode>* graph = nullptr;
  std::vector<DriverGraphNode*> deps;

  // Kernel: the function and an owned copy of its arguments (CUDA copies them when the node is made).
  CUfunc_st* function = nullptr;
  runtime::Dim3 grid{1, 1, 1}, block{1, 1, 1}, cluster{1, 1, 1};
  unsigned shared_bytes = 0;
  bool cooperative = false;
  runtime::KernelArgs args;
  std::vector<void*> arg_pointers;  // kernelParams view of `args` (rebuilt by pointers())
  void** pointers();

  // Memcpy: the copy as cuMemcpy3D describes it (host, device or unified addresses).
  CUDA_MEMCPY3D copy{};

  // Memset: `height` rows of `width` elements of `element_size` bytes, `pitch` apart.
  CUdeviceptr dst = 0;
  size_t pitch = 0, width = 0, height = 1;
  unsigned value = 0, element_size = 1;

  // Host function.
  CUhostFn host_fn = nullptr;
  void* user_data = nullptr;

  // Event record / wait.
  CUevent event = nullptr;

  // Mem alloc (the node's memory); a mem free node names its memory in `dst`.
  std::shared_ptr<GraphAllocation> allocation;

  // Child graph (cuGraphLaunch into a capturing stream): the executable graph's nodes, in the
  // order its launch runs them (graph_exec.cpp).
  std::shared_ptr<const std::vector<DriverGraphNode>> child_nodes;

  // Work libcudart issued to a stream this library captures (<<<>>>, cudaMemcpyAsync, ...): the
  // node runs it through libcudart (runtime/graph/capture_bridge.h); its fields above are unset.
  std::shared_ptr<const graph::ForeignWork> foreign;
};

using DriverGraph = graph::Graph<DriverGraphNode>;
using DriverGraphExec = graph::Exec<DriverGraphNode>;

struct DriverGraphs : graph::Registry<DriverGraphNode>, graph::CaptureState<DriverGraphNode> {};

DriverGraphs& graphs(DriverState& s);

// The driver's CUresult for a failure of the shared graph model.
CUresult graph_failure_code(graph::Failure failure);
// Runs `body` turning graph::GraphError into DriverFailure (for api_call).
template <typename Body>
auto graph_errors(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const graph::GraphError& e) {
    throw DriverFailure{graph_failure_code(e.failure), e.what()};
  }
}
// api_call for the graph entry points: failures of the graph model become the driver's codes.
template <typename Body>
CUresult graph_call(const char* call, Body&& body) {
  return api_call(call, [&](DriverState& s) {
    graph_errors([&] { body(s); });
    return CUDA_SUCCESS;
  });
}
// The node `node` names, of the given type (otherwise INVALID_VALUE "not a <what> node").
DriverGraphNode& typed_node(DriverState& s, CUgraphNode node, int type, const char* what);

// Capture hooks for the stream calls. record_if_capturing: true when `stream` captures and `node`
// became a node of its graph (nothing runs); throws CUDA_ERROR_STREAM_CAPTURE_INVALIDATED after
// the capture failed and CUDA_ERROR_STREAM_CAPTURE_IMPLICIT for work on the legacy stream while a
// blocking stream captures.
bool record_if_capturing(DriverState& s, CUstream stream, DriverGraphNode node);
bool capture_target(DriverState& s, CUstream stream);
// A call CUDA forbids while this thread (or, in global mode, any thread) captures (cuMemAlloc,
// cuCtxSynchronize, synchronous copies): CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, captures invalidated.
void check_capture_safe(DriverState& s, const char* what);
// Synchronising with or querying a capturing stream: the same error, its capture invalidated.
void check_not_capturing(DriverState& s, CUstream stream, const char* what);
bool capture_event_record(DriverState& s, CUstream stream, CUevent event);
bool capture_event_wait(DriverState& s, CUstream stream, CUevent event);
// A stream or event that is destroyed (by itself or with its context) leaves the capture state.
void forget_capture_stream(DriverState& s, CUstream stream);
void forget_capture_event(DriverState& s, CUevent event);
// Whether `stream` is in a capture begun through libcudart (cudaStreamBeginCapture).
bool captured_by_runtime(DriverState& s, CUstream stream);
// Stream-ordered allocation on a capturing stream (graph_memory.cpp): true when `stream` captures
// and the call became a mem-alloc node (its memory's address in *ptr) or a mem-free node.
bool capture_alloc(DriverState& s, CUstream stream, size_t bytes, CUdeviceptr* ptr);
bool capture_free(DriverState& s, CUstream stream, CUdeviceptr ptr);
// Whether `ptr` is the memory of an alloc node of a live graph (cuMemFreeAsync leaves it to the graph).
bool is_graph_allocation(DriverState& s, CUdeviceptr ptr);
// libcudart's bridge when `handle` is one of its graphs (executable == false) or executable graphs
// (a capture begun with cudaStreamBeginCapture and ended with cuStreamEndCapture): the driver's
// graph calls hand such a handle to libcudart. Null otherwise. Call without the lock held.
graph::CaptureBridge* runtime_graph_owner(const void* handle, bool executable);
// The nodes a launch runs for `node`, appended to `out`: the node itself, or a child graph
// node's nodes (each in turn), so that host nodes anywhere run as the launch runs host nodes.
void append_runnable(std::vector<DriverGraphNode>& out, const DriverGraphNode& node);
// Runs one node of an executable graph now, as the stream call it stands for (graph_exec.cpp).
// `stream`: the label of the stream the graph was launched on (StreamTable::label), for the timeline.
void run_graph_node(DriverState& s, DriverGraphNode& node, const std::string& stream = "");

// Node builders shared by capture and the cuGraphAdd*Node calls.
DriverGraphNode kernel_node(DriverState& s, CUfunc_st& f, runtime::Dim3 grid, runtime::Dim3 block, unsigned shared_bytes,
                            void** params, void** extra);
DriverGraphNode memcpy_node(const CUDA_MEMCPY3D& copy);
// A 1-D copy of `bytes` (cuMemcpy*Async): each side a host, device or unified address.
DriverGraphNode linear_memcpy_node(CUmemorytype dst_type, CUdeviceptr dst, CUmemorytype src_type, CUdeviceptr src,
                                   size_t bytes);
DriverGraphNode memset_node(CUdeviceptr dst, size_t pitch, unsigned value, unsigned element_size, size_t width, size_t height);

// What the nodes run (launch.cpp, memory_2d.cpp): a checked launch's arguments and its execution,
// and a 3-D copy as cuMemcpy3D runs it.
runtime::KernelArgs checked_launch_arguments(DriverState& s, CUfunc_st& f, runtime::Dim3 grid, runtime::Dim3 block,
                                             unsigned shared_bytes, void** params, void** extra);
void run_launch(DriverState& s, CUctx_st& context, CUfunc_st& f, const runtime::LaunchConfig& cfg,
                const runtime::KernelArgs& args);
// A launch's cluster shape with the one set by CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_* applied
// (runtime/cluster_launch.h); a contradiction is CUDA_ERROR_INVALID_CLUSTER_SIZE.
runtime::Dim3 cluster_with_run_time_shape(const CUfunc_st& f, const runtime::Dim3& cluster);
void memcpy_3d(DriverState& s, const CUDA_MEMCPY3D& copy);

}  // namespace gpusim::cudadrv
