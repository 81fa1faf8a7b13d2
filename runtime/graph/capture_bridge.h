// Stream capture across gpusim's two CUDA libraries. Streams and events are one set of handles
// (runtime/shared_streams.h), so a stream libcudart captures (cudaStreamBeginCapture) receives
// work from libcuda too (PyTorch captures a CUDA graph, Triton launches into it with
// cuLaunchKernel), and the other way round. Each capture stays with the library that began it:
// its graph is that library's graph (of that library's nodes), so cudaStreamEndCapture hands a
// cudaGraph_t back and a driver-only program's cuStreamEndCapture a CUgraph with every cuGraph*
// query working. Work the other library issues to the stream becomes a node of that graph that
// runs the work as its own library runs it ("foreign work"); events recorded or waited on from
// either API fork and join streams into the capture as usual.
//
// Each library reaches the other's captures through a CaptureBridge (function calls that take the
// owning library's lock; failures are GraphError), and routes its capture hooks through the
// route_* functions below, which decide whose capture a call concerns.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/graph/stream_capture.h"

namespace gpusim::graph {

// Work one library issued to a stream the other captures, kept in a node of the other's graph.
class ForeignWork {
 public:
  virtual ~ForeignWork() = default;
  virtual int type() const = 0;  // NodeType: kernel, memcpy, memset, host, child graph
  // Runs the work as the issuing library runs its own node (taking that library's lock), when a
  // launch of the graph reaches it. Throws ForeignFailure with the issuing library's message.
  virtual void run() const = 0;
};

class ForeignFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One library's captures as the other library reaches them (see the file comment).
class CaptureBridge {
 public:
  struct Info {
    CaptureStatus status = kCaptureNone;
    unsigned long long id = 0;
    void* graph = nullptr;             // the owning library's graph handle
    void* const* deps = nullptr;       // its node handles, valid until the next capture call
    const unsigned long long* edges = nullptr;
    size_t count = 0;
  };
  virtual ~CaptureBridge() = default;
  virtual CaptureStatus status(const void* stream) = 0;
  virtual Info info(const void* stream) = 0;
  virtual bool holds_event(const void* event) = 0;
  virtual void record(const void* stream, std::shared_ptr<const ForeignWork> work) = 0;
  virtual void check_not_capturing(const void* stream, const std::string& what) = 0;
  virtual bool event_record(const void* stream, const void* event) = 0;
  virtual bool event_wait(const void* stream, const void* event, bool stream_is_legacy) = 0;
  virtual void check_safe(long long thread_mode, const std::string& what, const std::string& relax_hint) = 0;
  virtual void legacy_use(const std::string& what) = 0;
  virtual void* end(const void* stream) = 0;  // the owning library's graph handle
  virtual void forget_stream(const void* stream) = 0;
  virtual void forget_event(const void* event) = 0;

  // A capture's graph belongs to the library that began it, but either API may end the capture
  // (cudaStreamEndCapture of a cuStreamBeginCapture), so the other API hands the owning library
  // the graph and its executable graphs to instantiate, launch and destroy. The results are the
  // owning library's error codes, which the two APIs number alike (cudaErrorInvalidValue ==
  // CUDA_ERROR_INVALID_VALUE, ...). Called without the other library's lock held.
  virtual bool owns_graph(const void* graph) = 0;
  virtual bool owns_exec(const void* exec) = 0;
  virtual int instantiate(void** exec, void* graph, unsigned long long flags) = 0;
  virtual int launch(void* exec, void* stream) = 0;
  virtual int destroy_graph(void* graph) = 0;
  virtual int destroy_exec(void* exec) = 0;
};

// The owning library's graph entry points (its cudaGraph* / cuGraph* functions) for the above.
struct GraphCalls {
  int (*instantiate)(void** exec, void* graph, unsigned long long flags) = nullptr;
  int (*launch)(void* exec, void* stream) = nullptr;
  int (*destroy_graph)(void* graph) = nullptr;
  int (*destroy_exec)(void* exec) = nullptr;
};

// A library's CaptureBridge over its capture state. `State` is the library's graph state (a
// Registry<N> and a CaptureState<N>); `state()` reaches it, `lock()` returns a guard of the
// library's lock, `foreign_node(work)` makes the library's node that runs `work`, and
// `blocking(stream)` says whether a stream synchronises with the legacy default stream.
template <typename N, typename State, typename Lock>
class StateBridge : public CaptureBridge {
 public:
  StateBridge(std::function<State&()> state, Lock lock, std::function<N(std::shared_ptr<const ForeignWork>)> foreign_node,
              std::function<bool(const void*)> blocking, GraphCalls calls)
      : state_(std::move(state)),
        lock_(std::move(lock)),
        foreign_node_(std::move(foreign_node)),
        blocking_(std::move(blocking)),
        calls_(calls) {}

