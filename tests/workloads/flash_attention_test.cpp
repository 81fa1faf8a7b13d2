// flash_attention (the FlashAttention-3-style sm_90a forward: TMA producer, mbarrier ring, wgmma
// for Q K^T and P V around an online softmax) against its double-precision CPU reference in
// functional and timing mode on the H100 configuration: one query block with two key tiles
// (the ring not yet wrapped), two heads of 256 (the ring wraps twice), head dim 128 (two swizzle
// atoms per row); its size rules.
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

class FlashAttentionSizes : public testing::TestWithParam<std::tuple<std::vector<uint64_t>, runtime::SimMode>> {};

TEST_P(FlashAttentionSizes, MatchesTheCpuReferenceWithinTheBf16Bound) {
  const auto& [size, mode] = GetParam();
  const Workload* w = find_workload("flash_attention");
  ASSERT_NE(w, nullptr);
  auto dev = h100(mode);
  WorkloadParams p;
  p.size = size;
  p.seed = 7;
  const WorkloadResult r = w->run(*dev, p);
  EXPECT_TRUE(r.passed) << r.detail;
  // bf16 P: the error is nonzero but below 2^-8 (inputs in [-1, 1)).
  EXPECT_GT(r.max_abs_error, 0.0);
  EXPECT_LT(r.max_abs_error, 1.0 / 256);
  ASSERT_EQ(r.launches.size(), 1u);
  EXPECT_EQ(r.launches[0].ctas, size[0] * (size[1] / 128));
  if (mode == runtime::SimMode::Timing) {
    EXPECT_GT(r.launches[0].cycles, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, FlashAttentionSizes,
    testing::Combine(testing::Values(std::vector<uint64_t>{1, 128, 64}, std::vector<uint64_t>{2, 256, 64},
                                     std::vector<uint64_t>{1, 128, 128}),
                     testing::Values(runtime::SimMode::Functional, runtime::SimMode::Timing)),
    [](const auto& info) {
      const auto& s = std::get<0>(info.param);
      return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]) +
             (std::get<1>(info.param) == runtime::SimMode::Timing ? "_timing" : "_functional");
    });

TEST(FlashAttention, UnsupportedShapesAreRefusedClearly) {
  auto dev = h100(runtime::SimMode::Functional);
  const struct {
    std::vector<uint64_t> size;
    const char* message;
  } cases[] = {{{1, 128, 96}, "head dim 96 is not supported (64 or 128)"},
               {{1, 200, 64}, "sequence length 200 is not a multiple of the 128-row query block"}};
  for (const auto& c : cases) {
    WorkloadParams p;
    p.size = c.size;
    try {
      find_workload("flash_attention")->run(*dev, p);
      ADD_FAILURE() << "accepted " << c.message;
    } catch (const std::invalid_argument& e) {
      EXPECT_TRUE(contains(e.what(), "flash_attention")) << e.what();
      EXPECT_TRUE(contains(e.what(), c.message)) << e.what();
    }
  }
}

TEST(FlashAttention, RunOnAnOlderConfigurationIsRefused) {
  const test_support::Outcome o = test_support::run_gpusim("run flash_attention --config '" +
                                                           std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "flash_attention needs an sm_90 GPU")) << o.output;
}

}  // namespace
}  // namespace gpusim::workloads
