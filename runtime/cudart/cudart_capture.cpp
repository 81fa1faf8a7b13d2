// Stream capture: between cudaStreamBeginCapture and cudaStreamEndCapture, work issued to the
// stream (and to streams that joined it by waiting on one of its events) becomes graph nodes
// instead of running. Each capturing stream keeps the nodes its next node depends on; an event
// recorded in a capturing stream carries that set to the streams that wait on it (fork and join).
// Calls CUDA forbids during a capture fail with CUDA's code and invalidate the capture, so
// cudaStreamEndCapture then fails with cudaErrorStreamCaptureInvalidated, as on a GPU.
#include <cuda_runtime_api.h>

#include <algorithm>

#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {

namespace {

// The calling thread's capture interaction mode (cudaThreadExchangeStreamCaptureMode): CUDA
// keeps it per host thread.
cudaStreamCaptureMode& thread_mode() {
  thread_local cudaStreamCaptureMode mode = cudaStreamCaptureModeGlobal;
  return mode;
}

bool is_legacy(cudaStream_t s) { return s == nullptr || s == cudaStreamLegacy; }

StreamCapture* find(GraphState& st, cudaStream_t s) {
  auto it = st.capturing.find(s);
  return it == st.capturing.end() ? nullptr : &it->second;
}

[[noreturn]] void invalidated() {
  throw ApiError(cudaErrorStreamCaptureInvalidated,
                 "the stream's capture was invalidated by an earlier error; cudaStreamEndCapture ends it");
}

// The legacy default stream synchronises with every blocking stream, so work on it while such a
// stream captures would join the capture implicitly: CUDA rejects it and invalidates the capture.
void check_legacy_use(GraphState& st, const char* what) {
  bool hit = false;
  for (auto& [s, cap] : st.capturing) {
    unsigned flags = 0;
    if (s != cudaStreamPerThread) cudaStreamGetFlags(s, &flags);
    if (flags & cudaStreamNonBlocking) continue;
    cap.session->invalidated = true;
    hit = true;
  }
  if (hit)
    throw ApiError(cudaErrorStreamCaptureImplicit,
                   std::string(what) + " on the legacy default stream while a blocking stream captures");
}

void end_session(GraphState& st, CaptureSession* session) {
  for (auto it = st.capturing.begin(); it != st.capturing.end();)
    it = it->second.session == session ? st.capturing.erase(it) : std::next(it);
  for (auto it = st.captured_events.begin(); it != st.captured_events.end();)
    it = it->second.first == session ? st.captured_events.erase(it) : std::next(it);
  st.sessions.erase(std::find_if(st.sessions.begin(), st.sessions.end(), [&](auto& p) { return p.get() == session; }));
}

void drop_graph(GraphState& st, GraphRecord* g) {
  for (auto& n : g->nodes) st.node_owner.erase(n.get());
  st.graphs.erase(g);
  delete g;
}

// Every node without dependents must lead into the origin stream's last work: a forked stream
// that never rejoined makes the capture fail (cudaErrorStreamCaptureUnjoined).
bool all_joined(const GraphRecord& g, const std::vector<GraphNode*>& origin_deps,
                const std::set<const GraphNode*>& earlier_nodes) {
  std::set<const GraphNode*> reach;
  std::vector<const GraphNode*> todo(origin_deps.begin(), origin_deps.end());
  while (!todo.empty()) {
    const GraphNode* n = todo.back();
    todo.pop_back();
    if (!reach.insert(n).second) continue;
    for (const GraphNode* d : n->deps) todo.push_back(d);
  }
  std::set<const GraphNode*> has_dependent;
  for (auto& n : g.nodes)
    for (const GraphNode* d : n->deps) has_dependent.insert(d);
  for (auto& n : g.nodes)
    if (!has_dependent.count(n.get()) && !reach.count(n.get()) && !earlier_nodes.count(n.get())) return false;
  return true;
}

void check_stream_handle(Context& ctx, cudaStream_t s) {
  if (s == nullptr || s == cudaStreamLegacy || s == cudaStreamPerThread) return;
  if (!ctx.streams.count(s)) throw ApiError(cudaErrorInvalidResourceHandle, "unknown or destroyed stream");
}

// Starts a capture on `stream` into a new graph (into == null) or into the program's graph.
void begin_capture(Context& ctx, cudaStream_t stream, cudaStreamCaptureMode mode, GraphRecord* into,
                   std::vector<GraphNode*> deps) {
  const int m = as_int(mode);
  if (m != cudaStreamCaptureModeGlobal && m != cudaStreamCaptureModeThreadLocal && m != cudaStreamCaptureModeRelaxed)
    throw ApiError(cudaErrorInvalidValue, "capture mode " + std::to_string(m) + " is not a cudaStreamCaptureMode");
  if (is_legacy(stream))
    throw ApiError(cudaErrorStreamCaptureUnsupported, "the legacy default stream cannot be captured; use a created stream");
  check_stream_handle(ctx, stream);
  GraphState& st = graph_state(ctx);
  if (find(st, stream)) throw ApiError(cudaErrorIllegalState, "the stream is already capturing");
  auto session = std::make_unique<CaptureSession>();
  if (into) {
    for (auto& [s, cap] : st.capturing)
      if (cap.session->graph == into) throw ApiError(cudaErrorIllegalState, "another capture is already adding to the graph");
    session->into_existing_graph = true;
    for (auto& n : into->nodes) session->earlier_nodes.insert(n.get());
  } else {
    into = new GraphRecord;
    st.graphs.insert(into);
  }
  session->graph = into;
  session->origin = stream;
  session->mode = mode;
  session->id = st.next_capture_id++;
  session->thread = std::this_thread::get_id();
  st.capturing[stream] = StreamCapture{session.get(), std::move(deps), {}, {}};
  st.sessions.push_back(std::move(session));
}

}  // namespace

