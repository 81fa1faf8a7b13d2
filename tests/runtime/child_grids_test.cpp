// Dynamic parallelism on the simulated device, end to end from nvcc's PTX
// (tests/fixtures/cdp_order.ptx): child grids run after the parent, in the documented order
// (by launching CTA, then issue order, lanes of a warp in lane order; tail launches last), in
// both modes and for any host thread count; each is reported as its own launch; a fault in a
// child names the child and the thread that launched it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/sim_device.h"
#include "tests/runtime/fixture_util.h"

using namespace gpusim::runtime;

namespace {

constexpr const char* kParent = "_Z6parentPi";
constexpr const char* kRecord = "_Z6recordPii";

struct ParentRun {
  std::vector<int> log;
  LaunchStats stats;
  std::string diagnostics;
};

ParentRun run_parent(SimMode mode, unsigned threads, uint32_t ctas, uint32_t block) {
  SimDeviceOptions o;
  o.mode = mode;
  o.threads = threads;
  ParentRun r;
  o.assert_sink = [&r](const std::string& s) { r.diagnostics += s; };
  auto dev = make_sim_device(o);
  const ModuleHandle mod = dev->load_ptx("cdp_order.ptx", read_fixture("cdp_order.ptx"));
  const size_t entries = 64;
  DevPtr log = dev->alloc(entries * 4);
  dev->memset(log, 0xff, entries * 4);
  LaunchConfig cfg;
  cfg.grid = {ctas, 1, 1};
  cfg.block = {block, 1, 1};
  r.stats = dev->launch(mod, kParent, cfg, args(log));
  r.log = dev->download<int>(log, entries);
  return r;
}

// The order docs/CUDA_SUPPORT.md promises, computed independently: per CTA, per warp, lanes 0
// then 5; CTA 0's tail launch (tag 999) after all of them.
std::vector<int> expected_order(uint32_t ctas, uint32_t warps) {
  std::vector<int> out;
  for (uint32_t c = 0; c < ctas; ++c)
    for (uint32_t w = 0; w < warps; ++w) {
      out.push_back(static_cast<int>(c * 100 + w * 10));
      out.push_back(static_cast<int>(c * 100 + w * 10 + 1));
    }
  out.push_back(999);
  return out;
}

TEST(ChildGrids, RunAfterTheParentInCtaThenIssueOrderWithTailLast) {
  const ParentRun r = run_parent(SimMode::Functional, 1, 3, 64);
  const std::vector<int> expect = expected_order(3, 2);
  EXPECT_EQ(std::vector<int>(r.log.begin(), r.log.begin() + static_cast<long>(expect.size())), expect);
  EXPECT_EQ(r.log[expect.size()], -1);  // nothing else ran
  ASSERT_EQ(r.stats.device_launches.size(), expect.size());
  for (size_t i = 0; i < expect.size(); ++i) {
    const DeviceLaunchRecord& d = r.stats.device_launches[i];
    EXPECT_EQ(d.kernel, kRecord);
    EXPECT_EQ(d.depth, 1u);
    EXPECT_EQ(d.grid.x, 1u);
    EXPECT_EQ(d.block.x, 32u);
    EXPECT_EQ(d.stats.warp_instructions > 0, true);
  }
  EXPECT_EQ(r.stats.device_launches.back().stream, "cudaStreamTailLaunch");
  EXPECT_EQ(r.stats.device_launches.front().stream, "the block's NULL stream");
  EXPECT_NE(r.stats.device_launches[2].launched_by.find("CTA (0,0,0)"), std::string::npos)
      << r.stats.device_launches[2].launched_by;
  EXPECT_NE(r.stats.device_launches[2].launched_by.find("thread (32,0,0)"), std::string::npos)
      << r.stats.device_launches[2].launched_by;
  EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics;
}

TEST(ChildGrids, SameOrderInTimingModeForAnyThreadCount) {
  const ParentRun one = run_parent(SimMode::Timing, 1, 4, 64);
  const ParentRun four = run_parent(SimMode::Timing, 4, 4, 64);
  EXPECT_EQ(one.log, four.log);
  ASSERT_EQ(one.stats.device_launches.size(), four.stats.device_launches.size());
  for (size_t i = 0; i < one.stats.device_launches.size(); ++i) {
    EXPECT_EQ(one.stats.device_launches[i].stats.cycles, four.stats.device_launches[i].stats.cycles) << i;
    EXPECT_GT(one.stats.device_launches[i].stats.cycles, 0u) << i;
  }
  EXPECT_EQ(one.stats.cycles, four.stats.cycles);
  // CTA by CTA, lane 0 before lane 5 within a warp, the tail launch last (the order of a CTA's
  // warps is their issue order on the model).
  const std::vector<int> expect = expected_order(4, 2);
  std::vector<int> got(one.log.begin(), one.log.begin() + static_cast<long>(expect.size()));
  EXPECT_EQ(got.back(), 999);
  for (size_t i = 0; i + 1 < got.size() - 1; ++i) EXPECT_LE(got[i] / 100, got[i + 1] / 100) << i;
  for (size_t i = 0; i + 1 < got.size(); i += 2) EXPECT_EQ(got[i] + 1, got[i + 1]) << i;
  std::vector<int> sorted = got;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> expect_sorted = expect;
  std::sort(expect_sorted.begin(), expect_sorted.end());
  EXPECT_EQ(sorted, expect_sorted);
}

TEST(ChildGrids, AFaultInAChildNamesTheChildAndItsLauncher) {
  SimDeviceOptions o;
  auto dev = make_sim_device(o);
  const ModuleHandle mod = dev->load_ptx("cdp_order.ptx", read_fixture("cdp_order.ptx"));
  LaunchConfig cfg;
  cfg.grid = {1, 1, 1};
  cfg.block = {1, 1, 1};
  try {
    dev->launch(mod, "_Z15faulting_parentv", cfg, {});
    FAIL() << "no fault";
  } catch (const KernelFault& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.kind(), FaultKind::IllegalAddress) << what;
    EXPECT_NE(what.find("kernel 'bad_child(int*)'"), std::string::npos) << what;
    EXPECT_NE(what.find("at nesting depth 1"), std::string::npos) << what;
    EXPECT_NE(what.find("by kernel 'faulting_parent()', CTA (0,0,0)"), std::string::npos) << what;
  }
}

}  // namespace
