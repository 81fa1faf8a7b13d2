#include "sim/wave_estimate.h"

#include <algorithm>
#include <cmath>

namespace gpusim::sim {

double student_t95(size_t dof) {
  static constexpr double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                     2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086};
  if (dof == 0) return table[0];  // no degrees of freedom: callers never trust such a fit
  if (dof <= 20) return table[dof - 1];
  return dof <= 30 ? 2.042 : dof <= 60 ? 2.000 : 1.960;  // the larger quantile of each band
}

LineFit fit_wave_ends(const std::vector<uint64_t>& ends, size_t first, size_t last) {
  LineFit f;
  last = std::min(last, ends.size());
  if (last < first + 3) return f;
  const size_t n = last - first;
  double mean_x = 0, mean_y = 0;
  for (size_t i = first; i < last; ++i) mean_x += double(i), mean_y += double(ends[i]);
  mean_x /= double(n), mean_y /= double(n);
  double sxx = 0, sxy = 0;
  for (size_t i = first; i < last; ++i) {
    sxx += (double(i) - mean_x) * (double(i) - mean_x);
    sxy += (double(i) - mean_x) * (double(ends[i]) - mean_y);
  }
  f.slope = sxy / sxx;
  double residuals = 0;
  for (size_t i = first; i < last; ++i) {
    const double r = double(ends[i]) - (mean_y + f.slope * (double(i) - mean_x));
    residuals += r * r;
  }
  f.slope_error = std::sqrt(residuals / double(n - 2) / sxx);
  f.points = n;
  f.valid = true;
  return f;
}

namespace {

double half_width(const LineFit& f) { return student_t95(f.points - 2) * f.slope_error; }

// Where the warm-up ends, by the marginal standard error rule (MSER, White 1997) applied to the
// slope: of the windows that reach the last wave, start within the first half of the waves after
// wave 0 and keep at least kMinStationaryWindow points, the one whose slope has the smallest
// standard error. Leaving out warm-up waves removes residuals larger than the jitter, so the error
// falls; leaving out steady waves only shortens the line, so it rises. The halves test alone
// accepted windows that began on a warm-up plateau whose level differs from the steady one but
// whose 3-5 waves look straight (window_sum_naive 16M on v100.ini: 4 waves of 1,070 cycles, then
// 1,910; the fit from wave 3 predicted 2.4 % too few cycles).
size_t least_error_start(const std::vector<uint64_t>& ends, size_t lo) {
  const size_t n = ends.size();
  size_t best_first = lo;
  double best_error = 0;
  for (size_t first = lo; first <= lo + (n - lo) / 2 && first + kMinStationaryWindow <= n; ++first) {
    const LineFit f = fit_wave_ends(ends, first, n);
    if (first == lo || f.slope_error < best_error) best_first = first, best_error = f.slope_error;
  }
  return best_first;
}

}  // namespace

WaveEstimate estimate_wave_time(const std::vector<uint64_t>& ends, size_t first_allowed) {
  WaveEstimate e;
  const size_t n = ends.size();
  const size_t lo = std::max<size_t>(first_allowed, 1);  // wave 0 is never fitted
  if (n < lo + 3) return e;  // 3 points at least
  // Move the window's start on while its halves disagree (warm-up still in it), from the start
  // the slope is known best from.
  for (size_t first = least_error_start(ends, lo); first + kMinStationaryWindow <= n; ++first) {
    const size_t mid = first + (n - first) / 2;
    const LineFit a = fit_wave_ends(ends, first, mid), b = fit_wave_ends(ends, mid, n);
    const double dof = double(a.points + b.points - 4);
    const double limit = student_t95(size_t(dof)) * std::hypot(a.slope_error, b.slope_error);
    if (std::fabs(a.slope - b.slope) <= limit) {
      const LineFit all = fit_wave_ends(ends, first, n);
      e.valid = all.slope > 0;
      e.stationary = true;
      e.first = first;
      e.points = all.points;
      e.wave_cycles = all.slope;
      e.half_width = half_width(all);
      return e;
    }
  }
  // No stationary window (or too few waves to test): the later half, with the drift between the
  // halves in the half-width.
  const size_t first = n >= lo + kMinStationaryWindow ? lo + (n - lo) / 2 : lo;
  const LineFit late = fit_wave_ends(ends, first, n);
  if (!late.valid) return e;
  e.valid = late.slope > 0;
  e.first = first;
  e.points = late.points;
  e.wave_cycles = late.slope;
  e.half_width = half_width(late);
  if (first > lo) {
    const LineFit early = fit_wave_ends(ends, lo, first);
    if (early.valid) e.half_width = std::max(e.half_width, std::fabs(late.slope - early.slope));
  }
  return e;
}

double extrapolation_error(const WaveEstimate& e, uint64_t skipped_waves, double floor_fraction) {
  return double(skipped_waves) * std::max(e.half_width, floor_fraction * e.wave_cycles);
}

WindowedFit fit_windows(const std::vector<std::vector<uint64_t>>& window_ends) {
  WindowedFit w;
  double rss = 0;
  std::vector<double> sxx(window_ends.size(), 0.0);
  bool ok = !window_ends.empty();
  for (size_t k = 0; k < window_ends.size(); ++k) {
    const std::vector<uint64_t>& e = window_ends[k];
    WindowFit f;
    f.points = e.size();
    if (e.size() < 2) {
      ok = false;
      w.windows.push_back(f);
      continue;
    }
    const double n = double(e.size()), mean_x = (n - 1) / 2;
    double mean_y = 0;
    for (uint64_t y : e) mean_y += double(y);
    mean_y /= n;
    double sxy = 0;
    for (size_t i = 0; i < e.size(); ++i) {
      sxx[k] += (double(i) - mean_x) * (double(i) - mean_x);
      sxy += (double(i) - mean_x) * (double(e[i]) - mean_y);
    }
    f.wave_cycles = sxy / sxx[k];
    for (size_t i = 0; i < e.size(); ++i) {
      const double r = double(e[i]) - (mean_y + f.wave_cycles * (double(i) - mean_x));
      rss += r * r;
    }
    w.dof += e.size() - 2;
    ok = ok && f.wave_cycles > 0;
    w.windows.push_back(f);
  }
  if (w.dof == 0) return w;
  w.sigma = std::sqrt(rss / double(w.dof));
  const double t = student_t95(w.dof);
  for (size_t k = 0; k < w.windows.size(); ++k)
    if (sxx[k] > 0) w.windows[k].half_width = t * w.sigma / std::sqrt(sxx[k]);
  w.valid = ok;
  return w;
}

SegmentEstimate estimate_segment(const WindowFit& a, const WindowFit& b, uint64_t waves) {
  const double n = double(waves);
  return {n * (a.wave_cycles + b.wave_cycles) / 2,
          n * (std::fabs(a.wave_cycles - b.wave_cycles) + (a.half_width + b.half_width) / 2)};
}

}  // namespace gpusim::sim
