// The statistics of sampled timing simulation (sim/sampled_launch.h), kept apart from the
// simulator so that they can be tested on synthetic wave-time series with known answers.
//
// Input: the instants (cycles from launch start) at which the 1st, 2nd, ... full wave of CTAs had
// retired, while the next wave was queued behind it. Wave 0 includes the launch's ramp-up (cold
// caches, queues filling) and is never used.
//
// The steady-state time per wave d is the least-squares slope of end time over wave index. End
// times jitter wave by wave (CTAs of neighbouring waves overlap) but that jitter does not
// accumulate, so the residuals of a line through the end times are close to independent and the
// slope's standard error, times Student's t, is an honest 95 % confidence half-width for d.
//
// Warm-up is cut in two steps. The window starts where the slope's standard error is smallest
// (the marginal standard error rule, MSER, over starts in the first half of the waves): warm-up
// waves at another level add residuals, steady ones only lengthen the line. Then a stationarity
// test (in the manner of Geweke's diagnostic): the window's earlier and later halves are fitted
// separately, and while their slopes differ by more than their combined 95 % confidence
// half-width the window's start moves on by one wave. A window
// that never passes keeps its later half and the estimate's half-width includes the difference
// between the halves (a drift that is still going on).
//
// What no estimate from the first waves can see: a change of behaviour that begins only after
// them (e.g. a cache that fills up later in the grid). The sampled prediction says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gpusim::sim {

// Two-sided 95 % quantile of Student's t with `dof` degrees of freedom (standard tables).
double student_t95(size_t dof);

struct LineFit {
  double slope = 0, slope_error = 0;  // slope and its standard error
  size_t points = 0;
  bool valid = false;  // at least 3 points
};
// Least-squares line through (i, ends[i]) for i in [first, last).
LineFit fit_wave_ends(const std::vector<uint64_t>& ends, size_t first, size_t last);

struct WaveEstimate {
  bool valid = false;       // enough waves for a fit (and d > 0)
  bool stationary = false;  // the window's halves agree (see above)
  size_t first = 0;         // first wave of the window the estimate uses
  size_t points = 0;        // waves in it
  double wave_cycles = 0;   // d
  double half_width = 0;    // 95 % confidence half-width of d (cycles), drift included when not stationary
};

// The smallest window the stationarity test can split: two halves of 3 waves each.
inline constexpr size_t kMinStationaryWindow = 6;

// Points before `first_allowed` are not fitted (the sampler's L2 was still filling then:
// sim/l2_fill_watch.h); wave 0 never is.
WaveEstimate estimate_wave_time(const std::vector<uint64_t>& ends, size_t first_allowed = 1);

// The estimated error (cycles) of a prediction that extrapolates `skipped_waves` waves at d:
// skipped x max(half-width, floor_fraction x d). The floor stands for bias the statistics cannot
// see (tests/workloads/sampling_test.cpp measures it on the teaching GPU).
double extrapolation_error(const WaveEstimate& e, uint64_t skipped_waves, double floor_fraction);

// Windows of detailed waves spread over the grid (sim/sampled_launch.h: start, middle and end of
// the launch in detail, the waves between them skipped). Each window gives the end times of its
// consecutive steady waves; its wave time d_k is the least-squares slope through them. The windows
// are short (3 points each), so the jitter of the end instants is estimated from all windows at
// once: the residuals of every window's own line are pooled (one variance, sum of points - 2 per
// window degrees of freedom), and each d_k gets Student's 95 % half-width from that pooled
// variance and its own spread of wave indices.

struct WindowFit {
  double wave_cycles = 0;  // d_k
  double half_width = 0;   // 95 % confidence half-width of d_k (pooled jitter)
  size_t points = 0;
};

struct WindowedFit {
  bool valid = false;  // every window has >= 2 points, d_k > 0, and the pool >= 1 degree of freedom
  std::vector<WindowFit> windows;
  size_t dof = 0;      // of the pooled variance
  double sigma = 0;    // pooled standard deviation of the end instants around the windows' lines
};

WindowedFit fit_windows(const std::vector<std::vector<uint64_t>>& window_ends);

// The waves skipped between two windows a and b, predicted at the mean of their wave times (the
// trapezoid: exact for a wave time that changes linearly between them). Error: waves x
// (|d_a - d_b| + (hw_a + hw_b) / 2). A wave time that moved monotonically from d_a to d_b would
// average within half the difference of that mean, but the skipped waves' mean need not lie
// between the windows' (transpose_unpadded 4096^2 on v100.ini: windows at 11,775, 11,036 and
// 9,662 cycles per wave, skipped waves about 9,650 on average), so the whole difference.
// Still not covered: a change that comes and goes between two windows unseen by either.
struct SegmentEstimate {
  double cycles = 0, error = 0;
};
SegmentEstimate estimate_segment(const WindowFit& a, const WindowFit& b, uint64_t waves);

}  // namespace gpusim::sim
