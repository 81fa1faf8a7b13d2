// Error statistics against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "validation/error_stats.h"

using namespace gpusim::validation;

TEST(ErrorStats, PercentErrorIsSignedRelativeToTheMeasurement) {
  EXPECT_DOUBLE_EQ(percent_error(110, 100), 10.0);
  EXPECT_DOUBLE_EQ(percent_error(75, 100), -25.0);
  EXPECT_THROW(percent_error(1, 0), std::invalid_argument);
  EXPECT_THROW(percent_error(1, -2), std::invalid_argument);
}

TEST(ErrorStats, MapeAveragesAbsoluteErrors) {
  // |+10%|, |-25%|, |+100%| -> 135 / 3 = 45
  EXPECT_DOUBLE_EQ(mean_absolute_percentage_error({110, 75, 4}, {100, 100, 2}), 45.0);
  EXPECT_THROW(mean_absolute_percentage_error({1}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(mean_absolute_percentage_error({}, {}), std::invalid_argument);
}

TEST(ErrorStats, TiedValuesShareTheMeanRank) {
  const std::vector<double> r = average_ranks({10, 30, 20, 30, 5});
  // sorted: 5(1) 10(2) 20(3) 30,30 (4,5 -> 4.5)
  EXPECT_EQ(r, (std::vector<double>{2, 4.5, 3, 4.5, 1}));
}

TEST(ErrorStats, SpearmanOfMonotoneAndReversedOrders) {
  EXPECT_DOUBLE_EQ(spearman_rank_correlation({1, 2, 3, 4}, {10, 100, 1000, 10000}), 1.0);
  EXPECT_DOUBLE_EQ(spearman_rank_correlation({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
}

TEST(ErrorStats, SpearmanWithoutTiesMatchesTheTextbookFormula) {
  // rho = 1 - 6 sum d^2 / (n (n^2 - 1)); ranks a = 1 2 3 4 5, b = 2 1 4 3 5: sum d^2 = 4 -> 1 - 24/120 = 0.8
  EXPECT_NEAR(spearman_rank_correlation({1, 2, 3, 4, 5}, {20, 10, 40, 30, 50}), 0.8, 1e-12);
}

TEST(ErrorStats, SpearmanWithTiesIsPearsonOfAverageRanks) {
  // a ranks 1 2 3 4, b = {1, 2, 2, 3} ranks 1 2.5 2.5 4. Deviations from 2.5:
  // a: -1.5 -0.5 0.5 1.5; b: -1.5 0 0 1.5. sum ab = 4.5, sum aa = 5, sum bb = 4.5 -> 4.5 / sqrt(22.5)
  EXPECT_NEAR(spearman_rank_correlation({1, 2, 3, 4}, {1, 2, 2, 3}), 4.5 / std::sqrt(22.5), 1e-12);
}

TEST(ErrorStats, SpearmanIsUndefinedForConstantsOrTooFewPairs) {
  EXPECT_TRUE(std::isnan(spearman_rank_correlation({1, 2, 3}, {7, 7, 7})));
  EXPECT_TRUE(std::isnan(spearman_rank_correlation({1}, {2})));
  EXPECT_THROW(spearman_rank_correlation({1, 2}, {1}), std::invalid_argument);
}
