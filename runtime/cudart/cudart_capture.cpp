// Stream capture in the runtime API: cudaStreamBeginCapture .. cudaStreamEndCapture and the
// capture queries, over the shared capture model (runtime/graph/stream_capture.h). What only the
// runtime knows stays here: which handle is the legacy default stream, which streams synchronise
// with it, and the calling thread's capture interaction mode.
#include <cuda_runtime_api.h>

#include <algorithm>

#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {

// The calling thread's capture interaction mode: CUDA keeps one per host thread for both APIs
// (cudaThreadExchangeStreamCaptureMode, cuThreadExchangeStreamCaptureMode), so libcuda reads and
// exchanges this one when it shares this library's streams (SharedStreamsLink).
int& thread_capture_mode() {
  thread_local int mode = graph::kCaptureGlobal;
  return mode;
}

namespace {

bool is_legacy(cudaStream_t s) { return s == nullptr || s == cudaStreamLegacy; }

// Whether a stream synchronises with the legacy default stream (a created blocking stream or the
// per-thread default stream).
bool blocking(Context& ctx, const void* s) {
  auto stream = static_cast<cudaStream_t>(const_cast<void*>(s));
  if (stream == cudaStreamPerThread) return true;
  const CUstream_st* rec = ctx.stream_table.stream(stream);
  return rec && !(rec->flags & cudaStreamNonBlocking);
}

// The legacy default stream synchronises with every blocking stream (see
// graph::CaptureState::legacy_use), whichever library captures it.
void check_legacy_use(Context& ctx, GraphState& st, const char* what) {
  graph::route_legacy_use(st, ctx.driver_captures, [&](const void* s) { return blocking(ctx, s); }, what);
}


// Starts a capture on `stream` into a new graph (into == null) or into the program's graph.
void begin_capture(Context& ctx, cudaStream_t stream, const cudaStreamCaptureMode& mode, GraphRecord* into,
                   std::vector<GraphNode*> deps) {
  if (!graph::is_capture_mode(gpusim::runtime::raw_enum_value(mode)))
    throw ApiError(cudaErrorInvalidValue, "capture mode " + std::to_string(gpusim::runtime::raw_enum_value(mode)) + " is not a cudaStreamCaptureMode");
  if (is_legacy(stream))
    throw ApiError(cudaErrorStreamCaptureUnsupported, "the legacy default stream cannot be captured; use a created stream");
  check_stream_handle(ctx, stream);
  GraphState& st = graph_state(ctx);
  if (graph::captured_by_other(st, ctx.driver_captures, stream))
    throw ApiError(cudaErrorIllegalState, "the stream is already capturing (a capture begun with cuStreamBeginCapture)");
  st.begin(st, stream, gpusim::runtime::raw_enum_value(mode), into, std::move(deps));
}

}  // namespace

cudaError_t graph_failure_code(graph::Failure failure) {
  using graph::Failure;
  switch (failure) {
    case Failure::InvalidValue: return cudaErrorInvalidValue;
    case Failure::InvalidHandle: return cudaErrorInvalidResourceHandle;
    case Failure::NotSupported: return cudaErrorNotSupported;
    case Failure::IllegalState: return cudaErrorIllegalState;
    case Failure::CaptureUnsupported: return cudaErrorStreamCaptureUnsupported;
    case Failure::CaptureInvalidated: return cudaErrorStreamCaptureInvalidated;
    case Failure::CaptureImplicit: return cudaErrorStreamCaptureImplicit;
    case Failure::CaptureUnmatched: return cudaErrorStreamCaptureUnmatched;
    case Failure::CaptureUnjoined: return cudaErrorStreamCaptureUnjoined;
    case Failure::CaptureIsolation: return cudaErrorStreamCaptureIsolation;
    case Failure::CaptureWrongThread: return cudaErrorStreamCaptureWrongThread;
    case Failure::UpdateFailure: return cudaErrorGraphExecUpdateFailure;
  }
  return cudaErrorUnknown;
}

