// Stream capture, shared by libcudart (cudaStreamBeginCapture ...) and libcuda (cuStreamBeginCapture
// ...): between begin and end, work issued to the stream (and to streams that joined it by waiting
// on one of its events) becomes graph nodes instead of running. Each capturing stream keeps the
// nodes its next node depends on; an event recorded in a capturing stream carries that set to the
// streams that wait on it (fork and join). Calls CUDA forbids during a capture fail and invalidate
// it, so the end of the capture then fails with "invalidated", as on a GPU.
//
// Streams and events are opaque handles here (the adapter's cudaStream_t / CUstream); what only
// the adapter knows (is this the legacy stream, does a stream synchronise with it) it passes in.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/graph/graph_model.h"

namespace gpusim::graph {

// cudaStreamCaptureMode / CUstreamCaptureMode (numbered alike).
enum CaptureMode : int { kCaptureGlobal = 0, kCaptureThreadLocal = 1, kCaptureRelaxed = 2 };
// cudaStreamCaptureStatus / CUstreamCaptureStatus (numbered alike).
enum CaptureStatus : int { kCaptureNone = 0, kCaptureActive = 1, kCaptureInvalidated = 2 };

inline bool is_capture_mode(long long m) { return m >= kCaptureGlobal && m <= kCaptureRelaxed; }

// One capture sequence: started on `origin`, joined by streams that wait on its events.
template <typename N>
struct CaptureSession {
  Graph<N>* graph = nullptr;
  const void* origin = nullptr;
  int mode = kCaptureGlobal;
  unsigned long long id = 0;
  std::thread::id thread;
  bool invalidated = false;
  // Capture into the program's graph (cudaStreamBeginCaptureToGraph): its earlier nodes are left
  // alone (they need not join the origin stream, and a failed capture does not destroy them).
  bool into_existing_graph = false;
  std::set<const N*> earlier_nodes;
};

template <typename N>
struct StreamCapture {
  CaptureSession<N>* session = nullptr;
  std::vector<N*> deps;          // what the stream's next captured node depends on
  // GetCaptureInfo's out-arrays, valid until the stream's next capture call (as in CUDA): node
  // handles, and edge data (8 bytes each, all zero: default edges) for the API's edge struct.
  std::vector<void*> deps_view;
  std::vector<unsigned long long> edges_view;

  void refresh_views() {
    deps_view.assign(deps.begin(), deps.end());  // N* -> void*
    edges_view.assign(deps.size(), 0);
  }
};

template <typename N>
class CaptureState {
 public:
  std::map<const void*, StreamCapture<N>> capturing;

  StreamCapture<N>* find(const void* stream) {
    auto it = capturing.find(stream);
    return it == capturing.end() ? nullptr : &it->second;
  }

  // Whether `stream` captures into a graph the program made (BeginCaptureToGraph): ending such a
  // capture may pass no graph pointer, as the program holds the graph already.
  bool captures_into_existing_graph(const void* stream) {
    const StreamCapture<N>* cap = find(stream);
    return cap && cap->session->into_existing_graph;
  }

  [[noreturn]] static void invalidated() {
    fail(Failure::CaptureInvalidated, "the stream's capture was invalidated by an earlier error; ending the capture ends it");
  }

  bool graph_is_capture_target(const Graph<N>* g) const {
    for (auto& [s, cap] : capturing)
      if (cap.session->graph == g) return true;
    return false;
  }

  // Starts a capture on `stream` (a created stream: the adapter rejects the legacy one) into a
  // new registered graph (into == null) or into the program's graph after `deps`.
  void begin(Registry<N>& reg, const void* stream, long long mode, Graph<N>* into, std::vector<N*> deps) {
    if (!is_capture_mode(mode)) fail(Failure::InvalidValue, "capture mode " + std::to_string(mode) + " is not a capture mode");
    if (find(stream)) fail(Failure::IllegalState, "the stream is already capturing");
    auto session = std::make_unique<CaptureSession<N>>();
    if (into) {
      if (graph_is_capture_target(into)) fail(Failure::IllegalState, "another capture is already adding to the graph");
      session->into_existing_graph = true;
      for (auto& n : into->nodes) session->earlier_nodes.insert(n.get());
    } else {
      into = reg.create();
    }
    session->graph = into;
    session->origin = stream;
    session->mode = static_cast<int>(mode);
    session->id = next_capture_id_++;
    session->thread = std::this_thread::get_id();
    capturing[stream] = StreamCapture<N>{session.get(), std::move(deps), {}, {}};
    sessions_.push_back(std::move(session));
  }

