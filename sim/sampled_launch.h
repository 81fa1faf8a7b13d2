// Sampled timing simulation (`--sample`): windows of a few waves spread over the launch's grid
// (its start, evenly spaced middle points and its end) run on the cycle-level model back to back;
// the CTAs of the waves between them run functionally only (their results are exact, their time
// is not simulated), and the launch's time is predicted as
//
//   T = T_detailed + sum over skipped segments of  waves x (d_a + d_b) / 2
//
// where T_detailed is the cycle-level time of the windows run one after the other (the dispatcher
// jumps over each skipped CTA range: GpuModel::set_cta_skip, so the machine stays full across a
// jump like it does from one wave to the next), and d_a, d_b the steady time per wave measured in
// the windows on either side of the segment. A "wave" is as many CTAs as the GPU holds at once
// (CTAs per SM x SMs); the k-th wave ends when k x that many detailed CTAs have retired.
//
// The printed error (sim/wave_estimate.h estimate_segment) is, per segment, waves x (|d_a - d_b|
// / 2 + the mean of the two windows' 95 % half-widths): the drift of the wave time across the grid
// is measured, not assumed. The first window also holds wave 0 (ramp-up) and the last the drain
// and the grid's partial last wave, so both run in detail and only whole steady waves are
// extrapolated.
//
// A cooperative or clustered launch, or a grid too short for the windows to be at most half of it,
// is simulated in full; the result says why. A prediction whose estimated error exceeds
// max_error is printed with that error and marked as not trusted (the windows are chosen before
// they are measured, so the skipped CTAs cannot be re-run in detail afterwards).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"
#include "sim/gpu_model.h"
#include "sim/timing_types.h"
#include "sim/wave_estimate.h"

namespace gpusim::sim {

struct SamplingOptions {
  // Consecutive steady waves whose end times a window fits (3 points, 1 degree of freedom per
  // window for the pooled jitter). The first window has wave 0 before them, the last one the
  // drain wave after them.
  unsigned window_waves = 3;
  unsigned min_windows = 3;              // start, middle, end
  double max_detailed_fraction = 0.15;   // more windows while their waves stay within this
  double max_detailed_share = 0.5;       // a grid whose windows would be more is simulated in full
  double max_error = 0.05;               // a larger estimated error is flagged as not trusted
};

// One window of detailed waves: grid wave index of its first wave and its full waves (the last
// window also holds the grid's partial last wave).
struct SamplingWindow {
  uint64_t first_wave = 0, waves = 0;
};
// The windows for a grid of `full_waves`; empty when the grid is too short to sample.
std::vector<SamplingWindow> plan_windows(uint64_t full_waves, const SamplingOptions& options);

struct SampledWindow {
  uint64_t first_wave = 0, waves = 0;  // in the grid
  double wave_cycles = 0, half_width = 0;  // measured steady time per wave, its 95 % half-width
};

struct SampledTiming {
  LaunchTiming timing;           // cycles/seconds = the prediction; counters cover the detailed CTAs
  bool sampled = false;          // false: simulated in full (see fallback_reason)
  bool trusted = true;           // sampled and the estimated error within max_error
  std::string fallback_reason;
  uint64_t total_ctas = 0, detailed_ctas = 0;
  uint64_t wave_ctas = 0;        // CTAs per wave
  uint64_t total_waves = 0, detailed_waves = 0;  // full waves
  uint64_t detailed_cycles = 0;  // cycle-level time of the detailed CTAs
  double wave_cycles = 0;        // mean steady-state cycles per skipped wave used for the prediction
  std::vector<SampledWindow> windows;
  double max_error = 0.05;
  double detailed_cpu_seconds = 0, functional_cpu_seconds = 0;  // host CPU time of the two parts
  uint64_t error_cycles = 0;     // estimated error of the prediction (cycles)
  std::vector<uint64_t> wave_end_cycles;  // from launch start, one per full detailed wave
  double estimated_error() const { return timing.cycles ? double(error_cycles) / double(timing.cycles) : 0.0; }
};

// Counts CTA retirements on the model while a sampled launch runs (arm: it sets itself as the
// model's retirement listener; disarm: it leaves), keeps the dispatcher's CTA limit two waves of
// detailed CTAs ahead of the retirements, and sets the jump over each skipped range as the limit
// reaches the next window.
class WaveSampler : public GpuModel::CtaRetirementListener {
 public:
  void arm(GpuModel& model, uint64_t wave_ctas, uint64_t total_ctas, const std::vector<SamplingWindow>& windows);
  void disarm() {
    if (model_) {
      model_->set_cta_retirement_listener(nullptr);
      model_->set_cta_skip(UINT64_MAX, 0);
    }
    model_ = nullptr;
  }
  void on_ctas_retired(uint64_t cycle, uint64_t retired_so_far) override;

  const std::vector<uint64_t>& wave_ends() const { return wave_ends_; }  // absolute core cycles
  // Detailed CTAs in total, and the CTA id of the n-th of them (n <= that total: its end).
  uint64_t detailed_ctas() const { return detailed_; }
  uint64_t cta_id_of(uint64_t n, size_t* window = nullptr) const;

 private:
  GpuModel* model_ = nullptr;
  std::vector<SamplingWindow> windows_;
  uint64_t wave_ = 0, total_ = 0, detailed_ = 0;
  size_t skip_window_ = 0;  // the window the dispatcher's pending or last jump leads into
  std::vector<uint64_t> wave_ends_;
  void raise_limit(uint64_t detailed_target);
};

// Runs `launch` sampled when it qualifies, else in full; every CTA executes (the outputs equal a
// full run's, up to the order of cross-CTA atomics on floating-point data). Throws like run_timed_launch / run_cta_functional.
SampledTiming run_sampled_launch(GpuModel& model, WaveSampler& sampler, isa::LaunchState& launch,
                                 const KernelResources& resources, const isa::FunctionalLimits& limits,
                                 const SamplingOptions& options = {});

// One line for the launch summary: what was simulated in detail and the prediction's error.
std::string describe_sampling(const SampledTiming& s);
// The "sampling" object of a launch's statistics JSON.
nlohmann::json sampling_to_json(const SampledTiming& s);

}  // namespace gpusim::sim
