// Sampled timing simulation of grids too short for the prefix sampler of sim/sampled_launch.h
// (fewer than 74 full waves, e.g. the 25-wave transposes at 4096^2 on v100.ini): windows of a
// few waves spread over the grid (its start, evenly spaced middle points and its end) run on the
// cycle-level model back to back; the CTAs of the waves between them run functionally only, and
// the launch's time is predicted as
//
//   T = T_detailed + sum over skipped segments of  waves x (d_a + d_b) / 2
//
// where T_detailed is the cycle-level time of the windows run one after the other (the dispatcher
// jumps over each skipped CTA range, GpuModel::set_cta_skip, so the machine stays full across a
// jump as it does from one wave to the next) and d_a, d_b the steady time per wave measured in the
// windows on either side of the segment. The error (sim/wave_estimate.h estimate_segment) is the
// measured drift between the windows plus their 95 % half-widths, not an assumed floor. The first
// window also holds wave 0 (ramp-up) and the last the drain and the grid's partial last wave.
//
// The windows are chosen before they are measured, so a launch whose estimate turns out wider
// than max_error cannot be re-run in detail: its result is marked as not trusted instead.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"
#include "sim/gpu_model.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

struct WindowOptions {
  // Consecutive steady waves whose end times a window fits (3 points, 1 degree of freedom per
  // window for the pooled jitter). The first window has wave 0 before them, the last one the
  // drain wave after them.
  unsigned window_waves = 3;
  unsigned min_windows = 3;             // start, middle, end
  double max_detailed_fraction = 0.15;  // more windows while their waves stay within this
  double max_detailed_share = 0.5;      // a grid whose windows would be more is simulated in full
};

// One window of detailed waves: grid wave index of its first wave and its full waves (the last
// window also holds the grid's partial last wave).
struct SamplingWindow {
  uint64_t first_wave = 0, waves = 0;
};
// The windows for a grid of `full_waves`; empty when the grid is too short to sample.
std::vector<SamplingWindow> plan_windows(uint64_t full_waves, const WindowOptions& options);

struct SampledWindow {
  uint64_t first_wave = 0, waves = 0;      // in the grid
  double wave_cycles = 0, half_width = 0;  // measured steady time per wave, its 95 % half-width
};

struct WindowedRun {
  LaunchTiming timing;  // cycles/seconds = the prediction; counters cover the detailed CTAs
  bool valid = false;   // every window gave a wave time (else the error is the whole skipped time)
  uint64_t detailed_ctas = 0, detailed_waves = 0, detailed_cycles = 0, error_cycles = 0;
  double wave_cycles = 0;  // mean predicted cycles per skipped wave
  std::vector<SampledWindow> windows;
  std::vector<uint64_t> wave_end_cycles;  // from launch start, one per full detailed wave
  double detailed_cpu_seconds = 0, functional_cpu_seconds = 0;
};

// Counts CTA retirements while a windowed launch runs, keeps the dispatcher's CTA limit two waves
// of detailed CTAs ahead of them, and sets the jump over each skipped range as the limit reaches
// the next window.
class WindowSampler : public GpuModel::CtaRetirementListener {
 public:
  void arm(GpuModel& model, uint64_t wave_ctas, uint64_t total_ctas, const std::vector<SamplingWindow>& windows);
  void disarm();
  void on_ctas_retired(uint64_t cycle, uint64_t retired_so_far) override;
  const std::vector<uint64_t>& wave_ends() const { return wave_ends_; }  // absolute core cycles
  uint64_t detailed_ctas() const { return detailed_; }
  // The CTA id of the end of the n-th detailed CTA (n <= detailed_ctas()), and its window.
  uint64_t cta_id_of(uint64_t n, size_t* window = nullptr) const;

 private:
  void raise_limit(uint64_t detailed_target);
  GpuModel* model_ = nullptr;
  std::vector<SamplingWindow> windows_;
  uint64_t wave_ = 0, total_ = 0, detailed_ = 0;
  size_t skip_window_ = 0;  // the window the dispatcher's pending or last jump leads into
  std::vector<uint64_t> wave_ends_;
};

// Runs `launch` with the windows of `plan` in detail and the rest functionally (every CTA
// executes). Throws like run_timed_launch / run_cta_functional.
WindowedRun run_windowed_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources,
                                const isa::FunctionalLimits& limits, uint64_t wave_ctas,
                                const std::vector<SamplingWindow>& plan, unsigned window_waves);

}  // namespace gpusim::sim
