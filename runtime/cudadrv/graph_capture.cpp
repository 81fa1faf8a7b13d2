// Stream capture in the driver API (cuStreamBeginCapture .. cuStreamEndCapture, the capture
// queries and cuThreadExchangeStreamCaptureMode) and the hooks through which stream work becomes
// graph nodes, over the shared capture model (runtime/graph/stream_capture.h). What only the
// driver knows stays here: which handles are the legacy and per-thread default streams, which
// streams synchronise with the legacy one, the per-thread capture mode, and CUresult codes.
#include <cuda.h>
#include <dlfcn.h>

#include "runtime/cudadrv/driver_graph.h"
#include "runtime/raw_enum.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;
using gpusim::cudadrv::graph_errors;
using gpusim::cudadrv::graphs;

namespace gpusim::cudadrv {

namespace {

bool is_legacy(CUstream stream) { return stream == nullptr || stream == CU_STREAM_LEGACY; }

// Whether a stream synchronises with the legacy default stream.
bool blocking(DriverState& s, const void* handle) {
  if (handle == CU_STREAM_PER_THREAD) return true;
  const CUstream_st* stream = s.streams_table->stream(handle);
  return stream && !(stream->flags & CU_STREAM_NON_BLOCKING);
}

// Work on the legacy stream joins every blocking stream's capture implicitly, whichever library
// captures it: refused (see graph::CaptureState::legacy_use).
void check_legacy_use(DriverState& s, const char* what) {
  graph_errors([&] {
    graph::route_legacy_use(graphs(s), s.runtime_captures, [&](const void* handle) { return blocking(s, handle); }, what);
  });
}

// Work this library issued to a stream libcudart captures: a node of libcudart's graph that runs
// this library's node (under this library's lock, as cuGraphLaunch runs it), when that graph runs.
class DriverWork : public graph::ForeignWork {
 public:
  explicit DriverWork(DriverGraphNode node) : node_(std::move(node)) {
    node_.graph = nullptr;
    node_.deps.clear();
  }
  int type() const override { return node_.type; }
  void run() const override {
    std::vector<DriverGraphNode> nodes;  // a child graph node (cuGraphLaunch) runs its nodes
    append_runnable(nodes, node_);
    for (DriverGraphNode& n : nodes) {
      if (n.type == graph::kHostNode && !n.foreign) {  // without this library's lock, as cuLaunchHostFunc runs it
        n.host_fn(n.user_data);
        continue;
      }
      DriverState& s = driver_state();
      std::lock_guard<std::mutex> lock(s.mutex);  // the caller holds libcudart's (the lock order)
      try {
        graph_errors([&] { run_graph_node(s, n); });
      } catch (const DriverFailure& f) {
        const char* name = nullptr;
        cuGetErrorName(f.code, &name);
        throw graph::ForeignFailure(std::string(name ? name : "CUDA_ERROR_UNKNOWN") + ": " + f.message);
      }
    }
  }

