#include "sim/work_scaling.h"

#include <cmath>

namespace gpusim::sim {

WorkScaling compare_work(const std::vector<uint64_t>& issued, size_t first, size_t points,
                         uint64_t skipped_instructions, uint64_t skipped_waves, const WorkScalingOptions& o) {
  WorkScaling w;
  if (points < 2 || first + points > issued.size() || skipped_waves == 0) return w;
  const uint64_t fitted = issued[first + points - 1] - issued[first];
  return compare_work_rates(double(fitted) / double(points - 1), double(skipped_instructions) / double(skipped_waves),
                            o);
}

WorkScaling compare_work_rates(double timed_per_unit, double predicted_per_unit, const WorkScalingOptions& o) {
  WorkScaling w;
  if (!(timed_per_unit > 0) || !(predicted_per_unit > 0)) return w;
  w.measured = true;
  w.timed_per_unit = timed_per_unit;
  w.predicted_per_unit = predicted_per_unit;
  w.ratio = predicted_per_unit / timed_per_unit;
  w.scaled = std::fabs(w.ratio - 1) > o.threshold;
  return w;
}

double WorkScaling::scale_error(double error, double unscaled_cycles) const {
  if (!scaled) return error;
  return error * factor() + std::fabs(ratio - 1) * std::fabs(unscaled_cycles);
}

}  // namespace gpusim::sim
