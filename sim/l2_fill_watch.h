// Whether the L2 is still filling up at a wave end, for the wave sampler (sim/sampled_launch.h).
//
// A grid that streams through more data than the L2 holds changes pace once the L2 is full: from
// then on every new line evicts one, and dirty victims add DRAM writes. Before that point no
// prefix of waves, however steady, predicts the rest: vecadd 32M on h100.ini (50 MB L2, 3.2 MB
// per wave) runs 1,280 cycles per wave for 15 waves and 2,000 from wave 16 on, so a prefix of 11
// predicted 33 % too few cycles with +/-3.5 % printed. So the sampler watches the L2's lines:
//   - turned over: in the last wave at least `turnover_fraction` of the lines the L2 allocated
//     replaced another line: it is full, its state no longer drifts, and the fit may start at
//     that wave;
//   - filling: not turned over, and at its average rate of new lines so far the L2 would be full
//     before the grid ends: the sampler may not stop yet;
//   - neither: the grid ends before the L2 fills (its data fits), so nothing will change pace
//     for this reason and the sampler goes on as before.
// Kept apart from the simulator so that it can be tested on synthetic line counts.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/l2_line_counts.h"

namespace gpusim::sim {

struct L2FillOptions {
  // Of the lines one wave allocates, the fraction that evicted another line once the L2 is full
  // (streaming: every one; a few sets that still have room do not hold the sampler back).
  double turnover_fraction = 0.9;
};

class L2FillWatch {
 public:
  void start(const L2LineCounts& at_launch_start, uint64_t total_waves, const L2FillOptions& options = {});
  // After the (k+1)-th full wave (k = 0, 1, ...), in order.
  void on_wave_end(const L2LineCounts& now);
  // For a sampler that only estimates the launch's length as it goes (sim/progress_sampling.h:
  // windows of cycles): the next on_wave_end projects against this.
  void set_total_waves(uint64_t total_waves) { total_waves_ = total_waves; }
  // The L2 was warmed functionally with the lines of waves the detailed run will not see
  // (sim/l2_warming.h): those lines do not count toward the rate of new lines per detailed wave,
  // and `total_waves` is what is left for the detailed run.
  void after_warming(const L2LineCounts& now, uint64_t total_waves);
  // New lines per wave so far, and the lines the L2 still has room for.
  double lines_per_wave() const;
  uint64_t room() const { return last_.capacity > last_.valid ? last_.capacity - last_.valid : 0; }

  // Index of the wave end at which the L2 had turned over (the fit's first point may be there),
  // or 0 when it has not (yet).
  size_t turned_over_at() const { return turned_over_at_; }
  bool turned_over() const { return turned_over_; }
  // Not turned over, and at the rate so far the L2 is full before the grid ends.
  bool filling() const { return filling_; }
  // The wave (counted from 1) by whose end the L2 would be full at the rate so far (when filling).
  double projected_full_wave() const { return projected_full_wave_; }
  double occupancy() const { return last_.capacity ? double(last_.valid) / double(last_.capacity) : 0.0; }

 private:
  L2FillOptions options_;
  L2LineCounts start_, last_;
  uint64_t total_waves_ = 0, waves_ = 0;
  size_t turned_over_at_ = 0;
  bool turned_over_ = false, filling_ = false;
  double projected_full_wave_ = 0;
};

}  // namespace gpusim::sim