// Work this library issued to a stream libcuda captures: a node of libcuda's graph that runs this
// library's node (under this library's lock, as its own graph launch runs it).
class RuntimeWork : public graph::ForeignWork {
 public:
  explicit RuntimeWork(GraphNode node) : node_(std::move(node)) {
    node_.graph = nullptr;
    node_.deps.clear();
  }
  int type() const override { return static_cast<int>(node_.type); }
  void run() const override {
    Context& ctx = context();
    std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
    try {
      run_node(ctx, node_);
    } catch (const ApiError& e) {
      throw graph::ForeignFailure(std::string(cudaGetErrorName(e.code)) + ": " + e.what());
    }
  }

 private:
  mutable GraphNode node_;  // run_node rebuilds the kernel's argument pointers
};

bool is_capturing(Context& ctx, cudaStream_t stream) {
  return graph_state(ctx).find(stream) != nullptr || graph::captured_by_other(graph_state(ctx), ctx.driver_captures, stream);
}

bool capture_target(Context& ctx, cudaStream_t stream) {
  GraphState& st = graph_state(ctx);
  if (is_legacy(stream)) {
    check_legacy_use(ctx, st, "work");
    return false;
  }
  // Every piece of stream work passes here: a destroyed (or foreign) stream is refused, also one
  // destroyed through the driver API.
  check_stream_handle(ctx, stream);
  return graph::route_target(st, ctx.driver_captures, stream);
}

bool record_if_capturing(Context& ctx, cudaStream_t stream, GraphNode node) {
  if (!capture_target(ctx, stream)) return false;
  GraphState& st = graph_state(ctx);
  return graph::route_record(st, st, ctx.driver_captures, stream, std::move(node),
                             [](GraphNode n) { return std::make_shared<const RuntimeWork>(std::move(n)); });
}

void check_capture_safe(Context& ctx, const char* what) {
  graph::route_check_safe(graph_state(ctx), ctx.driver_captures, thread_capture_mode(), what,
                          "cudaStreamCaptureModeRelaxed or cudaThreadExchangeStreamCaptureMode");
}

void check_not_capturing(Context& ctx, cudaStream_t stream, const char* what) {
  GraphState& st = graph_state(ctx);
  if (is_legacy(stream)) return check_legacy_use(ctx, st, what);
  graph::route_check_not_capturing(st, ctx.driver_captures, stream, what);
}

bool capture_event_record(Context& ctx, cudaStream_t stream, cudaEvent_t event) {
  GraphState& st = graph_state(ctx);
  if (is_legacy(stream)) check_legacy_use(ctx, st, "cudaEventRecord");
  return graph::route_event_record(st, ctx.driver_captures, stream, event);
}

bool capture_event_wait(Context& ctx, cudaStream_t stream, cudaEvent_t event) {
  return graph::route_event_wait(graph_state(ctx), ctx.driver_captures, stream, event, is_legacy(stream));
}

void forget_capture_stream(Context& ctx, cudaStream_t stream) {
  GraphState& st = graph_state(ctx);
  graph::route_forget_stream(st, st, ctx.driver_captures, stream);
}

void forget_capture_event(Context& ctx, cudaEvent_t event) {
  graph::route_forget_event(graph_state(ctx), ctx.driver_captures, event);
}

std::unique_ptr<graph::CaptureBridge> make_capture_bridge() {
  auto lock = [] { return std::unique_lock<std::recursive_mutex>(context().mutex); };
  return std::make_unique<graph::StateBridge<GraphNode, GraphState, decltype(lock)>>(
      [] () -> GraphState& { return graph_state(context()); }, lock,
      [](std::shared_ptr<const graph::ForeignWork> work) {
        GraphNode n;
        n.type = static_cast<cudaGraphNodeType>(work->type());
        n.foreign = std::move(work);
        return n;
      },
      [](const void* s) { return blocking(context(), s); },
      graph::GraphCalls{
          [](void** exec, void* g, unsigned long long flags) {
            return int(cudaGraphInstantiateWithFlags(reinterpret_cast<cudaGraphExec_t*>(exec), static_cast<cudaGraph_t>(g), flags));
          },
          [](void* exec, void* stream) {
            return int(cudaGraphLaunch(static_cast<cudaGraphExec_t>(exec), static_cast<cudaStream_t>(stream)));
          },
          [](void* g) { return int(cudaGraphDestroy(static_cast<cudaGraph_t>(g))); },
          [](void* exec) { return int(cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(exec))); }});
}