bool is_capturing(Context& ctx, cudaStream_t stream) { return find(graph_state(ctx), stream) != nullptr; }

bool capture_target(Context& ctx, cudaStream_t stream) {
  GraphState& st = graph_state(ctx);
  if (is_legacy(stream)) {
    check_legacy_use(st, "work");
    return false;
  }
  StreamCapture* cap = find(st, stream);
  if (cap && cap->session->invalidated) invalidated();
  return cap != nullptr;
}

bool record_if_capturing(Context& ctx, cudaStream_t stream, GraphNode node) {
  if (!capture_target(ctx, stream)) return false;
  GraphState& st = graph_state(ctx);
  StreamCapture* cap = find(st, stream);
  GraphRecord& g = *cap->session->graph;
  GraphNode* n = g.add(std::move(node), cap->deps);
  st.node_owner[n] = &g;
  cap->deps = {n};
  return true;
}

void check_capture_safe(Context& ctx, const char* what) {
  const cudaStreamCaptureMode mode = thread_mode();
  if (mode == cudaStreamCaptureModeRelaxed) return;
  GraphState& st = graph_state(ctx);
  bool hit = false;
  for (auto& session : st.sessions) {
    const bool own = session->thread == std::this_thread::get_id() && session->mode != cudaStreamCaptureModeRelaxed;
    const bool global = mode == cudaStreamCaptureModeGlobal && session->mode == cudaStreamCaptureModeGlobal;
    if (own || global) session->invalidated = hit = true;
  }
  if (hit)
    throw ApiError(cudaErrorStreamCaptureUnsupported,
                   std::string(what) + " is not permitted while a stream captures (the capture is invalidated; "
                   "cudaStreamCaptureModeRelaxed or cudaThreadExchangeStreamCaptureMode allows it)");
}

void check_not_capturing(Context& ctx, cudaStream_t stream, const char* what) {
  GraphState& st = graph_state(ctx);
  if (is_legacy(stream)) return check_legacy_use(st, what);
  if (StreamCapture* cap = find(st, stream)) {
    cap->session->invalidated = true;
    throw ApiError(cudaErrorStreamCaptureUnsupported,
                   std::string(what) + " of a capturing stream is not permitted (the capture is invalidated)");
  }
}

bool capture_event_record(Context& ctx, cudaStream_t stream, cudaEvent_t event) {
  GraphState& st = graph_state(ctx);
  if (is_legacy(stream)) check_legacy_use(st, "cudaEventRecord");
  StreamCapture* cap = find(st, stream);
  if (!cap) {
    st.captured_events.erase(event);  // recorded outside any capture from now on
    return false;
  }
  if (cap->session->invalidated) invalidated();
  st.captured_events[event] = {cap->session, cap->deps};
  return true;
}

