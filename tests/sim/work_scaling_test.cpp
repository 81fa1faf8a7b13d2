// The skipped CTAs' work against the fitted waves' (sim/work_scaling.h), on instruction counts
// whose course is known: equal work, more work later in the grid, less, too few points.
#include <gtest/gtest.h>

#include <vector>

#include "sim/work_scaling.h"

namespace gpusim::sim {
namespace {

// Cumulative warp-instructions at each wave end when every wave issues `per_wave`.
std::vector<uint64_t> issued(size_t waves, uint64_t per_wave) {
  std::vector<uint64_t> v;
  for (size_t k = 1; k <= waves; ++k) v.push_back(k * per_wave);
  return v;
}

TEST(WorkScaling, EqualWorkLeavesThePredictionAlone) {
  const WorkScalingOptions o;
  // 1,000 per wave over the fit; 90 skipped waves of 1,010 (1 % more: within the threshold).
  const WorkScaling w = compare_work(issued(12, 1000), 2, 10, 90 * 1010, 90, o);
  ASSERT_TRUE(w.measured);
  EXPECT_DOUBLE_EQ(w.timed_per_unit, 1000.0);
  EXPECT_DOUBLE_EQ(w.predicted_per_unit, 1010.0);
  EXPECT_NEAR(w.ratio, 1.01, 1e-12);
  EXPECT_FALSE(w.scaled);
  EXPECT_DOUBLE_EQ(w.factor(), 1.0);
  EXPECT_DOUBLE_EQ(w.scale_cycles(5000.0), 5000.0);
  EXPECT_DOUBLE_EQ(w.scale_error(100.0, 5000.0), 100.0);
}

TEST(WorkScaling, MoreWorkLaterScalesTheSkippedTimeAndWidensTheError) {
  const WorkScalingOptions o;
  // The fit saw 1,000 per wave, the skipped CTAs ran 1,500 per wave (work growing with blockIdx).
  const WorkScaling w = compare_work(issued(12, 1000), 3, 9, 50 * 1500, 50, o);
  ASSERT_TRUE(w.scaled);
  EXPECT_NEAR(w.ratio, 1.5, 1e-12);
  EXPECT_NEAR(w.scale_cycles(10000.0), 15000.0, 1e-9);
  // The statistics' error scales with the time; the 5,000-cycle change is added: [10,000, 20,000].
  EXPECT_NEAR(w.scale_error(200.0, 10000.0), 300.0 + 5000.0, 1e-9);
}

TEST(WorkScaling, LessWorkLaterScalesDown) {
  const WorkScalingOptions o;
  const WorkScaling w = compare_work(issued(12, 2000), 0, 12, 40 * 1000, 40, o);
  ASSERT_TRUE(w.scaled);
  EXPECT_NEAR(w.ratio, 0.5, 1e-12);
  EXPECT_NEAR(w.scale_cycles(8000.0), 4000.0, 1e-9);
  EXPECT_NEAR(w.scale_error(80.0, 8000.0), 40.0 + 4000.0, 1e-9);  // [0, 8,000]
}

TEST(WorkScaling, UsesOnlyTheFittedWaves) {
  // Warm-up waves issue little (ramp-up); the fit from wave 4 sees 1,000 per wave.
  std::vector<uint64_t> v = {100, 300, 700, 1500};
  for (uint64_t k = 1; k <= 8; ++k) v.push_back(1500 + 1000 * k);
  const WorkScaling w = compare_work(v, 3, 9, 20 * 1000, 20, {});
  ASSERT_TRUE(w.measured);
  EXPECT_DOUBLE_EQ(w.timed_per_unit, 1000.0);
  EXPECT_FALSE(w.scaled);
}

TEST(WorkScaling, NothingToCompareIsNotMeasured) {
  const WorkScalingOptions o;
  EXPECT_FALSE(compare_work(issued(12, 1000), 0, 1, 1000, 1, o).measured);     // one point: no interval
  EXPECT_FALSE(compare_work(issued(5, 1000), 2, 10, 1000, 1, o).measured);     // window past the data
  EXPECT_FALSE(compare_work(issued(12, 1000), 0, 12, 0, 0, o).measured);       // nothing skipped
  EXPECT_FALSE(compare_work(std::vector<uint64_t>(12, 7), 0, 12, 500, 5, o).measured);  // no work fitted
  const WorkScaling none = compare_work(issued(12, 1000), 0, 12, 0, 0, o);
  EXPECT_DOUBLE_EQ(none.scale_cycles(123.0), 123.0);
}

}  // namespace
}  // namespace gpusim::sim