  CaptureStatus status(const void* stream) override {
    [[maybe_unused]] auto guard = lock_();
    return state_().status(stream);
  }
  Info info(const void* stream) override {
    [[maybe_unused]] auto guard = lock_();
    Info out;
    out.status = state_().status(stream);
    if (auto* cap = state_().find(stream)) {
      cap->refresh_views();
      out.id = cap->session->id;
      out.graph = cap->session->graph;
      out.deps = cap->deps_view.data();
      out.edges = cap->edges_view.data();
      out.count = cap->deps.size();
    }
    return out;
  }
  bool holds_event(const void* event) override {
    [[maybe_unused]] auto guard = lock_();
    return state_().holds_event(event);
  }
  void record(const void* stream, std::shared_ptr<const ForeignWork> work) override {
    [[maybe_unused]] auto guard = lock_();
    State& st = state_();
    if (!st.target(stream)) fail(Failure::IllegalState, "the stream is not capturing");
    st.record(st, stream, foreign_node_(std::move(work)));
  }
  void check_not_capturing(const void* stream, const std::string& what) override {
    [[maybe_unused]] auto guard = lock_();
    state_().check_not_capturing(stream, what);
  }
  bool event_record(const void* stream, const void* event) override {
    [[maybe_unused]] auto guard = lock_();
    return state_().event_record(stream, event);
  }
  bool event_wait(const void* stream, const void* event, bool stream_is_legacy) override {
    [[maybe_unused]] auto guard = lock_();
    return state_().event_wait(stream, event, stream_is_legacy);
  }
  void check_safe(long long thread_mode, const std::string& what, const std::string& relax_hint) override {
    [[maybe_unused]] auto guard = lock_();
    state_().check_safe(thread_mode, what, relax_hint);
  }
  void legacy_use(const std::string& what) override {
    [[maybe_unused]] auto guard = lock_();
    state_().legacy_use(blocking_, what);
  }
  void* end(const void* stream) override {
    [[maybe_unused]] auto guard = lock_();
    State& st = state_();
    return st.end(st, stream);
  }
  void forget_stream(const void* stream) override {
    [[maybe_unused]] auto guard = lock_();
    State& st = state_();
    st.forget_stream(st, stream);
  }
  void forget_event(const void* event) override {
    [[maybe_unused]] auto guard = lock_();
    state_().forget_event(event);
  }
  bool owns_graph(const void* graph) override {
    [[maybe_unused]] auto guard = lock_();
    return state_().graphs.count(static_cast<Graph<N>*>(const_cast<void*>(graph))) != 0;
  }
  bool owns_exec(const void* exec) override {
    [[maybe_unused]] auto guard = lock_();
    return state_().execs.count(static_cast<Exec<N>*>(const_cast<void*>(exec))) != 0;
  }
  // The entry points take the library's lock themselves.
  int instantiate(void** exec, void* graph, unsigned long long flags) override { return calls_.instantiate(exec, graph, flags); }
  int launch(void* exec, void* stream) override { return calls_.launch(exec, stream); }
  int destroy_graph(void* graph) override { return calls_.destroy_graph(graph); }
  int destroy_exec(void* exec) override { return calls_.destroy_exec(exec); }