bool capture_event_wait(Context& ctx, cudaStream_t stream, cudaEvent_t event) {
  GraphState& st = graph_state(ctx);
  StreamCapture* cap = find(st, stream);
  auto ev = st.captured_events.find(event);
  if (ev == st.captured_events.end()) {
    // An event recorded outside the capture: its work is complete in the simulator.
    if (cap && cap->session->invalidated) invalidated();
    return cap != nullptr;
  }
  CaptureSession* session = ev->second.first;
  const std::vector<GraphNode*>& deps = ev->second.second;
  if (!cap) {
    if (is_legacy(stream)) {
      session->invalidated = true;
      throw ApiError(cudaErrorStreamCaptureImplicit, "the legacy default stream cannot join a capture");
    }
    st.capturing[stream] = StreamCapture{session, deps, {}, {}};  // a forked stream joins the capture
    return true;
  }
  if (cap->session != session) {
    cap->session->invalidated = session->invalidated = true;
    throw ApiError(cudaErrorStreamCaptureIsolation, "the event was recorded in another capture sequence");
  }
  if (session->invalidated) invalidated();
  for (GraphNode* d : deps)
    if (std::find(cap->deps.begin(), cap->deps.end(), d) == cap->deps.end()) cap->deps.push_back(d);
  return true;
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
    if (!graph) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    check_stream_handle(ctx, stream);
    GraphState& st = graph_state(ctx);
    StreamCapture* cap = find(st, stream);
    if (!cap) throw ApiError(cudaErrorIllegalState, "the stream is not capturing");
    CaptureSession* session = cap->session;
    if (session->origin != stream) {
      session->invalidated = true;
      throw ApiError(cudaErrorStreamCaptureUnmatched, "the capture was begun on another stream (end it there)");
    }
    if (session->mode != cudaStreamCaptureModeRelaxed && session->thread != std::this_thread::get_id())
      throw ApiError(cudaErrorStreamCaptureWrongThread, "the capture was begun by another thread");
    GraphRecord* g = session->graph;
    *graph = nullptr;
    const bool keep_graph = session->into_existing_graph;  // the program's graph: it destroys it
    if (session->invalidated) {
      end_session(st, session);
      if (!keep_graph) drop_graph(st, g);
      invalidated();
    }
    const bool joined = all_joined(*g, cap->deps, session->earlier_nodes);
    end_session(st, session);
    if (!joined) {
      if (!keep_graph) drop_graph(st, g);
      throw ApiError(cudaErrorStreamCaptureUnjoined, "a stream forked from the capture did not rejoin the origin stream");
    }
    *graph = reinterpret_cast<cudaGraph_t>(g);
  });
}
cudaError_t cudaStreamEndCapture_ptsz(cudaStream_t stream, cudaGraph_t* graph) { return cudaStreamEndCapture(stream, graph); }

cudaError_t cudaStreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus* status) {
  return api("cudaStreamIsCapturing", [&](Context& ctx) {
    if (!status) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    check_stream_handle(ctx, stream);
    GraphState& st = graph_state(ctx);
    if (is_legacy(stream)) check_legacy_use(st, "cudaStreamIsCapturing");
    const StreamCapture* cap = find(st, stream);
    *status = !cap ? cudaStreamCaptureStatusNone
                   : cap->session->invalidated ? cudaStreamCaptureStatusInvalidated : cudaStreamCaptureStatusActive;
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
    if (is_legacy(stream)) check_legacy_use(st, "cudaStreamGetCaptureInfo");
    StreamCapture* cap = find(st, stream);
    if (!cap) {
      *status = cudaStreamCaptureStatusNone;
      return;
    }
    *status = cap->session->invalidated ? cudaStreamCaptureStatusInvalidated : cudaStreamCaptureStatusActive;
    if (id) *id = cap->session->id;
    if (graph) *graph = reinterpret_cast<cudaGraph_t>(cap->session->graph);
    cap->deps_view.assign(cap->deps.size(), nullptr);
    for (size_t i = 0; i < cap->deps.size(); ++i) cap->deps_view[i] = reinterpret_cast<cudaGraphNode_t>(cap->deps[i]);
    cap->edges_view.assign(cap->deps.size(), cudaGraphEdgeData{});
    if (deps) *deps = cap->deps_view.data();
    if (edges) *edges = cap->edges_view.data();
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
    StreamCapture* cap = find(graph_state(ctx), stream);
    if (!cap) throw ApiError(cudaErrorIllegalState, "the stream is not capturing");
    if (flags != cudaStreamAddCaptureDependencies && flags != cudaStreamSetCaptureDependencies)
      throw ApiError(cudaErrorInvalidValue, "flags must be cudaStreamAddCaptureDependencies or cudaStreamSetCaptureDependencies");
    auto list = dependency_list(ctx, *cap->session->graph, deps, n);
    if (flags == cudaStreamSetCaptureDependencies) cap->deps.clear();
    for (GraphNode* d : list)
      if (std::find(cap->deps.begin(), cap->deps.end(), d) == cap->deps.end()) cap->deps.push_back(d);
  });
}
cudaError_t cudaStreamUpdateCaptureDependencies_ptsz(cudaStream_t stream, cudaGraphNode_t* deps,
                                                     const cudaGraphEdgeData* edges, size_t n, unsigned int flags) {
  return cudaStreamUpdateCaptureDependencies(stream, deps, edges, n, flags);
}

cudaError_t cudaThreadExchangeStreamCaptureMode(cudaStreamCaptureMode* mode) {
  return api("cudaThreadExchangeStreamCaptureMode", [&](Context&) {
    if (!mode) throw ApiError(cudaErrorInvalidValue, "null mode pointer");
    const int m = as_int(*mode);
    if (m != cudaStreamCaptureModeGlobal && m != cudaStreamCaptureModeThreadLocal && m != cudaStreamCaptureModeRelaxed)
      throw ApiError(cudaErrorInvalidValue, "capture mode " + std::to_string(m) + " is not a cudaStreamCaptureMode");
    std::swap(*mode, thread_mode());
  });
}

}  // extern "C"
