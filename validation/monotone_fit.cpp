#include "validation/monotone_fit.h"

#include <algorithm>
#include <stdexcept>

namespace gpusim::validation {

MonotoneFit fit_monotone_integer(const std::function<double(int)>& figure, int lo, int hi, double target,
                                 double tolerance, int max_evaluations) {
  if (lo > hi) throw std::invalid_argument("fit_monotone_integer: empty range");
  if (!(target > 0)) throw std::invalid_argument("fit_monotone_integer: the target must be positive");
  MonotoneFit best;
  auto evaluate = [&](int v) {
    const double f = figure(v);
    ++best.evaluations;
    if (best.evaluations == 1 || std::fabs(f - target) < std::fabs(best.simulated - target)) {
      best.value = v;
      best.simulated = f;
    }
    return f;
  };
  auto close_enough = [&](double f) { return std::fabs(f - target) <= tolerance * target; };

  // Bracket ends: (value, figure). The top is the uncalibrated value; the bottom starts unknown.
  int high = hi;
  double f_high = evaluate(hi);
  if (f_high <= target || close_enough(f_high)) return best;  // cannot go faster than the top
  int low = lo;
  bool low_known = false;
  double f_low = 0;
  while (best.evaluations < max_evaluations && high - low > 1) {
    int next;
    if (low_known && f_high > f_low) {
      next = low + int(std::lround((target - f_low) / (f_high - f_low) * (high - low)));
    } else {
      next = int(std::lround(high * target / f_high));  // proportional, as for a linear figure
    }
    // Keep the step strictly inside the bracket; bisect when interpolation lands on an end.
    if (next <= low || next >= high) next = low + (high - low) / 2;
    if (next <= low || next >= high) break;
    const double f = evaluate(next);
    if (close_enough(f)) break;
    if (f > target) {
      high = next;
      f_high = f;
    } else {
      low = next;
      f_low = f;
      low_known = true;
    }
  }
  return best;
}

}  // namespace gpusim::validation