 private:
  std::function<State&()> state_;
  Lock lock_;
  std::function<N(std::shared_ptr<const ForeignWork>)> foreign_node_;
  std::function<bool(const void*)> blocking_;
  GraphCalls calls_;
};

// The routing each library's capture hooks share: `mine` is the library's own capture state,
// `other` the other library's bridge (null when the program loaded one library only).

// Whether `stream` is in a capture of the other library.
template <typename N>
bool captured_by_other(CaptureState<N>& mine, CaptureBridge* other, const void* stream) {
  return other && !mine.find(stream) && other->status(stream) != kCaptureNone;
}

// True when work issued to `stream` now is captured (by either library); throws once that
// capture is invalidated.
template <typename N>
bool route_target(CaptureState<N>& mine, CaptureBridge* other, const void* stream) {
  if (captured_by_other(mine, other, stream)) {
    if (other->status(stream) == kCaptureInvalidated) CaptureState<N>::invalidated();
    return true;
  }
  return mine.target(stream);
}

// When `stream` captures, the work becomes a node of the capture's graph: the library's own node
// (`node`) or, in the other library's capture, a node running `as_foreign()`.
template <typename N, typename Registry, typename AsForeign>
bool route_record(Registry& reg, CaptureState<N>& mine, CaptureBridge* other, const void* stream, N node,
                  AsForeign&& as_foreign) {
  // `other &&` again: captured_by_other checks it, but GCC at -O1 warns of a null `this` unless
  // it sees the check here (a caller may pass nullptr: one library alone).
  if (other && captured_by_other(mine, other, stream)) {
    other->record(stream, as_foreign(std::move(node)));
    return true;
  }
  return mine.record(reg, stream, std::move(node));
}

template <typename N>
void route_check_not_capturing(CaptureState<N>& mine, CaptureBridge* other, const void* stream, const std::string& what) {
  if (captured_by_other(mine, other, stream)) return other->check_not_capturing(stream, what);
  mine.check_not_capturing(stream, what);
}

// An event recorded in a stream belongs to that stream's capture from now on (or to none): the
// other library forgets it when this one takes it, and the other way round.
template <typename N>
bool route_event_record(CaptureState<N>& mine, CaptureBridge* other, const void* stream, const void* event) {
  if (captured_by_other(mine, other, stream)) {
    mine.forget_event(event);
    return other->event_record(stream, event);
  }
  if (other) other->forget_event(event);
  return mine.event_record(stream, event);
}

// A wait joins the capture that holds the event or the stream; an event of one library's capture
// waited on by a stream of the other's capture joins two sequences, which CUDA refuses (isolation).
template <typename N>
bool route_event_wait(CaptureState<N>& mine, CaptureBridge* other, const void* stream, const void* event,
                      bool stream_is_legacy) {
  if (!other) return mine.event_wait(stream, event, stream_is_legacy);
  const bool other_stream = captured_by_other(mine, other, stream);
  const bool other_event = other->holds_event(event);
  if ((other_event && mine.find(stream)) || (other_stream && mine.holds_event(event)))
    fail(Failure::CaptureIsolation, "the event was recorded in another capture sequence (one begun through the other CUDA API)");
  if (other_event || other_stream) return other->event_wait(stream, event, stream_is_legacy);
  return mine.event_wait(stream, event, stream_is_legacy);
}

// Runs `first` and `second` even when `first` throws (each invalidates its own captures), then
// rethrows the first failure.
template <typename First, typename Second>
void both(First&& first, Second&& second) {
  std::exception_ptr failure;
  try {
    first();
  } catch (...) {
    failure = std::current_exception();
  }
  try {
    second();
  } catch (...) {
    if (!failure) failure = std::current_exception();
  }
  if (failure) std::rethrow_exception(failure);
}

template <typename N>
void route_check_safe(CaptureState<N>& mine, CaptureBridge* other, long long thread_mode, const std::string& what,
                      const std::string& relax_hint) {
  both([&] { mine.check_safe(thread_mode, what, relax_hint); },
       [&] {
         if (other) other->check_safe(thread_mode, what, relax_hint);
       });
}

template <typename N, typename Blocking>
void route_legacy_use(CaptureState<N>& mine, CaptureBridge* other, Blocking&& blocking, const std::string& what) {
  both([&] { mine.legacy_use(blocking, what); },
       [&] {
         if (other) other->legacy_use(what);
       });
}

// A destroyed stream or event leaves the captures of both libraries.
template <typename N, typename Registry>
void route_forget_stream(Registry& reg, CaptureState<N>& mine, CaptureBridge* other, const void* stream) {
  mine.forget_stream(reg, stream);
  if (other) other->forget_stream(stream);
}

template <typename N>
void route_forget_event(CaptureState<N>& mine, CaptureBridge* other, const void* event) {
  mine.forget_event(event);
  if (other) other->forget_event(event);
}

}  // namespace gpusim::graph
