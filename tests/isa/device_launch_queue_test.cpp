// The device-side launch queue (dynamic parallelism, isa/device_launch_queue.h): the order
// children run in (tail launches last, then by launching CTA, then that CTA's issue order), the
// depth and pending-launch limits with CUDA's error codes, per-thread last error, device streams,
// parameter bytes copied at launch time, and misuse that must stop the grid.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "isa/device_launch_queue.h"
#include "isa/ir.h"
#include "isa/ptx_parser.h"

using namespace gpusim::isa;

namespace {

const char* kPtx = R"(.version 9.0
.target sm_80
.address_size 64
.visible .entry first(.param .u64 a, .param .u32 b) { ret; }
.visible .entry second(.param .u32 c) { ret; }
.func helper() { ret; }
)";

// Parameter buffers in a fake memory: 256 bytes apart, contents kept per address.
struct FakeMemory {
  uint64_t next = 0x10000;
  std::map<uint64_t, std::vector<uint8_t>> blocks;
  std::vector<uint64_t> released;
};

class QueueTest : public ::testing::Test {
 protected:
  QueueTest() : module(parse_ptx(kPtx, "queue_test.ptx")) {
    env.allocate = [this](uint64_t bytes) {
      const uint64_t a = mem.next;
      mem.next += 256;
      mem.blocks[a].assign(bytes, 0);
      return a;
    };
    env.release = [this](uint64_t a) { mem.released.push_back(a); };
  }
  uint64_t address_of(const std::string& name) const {
    for (size_t i = 0; i < module.functions.size(); ++i)
      if (module.functions[i].name == name) return function_address(static_cast<uint32_t>(i));
    return 0;
  }
  static CdpCaller caller(uint64_t cta, uint32_t thread) {
    CdpCaller c;
    c.cta_linear = cta;
    c.thread_linear = thread;
    c.where = "CTA " + std::to_string(cta) + " thread " + std::to_string(thread);
    return c;
  }
  std::function<bool(uint64_t, void*, size_t)> reader() {
    return [this](uint64_t a, void* out, size_t n) {
      auto it = mem.blocks.find(a);
      if (it == mem.blocks.end() || it->second.size() < n) return false;
      std::memcpy(out, it->second.data(), n);
      return true;
    };
  }
  // Launches `second` with parameter `tag` from (cta, thread) into `stream`.
  int launch_tagged(DeviceLaunchQueue& q, uint64_t cta, uint32_t thread, uint32_t tag, uint64_t stream = 0) {
    const uint64_t buf = q.parameter_buffer(caller(cta, thread), address_of("second"), {1, 1, 1}, {32, 1, 1}, 0);
    if (!buf) return -1;
    std::memcpy(mem.blocks[buf].data(), &tag, 4);
    return q.launch(caller(cta, thread), buf, stream, reader());
  }
  static uint32_t tag_of(const ChildLaunch& c) {
    uint32_t t = 0;
    std::memcpy(&t, c.params.data(), 4);
    return t;
  }

  Module module;
  FakeMemory mem;
  CdpEnvironment env;
};

TEST_F(QueueTest, ChildrenRunByCtaThenIssueOrderWithTailLaunchesLast) {
  DeviceLaunchQueue q(env, module, 0);
  // Issued in this order (CTAs interleaved, as timing-mode SMs would be).
  EXPECT_EQ(launch_tagged(q, 2, 0, 20), cdp_error::kSuccess);
  EXPECT_EQ(launch_tagged(q, 0, 5, 1, kCdpTailLaunchStream), cdp_error::kSuccess);
  EXPECT_EQ(launch_tagged(q, 0, 3, 2), cdp_error::kSuccess);
  EXPECT_EQ(launch_tagged(q, 1, 0, 10, kCdpFireAndForgetStream), cdp_error::kSuccess);
  EXPECT_EQ(launch_tagged(q, 0, 0, 3), cdp_error::kSuccess);
  EXPECT_EQ(launch_tagged(q, 2, 1, 21, kCdpTailLaunchStream), cdp_error::kSuccess);
  EXPECT_EQ(env.pending, 6u);
  const std::vector<ChildLaunch> order = q.take_children();
  std::vector<uint32_t> tags;
  for (const ChildLaunch& c : order) tags.push_back(tag_of(c));
  EXPECT_EQ(tags, (std::vector<uint32_t>{2, 3, 10, 20, 1, 21}));
  EXPECT_EQ(order[0].stream, ChildStream::Null);
  EXPECT_EQ(order[2].stream, ChildStream::FireAndForget);
  EXPECT_EQ(order[4].stream, ChildStream::TailLaunch);
  EXPECT_EQ(order[0].kernel->name, "second");
  EXPECT_EQ(order[0].block.x, 32u);
  EXPECT_EQ(q.queued(), 0u);
}

