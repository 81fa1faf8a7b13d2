// Sampled timing simulation (`--sample`): the first waves of a launch run on the cycle-level model
// until the time per wave settles, the CTAs of the middle waves that follow run functionally only
// (their results are exact, their time is not simulated), and the launch's time is predicted as
//
//   T = T_detailed + skipped_waves x d
//
// where T_detailed is the cycle-level time of the CTAs simulated in detail and d the steady-state
// time per wave measured in them. A "wave" is as many CTAs as the GPU holds at once (CTAs per SM x
// SMs); the k-th wave ends when k x that many CTAs have retired, and d is the least-squares slope
// of those instants over the later half of the waves (the first ones include the ramp-up) while
// the next wave is queued. Waves run in detail until d is known to `tolerance` (95 % confidence
// half-width of the slope) or `max_detailed_fraction` of the waves are done. The detailed part is
// the CTAs of the first k full waves plus as many as the grid's partial last wave holds (the
// rest, the highest CTA ids, run functionally), so the launch's ramp-up and its tail both run in
// detail and only whole steady-state waves are extrapolated.
//
// Estimated error: skipped waves x the uncertainty of d (the slope's 95 % confidence half-width,
// Student t, at least half the tolerance x d). It covers how well d is known, not a change of
// behaviour within the skipped waves (e.g. an L2 that fills up only later in the grid).
//
// A cooperative launch (grid-wide sync needs every CTA resident) or a grid of fewer than
// SamplingOptions::min_total_waves waves is simulated in full; the result says why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"
#include "sim/gpu_model.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

struct SamplingOptions {
  unsigned min_waves = 8;        // full waves simulated in detail at least (the fit uses the later 4)
  double tolerance = 0.02;       // wave time known to this fraction (95 % confidence): steady
  double max_detailed_fraction = 0.15;  // of the full waves, once min_waves are done
  unsigned min_total_waves = 16;  // fewer: simulate in full
};

struct SampledTiming {
  LaunchTiming timing;           // cycles/seconds = the prediction; counters cover the detailed CTAs
  bool sampled = false;          // false: simulated in full (see fallback_reason)
  std::string fallback_reason;
  uint64_t total_ctas = 0, detailed_ctas = 0;
  uint64_t wave_ctas = 0;        // CTAs per wave
  uint64_t total_waves = 0, detailed_waves = 0;  // full waves
  uint64_t detailed_cycles = 0;  // cycle-level time of the detailed CTAs
  double wave_cycles = 0;        // steady-state cycles per wave used for the prediction
  uint64_t error_cycles = 0;     // estimated error of the prediction (cycles)
  std::vector<uint64_t> wave_end_cycles;  // from launch start, one per full detailed wave
  double estimated_error() const { return timing.cycles ? double(error_cycles) / double(timing.cycles) : 0.0; }
};

// Watches CTA retirements on the model it is attached to (GpuModel::add_observer, once, when the
// model is built: attaching rebuilds the model) and, while a sampled launch runs, raises the
// model's CTA limit wave by wave until the wave spacing settles. Idle otherwise.
class WaveSampler : public SimObserver {
 public:
  void arm(GpuModel& model, uint64_t wave_ctas, uint64_t total_ctas, const SamplingOptions& options);
  void disarm() { model_ = nullptr; }
  void on_cta(uint64_t cycle, int sm, uint64_t cta_linear_id, bool started) override;

  uint64_t detailed_ctas() const { return limit_; }
  const std::vector<uint64_t>& wave_ends() const { return wave_ends_; }  // absolute core cycles
  // Waves that ended while the next wave was queued (the sampler was still deciding).
  uint64_t steady_waves() const { return steady_waves_; }

 private:
  bool settled() const;
  GpuModel* model_ = nullptr;
  SamplingOptions options_;
  uint64_t wave_ = 0, total_ = 0, max_waves_ = 0, retired_ = 0, limit_ = 0, steady_waves_ = 0;
  bool deciding_ = false;
  std::vector<uint64_t> wave_ends_;
};

// Runs `launch` sampled when it qualifies, else in full; every CTA executes (the outputs equal a
// full run's, up to the order of cross-CTA atomics on floating-point data). `sampler` must be the
// model's observer. Throws like run_timed_launch / run_cta_functional.
SampledTiming run_sampled_launch(GpuModel& model, WaveSampler& sampler, isa::LaunchState& launch,
                                 const KernelResources& resources, const isa::FunctionalLimits& limits,
                                 const SamplingOptions& options = {});

// One line for the launch summary: what was simulated in detail and the prediction's error.
std::string describe_sampling(const SampledTiming& s);
// The "sampling" object of a launch's statistics JSON.
nlohmann::json sampling_to_json(const SampledTiming& s);

}  // namespace gpusim::sim
