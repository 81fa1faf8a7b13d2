// Fitting one integer configuration value so that a simulated figure meets a measured one, when
// the figure rises with the value but not proportionally (DRAM efficiency: the banked channel's
// copy rate is not linear in the burst rate, because a short copy is partly latency-bound and
// row/turnaround costs do not scale with the bus rate). A proportional step can then overshoot:
// on the H200 recording 100 % ran the copy 4 % fast and the one proportional step to 96 % ran it
// 6.7 % slow. This keeps a bracket [value below the target, value above it], steps by linear
// interpolation inside it (bisecting when interpolation would not shrink it), and returns the
// best value it simulated, with the figure it simulated for that value.
#pragma once

#include <cmath>
#include <functional>

namespace gpusim::validation {

struct MonotoneFit {
  int value = 0;
  double simulated = 0;   // the figure at `value` (simulated, never extrapolated)
  int evaluations = 0;
};

// `figure(v)` must be non-decreasing in v on [lo, hi]. Starts at hi (the uncalibrated value); stops
// when a value is within `tolerance` (relative) of `target`, when the bracket is one step wide, or
// after `max_evaluations` simulations. Throws std::invalid_argument when lo > hi or target <= 0.
MonotoneFit fit_monotone_integer(const std::function<double(int)>& figure, int lo, int hi, double target,
                                 double tolerance, int max_evaluations);

}  // namespace gpusim::validation
