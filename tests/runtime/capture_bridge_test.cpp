// Stream capture across two libraries (runtime/graph/capture_bridge.h), on a toy node type: work
// of library B on a stream library A captures becomes a node of A's graph that runs B's work;
// events fork and join streams across the libraries; misuse through B invalidates A's capture; an
// event of one capture waited on by the other's is refused. The expectations are CUDA's rules for
// one library (stream_capture.h), which the bridge must keep when two take part.
#include "runtime/graph/capture_bridge.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using namespace gpusim::graph;

struct Node {
  int type = kEmptyNode;
  Graph<Node>* graph = nullptr;
  std::vector<Node*> deps;
  std::string label;
  std::shared_ptr<const ForeignWork> foreign;
};

struct State : Registry<Node>, CaptureState<Node> {};

struct Work : ForeignWork {
  Work(std::string label, std::vector<std::string>* log) : label(std::move(label)), log(log) {}
  int type() const override { return kKernelNode; }
  void run() const override { log->push_back(label); }
  std::string label;
  std::vector<std::string>* log;
};

// Two libraries: each has its own state and reaches the other's through a bridge.
struct TwoLibraries {
  State a, b;
  std::vector<std::string> ran;
  static auto no_lock() {
    return [] { return 0; };
  }
  static std::unique_ptr<CaptureBridge> bridge_over(State& st) {
    return std::make_unique<StateBridge<Node, State, decltype(no_lock())>>(
        [&st]() -> State& { return st; }, no_lock(),
        [](std::shared_ptr<const ForeignWork> w) {
          Node n;
          n.type = w->type();
          n.foreign = std::move(w);
          return n;
        },
        [](const void*) { return true; }, GraphCalls{});
  }
  std::unique_ptr<CaptureBridge> to_a = bridge_over(a), to_b = bridge_over(b);
  ~TwoLibraries() {  // the registries hand graphs out; the libraries' programs destroy them
    for (State* st : {&a, &b})
      while (!st->graphs.empty()) st->forget(*st->graphs.begin());
  }

  // Work library B issues to `stream`: a node of B's capture, or of A's through the bridge.
  bool b_issues(const void* stream, const std::string& label) {
    Node n;
    n.type = kKernelNode;
    n.label = label;
    std::vector<std::string>* log = &ran;
    return route_record(b, b, to_a.get(), stream, n,
                        [&](Node node) { return std::make_shared<const Work>(node.label, log); });
  }
  bool a_issues(const void* stream, const std::string& label) {
    Node n;
    n.type = kKernelNode;
    n.label = label;
    return route_record(a, a, to_b.get(), stream, n, [](Node) -> std::shared_ptr<const ForeignWork> { return nullptr; });
  }
};

const void* handle(int i) { return reinterpret_cast<const void*>(static_cast<uintptr_t>(0x1000 + 16 * i)); }

Failure failure_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const GraphError& e) {
    return e.failure;
  }
  ADD_FAILURE() << "no GraphError";
  return Failure::InvalidValue;
}

TEST(CaptureBridge, OtherLibrarysWorkBecomesANodeOfTheCaptureThatRunsIt) {
  TwoLibraries libs;
  const void* s = handle(1);
  libs.a.begin(libs.a, s, kCaptureGlobal, nullptr, {});
  EXPECT_TRUE(route_target(libs.b, libs.to_a.get(), s));
  EXPECT_TRUE(libs.b_issues(s, "b kernel"));
  EXPECT_TRUE(libs.a_issues(s, "a kernel"));
  EXPECT_TRUE(libs.ran.empty());  // captured, not run
  Graph<Node>* g = libs.a.end(libs.a, s);
  ASSERT_EQ(g->nodes.size(), 2u);
  const Node& first = *g->nodes[0];
  const Node& second = *g->nodes[1];
  ASSERT_TRUE(first.foreign);
  EXPECT_EQ(first.type, kKernelNode);
  EXPECT_FALSE(second.foreign);
  EXPECT_EQ(second.label, "a kernel");
  ASSERT_EQ(second.deps.size(), 1u);
  EXPECT_EQ(second.deps[0], &first);  // stream order across the libraries
  first.foreign->run();
  EXPECT_EQ(libs.ran, std::vector<std::string>{"b kernel"});
  EXPECT_TRUE(libs.b.capturing.empty());  // B never held the capture
  // Not capturing any more: B's work runs at once (route_record answers false).
  EXPECT_FALSE(libs.b_issues(s, "later"));
}

