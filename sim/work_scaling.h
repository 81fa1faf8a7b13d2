// Whether the CTAs a sampled launch skipped did the same work per wave as the waves it measured,
// for the wave sampler (sim/sampled_launch.h); the scaled-machine proxy (sim/proxy_sampling.h)
// compares the grid's work per CTA with each proxy's CTA range's the same way.
//
// The prefix sampler times the first waves and extrapolates their pace to the rest of the grid.
// That assumes every wave does the same work, which ordinary CUDA code often breaks: causal
// attention and triangular solves give later CTAs more of it (work grows with blockIdx), a
// boundary test can leave the last CTAs with less. No statistic of the timed waves can see
// that, but the skipped CTAs still run functionally (their results must be complete), so their
// warp-instructions are known once the launch ends. This compares them, per wave, with the
// warp-instructions the launch issued over the fitted waves:
//   ratio = (skipped warp-instructions / skipped waves) / (issued over the fit / fitted waves).
// Beyond `threshold` of 1 the skipped waves' time is scaled by the ratio (time proportional to
// work, as the progress-rate sampler assumes), and |ratio - 1| of the unscaled time is added to
// the error: the extra work may cost anything from nothing to twice the fitted waves' average
// warp-instruction. Measured on a kernel whose loop count changes with blockIdx (v100.ini, 102
// waves, docs/PERFORMANCE.md), the skipped waves' time changed by k x (ratio - 1) with k from 0.42
// (a loop of loads whose later iterations hit in lines neighbouring CTAs brought into the L2) to
// 1.98 (the extra instructions were the loads of a memory-bound loop, dearer than its set-up).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gpusim::sim {

struct WorkScalingOptions {
  // |ratio - 1| within this: the prediction is not scaled (equal work per CTA measures within
  // 1 %: the issued count of a wave includes the in-flight parts of its neighbours).
  double threshold = 0.02;
};

struct WorkScaling {
  bool measured = false;          // both sides had work to compare
  double timed_per_unit = 0;      // warp-instructions issued per fitted wave (proxy: per timed CTA)
  double predicted_per_unit = 0;  // per skipped wave, run functionally (proxy: per CTA of the grid)
  double ratio = 1;               // skipped / fitted
  bool scaled = false;            // the skipped waves' time was scaled by `ratio`
  double factor() const { return scaled ? ratio : 1.0; }
  // The skipped waves' predicted cycles and their error, given those of the unscaled estimate:
  // the statistics' error scaled alike, plus |ratio - 1| of the unscaled time.
  double scale_cycles(double cycles) const { return cycles * factor(); }
  double scale_error(double error, double unscaled_cycles) const;
};

// Work per unit (a wave, a CTA) of what was timed against that of what the prediction covers.
WorkScaling compare_work_rates(double timed_per_unit, double predicted_per_unit, const WorkScalingOptions& options);

// `issued_at_wave_end[k]`: the launch's warp-instructions issued by the k-th wave end; the fit used
// wave ends [first, first + points).
WorkScaling compare_work(const std::vector<uint64_t>& issued_at_wave_end, size_t first, size_t points,
                         uint64_t skipped_instructions, uint64_t skipped_waves, const WorkScalingOptions& options);

}  // namespace gpusim::sim