 private:
  DriverGraphNode node_;
};

std::shared_ptr<const graph::ForeignWork> as_foreign(DriverGraphNode node) {
  return std::make_shared<const DriverWork>(std::move(node));
}

// The calling thread's capture mode, libcudart's when shared (one per thread for both APIs).
int thread_mode(DriverState& s) {
  if (s.runtime_thread_capture_mode) return *s.runtime_thread_capture_mode();
  auto it = s.capture_modes.find(this_thread_key());
  return it == s.capture_modes.end() ? CU_STREAM_CAPTURE_MODE_GLOBAL : it->second;
}

void set_thread_mode(DriverState& s, int mode) {
  if (s.runtime_thread_capture_mode) *s.runtime_thread_capture_mode() = mode;
  else s.capture_modes[this_thread_key()] = static_cast<CUstreamCaptureMode>(mode);
}

}  // namespace

DriverGraphs& graphs(DriverState& s) {
  if (!s.graph_model) s.graph_model = std::make_shared<DriverGraphs>();
  return *s.graph_model;
}

CUresult graph_failure_code(graph::Failure failure) {
  using graph::Failure;
  switch (failure) {
    case Failure::InvalidValue: return CUDA_ERROR_INVALID_VALUE;
    case Failure::InvalidHandle: return CUDA_ERROR_INVALID_HANDLE;
    case Failure::NotSupported: return CUDA_ERROR_NOT_SUPPORTED;
    case Failure::IllegalState: return CUDA_ERROR_ILLEGAL_STATE;
    case Failure::CaptureUnsupported: return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    case Failure::CaptureInvalidated: return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
    case Failure::CaptureImplicit: return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
    case Failure::CaptureUnmatched: return CUDA_ERROR_STREAM_CAPTURE_UNMATCHED;
    case Failure::CaptureUnjoined: return CUDA_ERROR_STREAM_CAPTURE_UNJOINED;
    case Failure::CaptureIsolation: return CUDA_ERROR_STREAM_CAPTURE_ISOLATION;
    case Failure::CaptureWrongThread: return CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD;
    case Failure::UpdateFailure: return CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE;
  }
  return CUDA_ERROR_UNKNOWN;
}

bool capture_target(DriverState& s, CUstream stream) {
  if (is_legacy(stream)) {
    check_legacy_use(s, "work");
    return false;
  }
  return graph_errors([&] { return graph::route_target(graphs(s), s.runtime_captures, stream); });
}

bool record_if_capturing(DriverState& s, CUstream stream, DriverGraphNode node) {
  if (!capture_target(s, stream)) return false;
  return graph_errors(
      [&] { return graph::route_record(graphs(s), graphs(s), s.runtime_captures, stream, std::move(node), as_foreign); });
}

void check_capture_safe(DriverState& s, const char* what) {
  if (!s.graph_model && !s.runtime_captures) return;  // nothing was ever captured
  graph_errors([&] {
    graph::route_check_safe(graphs(s), s.runtime_captures, thread_mode(s), what,
                            "CU_STREAM_CAPTURE_MODE_RELAXED or cuThreadExchangeStreamCaptureMode");
  });
}

void check_not_capturing(DriverState& s, CUstream stream, const char* what) {
  if (is_legacy(stream)) return check_legacy_use(s, what);
  graph_errors([&] { graph::route_check_not_capturing(graphs(s), s.runtime_captures, stream, what); });
}

bool capture_event_record(DriverState& s, CUstream stream, CUevent event) {
  if (is_legacy(stream)) check_legacy_use(s, "cuEventRecord");
  return graph_errors([&] { return graph::route_event_record(graphs(s), s.runtime_captures, stream, event); });
}

bool capture_event_wait(DriverState& s, CUstream stream, CUevent event) {
  return graph_errors(
      [&] { return graph::route_event_wait(graphs(s), s.runtime_captures, stream, event, is_legacy(stream)); });
}

void forget_capture_stream(DriverState& s, CUstream stream) {
  graph_errors([&] { graph::route_forget_stream(graphs(s), graphs(s), s.runtime_captures, stream); });
}

void forget_capture_event(DriverState& s, CUevent event) {
  graph_errors([&] { graph::route_forget_event(graphs(s), s.runtime_captures, event); });
}

graph::CaptureBridge* runtime_graph_owner(const void* handle, bool executable) {
  graph::CaptureBridge* runtime_side = nullptr;
  {
    DriverState& s = driver_state();
    std::lock_guard<std::mutex> lock(s.mutex);
    runtime_side = s.runtime_captures;
  }
  if (!runtime_side || !handle) return nullptr;
  return (executable ? runtime_side->owns_exec(handle) : runtime_side->owns_graph(handle)) ? runtime_side : nullptr;
}

bool captured_by_runtime(DriverState& s, CUstream stream) {
  return !is_legacy(stream) && graph::captured_by_other(graphs(s), s.runtime_captures, stream);
}

void share_runtime_streams(DriverState& s) {
  auto share = reinterpret_cast<runtime::ShareStreams>(dlsym(RTLD_DEFAULT, runtime::kShareStreamsSymbol));
  if (!share) return;  // a libcudart without the hook: each library keeps its own streams
  auto lock = [] { return std::unique_lock<std::mutex>(driver_state().mutex); };
  // Never freed, as the driver's state is not: libcudart keeps the pointer for the process.
  auto* mine = new graph::StateBridge<DriverGraphNode, DriverGraphs, decltype(lock)>(
      [] () -> DriverGraphs& { return graphs(driver_state()); }, lock,
      [](std::shared_ptr<const graph::ForeignWork> work) {
        DriverGraphNode n;
        n.type = work->type();
        n.foreign = std::move(work);
        return n;
      },
      [](const void* handle) { return blocking(driver_state(), handle); },
      graph::GraphCalls{
          [](void** exec, void* g, unsigned long long flags) {
            return int(cuGraphInstantiateWithFlags(reinterpret_cast<CUgraphExec*>(exec), static_cast<CUgraph>(g), flags));
          },
          [](void* exec, void* stream) { return int(cuGraphLaunch(static_cast<CUgraphExec>(exec), static_cast<CUstream>(stream))); },
          [](void* g) { return int(cuGraphDestroy(static_cast<CUgraph>(g))); },
          [](void* exec) { return int(cuGraphExecDestroy(static_cast<CUgraphExec>(exec))); }});
  runtime::SharedStreamsLink* link = share(mine);
  if (!link) return;
  s.streams_table = link->table;
  s.runtime_now = link->now;
  s.runtime_captures = link->runtime_captures;
  if (link->managed_ranges) s.managed_ranges = link->managed_ranges;
  s.runtime_thread_capture_mode = link->thread_capture_mode;
  s.runtime_lock.store(link->lock, std::memory_order_release);
}

}  // namespace gpusim::cudadrv