graph::CaptureBridge* driver_graph_owner(const void* handle, bool executable) {
  graph::CaptureBridge* driver = nullptr;
  {
    Context& ctx = context();
    std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
    driver = ctx.driver_captures;
  }
  if (!driver || !handle) return nullptr;
  return (executable ? driver->owns_exec(handle) : driver->owns_graph(handle)) ? driver : nullptr;
}

}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode) {
  return api("cudaStreamBeginCapture", [&](Context& ctx) { begin_capture(ctx, stream, mode, nullptr, {}); });
}

// Captures into the program's graph: the first captured node depends on `dependencies`.
cudaError_t cudaStreamBeginCaptureToGraph(cudaStream_t stream, cudaGraph_t graph, const cudaGraphNode_t* dependencies,
                                          const cudaGraphEdgeData* edge_data, size_t count, cudaStreamCaptureMode mode) {
  return api("cudaStreamBeginCaptureToGraph", [&](Context& ctx) {
    GraphRecord& g = graph_of(ctx, graph);
    if (edge_data)
      for (size_t i = 0; i < count; ++i)
        if (edge_data[i].type != cudaGraphDependencyTypeDefault || edge_data[i].from_port != 0 || edge_data[i].to_port != 0)
          throw ApiError(cudaErrorNotSupported, "edge data other than the default (programmatic ports) is not supported by gpusim");
    begin_capture(ctx, stream, mode, &g, dependency_list(ctx, g, dependencies, count));
  });
}
cudaError_t cudaStreamBeginCaptureToGraph_ptsz(cudaStream_t stream, cudaGraph_t graph, const cudaGraphNode_t* dependencies,
                                               const cudaGraphEdgeData* edge_data, size_t count, cudaStreamCaptureMode mode) {
  return cudaStreamBeginCaptureToGraph(stream, graph, dependencies, edge_data, count, mode);
}
cudaError_t cudaStreamBeginCapture_ptsz(cudaStream_t stream, cudaStreamCaptureMode mode) {
  return cudaStreamBeginCapture(stream, mode);
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph) {
  return api("cudaStreamEndCapture", [&](Context& ctx) {
    check_stream_handle(ctx, stream);
    GraphState& st = graph_state(ctx);
    cudaGraph_t program_holds_it;
    if (!graph && !st.captures_into_existing_graph(stream)) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (!graph) graph = &program_holds_it;
    *graph = nullptr;
    // A capture begun with cuStreamBeginCapture ends here too; its graph is libcuda's (a CUgraph).
    if (gpusim::graph::captured_by_other(st, ctx.driver_captures, stream)) {
      *graph = static_cast<cudaGraph_t>(ctx.driver_captures->end(stream));
      return;
    }
    GraphRecord* g = st.end(st, stream);
    *graph = reinterpret_cast<cudaGraph_t>(g);
  });
}
cudaError_t cudaStreamEndCapture_ptsz(cudaStream_t stream, cudaGraph_t* graph) { return cudaStreamEndCapture(stream, graph); }

cudaError_t cudaStreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus* status) {
  return api("cudaStreamIsCapturing", [&](Context& ctx) {
    if (!status) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    check_stream_handle(ctx, stream);
    GraphState& st = graph_state(ctx);
    if (is_legacy(stream)) check_legacy_use(ctx, st, "cudaStreamIsCapturing");
    *status = static_cast<cudaStreamCaptureStatus>(gpusim::graph::captured_by_other(st, ctx.driver_captures, stream)
                                                       ? ctx.driver_captures->status(stream)
                                                       : st.status(stream));
  });
}
cudaError_t cudaStreamIsCapturing_ptsz(cudaStream_t stream, cudaStreamCaptureStatus* status) {
  return cudaStreamIsCapturing(stream, status);
}

