// fit_monotone_integer (validation/monotone_fit.h), the search behind the DRAM-efficiency fit,
// against hand-computed sequences of evaluations.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "validation/monotone_fit.h"

using gpusim::validation::fit_monotone_integer;
using gpusim::validation::MonotoneFit;

// Shaped like the H200 copy on the banked DRAM model: 100 % runs 4 % fast, 96 % (the proportional
// step) 6.7 % slow, steep in between. f(v) = 3573 + 104.25 (v - 96) above 96, 30 per step below.
TEST(MonotoneFit, NonLinearFigureKeepsTheBestSimulatedValue) {
  std::vector<int> asked;
  auto f = [&](int v) {
    asked.push_back(v);
    return v >= 96 ? 3573 + 104.25 * (v - 96) : 3573 - 30.0 * (96 - v);
  };
  const MonotoneFit fit = fit_monotone_integer(f, 1, 100, 3830, 0.01, 6);
  // 100 -> 3990 (high); proportional 100*3830/3990 = 95.99 -> 96 -> 3573 (low); interpolation
  // 96 + round(257/417*4 = 2.47) = 98 -> 3781.5 (low, 1.3 % off); interpolation lands on 98 again,
  // so bisect to 99 -> 3885.75 (1.5 % off); the bracket [98, 99] is one step wide. Best: 98.
  EXPECT_EQ(asked, (std::vector<int>{100, 96, 98, 99}));
  EXPECT_EQ(fit.value, 98);
  EXPECT_DOUBLE_EQ(fit.simulated, 3781.5);
  EXPECT_EQ(fit.evaluations, 4);
}

TEST(MonotoneFit, ProportionalFigureNeedsOneStep) {
  const MonotoneFit fit = fit_monotone_integer([](int v) { return 40.0 * v; }, 1, 100, 2000, 0.01, 6);
  EXPECT_EQ(fit.value, 50);
  EXPECT_DOUBLE_EQ(fit.simulated, 2000);
  EXPECT_EQ(fit.evaluations, 2);
}

TEST(MonotoneFit, StaysAtTheTopWhenTheTopIsTooSlowAndStopsAtTheBudget) {
  const MonotoneFit top = fit_monotone_integer([](int v) { return 10.0 * v; }, 1, 100, 5000, 0.01, 6);
  EXPECT_EQ(top.value, 100);
  EXPECT_EQ(top.evaluations, 1);
  // A step function the interpolation cannot see into: only the budget stops it.
  int calls = 0;
  const MonotoneFit capped = fit_monotone_integer(
      [&](int v) {
        ++calls;
        return v >= 70 ? 1000.0 : 10.0;
      },
      1, 100, 500, 0.01, 3);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(capped.evaluations, 3);
  EXPECT_THROW(fit_monotone_integer([](int) { return 1.0; }, 5, 4, 1, 0.01, 3), std::invalid_argument);
  EXPECT_THROW(fit_monotone_integer([](int) { return 1.0; }, 1, 4, 0, 0.01, 3), std::invalid_argument);
}