namespace {

using gpusim::cudadrv::check_legacy_use;
using gpusim::cudadrv::is_legacy;

// `into`: cuStreamBeginCaptureToGraph's graph, which the capture appends to after `deps`.
CUresult begin_capture(const char* call, CUstream stream, CUstreamCaptureMode mode, CUgraph into = nullptr,
                       const CUgraphNode* deps = nullptr, const CUgraphEdgeData* edges = nullptr, size_t count = 0) {
  return api_call(call, [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    const long long m = gpusim::runtime::raw_enum_value(mode);
    if (!gpusim::graph::is_capture_mode(m))
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "mode " + std::to_string(m) + " is not a CUstreamCaptureMode"};
    if (is_legacy(stream))
      throw DriverFailure{CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "the legacy default stream cannot be captured; use a created stream"};
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::captured_by_runtime(s, stream))
      throw DriverFailure{CUDA_ERROR_ILLEGAL_STATE, "the stream is already capturing (a capture begun with cudaStreamBeginCapture)"};
    if (edges)
      for (size_t i = 0; i < count; ++i)
        if (edges[i].type != CU_GRAPH_DEPENDENCY_TYPE_DEFAULT || edges[i].from_port != 0 || edges[i].to_port != 0)
          throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "edge data other than the default (programmatic ports) is not supported by gpusim"};
    graph_errors([&] {
      auto& model = graphs(s);
      gpusim::cudadrv::DriverGraph* target = nullptr;
      std::vector<gpusim::cudadrv::DriverGraphNode*> after;
      if (into) {  // a graph of this library (a runtime graph: CUDA_ERROR_INVALID_VALUE, unknown here)
        target = &model.graph_of(into);
        after = model.dependency_list(*target, reinterpret_cast<const void* const*>(deps), count);
      }
      model.begin(model, stream, m, target, std::move(after));
    });
    return CUDA_SUCCESS;
  });
}

CUresult capture_info(const char* call, CUstream stream, CUstreamCaptureStatus* status, cuuint64_t* id, CUgraph* graph,
                      const CUgraphNode** dependencies, const CUgraphEdgeData** edges, size_t* count) {
  return api_call(call, [&](DriverState& s) {
    if (!status) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "captureStatus_out is null"};
    gpusim::cudadrv::current_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    if (is_legacy(stream)) check_legacy_use(s, call);
    static_assert(sizeof(CUgraphEdgeData) == sizeof(unsigned long long), "edge data is 8 bytes");
    if (gpusim::cudadrv::captured_by_runtime(s, stream)) {  // begun with cudaStreamBeginCapture
      const gpusim::graph::CaptureBridge::Info info = graph_errors([&] { return s.runtime_captures->info(stream); });
      *status = static_cast<CUstreamCaptureStatus>(info.status);
      if (id) *id = info.id;
      if (graph) *graph = static_cast<CUgraph>(info.graph);
      if (dependencies) *dependencies = reinterpret_cast<const CUgraphNode*>(info.deps);
      if (edges) *edges = reinterpret_cast<const CUgraphEdgeData*>(info.edges);
      if (count) *count = info.count;
      return CUDA_SUCCESS;
    }
    auto& model = graphs(s);
    *status = static_cast<CUstreamCaptureStatus>(model.status(stream));
    auto* cap = model.find(stream);
    // The other outputs are defined only while capturing; cleared so a reader sees nothing.
    if (id) *id = cap ? cap->session->id : 0;
    if (graph) *graph = cap ? reinterpret_cast<CUgraph>(cap->session->graph) : nullptr;
    if (cap) cap->refresh_views();
    if (dependencies) *dependencies = cap ? reinterpret_cast<const CUgraphNode*>(cap->deps_view.data()) : nullptr;
    if (edges) *edges = cap ? reinterpret_cast<const CUgraphEdgeData*>(cap->edges_view.data()) : nullptr;
    if (count) *count = cap ? cap->deps.size() : 0;
    return CUDA_SUCCESS;
  });
}

}  // namespace

extern "C" {

CUresult cuStreamBeginCapture_v2(CUstream stream, CUstreamCaptureMode mode) {
  return begin_capture("cuStreamBeginCapture", stream, mode);
}

// Capture appended to an existing graph after the given nodes (as cudaStreamBeginCaptureToGraph:
// its earlier nodes need not join; a failed capture leaves the graph to the program).
#undef cuStreamBeginCaptureToGraph
CUresult cuStreamBeginCaptureToGraph(CUstream stream, CUgraph graph, const CUgraphNode* deps, const CUgraphEdgeData* edges,
                                     size_t count, CUstreamCaptureMode mode) {
  if (!graph) return api_call("cuStreamBeginCaptureToGraph", [](DriverState&) -> CUresult {
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "hGraph is null"};
    });
  return begin_capture("cuStreamBeginCaptureToGraph", stream, mode, graph, deps, edges, count);
}