TEST_F(QueueTest, ParametersAreCopiedAtLaunchNotLater) {
  DeviceLaunchQueue q(env, module, 0);
  const uint64_t buf = q.parameter_buffer(caller(0, 0), address_of("first"), {2, 1, 1}, {64, 1, 1}, 128);
  ASSERT_NE(buf, 0u);
  ASSERT_GE(mem.blocks[buf].size(), 12u);  // u64 + u32 in the .param layout
  const uint64_t a = 0x1234'5678'9abcull;
  const uint32_t b = 77;
  std::memcpy(mem.blocks[buf].data(), &a, 8);
  std::memcpy(mem.blocks[buf].data() + 8, &b, 4);
  ASSERT_EQ(q.launch(caller(0, 0), buf, 0, reader()), cdp_error::kSuccess);
  mem.blocks[buf][0] = 0xff;  // after the launch: not seen
  const std::vector<ChildLaunch> c = q.take_children();
  ASSERT_EQ(c.size(), 1u);
  uint64_t got = 0;
  std::memcpy(&got, c[0].params.data(), 8);
  EXPECT_EQ(got, a);
  EXPECT_EQ(c[0].dynamic_shared_bytes, 128u);
  EXPECT_EQ(c[0].grid.x, 2u);
}

TEST_F(QueueTest, PendingLimitRefusesWithCudasCodeAndLastErrorIsPerThread) {
  env.pending_limit = 3;
  DeviceLaunchQueue q(env, module, 0);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(launch_tagged(q, 0, 0, i), cdp_error::kSuccess);
  EXPECT_EQ(launch_tagged(q, 0, 0, 9), -1);  // no buffer
  EXPECT_EQ(q.last_error(caller(0, 1), false), cdp_error::kSuccess);  // another thread: untouched
  EXPECT_EQ(q.last_error(caller(0, 0), false), cdp_error::kLaunchPendingCountExceeded);  // peek keeps it
  EXPECT_EQ(q.last_error(caller(0, 0), true), cdp_error::kLaunchPendingCountExceeded);
  EXPECT_EQ(q.last_error(caller(0, 0), true), cdp_error::kSuccess);
  ASSERT_EQ(env.diagnostics.size(), 1u);
  EXPECT_NE(env.diagnostics[0].find("cudaLimitDevRuntimePendingLaunchCount is 3"), std::string::npos)
      << env.diagnostics[0];
  EXPECT_NE(env.diagnostics[0].find("CTA 0 thread 0"), std::string::npos) << env.diagnostics[0];
}

TEST_F(QueueTest, DepthLimitIsTwentyFourLevelsBelowTheHost) {
  DeviceLaunchQueue at_23(env, module, 23);
  EXPECT_EQ(launch_tagged(at_23, 0, 0, 1), cdp_error::kSuccess);
  DeviceLaunchQueue at_24(env, module, 24);
  EXPECT_EQ(launch_tagged(at_24, 0, 0, 1), -1);
  EXPECT_EQ(at_24.last_error(caller(0, 0), true), cdp_error::kLaunchMaxDepthExceeded);
}