  // True when work issued to `stream` now is captured; throws once its capture is invalidated.
  bool target(const void* stream) {
    StreamCapture<N>* cap = find(stream);
    if (cap && cap->session->invalidated) invalidated();
    return cap != nullptr;
  }

  // When `stream` captures, `node` becomes a node of its graph (nothing runs): true.
  bool record(Registry<N>& reg, const void* stream, N node) {
    if (!target(stream)) return false;
    StreamCapture<N>* cap = find(stream);
    N* n = reg.add(*cap->session->graph, std::move(node), cap->deps);
    cap->deps = {n};
    return true;
  }

  // Work on the legacy default stream synchronises with every blocking stream, so it would join
  // their captures implicitly: CUDA rejects it and invalidates them. `blocking(stream)` tells.
  template <typename Blocking>
  void legacy_use(Blocking&& blocking, const std::string& what) {
    bool hit = false;
    for (auto& [s, cap] : capturing) {
      if (!blocking(s)) continue;
      cap.session->invalidated = true;
      hit = true;
    }
    if (hit) fail(Failure::CaptureImplicit, what + " on the legacy default stream while a blocking stream captures");
  }

  // A call CUDA forbids while this thread (or, in global mode, any thread) captures, e.g. a
  // synchronous allocation: throws CaptureUnsupported and invalidates the captures concerned.
  void check_safe(long long thread_mode, const std::string& what, const std::string& relax_hint) {
    if (thread_mode == kCaptureRelaxed) return;
    bool hit = false;
    for (auto& session : sessions_) {
      const bool own = session->thread == std::this_thread::get_id() && session->mode != kCaptureRelaxed;
      const bool global = thread_mode == kCaptureGlobal && session->mode == kCaptureGlobal;
      if (own || global) session->invalidated = hit = true;
    }
    if (hit)
      fail(Failure::CaptureUnsupported,
           what + " is not permitted while a stream captures (the capture is invalidated; " + relax_hint + " allows it)");
  }

  // Synchronising with or querying a capturing stream is an error that invalidates its capture.
  void check_not_capturing(const void* stream, const std::string& what) {
    if (StreamCapture<N>* cap = find(stream)) {
      cap->session->invalidated = true;
      fail(Failure::CaptureUnsupported, what + " of a capturing stream is not permitted (the capture is invalidated)");
    }
  }

  // An event recorded in a capturing stream remembers the stream's dependencies: true (captured).
  bool event_record(const void* stream, const void* event) {
    StreamCapture<N>* cap = find(stream);
    if (!cap) {
      captured_events_.erase(event);  // recorded outside any capture from now on
      return false;
    }
    if (cap->session->invalidated) invalidated();
    captured_events_[event] = {cap->session, cap->deps};
    return true;
  }

  // A wait on a captured event forks `stream` into the capture (or joins the dependencies).
  bool event_wait(const void* stream, const void* event, bool stream_is_legacy) {
    StreamCapture<N>* cap = find(stream);
    auto ev = captured_events_.find(event);
    if (ev == captured_events_.end()) {
      // An event recorded outside the capture: its work is complete in the simulator.
      if (cap && cap->session->invalidated) invalidated();
      return cap != nullptr;
    }
    CaptureSession<N>* session = ev->second.first;
    const std::vector<N*>& deps = ev->second.second;
    if (!cap) {
      if (stream_is_legacy) {
        session->invalidated = true;
        fail(Failure::CaptureImplicit, "the legacy default stream cannot join a capture");
      }
      capturing[stream] = StreamCapture<N>{session, deps, {}, {}};  // a forked stream joins the capture
      return true;
    }
    if (cap->session != session) {
      cap->session->invalidated = session->invalidated = true;
      fail(Failure::CaptureIsolation, "the event was recorded in another capture sequence");
    }
    if (session->invalidated) invalidated();
    for (N* d : deps)
      if (std::find(cap->deps.begin(), cap->deps.end(), d) == cap->deps.end()) cap->deps.push_back(d);
    return true;
  }

