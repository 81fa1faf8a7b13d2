// Progress-rate sampling (`--sample` on grids of a few waves, too short for the wave sampler of
// sim/sampled_launch.h): the launch runs on the cycle-level model until the machine's steady
// progress rate is known, then the model stops and every CTA completes functionally (the resident
// ones from their state at the stop, sim/cta_completion.h), counting the warp-instructions each
// still executes; the rest of the time is predicted from that work and the measured rate:
//
//   T = T_detailed + schedule(remaining work of every CTA, per-CTA rate of its SM)  (sim/tail_schedule.h)
//
// The rate: the launch's cumulative warp-instructions at the end of every window of
// `window_cycles` simulated cycles form a series that, in steady state, is a line whose slope is
// the machine's rate per window. sim/wave_estimate.h fits it as it fits wave end times (window 0,
// the ramp-up, left out; a stationarity test cuts further warm-up; 95 % Student interval of the
// slope), counted from the window in which the first CTA beyond the machine's slots is dispatched
// (the first generation runs on cold caches, in lockstep: see on_progress). The per-CTA rate of an
// SM is its own warp-instructions per cycle over the fitted windows, over the mean number of CTAs
// it held (the machine's slope over the mean CTAs resident for an SM that held none). The model stops at the first window end at which the fit is stationary and its
// half-width is within `tolerance` of the rate (or, from `max_windows` on, within `max_error`); a
// launch that ends first was simulated in full.
//
// The L2 filling up changes the rate (sim/l2_fill_watch.h; vecadd on h100.ini at 20 waves, its
// L2 full at wave ~16, was predicted 11.8 % fast): while it is filling and, at the rate CTAs
// complete, would be full before the launch ends, the model is not stopped, and once it has turned
// over only the windows after that are fitted.
//
// The printed error is the remaining time x max(relative 95 % half-width of the rate,
// error_floor), plus two DRAM round trips (the last CTA's final dependent accesses, which the
// rate cannot see): the floor stands for what the rate cannot see (a tail that runs faster than the
// full machine, phases of the kernel that come after the stop), measured on the workloads
// (docs/PERFORMANCE.md). Decisions use simulated cycles and instruction counts only, so the result
// is the same for any --threads.
//
// Not for cooperative or clustered launches (their CTAs must be resident together; the caller
// refuses them). TMA, mbarrier and cp.async kernels are safe: the functional model completes a
// copy and its mbarrier transactions when the copy issues (sim/tma_unit.h), so the state at a
// cycle boundary is complete.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"
#include "sim/gpu_model.h"
#include "sim/l2_fill_watch.h"
#include "sim/timing_types.h"
#include "sim/wave_estimate.h"

namespace gpusim::sim {

struct ProgressOptions {
  uint64_t window_cycles = 1000;
  unsigned min_windows = 12;  // window 0 (ramp-up) + 11: halves of >= 5 for the stationarity test
  unsigned max_windows = 60;  // from here stop at max_error
  double tolerance = 0.01;    // relative 95 % half-width of the rate to stop at
  double max_error = 0.03;
  // Of the predicted rest: on v100.ini cut to 8 SMs the rest came out 2.1 % (sgemm_tiled 256^3),
  // 2.7 % (sgemm_naive 256^3) and 3.3 % (reduce_sum 1M) off the full run's (docs/PERFORMANCE.md),
  // so 4 %; since register banks are allocated by the model (2026-12-07) sgemm_tiled's rest is
  // 5.5 % off (sgemm_naive 2.7 %, reduce_sum 1.3 %, the held-out softmax 1.5 %), so 6 %.
  double error_floor = 0.06;
};

struct ProgressRun {
  LaunchTiming timing;  // cycles/seconds = the prediction; counters cover the detailed part
  bool sampled = false;  // false: the launch ended before the rate settled (a full simulation)
  uint64_t detailed_cycles = 0, rest_cycles = 0, error_cycles = 0;
  uint64_t drain_cycles = 0;  // in the error: the last CTA's final memory round trips (see the .cpp)
  uint64_t windows = 0, fit_first_window = 0, fit_windows = 0;
  bool stationary = false;
  double rate = 0, rate_half_width = 0;  // machine warp-instructions per cycle, 95 % half-width
  double mean_resident = 0;              // CTAs resident over the fitted windows
  uint64_t resident_at_stop = 0, queued_at_stop = 0, slots = 0;
  uint64_t detailed_instructions = 0, remaining_instructions = 0;
  double detailed_cpu_seconds = 0, functional_cpu_seconds = 0;
  // The L2 (sim/l2_fill_watch.h) when the model stopped or the launch ended: turned over (in which
  // window); and whether the sampler waited for it to fill.
  bool l2_full = false, l2_waited = false;
  uint64_t l2_full_window = 0;
};

// Watches a launch's progress every window (GpuModel::ProgressProbe) and stops the model once the
// rate is known.
class ProgressSampler : public GpuModel::ProgressProbe {
 public:
  void arm(GpuModel& model, const ProgressOptions& options, uint64_t slots, uint64_t total_ctas);
  void disarm();
  void on_progress(uint64_t launch_cycles, uint64_t warp_instructions) override;
  const std::vector<uint64_t>& instruction_ends() const { return ends_; }  // one per window
  const std::vector<uint64_t>& resident() const { return resident_; }      // CTAs at each window end
  // Per window end, per SM: its warp-instructions so far and its resident CTAs (the per-SM rates
  // of the tail schedule, sim/tail_schedule.h); `window` counts as instruction_ends() does. Only
  // the last max_windows + 1 windows are kept (a fit never reaches further back): a launch that
  // never settles must not keep an SM-count row per window of its whole length.
  uint64_t sm_instructions(size_t window, size_t sm) const { return sm_windows_.at(window - sm_first_window_).instructions[sm]; }
  uint32_t sm_resident(size_t window, size_t sm) const { return sm_windows_.at(window - sm_first_window_).resident[sm]; }
  size_t sm_count() const { return sm_windows_.empty() ? 0 : sm_windows_.front().resident.size(); }
  const WaveEstimate& estimate() const { return estimate_; }                // the one it stopped on
  // Index in instruction_ends() of the first window the estimate saw: past max_windows the fit
  // slides with the launch (the last max_windows windows), which also bounds its cost.
  size_t estimate_offset() const { return offset_; }
  const L2FillWatch& l2() const { return l2_; }
  bool waited_for_l2() const { return waited_for_l2_; }  // a window passed up while the L2 filled

 private:
  GpuModel* model_ = nullptr;
  ProgressOptions options_;
  std::vector<uint64_t> ends_, resident_;
  struct SmWindow {
    std::vector<uint64_t> instructions;
    std::vector<uint32_t> resident;
  };
  std::deque<SmWindow> sm_windows_;
  size_t sm_first_window_ = 0;  // the window sm_windows_.front() is
  WaveEstimate estimate_;
  size_t offset_ = 0;
  uint64_t slots_ = 0, total_ctas_ = 0;
  size_t turnover_ = 0;  // first window after the first generation (SIZE_MAX: not yet)
  L2FillWatch l2_;
  bool waited_for_l2_ = false;
};

// Runs `launch` (not cooperative, no clusters) progress-rate sampled; every CTA executes. Throws
// like run_timed_launch / run_cta_functional.
ProgressRun run_progress_sampled_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources,
                                        const isa::FunctionalLimits& limits, uint64_t slots,
                                        const ProgressOptions& options = {});

}  // namespace gpusim::sim
