#include "sim/l2_fill_watch.h"

namespace gpusim::sim {

void L2FillWatch::start(const L2LineCounts& at_launch_start, uint64_t total_waves, const L2FillOptions& options) {
  options_ = options;
  start_ = last_ = at_launch_start;
  total_waves_ = total_waves;
  waves_ = 0;
  turned_over_at_ = 0;
  turned_over_ = filling_ = false;
  projected_full_wave_ = 0;
}

void L2FillWatch::on_wave_end(const L2LineCounts& now) {
  const L2LineCounts before = last_;
  last_ = now;
  ++waves_;
  if (turned_over_) return;  // a full L2 stays full: lines are only ever replaced
  // New lines this wave: those that took an empty way plus those that replaced one.
  const uint64_t grew = now.valid > before.valid ? now.valid - before.valid : 0;
  const uint64_t evicted = now.evictions - before.evictions;
  const double allocated = double(grew + evicted);
  if (allocated > 0 && double(evicted) >= options_.turnover_fraction * allocated) {
    turned_over_ = true;
    turned_over_at_ = size_t(waves_ - 1);
    filling_ = false;
    return;
  }
  // The rate of new lines so far, for the waves still to come.
  const double rate = lines_per_wave();
  const double room = double(now.capacity) - double(now.valid);
  projected_full_wave_ = rate > 0 ? double(waves_) + room / rate : 0;
  filling_ = rate > 0 && projected_full_wave_ <= double(total_waves_);
}

double L2FillWatch::lines_per_wave() const {
  return waves_ ? double(last_.valid > start_.valid ? last_.valid - start_.valid : 0) / double(waves_) : 0.0;
}

void L2FillWatch::after_warming(const L2LineCounts& now, uint64_t total_waves) {
  if (now.valid > last_.valid) start_.valid += now.valid - last_.valid;
  start_.evictions += now.evictions - last_.evictions;
  last_ = now;
  total_waves_ = total_waves;
  // The projection from the detailed waves' rate, as the next wave end would make it.
  const double rate = lines_per_wave();
  projected_full_wave_ = rate > 0 ? double(waves_) + double(room()) / rate : 0;
  filling_ = !turned_over_ && rate > 0 && projected_full_wave_ <= double(total_waves_);
}

}  // namespace gpusim::sim
