// Parallel simulation gives the same results for every host thread count: every built-in
// workload, at a small size, in timing and functional mode, on 1, 2, 3 and 4 threads. The
// statistics JSON of every launch, the cycle and instruction counts and every byte the workload
// copies back from the device must equal the one-thread run's. A race or an order dependence
// in the parallel parts (an SM touching state another SM sees outside the commit phase, CTAs
// run in parallel that communicate) shows up here as a difference; scripts/tsan.sh runs the same
// test under ThreadSanitizer.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/sim_device.h"
#include "runtime/sim_environment.h"
#include "tests/workloads/recording_device.h"
#include "workloads/workload.h"

namespace gpusim::workloads {
namespace {

struct Case {
  std::string workload;
  std::vector<uint64_t> size;
};

class ParallelDeterminism : public testing::TestWithParam<std::tuple<Case, runtime::SimMode>> {};

TEST_P(ParallelDeterminism, SameResultsOnOneToFourThreads) {
  const auto& [c, mode] = GetParam();
  ASSERT_NE(find_workload(c.workload), nullptr) << c.workload;
  const Outcome one = run_on(c.workload, c.size, mode, 1);
  ASSERT_TRUE(one.passed) << c.workload << " fails its CPU check on one thread";
  ASSERT_FALSE(one.copied_back.empty());
  if (mode == runtime::SimMode::Timing) {
    ASSERT_FALSE(one.stats_json.front().empty());
  }
  for (unsigned threads : {2u, 3u, 4u}) {
    const Outcome n = run_on(c.workload, c.size, mode, threads);
    SCOPED_TRACE(c.workload + " on " + std::to_string(threads) + " threads");
    EXPECT_TRUE(n.passed);
    EXPECT_EQ(n.stats_json, one.stats_json);
    EXPECT_EQ(n.cycles, one.cycles);
    EXPECT_EQ(n.warp_instructions, one.warp_instructions);
    EXPECT_EQ(n.thread_instructions, one.thread_instructions);
    ASSERT_EQ(n.copied_back.size(), one.copied_back.size());
    for (size_t i = 0; i < one.copied_back.size(); ++i) EXPECT_TRUE(n.copied_back[i] == one.copied_back[i]) << "copy " << i;
  }
}

std::string case_name(const testing::TestParamInfo<std::tuple<Case, runtime::SimMode>>& info) {
  const auto& [c, mode] = info.param;
  return c.workload + (mode == runtime::SimMode::Timing ? "_timing" : "_functional");
}

// Small sizes that still spread CTAs over many SMs; reduce_sum's atomics exercise the commit
// phase (timing) and the serial CTA order (functional), sgemm/transpose/window_sum the shared
// memory and barriers, wmma_gemm the tensor path, softmax the warp shuffles.
const Case kCases[] = {
    {"vecadd", {20000}},         {"window_sum_naive", {5000}}, {"window_sum_shared", {5000}},
    {"sgemm_naive", {48, 64, 40}}, {"sgemm_tiled", {48, 64, 40}}, {"reduce_sum", {40000}},
    {"softmax", {24, 300}},      {"wmma_gemm", {64, 64, 32}},  {"transpose_unpadded", {96, 80}},
    {"transpose_padded", {96, 80}},
    {"hopper_gemm", {256, 256, 320}},  // 2 CTAs, 5 K slices: the 4-slot ring wraps (h100.ini)
    {"hopper_gemm_cluster", {256, 256, 320}},  // 1 cluster of 2 CTAs sharing B by multicast; the ring wraps
    {"flash_attention", {1, 128, 64}},
};

INSTANTIATE_TEST_SUITE_P(AllWorkloads, ParallelDeterminism,
                         testing::Combine(testing::ValuesIn(kCases),
                                          testing::Values(runtime::SimMode::Timing, runtime::SimMode::Functional)),
                         case_name);

TEST(ParallelDeterminism, EveryWorkloadIsCovered) {
  for (const auto& w : all_workloads()) {
    bool covered = false;
    for (const Case& c : kCases) covered = covered || c.workload == w->name();
    EXPECT_TRUE(covered) << w->name() << " has no parallel-determinism case";
  }
}

// GPUSIM_THREADS (gpusim exec) and --threads share one parser: 1..1024, anything else is an
// error naming the setting.
TEST(ParallelDeterminism, ThreadCountSettingsAreChecked) {
  auto env_with = [](const char* threads) {
    return runtime::read_sim_environment([threads](const char* name) -> const char* {
      return std::string(name) == "GPUSIM_THREADS" ? threads : nullptr;
    });
  };
  EXPECT_EQ(env_with(nullptr).device.threads, 0u);  // unset: the machine's hardware threads
  EXPECT_EQ(env_with("3").device.threads, 3u);
  EXPECT_EQ(env_with("1024").device.threads, 1024u);
  for (const char* bad : {"0", "-2", "two", "4x", "1025"}) {
    try {
      env_with(bad);
      ADD_FAILURE() << "GPUSIM_THREADS=" << bad << " was accepted";
    } catch (const runtime::Error& e) {
      EXPECT_NE(std::string(e.what()).find("GPUSIM_THREADS='" + std::string(bad) + "'"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(runtime::parse_thread_count("16", "--threads"), 16u);
  EXPECT_THROW(runtime::parse_thread_count("0", "--threads"), runtime::Error);
}

}  // namespace
}  // namespace gpusim::workloads
