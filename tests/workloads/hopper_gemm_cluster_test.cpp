// hopper_gemm_cluster (hopper_gemm with 2-CTA clusters sharing B through TMA multicast) against
// its CPU reference in functional and timing mode on the H100 configuration, at one K slice (a
// ring that never wraps), a ring that wraps four times, and two tile pairs whose K loop wraps it
// more than twice; persistent clusters that loop over several tile pairs; the L2 reads the
// multicast saves, counted by hand; and its size rule.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <tuple>

#include "runtime/sim_device.h"
#include "tests/workloads/h100_device.h"
#include "workloads/workload.h"

namespace gpusim::workloads {
namespace {

class HopperGemmClusterSizes : public testing::TestWithParam<std::tuple<std::vector<uint64_t>, runtime::SimMode>> {};

TEST_P(HopperGemmClusterSizes, MatchesTheCpuReferenceExactly) {
  const auto& [size, mode] = GetParam();
  const Workload* w = find_workload("hopper_gemm_cluster");
  ASSERT_NE(w, nullptr);
  auto dev = h100(mode);
  WorkloadParams p;
  p.size = size;
  p.seed = 11;
  const WorkloadResult r = w->run(*dev, p);
  EXPECT_TRUE(r.passed) << r.detail;
  EXPECT_EQ(r.max_abs_error, 0.0);  // K <= 4096 with these inputs: exact in f32 (hopper_gemm.cpp)
  ASSERT_EQ(r.launches.size(), 1u);
  EXPECT_EQ(r.launches[0].ctas, (size[0] / 128) * (size[1] / 256));  // one CTA per 128 x 256 tile here
  if (mode == runtime::SimMode::Timing) {
    EXPECT_GT(r.launches[0].cycles, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, HopperGemmClusterSizes,
    testing::Combine(testing::Values(std::vector<uint64_t>{256, 256, 64}, std::vector<uint64_t>{256, 512, 1024},
                                     std::vector<uint64_t>{512, 256, 576}),
                     testing::Values(runtime::SimMode::Functional, runtime::SimMode::Timing)),
    [](const auto& info) {
      const auto& s = std::get<0>(info.param);
      return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]) +
             (std::get<1>(info.param) == runtime::SimMode::Timing ? "_timing" : "_functional");
    });

// On a 4-SM H100 (two GPCs of one TPC each) two clusters run at once, and the 12 tile pairs of
// 1536 x 512 (6 pair rows x 2 columns) go 6 to each: the rings' phases run on across pairs, and the result stays exact.
TEST(HopperGemmCluster, PersistentClustersLoopOverMoreTilePairsThanFit) {
  for (const runtime::SimMode mode : {runtime::SimMode::Functional, runtime::SimMode::Timing}) {
    runtime::SimDeviceOptions o;
    o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
    o.overrides = {"sm.count=4"};
    o.mode = mode;
    auto dev = runtime::make_sim_device(o);
    WorkloadParams p;
    p.size = {1536, 512, 192};
    p.seed = 3;
    const WorkloadResult r = find_workload("hopper_gemm_cluster")->run(*dev, p);
    EXPECT_TRUE(r.passed) << r.detail;
    EXPECT_EQ(r.max_abs_error, 0.0);
    ASSERT_EQ(r.launches.size(), 1u);
    EXPECT_EQ(r.launches[0].ctas, 4u);  // two clusters of two, not one CTA per tile
  }
}

uint64_t l2_read_sectors(const std::string& workload, const std::vector<uint64_t>& size) {
  auto dev = h100(runtime::SimMode::Timing);
  WorkloadParams p;
  p.size = size;
  const WorkloadResult r = find_workload(workload)->run(*dev, p);
  EXPECT_TRUE(r.passed) << r.detail;
  const nlohmann::json l2 = nlohmann::json::parse(r.launches.at(0).report_json).at("l2");
  return l2.at("read_sector_hits").get<uint64_t>() + l2.at("read_sector_misses").get<uint64_t>();
}

// By hand: every K slice of a 128 x 256 tile needs 16 KiB of A and 32 KiB of B. hopper_gemm reads
// both per CTA; the cluster reads B once for its two CTAs, i.e. 16 + 16 KiB per CTA, in 32-B
// sectors. The kernels read nothing else from global memory.
TEST(HopperGemmCluster, MulticastReadsEachBSliceFromTheL2OncePerCluster) {
  const std::vector<uint64_t> size{512, 512, 256};
  const uint64_t tile_slices = (512 / 128) * (512 / 256) * (256 / 64);
  EXPECT_EQ(l2_read_sectors("hopper_gemm", size), tile_slices * (16 + 32) * 1024 / 32);
  EXPECT_EQ(l2_read_sectors("hopper_gemm_cluster", size), tile_slices * (16 + 16) * 1024 / 32);
}

TEST(HopperGemmCluster, MOffTheClusterTilePairIsRefusedClearly) {
  auto dev = h100(runtime::SimMode::Functional);
  WorkloadParams p;
  p.size = {128, 256, 64};  // one 128-row tile: hopper_gemm's tile, half a cluster's
  try {
    find_workload("hopper_gemm_cluster")->run(*dev, p);
    ADD_FAILURE() << "accepted M = 128";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("multiple of 256"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gpusim::workloads