  // Ends the capture begun on `stream` and hands its graph over (registered in `reg`). `reg` is
  // the caller's own registry type, so that a failed capture's graph goes through its `forget`
  // (the runtime's drops the graph's user object references there; Registry's is not virtual).
  template <typename Reg>
  Graph<N>* end(Reg& reg, const void* stream) {
    StreamCapture<N>* cap = find(stream);
    if (!cap) fail(Failure::IllegalState, "the stream is not capturing");
    CaptureSession<N>* session = cap->session;
    if (session->origin != stream) {
      session->invalidated = true;
      fail(Failure::CaptureUnmatched, "the capture was begun on another stream (end it there)");
    }
    if (session->mode != kCaptureRelaxed && session->thread != std::this_thread::get_id())
      fail(Failure::CaptureWrongThread, "the capture was begun by another thread");
    Graph<N>* g = session->graph;
    const bool keep_graph = session->into_existing_graph;  // the program's graph: it destroys it
    if (session->invalidated) {
      end_session(session);
      if (!keep_graph) reg.forget(g);
      invalidated();
    }
    const bool joined = all_joined(*g, cap->deps, session->earlier_nodes);
    end_session(session);
    if (!joined) {
      if (!keep_graph) reg.forget(g);
      fail(Failure::CaptureUnjoined, "a stream forked from the capture did not rejoin the origin stream");
    }
    return g;
  }

  // GetCaptureInfo: status, and while capturing the sequence id, graph and dependencies.
  CaptureStatus status(const void* stream) {
    const StreamCapture<N>* cap = find(stream);
    return !cap ? kCaptureNone : cap->session->invalidated ? kCaptureInvalidated : kCaptureActive;
  }

  // UpdateCaptureDependencies: add to (replace == false) or replace the stream's dependencies.
  void update_dependencies(Registry<N>& reg, const void* stream, const void* const* deps, size_t n, bool replace) {
    StreamCapture<N>* cap = find(stream);
    if (!cap) fail(Failure::IllegalState, "the stream is not capturing");
    auto list = reg.dependency_list(*cap->session->graph, deps, n);
    if (replace) cap->deps.clear();
    for (N* d : list)
      if (std::find(cap->deps.begin(), cap->deps.end(), d) == cap->deps.end()) cap->deps.push_back(d);
  }

  // A destroyed stream leaves its capture; destroying the origin abandons the whole capture (its
  // new graph goes too). Its handle may be reused by a new stream, which must not be capturing.
  template <typename Reg>
  void forget_stream(Reg& reg, const void* stream) {
    StreamCapture<N>* cap = find(stream);
    if (!cap) return;
    CaptureSession<N>* session = cap->session;
    if (session->origin != stream) {
      capturing.erase(stream);
      return;
    }
    Graph<N>* g = session->into_existing_graph ? nullptr : session->graph;
    end_session(session);
    if (g) reg.forget(g);
  }

  // A destroyed event no longer carries a capture's dependencies (its handle may be reused).
  void forget_event(const void* event) { captured_events_.erase(event); }

  // Whether `event` was last recorded in one of these captures (it carries their dependencies).
  bool holds_event(const void* event) const { return captured_events_.count(event) != 0; }

 private:
  std::vector<std::unique_ptr<CaptureSession<N>>> sessions_;
  std::map<const void*, std::pair<CaptureSession<N>*, std::vector<N*>>> captured_events_;
  unsigned long long next_capture_id_ = 1;

  void end_session(CaptureSession<N>* session) {
    for (auto it = capturing.begin(); it != capturing.end();)
      it = it->second.session == session ? capturing.erase(it) : std::next(it);
    for (auto it = captured_events_.begin(); it != captured_events_.end();)
      it = it->second.first == session ? captured_events_.erase(it) : std::next(it);
    sessions_.erase(std::find_if(sessions_.begin(), sessions_.end(), [&](auto& p) { return p.get() == session; }));
  }

  // Every node without dependents must lead into the origin stream's last work: a forked stream
  // that never rejoined makes the capture fail.
  static bool all_joined(const Graph<N>& g, const std::vector<N*>& origin_deps, const std::set<const N*>& earlier) {
    std::set<const N*> reach;
    std::vector<const N*> todo(origin_deps.begin(), origin_deps.end());
    while (!todo.empty()) {
      const N* n = todo.back();
      todo.pop_back();
      if (!reach.insert(n).second) continue;
      for (const N* d : n->deps) todo.push_back(d);
    }
    std::set<const N*> has_dependent;
    for (auto& n : g.nodes)
      for (const N* d : n->deps) has_dependent.insert(d);
    for (auto& n : g.nodes)
      if (!has_dependent.count(n.get()) && !reach.count(n.get()) && !earlier.count(n.get())) return false;
    return true;
  }
};

}  // namespace gpusim::graph
