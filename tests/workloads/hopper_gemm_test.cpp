// hopper_gemm (the warp-specialised sm_90a GEMM: TMA producer, mbarrier ring, wgmma consumers)
// against its CPU reference in functional and timing mode on the H100 configuration, at sizes
// that cover one K slice (fewer than the ring's four slots), the default, and a K loop that wraps
// the ring twice; its size rules; and `gpusim run` refusing it on an older configuration.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <tuple>

#include "runtime/sim_device.h"
#include "tests/run_gpusim.h"
#include "tests/workloads/h100_device.h"
#include "workloads/workload.h"

namespace gpusim::workloads {
namespace {

using test_support::contains;

class HopperGemmSizes : public testing::TestWithParam<std::tuple<std::vector<uint64_t>, runtime::SimMode>> {};

TEST_P(HopperGemmSizes, MatchesTheCpuReferenceExactly) {
  const auto& [size, mode] = GetParam();
  const Workload* w = find_workload("hopper_gemm");
  ASSERT_NE(w, nullptr);
  auto dev = h100(mode);
  WorkloadParams p;
  p.size = size;
  p.seed = 5;
  const WorkloadResult r = w->run(*dev, p);
  EXPECT_TRUE(r.passed) << r.detail;
  EXPECT_EQ(r.max_abs_error, 0.0);  // K <= 4096 with these inputs: exact in f32 (hopper_gemm.cpp)
  ASSERT_EQ(r.launches.size(), 1u);
  EXPECT_EQ(r.launches[0].ctas, (size[0] / 128) * (size[1] / 256));  // 128 x 256 tiles, fewer than the SMs
  if (mode == runtime::SimMode::Timing) {
    EXPECT_GT(r.launches[0].cycles, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, HopperGemmSizes,
    testing::Combine(testing::Values(std::vector<uint64_t>{128, 256, 64}, std::vector<uint64_t>{256, 256, 256},
                                     std::vector<uint64_t>{128, 512, 576}),
                     testing::Values(runtime::SimMode::Functional, runtime::SimMode::Timing)),
    [](const auto& info) {
      const auto& s = std::get<0>(info.param);
      return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]) +
             (std::get<1>(info.param) == runtime::SimMode::Timing ? "_timing" : "_functional");
    });

// Persistent CTAs: on a 3-SM H100 the 8 tiles of 512 x 512 go to 3 CTAs (3, 3 and 2 tiles each,
// the ring's phases running on across tiles), and the result is still exact in both modes.
TEST(HopperGemm, PersistentCtasLoopOverMoreTilesThanSms) {
  for (const runtime::SimMode mode : {runtime::SimMode::Functional, runtime::SimMode::Timing}) {
    runtime::SimDeviceOptions o;
    o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
    o.overrides = {"sm.count=3"};
    o.mode = mode;
    auto dev = runtime::make_sim_device(o);
    WorkloadParams p;
    p.size = {512, 512, 320};
    p.seed = 7;
    const WorkloadResult r = find_workload("hopper_gemm")->run(*dev, p);
    EXPECT_TRUE(r.passed) << r.detail;
    EXPECT_EQ(r.max_abs_error, 0.0);
    ASSERT_EQ(r.launches.size(), 1u);
    EXPECT_EQ(r.launches[0].ctas, 3u);  // one per SM, not one per tile
  }
}

TEST(HopperGemm, SizesOffTheTileAreRefusedClearly) {
  auto dev = h100(runtime::SimMode::Functional);
  for (const std::vector<uint64_t>& bad : {std::vector<uint64_t>{100, 256, 64}, {128, 128, 64}, {128, 256, 96}}) {
    WorkloadParams p;
    p.size = bad;
    try {
      find_workload("hopper_gemm")->run(*dev, p);
      ADD_FAILURE() << "accepted " << bad[0] << "x" << bad[1] << "x" << bad[2];
    } catch (const std::invalid_argument& e) {
      EXPECT_TRUE(contains(e.what(), "hopper_gemm")) << e.what();
      EXPECT_TRUE(contains(e.what(), "multiples of the 128 x 256 CTA tile")) << e.what();
    }
  }
}

TEST(HopperGemm, RunOnAnOlderConfigurationNamesWorkloadConfigAndArchitecture) {
  const test_support::Outcome o = test_support::run_gpusim("run hopper_gemm --config '" + std::string(GPUSIM_SOURCE_DIR) +
                                                           "/configs/v100.ini'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "hopper_gemm needs an sm_90 GPU")) << o.output;
  EXPECT_TRUE(contains(o.output, "configs/v100.ini")) << o.output;
  EXPECT_TRUE(contains(o.output, "is sm_75")) << o.output;
  EXPECT_FALSE(contains(o.output, "PASS")) << o.output;
}

TEST(HopperGemm, ListMarksItAsNeedingHopper) {
  const test_support::Outcome o = test_support::run_gpusim("list");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  const size_t at = o.output.find("hopper_gemm");
  ASSERT_NE(at, std::string::npos) << o.output;
  EXPECT_NE(o.output.find("needs: sm_90", at), std::string::npos) << o.output;
}

}  // namespace
}  // namespace gpusim::workloads
