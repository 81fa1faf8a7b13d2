// Whole-workload properties of the timing model: shared-memory tiling cuts global traffic,
// padding removes bank conflicts, more SMs shorten a compute-bound grid, the model is
// deterministic, and timing mode computes exactly what functional mode computes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/sim_device.h"
#include "workloads/ubench.h"
#include "workloads/workload.h"

namespace gpusim {
namespace {

const std::string kV100 = std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini";
const std::string kH100 = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";  // sm_90a workloads

std::unique_ptr<runtime::Device> make_device(runtime::SimMode mode, const std::vector<std::string>& overrides = {},
                                             const std::string& config = kV100) {
  runtime::SimDeviceOptions options;
  options.config_path = config;
  options.overrides = overrides;
  options.mode = mode;
  return runtime::make_sim_device(options);
}

workloads::WorkloadResult run_workload(runtime::Device& dev, const std::string& name, std::vector<uint64_t> size) {
  const workloads::Workload* w = workloads::find_workload(name);
  if (w == nullptr) throw std::runtime_error("no workload " + name);
  workloads::WorkloadParams params;
  params.size = std::move(size);
  return w->run(dev, params);
}

// Sums a statistic of report_json over a workload's launches.
double sum_report(const workloads::WorkloadResult& r, const char* section, const char* key) {
  double total = 0;
  for (const auto& launch : r.launches) {
    EXPECT_FALSE(launch.report_json.empty()) << launch.kernel << " has no timing report";
    if (launch.report_json.empty()) continue;
    total += nlohmann::json::parse(launch.report_json).at(section).at(key).get<double>();
  }
  return total;
}

double l1_sectors(const workloads::WorkloadResult& r) {
  return sum_report(r, "l1", "read_sector_hits") + sum_report(r, "l1", "read_sector_misses");
}

// A window sum of radius R reads each input 2R+1 times from global memory when naive, once per
// tile (plus halo) when staged through shared memory.
TEST(TimingValidation, SharedWindowSumReadsAThirdOfTheNaiveSectors) {
  auto dev = make_device(runtime::SimMode::Timing, {"sm.count=8"});
  const auto naive = run_workload(*dev, "window_sum_naive", {1u << 15});
  const auto shared = run_workload(*dev, "window_sum_shared", {1u << 15});
  ASSERT_TRUE(naive.passed) << naive.detail;
  ASSERT_TRUE(shared.passed) << shared.detail;
  const double naive_sectors = l1_sectors(naive), shared_sectors = l1_sectors(shared);
  std::printf("window_sum global sectors: naive %.0f, shared %.0f\n", naive_sectors, shared_sectors);
  ASSERT_GT(naive_sectors, 0.0);
  EXPECT_LE(shared_sectors, naive_sectors / 3);
}

// 32 x 32 float tiles: a column read of the unpadded tile hits one bank 32 times; padding each
// row by one word spreads the column over all 32 banks.
TEST(TimingValidation, PaddedTransposeHasNoBankConflictsUnpaddedMany) {
  auto dev = make_device(runtime::SimMode::Timing, {"sm.count=8"});
  const auto padded = run_workload(*dev, "transpose_padded", {256, 256});
  const auto unpadded = run_workload(*dev, "transpose_unpadded", {256, 256});
  ASSERT_TRUE(padded.passed) << padded.detail;
  ASSERT_TRUE(unpadded.passed) << unpadded.detail;
  const double padded_conflicts = sum_report(padded, "shared", "bank_conflicts");
  const double unpadded_conflicts = sum_report(unpadded, "shared", "bank_conflicts");
  const double unpadded_requests = sum_report(unpadded, "shared", "requests");
  std::printf("transpose bank conflicts: padded %.0f, unpadded %.0f (of %.0f requests)\n", padded_conflicts,
              unpadded_conflicts, unpadded_requests);
  EXPECT_LE(padded_conflicts, 0.01 * unpadded_requests);
  // Half the unpadded shared requests (the column reads of the tile) are 32-way conflicts: 31
  // extra wavefronts each (the report counts conflicts as wavefronts beyond the first).
  EXPECT_GE(unpadded_conflicts, 0.9 * unpadded_requests / 2 * 31);
}

// FFMA-bound grid of 6 waves on 4 SMs (3 waves on 8): twice the SMs, about half the cycles.
TEST(TimingValidation, DoublingSmsHalvesComputeBoundCycles) {
  const uint32_t blocks = 4 * 8 * 6;  // 4 SMs x 8 resident 256-thread blocks x 6 waves
  auto four = make_device(runtime::SimMode::Timing, {"sm.count=4"});
  auto eight = make_device(runtime::SimMode::Timing, {"sm.count=8"});
  const auto r4 = workloads::ubench::measure_ffma(*four, blocks, 256, 16);
  const auto r8 = workloads::ubench::measure_ffma(*eight, blocks, 256, 16);
  const double ratio = double(r8.stats.cycles) / double(r4.stats.cycles);
  std::printf("FFMA grid: %llu cycles on 4 SMs, %llu on 8 (ratio %.3f)\n", (unsigned long long)r4.stats.cycles,
              (unsigned long long)r8.stats.cycles, ratio);
  EXPECT_GE(ratio, 0.45);
  EXPECT_LE(ratio, 0.6);
}

TEST(TimingValidation, SameRunTwiceGivesIdenticalCyclesAndReport) {
  std::vector<workloads::WorkloadResult> runs;
  for (int i = 0; i < 2; ++i) {
    auto dev = make_device(runtime::SimMode::Timing, {"sm.count=8"});
    runs.push_back(run_workload(*dev, "sgemm_tiled", {64, 64, 64}));
    ASSERT_TRUE(runs.back().passed) << runs.back().detail;
  }
  ASSERT_EQ(runs[0].launches.size(), runs[1].launches.size());
  for (size_t i = 0; i < runs[0].launches.size(); ++i) {
    EXPECT_GT(runs[0].launches[i].cycles, 0u);
    EXPECT_EQ(runs[0].launches[i].cycles, runs[1].launches[i].cycles);
    EXPECT_EQ(runs[0].launches[i].report_json, runs[1].launches[i].report_json);
  }
}

// Determinism across a process's history: SystemC runs simultaneous processes in an order that
// depends on what ran before, so identical launches must not depend on it (sim/systemc_driver).
TEST(TimingValidation, IdenticalLaunchesAgreeWhateverRanBeforeInTheProcess) {
  const std::vector<std::string> dram_bound = {"sm.count=4", "dram.channels=2"};
  auto first = make_device(runtime::SimMode::Timing, dram_bound);
  const workloads::WorkloadResult a = run_workload(*first, "vecadd", {20000});
  {
    auto other = make_device(runtime::SimMode::Timing, {"sm.count=3"});
    ASSERT_TRUE(run_workload(*other, "transpose_unpadded", {96, 160}).passed);
  }
  auto second = make_device(runtime::SimMode::Timing, dram_bound);
  const workloads::WorkloadResult b = run_workload(*second, "vecadd", {20000});
  ASSERT_TRUE(a.passed && b.passed);
  ASSERT_EQ(a.launches.size(), 1u);
  ASSERT_EQ(b.launches.size(), 1u);
  EXPECT_EQ(a.launches[0].cycles, b.launches[0].cycles);
  EXPECT_EQ(a.launches[0].report_json, b.launches[0].report_json);
}

// A small size per workload: the default shrunk so every dimension stays a multiple of 16.
std::vector<uint64_t> small_size(const workloads::Workload& w) {
  std::vector<uint64_t> size = w.default_size();
  if (w.required_sm() != 0) return size;  // sm_90a workloads default to a small, tile-multiple size
  const uint64_t divisor = size.size() == 1 ? 64 : size.size() == 2 ? 8 : 4;
  for (uint64_t& d : size) d = std::max<uint64_t>(16, d / divisor);
  return size;
}

// Timing mode runs the same semantics: every workload passes its CPU-reference check in both
// modes and executes the same number of thread-instructions per launch. The sm_90a workloads
// are the exception to the count: their warps poll mbarriers (try_wait loops), and how often a
// poll fails depends on the interleaving, which the two modes schedule differently.
TEST(TimingValidation, TimingModeComputesWhatFunctionalModeComputes) {
  for (const auto& w : workloads::all_workloads()) {
    SCOPED_TRACE(w->name());
    const std::string& config = w->required_sm() != 0 ? kH100 : kV100;
    auto functional = make_device(runtime::SimMode::Functional, {}, config);
    auto timing = make_device(runtime::SimMode::Timing, {"sm.count=8"}, config);
    workloads::WorkloadParams params;
    params.size = small_size(*w);
    const auto f = w->run(*functional, params);
    const auto t = w->run(*timing, params);
    EXPECT_TRUE(f.passed) << f.detail;
    EXPECT_TRUE(t.passed) << t.detail;
    EXPECT_EQ(f.max_abs_error, t.max_abs_error);
    ASSERT_EQ(f.launches.size(), t.launches.size());
    for (size_t i = 0; i < f.launches.size(); ++i) {
      if (w->required_sm() == 0) {
        EXPECT_EQ(f.launches[i].thread_instructions, t.launches[i].thread_instructions) << f.launches[i].kernel;
      }
      EXPECT_GT(t.launches[i].cycles, 0u);
    }
  }
}

}  // namespace
}  // namespace gpusim