// The CUDA 10.0 form: no mode, which was global.
#undef cuStreamBeginCapture
CUresult cuStreamBeginCapture(CUstream stream) {
  return begin_capture("cuStreamBeginCapture", stream, CU_STREAM_CAPTURE_MODE_GLOBAL);
}

CUresult cuStreamEndCapture(CUstream stream, CUgraph* graph) {
  return api_call("cuStreamEndCapture", [&](DriverState& s) {
    gpusim::cudadrv::current_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    CUgraph program_holds_it;  // a capture into the program's graph may pass no pointer
    if (!graph && !graphs(s).captures_into_existing_graph(stream))
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "phGraph is null"};
    if (!graph) graph = &program_holds_it;
    *graph = nullptr;
    // A capture begun with cudaStreamBeginCapture ends here too; its graph is libcudart's.
    if (gpusim::cudadrv::captured_by_runtime(s, stream))
      graph_errors([&] { *graph = static_cast<CUgraph>(s.runtime_captures->end(stream)); });
    else
      graph_errors([&] { *graph = reinterpret_cast<CUgraph>(graphs(s).end(graphs(s), stream)); });
    return CUDA_SUCCESS;
  });
}

CUresult cuStreamIsCapturing(CUstream stream, CUstreamCaptureStatus* status) {
  return capture_info("cuStreamIsCapturing", stream, status, nullptr, nullptr, nullptr, nullptr, nullptr);
}

CUresult cuStreamGetCaptureInfo_v3(CUstream stream, CUstreamCaptureStatus* status, cuuint64_t* id, CUgraph* graph,
                                   const CUgraphNode** dependencies, const CUgraphEdgeData** edges, size_t* count) {
  return capture_info("cuStreamGetCaptureInfo", stream, status, id, graph, dependencies, edges, count);
}

// The CUDA 11.3 and 10.1 forms (cuGetProcAddress hands them out by the caller's version).
CUresult cuStreamGetCaptureInfo_v2(CUstream stream, CUstreamCaptureStatus* status, cuuint64_t* id, CUgraph* graph,
                                   const CUgraphNode** dependencies, size_t* count) {
  return capture_info("cuStreamGetCaptureInfo", stream, status, id, graph, dependencies, nullptr, count);
}
#undef cuStreamGetCaptureInfo
CUresult cuStreamGetCaptureInfo(CUstream stream, CUstreamCaptureStatus* status, cuuint64_t* id) {
  return capture_info("cuStreamGetCaptureInfo", stream, status, id, nullptr, nullptr, nullptr, nullptr);
}

CUresult cuStreamUpdateCaptureDependencies_v2(CUstream stream, CUgraphNode* deps, const CUgraphEdgeData* edges,
                                              size_t count, unsigned int flags) {
  return api_call("cuStreamUpdateCaptureDependencies", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (flags != CU_STREAM_ADD_CAPTURE_DEPENDENCIES && flags != CU_STREAM_SET_CAPTURE_DEPENDENCIES)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags must be CU_STREAM_ADD_CAPTURE_DEPENDENCIES or _SET_"};
    graph_errors([&] {
      graphs(s).update_dependencies(graphs(s), stream, reinterpret_cast<const void* const*>(deps), count,
                                    flags == CU_STREAM_SET_CAPTURE_DEPENDENCIES);
    });
    return CUDA_SUCCESS;
  });
}
#undef cuStreamUpdateCaptureDependencies
CUresult cuStreamUpdateCaptureDependencies(CUstream stream, CUgraphNode* deps, size_t count, unsigned int flags) {
  return cuStreamUpdateCaptureDependencies_v2(stream, deps, nullptr, count, flags);
}

CUresult cuThreadExchangeStreamCaptureMode(CUstreamCaptureMode* mode) {
  return api_call("cuThreadExchangeStreamCaptureMode", [&](DriverState& s) {
    if (!mode) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "mode is null"};
    const long long raw = gpusim::runtime::raw_enum_value(*mode);
    if (!gpusim::graph::is_capture_mode(raw))
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "mode " + std::to_string(raw) + " is not a CUstreamCaptureMode"};
    const int previous = gpusim::cudadrv::thread_mode(s);  // the new mode in, the previous one out
    gpusim::cudadrv::set_thread_mode(s, static_cast<int>(raw));
    *mode = static_cast<CUstreamCaptureMode>(previous);
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