TEST(CaptureBridge, EventsForkAndJoinStreamsAcrossTheLibraries) {
  TwoLibraries libs;
  const void* origin = handle(1);
  const void* side = handle(2);
  const void* fork = handle(3);
  const void* join = handle(4);
  libs.a.begin(libs.a, origin, kCaptureGlobal, nullptr, {});
  libs.a_issues(origin, "a0");
  EXPECT_TRUE(route_event_record(libs.b, libs.to_a.get(), origin, fork));  // B records on A's stream
  EXPECT_TRUE(libs.a.holds_event(fork));
  EXPECT_TRUE(route_event_wait(libs.b, libs.to_a.get(), side, fork, false));  // B's wait forks `side` into A's capture
  EXPECT_EQ(libs.a.status(side), kCaptureActive);
  EXPECT_TRUE(libs.b_issues(side, "b on side"));
  EXPECT_TRUE(route_event_record(libs.b, libs.to_a.get(), side, join));
  EXPECT_TRUE(route_event_wait(libs.a, libs.to_b.get(), origin, join, false));  // A joins it back
  libs.a_issues(origin, "a1");
  Graph<Node>* g = libs.a.end(libs.a, origin);  // joined: the capture ends
  ASSERT_EQ(g->nodes.size(), 3u);
  const Node& a0 = *g->nodes[0];
  const Node& b = *g->nodes[1];
  const Node& a1 = *g->nodes[2];
  EXPECT_TRUE(b.foreign);
  EXPECT_EQ(b.deps, std::vector<Node*>{const_cast<Node*>(&a0)});
  EXPECT_EQ(a1.deps, (std::vector<Node*>{const_cast<Node*>(&a0), const_cast<Node*>(&b)}));
}

TEST(CaptureBridge, ForkWithoutJoinThroughTheOtherLibraryFailsTheCapture) {
  TwoLibraries libs;
  const void* origin = handle(1);
  const void* side = handle(2);
  const void* fork = handle(3);
  libs.a.begin(libs.a, origin, kCaptureGlobal, nullptr, {});
  route_event_record(libs.a, libs.to_b.get(), origin, fork);
  route_event_wait(libs.b, libs.to_a.get(), side, fork, false);
  libs.b_issues(side, "never joined");
  EXPECT_EQ(failure_of([&] { libs.a.end(libs.a, origin); }), Failure::CaptureUnjoined);
}

TEST(CaptureBridge, MisuseThroughTheOtherLibraryInvalidatesTheCapture) {
  TwoLibraries libs;
  const void* s = handle(1);
  libs.a.begin(libs.a, s, kCaptureGlobal, nullptr, {});
  EXPECT_EQ(failure_of([&] { route_check_not_capturing(libs.b, libs.to_a.get(), s, "synchronize"); }),
            Failure::CaptureUnsupported);
  EXPECT_EQ(libs.a.status(s), kCaptureInvalidated);
  EXPECT_EQ(failure_of([&] { route_target(libs.b, libs.to_a.get(), s); }), Failure::CaptureInvalidated);
  EXPECT_EQ(failure_of([&] { libs.a.end(libs.a, s); }), Failure::CaptureInvalidated);
}

