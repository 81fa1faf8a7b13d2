// The statistics of sampled timing simulation (sim/wave_estimate.h) on synthetic wave-end series
// whose true wave time is known: exact lines, lines with random jitter (the 95 % interval must
// cover the truth about 95 % of the time: neither too narrow nor uselessly wide), a warm-up the
// stationarity test must cut off, and a drift that must widen the interval.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "sim/wave_estimate.h"

namespace gpusim::sim {
namespace {

// Wave end times: the k-th wave ends at start + sum of the spacings before it, plus a jitter of
// the end instant that does not accumulate (as CTAs of neighbouring waves overlap).
std::vector<uint64_t> ends_of(const std::vector<double>& spacings, double start, const std::vector<double>& jitter) {
  std::vector<uint64_t> ends;
  double t = start;
  for (size_t i = 0; i < spacings.size(); ++i) {
    t += spacings[i];
    ends.push_back(uint64_t(std::llround(t + (i < jitter.size() ? jitter[i] : 0.0))));
  }
  return ends;
}

TEST(WaveEstimate, StudentQuantilesFromTheTables) {
  EXPECT_NEAR(student_t95(1), 12.706, 1e-3);
  EXPECT_NEAR(student_t95(4), 2.776, 1e-3);
  EXPECT_NEAR(student_t95(10), 2.228, 1e-3);
  EXPECT_NEAR(student_t95(20), 2.086, 1e-3);
  EXPECT_NEAR(student_t95(1000), 1.960, 1e-3);
  EXPECT_GE(student_t95(25), 2.042 - 1e-9);  // between tabled values the larger one: conservative
}

TEST(WaveEstimate, TooFewWavesGiveNoEstimate) {
  EXPECT_FALSE(estimate_wave_time({}).valid);
  EXPECT_FALSE(estimate_wave_time({900, 1400, 1900}).valid);  // wave 0 left out: 2 points
  EXPECT_TRUE(estimate_wave_time({900, 1400, 1900, 2400}).valid);
}

TEST(WaveEstimate, ExactLineGivesItsSlopeAndNoUncertainty) {
  // Wave 0 takes 900 cycles (ramp-up), every later one 500.
  std::vector<double> sp(12, 500.0);
  sp[0] = 900;
  const WaveEstimate e = estimate_wave_time(ends_of(sp, 0, {}));
  ASSERT_TRUE(e.valid);
  EXPECT_TRUE(e.stationary);
  EXPECT_EQ(e.first, 1u);
  EXPECT_EQ(e.points, 11u);
  EXPECT_NEAR(e.wave_cycles, 500.0, 1e-9);
  EXPECT_NEAR(e.half_width, 0.0, 1e-9);
}

TEST(WaveEstimate, LeastSquaresSlopeByHand) {
  // Points (1, 10), (2, 25), (3, 30), (4, 45): mean x 2.5, mean y 27.5, Sxx 5,
  // Sxy = (-1.5)(-17.5) + (-0.5)(-2.5) + (0.5)(2.5) + (1.5)(17.5) = 55 -> slope 11.
  // Residuals: 10-(27.5-16.5)=-1, 25-(27.5-5.5)=3, 30-(27.5+5.5)=-3, 45-(27.5+16.5)=1 -> SSR 20,
  // standard error sqrt(20 / 2 / 5) = sqrt(2).
  const LineFit f = fit_wave_ends({0, 10, 25, 30, 45}, 1, 5);
  ASSERT_TRUE(f.valid);
  EXPECT_NEAR(f.slope, 11.0, 1e-12);
  EXPECT_NEAR(f.slope_error, std::sqrt(2.0), 1e-12);
  EXPECT_EQ(f.points, 4u);
}

// Over many series with independent jitter of the end instants, the 95 % interval must contain
// the true wave time about 95 % of the time: an honest interval, neither too narrow nor padded.
TEST(WaveEstimate, IntervalCoversTheTrueWaveTimeAtItsLevel) {
  std::mt19937_64 rng(12345);
  std::normal_distribution<double> jitter(0.0, 150.0);  // 5 % of the 3,000-cycle wave time
  for (size_t waves : {8u, 12u, 20u}) {
    int covered = 0, stationary = 0;
    double width = 0;
    const int trials = 2000;
    for (int t = 0; t < trials; ++t) {
      std::vector<double> sp(waves, 3000.0), jit(waves);
      sp[0] = 4500;
      for (double& j : jit) j = jitter(rng);
      const WaveEstimate e = estimate_wave_time(ends_of(sp, 0, jit));
      ASSERT_TRUE(e.valid);
      stationary += e.stationary;
      covered += std::fabs(e.wave_cycles - 3000.0) <= e.half_width;
      width += e.half_width;
    }
    const double coverage = double(covered) / trials;
    EXPECT_GE(coverage, 0.90) << waves << " waves";
    EXPECT_LE(coverage, 0.995) << waves << " waves: interval wider than its level";
    EXPECT_GE(double(stationary) / trials, 0.85) << waves << " waves: stationary series flagged as drifting";
    std::printf("    %zu waves: coverage %.3f, mean half-width %.1f cycles (%.2f %%)\n", waves, coverage,
                width / trials, 100 * width / trials / 3000);
  }
}

// The quantity the sampler reports: the extrapolated time of the skipped waves. With the floor
// at zero its interval must cover the true extrapolation error about 95 % of the time.
TEST(WaveEstimate, ExtrapolationErrorCoversTheSkippedWaves) {
  std::mt19937_64 rng(777);
  std::normal_distribution<double> jitter(0.0, 200.0);
  const size_t total = 100, detailed = 10;
  int covered = 0;
  const int trials = 2000;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> sp(total, 3000.0), jit(total);
    sp[0] = 5000;
    for (double& j : jit) j = jitter(rng);
    const std::vector<uint64_t> all = ends_of(sp, 0, jit);
    const std::vector<uint64_t> prefix(all.begin(), all.begin() + detailed);
    const WaveEstimate e = estimate_wave_time(prefix);
    ASSERT_TRUE(e.valid);
    const uint64_t skipped = total - detailed;
    const double predicted = double(prefix.back()) + double(skipped) * e.wave_cycles;
    covered += std::fabs(predicted - double(all.back())) <= extrapolation_error(e, skipped, 0.0) + 2 * 200.0;
  }
  // The +2 sigma above allows for the jitter of the two end instants themselves, which a sampled
  // run does not extrapolate (the tail runs in detail).
  EXPECT_GE(double(covered) / trials, 0.90);
}

TEST(WaveEstimate, WarmUpIsCutOff) {
  // Waves 1-4 are slow (cold caches: 4,000 cycles), then 3,000 with 1 % jitter.
  std::mt19937_64 rng(99);
  std::normal_distribution<double> jitter(0.0, 30.0);
  std::vector<double> sp(16, 3000.0), jit(16);
  sp[0] = 6000;
  for (size_t i = 1; i <= 4; ++i) sp[i] = 4000;
  for (double& j : jit) j = jitter(rng);
  const WaveEstimate e = estimate_wave_time(ends_of(sp, 0, jit));
  ASSERT_TRUE(e.valid);
  EXPECT_TRUE(e.stationary);
  // Ends 1-3 lie on the slow stretch; a window that starts at end 3 holds one slow spacing (3 -> 4)
  // at its edge, which the 3-point halves cannot always tell from jitter; the interval must then
  // still cover the truth (next line).
  EXPECT_GE(e.first, 3u) << "the slow waves must be left out";
  EXPECT_LE(std::fabs(e.wave_cycles - 3000.0), e.half_width);
  EXPECT_LT(e.half_width, 0.02 * 3000.0);
}

TEST(WaveEstimate, OngoingDriftWidensTheInterval) {
  // Every wave 2 % slower than the one before: no window is stationary.
  std::vector<double> sp(14);
  double d = 3000;
  for (double& s : sp) s = d, d *= 1.02;
  const WaveEstimate e = estimate_wave_time(ends_of(sp, 0, {}));
  ASSERT_TRUE(e.valid);
  EXPECT_FALSE(e.stationary);
  // The later half's slope minus the earlier half's: 3000 x 1.02^i grows by about 6 x 2 % over
  // the half-window distance; the interval must be at least that wide.
  const LineFit early = fit_wave_ends(ends_of(sp, 0, {}), 1, e.first);
  EXPECT_GE(e.half_width, std::fabs(e.wave_cycles - early.slope) - 1e-9);
  EXPECT_GT(e.half_width, 0.08 * 3000);
}

TEST(WaveEstimate, ExtrapolationErrorHasAFloor) {
  WaveEstimate e;
  e.valid = true;
  e.wave_cycles = 1000;
  e.half_width = 2;
  EXPECT_DOUBLE_EQ(extrapolation_error(e, 50, 0.01), 50 * 10.0);  // the floor: 1 % of d
  e.half_width = 30;
  EXPECT_DOUBLE_EQ(extrapolation_error(e, 50, 0.01), 50 * 30.0);
}

}  // namespace
}  // namespace gpusim::sim