cudaError_t cudaStreamGetCaptureInfo(cudaStream_t stream, cudaStreamCaptureStatus* status, unsigned long long* id,
                                     cudaGraph_t* graph, const cudaGraphNode_t** deps, const cudaGraphEdgeData** edges,
                                     size_t* num_deps) {
  return api("cudaStreamGetCaptureInfo", [&](Context& ctx) {
    if (!status) throw ApiError(cudaErrorInvalidValue, "null status pointer");
    check_stream_handle(ctx, stream);
    GraphState& st = graph_state(ctx);
    if (is_legacy(stream)) check_legacy_use(ctx, st, "cudaStreamGetCaptureInfo");
    static_assert(sizeof(cudaGraphEdgeData) == sizeof(unsigned long long), "edge data is 8 bytes");
    if (gpusim::graph::captured_by_other(st, ctx.driver_captures, stream)) {  // begun with cuStreamBeginCapture
      const gpusim::graph::CaptureBridge::Info info = ctx.driver_captures->info(stream);
      *status = static_cast<cudaStreamCaptureStatus>(info.status);
      if (id) *id = info.id;
      if (graph) *graph = static_cast<cudaGraph_t>(info.graph);
      if (deps) *deps = reinterpret_cast<const cudaGraphNode_t*>(info.deps);
      if (edges) *edges = reinterpret_cast<const cudaGraphEdgeData*>(info.edges);
      if (num_deps) *num_deps = info.count;
      return;
    }
    *status = static_cast<cudaStreamCaptureStatus>(st.status(stream));
    StreamCapture* cap = st.find(stream);
    if (!cap) return;
    if (id) *id = cap->session->id;
    if (graph) *graph = reinterpret_cast<cudaGraph_t>(cap->session->graph);
    cap->refresh_views();
    if (deps) *deps = reinterpret_cast<const cudaGraphNode_t*>(cap->deps_view.data());
    if (edges) *edges = reinterpret_cast<const cudaGraphEdgeData*>(cap->edges_view.data());
    if (num_deps) *num_deps = cap->deps.size();
  });
}
cudaError_t cudaStreamGetCaptureInfo_ptsz(cudaStream_t stream, cudaStreamCaptureStatus* status, unsigned long long* id,
                                          cudaGraph_t* graph, const cudaGraphNode_t** deps,
                                          const cudaGraphEdgeData** edges, size_t* num_deps) {
  return cudaStreamGetCaptureInfo(stream, status, id, graph, deps, edges, num_deps);
}

cudaError_t cudaStreamUpdateCaptureDependencies(cudaStream_t stream, cudaGraphNode_t* deps,
                                                const cudaGraphEdgeData* edges, size_t n, unsigned int flags) {
  return api("cudaStreamUpdateCaptureDependencies", [&](Context& ctx) {
    GraphState& st = graph_state(ctx);
    if (!st.find(stream)) throw ApiError(cudaErrorIllegalState, "the stream is not capturing");
    if (flags != cudaStreamAddCaptureDependencies && flags != cudaStreamSetCaptureDependencies)
      throw ApiError(cudaErrorInvalidValue, "flags must be cudaStreamAddCaptureDependencies or cudaStreamSetCaptureDependencies");
    st.update_dependencies(st, stream, reinterpret_cast<const void* const*>(deps), n,
                           flags == cudaStreamSetCaptureDependencies);
  });
}
cudaError_t cudaStreamUpdateCaptureDependencies_ptsz(cudaStream_t stream, cudaGraphNode_t* deps,
                                                     const cudaGraphEdgeData* edges, size_t n, unsigned int flags) {
  return cudaStreamUpdateCaptureDependencies(stream, deps, edges, n, flags);
}

cudaError_t cudaThreadExchangeStreamCaptureMode(cudaStreamCaptureMode* mode) {
  return api("cudaThreadExchangeStreamCaptureMode", [&](Context&) {
    if (!mode) throw ApiError(cudaErrorInvalidValue, "null mode pointer");
    const int m = gpusim::runtime::raw_enum_value(*mode);
    if (!gpusim::graph::is_capture_mode(m))
      throw ApiError(cudaErrorInvalidValue, "capture mode " + std::to_string(m) + " is not a cudaStreamCaptureMode");
    const int previous = gpusim::cudart::thread_capture_mode();
    gpusim::cudart::thread_capture_mode() = m;
    *mode = static_cast<cudaStreamCaptureMode>(previous);
  });
}

}  // extern "C"