TEST(CaptureBridge, AForbiddenCallInvalidatesTheCapturesOfBothLibraries) {
  TwoLibraries libs;
  libs.a.begin(libs.a, handle(1), kCaptureGlobal, nullptr, {});
  libs.b.begin(libs.b, handle(2), kCaptureGlobal, nullptr, {});
  EXPECT_EQ(failure_of([&] { route_check_safe(libs.b, libs.to_a.get(), kCaptureGlobal, "malloc", "relaxed"); }),
            Failure::CaptureUnsupported);
  EXPECT_EQ(libs.a.status(handle(1)), kCaptureInvalidated);
  EXPECT_EQ(libs.b.status(handle(2)), kCaptureInvalidated);
}

TEST(CaptureBridge, RelaxedModeLeavesBothCapturesAlone) {
  TwoLibraries libs;
  libs.a.begin(libs.a, handle(1), kCaptureRelaxed, nullptr, {});
  route_check_safe(libs.b, libs.to_a.get(), kCaptureGlobal, "malloc", "relaxed");
  EXPECT_EQ(libs.a.status(handle(1)), kCaptureActive);
}

TEST(CaptureBridge, AnEventOfOneCaptureWaitedOnInTheOthersIsRefused) {
  TwoLibraries libs;
  const void* sa = handle(1);
  const void* sb = handle(2);
  const void* e = handle(3);
  libs.a.begin(libs.a, sa, kCaptureGlobal, nullptr, {});
  libs.b.begin(libs.b, sb, kCaptureGlobal, nullptr, {});
  route_event_record(libs.a, libs.to_b.get(), sa, e);
  EXPECT_EQ(failure_of([&] { route_event_wait(libs.b, libs.to_a.get(), sb, e, false); }), Failure::CaptureIsolation);
}

TEST(CaptureBridge, AnEventRecordedOutsideTheCaptureLeavesIt) {
  TwoLibraries libs;
  const void* s = handle(1);
  const void* idle = handle(2);
  const void* e = handle(3);
  libs.a.begin(libs.a, s, kCaptureGlobal, nullptr, {});
  route_event_record(libs.a, libs.to_b.get(), s, e);
  ASSERT_TRUE(libs.a.holds_event(e));
  EXPECT_FALSE(route_event_record(libs.b, libs.to_a.get(), idle, e));  // re-recorded by B outside any capture
  EXPECT_FALSE(libs.a.holds_event(e));
  EXPECT_FALSE(route_event_wait(libs.b, libs.to_a.get(), idle, e, false));  // no fork
  EXPECT_EQ(libs.a.status(idle), kCaptureNone);
}

TEST(CaptureBridge, DestroyingTheOriginThroughTheOtherLibraryAbandonsTheCapture) {
  TwoLibraries libs;
  const void* s = handle(1);
  libs.a.begin(libs.a, s, kCaptureGlobal, nullptr, {});
  libs.b_issues(s, "b kernel");
  ASSERT_EQ(libs.a.graphs.size(), 1u);
  route_forget_stream(libs.b, libs.b, libs.to_a.get(), s);
  EXPECT_EQ(libs.a.status(s), kCaptureNone);
  EXPECT_TRUE(libs.a.graphs.empty());  // the capture's graph went with it
}

TEST(CaptureBridge, OneLibraryAloneRoutesToItself) {
  TwoLibraries libs;
  const void* s = handle(1);
  libs.b.begin(libs.b, s, kCaptureGlobal, nullptr, {});
  Node n;
  n.label = "own";
  EXPECT_TRUE(route_record(libs.b, libs.b, nullptr, s, n, [](Node) -> std::shared_ptr<const ForeignWork> { return nullptr; }));
  Graph<Node>* g = libs.b.end(libs.b, s);
  ASSERT_EQ(g->nodes.size(), 1u);
  EXPECT_EQ(g->nodes[0]->label, "own");
  EXPECT_FALSE(route_target(libs.b, nullptr, s));
}

}  // namespace