TEST_F(QueueTest, InvalidConfigurationComesFromTheLaunchChecks) {
  env.check = [](const Function& fn, Dim3, Dim3 block, uint32_t, int*) {
    return block.count() > 1024 ? std::string("block of ") + std::to_string(block.count()) + " threads" : std::string();
  };
  DeviceLaunchQueue q(env, module, 0);
  EXPECT_EQ(q.parameter_buffer(caller(0, 0), address_of("second"), {1, 1, 1}, {2048, 1, 1}, 0), 0u);
  EXPECT_EQ(q.last_error(caller(0, 0), true), cdp_error::kInvalidConfiguration);
  EXPECT_NE(env.diagnostics.back().find("block of 2048 threads"), std::string::npos);
  EXPECT_NE(env.diagnostics.back().find("returns cudaErrorInvalidConfiguration"), std::string::npos);
  // A __device__ function is not a kernel.
  EXPECT_EQ(q.parameter_buffer(caller(0, 0), address_of("helper"), {1, 1, 1}, {1, 1, 1}, 0), 0u);
  EXPECT_EQ(q.last_error(caller(0, 0), true), cdp_error::kInvalidDeviceFunction);
}

TEST_F(QueueTest, MisuseThrows) {
  DeviceLaunchQueue q(env, module, 0);
  EXPECT_THROW(q.parameter_buffer(caller(0, 0), 0x1000, {1, 1, 1}, {1, 1, 1}, 0), CdpMisuse);
  EXPECT_THROW(q.launch(caller(0, 0), 0x4242, 0, reader()), CdpMisuse);  // not a parameter buffer
  const uint64_t buf = q.parameter_buffer(caller(0, 0), address_of("second"), {1, 1, 1}, {1, 1, 1}, 0);
  ASSERT_EQ(q.launch(caller(0, 0), buf, 0, reader()), cdp_error::kSuccess);
  EXPECT_THROW(q.launch(caller(0, 0), buf, 0, reader()), CdpMisuse);  // launched twice
}

TEST_F(QueueTest, StreamsAreOwnedByTheirCtaAndNeedTheNonBlockingFlag) {
  DeviceLaunchQueue q(env, module, 0);
  uint64_t s = 0;
  EXPECT_EQ(q.stream_create(caller(0, 0), 0, &s), cdp_error::kInvalidValue);
  EXPECT_EQ(s, 0u);
  ASSERT_EQ(q.stream_create(caller(0, 0), kCdpStreamNonBlocking, &s), cdp_error::kSuccess);
  EXPECT_NE(s, 0u);
  EXPECT_NE(s, kCdpTailLaunchStream);
  EXPECT_NE(s, kCdpFireAndForgetStream);
  EXPECT_EQ(launch_tagged(q, 0, 1, 5, s), cdp_error::kSuccess);                             // any thread of the CTA
  EXPECT_EQ(launch_tagged(q, 1, 0, 6, s), cdp_error::kInvalidResourceHandle);               // another CTA's
  EXPECT_EQ(q.stream_destroy(caller(0, 0), s), cdp_error::kSuccess);
  EXPECT_EQ(launch_tagged(q, 0, 0, 7, s), cdp_error::kInvalidResourceHandle);               // destroyed
  EXPECT_EQ(q.stream_destroy(caller(0, 0), s), cdp_error::kInvalidResourceHandle);
  const std::vector<ChildLaunch> c = q.take_children();
  ASSERT_EQ(c.size(), 1u);  // work launched before the destroy still runs
  EXPECT_EQ(tag_of(c[0]), 5u);
  EXPECT_EQ(c[0].stream, ChildStream::Named);
}

TEST_F(QueueTest, BuffersAreReleasedWithTheQueue) {
  {
    DeviceLaunchQueue q(env, module, 0);
    launch_tagged(q, 0, 0, 1);
    q.parameter_buffer(caller(0, 0), address_of("second"), {1, 1, 1}, {1, 1, 1}, 0);  // never launched
  }
  EXPECT_EQ(mem.released.size(), 2u);
  EXPECT_EQ(env.pending, 0u);  // the untaken child never starts
}

}  // namespace
