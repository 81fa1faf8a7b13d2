// Sampled timing simulation (`--sample`): the first waves of a launch run on the cycle-level model
// until the time per wave is known, the CTAs of the middle waves that follow run functionally only
// (their results are exact, their time is not simulated), and the launch's time is predicted as
//
//   T = T_detailed + skipped_waves x d
//
// where T_detailed is the cycle-level time of the CTAs simulated in detail and d the steady-state
// time per wave measured in them. A "wave" is as many CTAs as the GPU holds at once (CTAs per SM x
// SMs); the k-th wave ends when k x that many CTAs have retired. d and its 95 % confidence
// half-width come from sim/wave_estimate.h (least-squares slope of the wave end times over a
// window the stationarity test has cut the warm-up from). After each wave the sampler asks: if it
// stopped now, would skipped_waves x max(half-width, error_floor x d) be within `tolerance` of the
// predicted total (floor 0: the statistics alone)? Yes: stop. At `max_detailed_fraction` of the
// waves it stops only if the estimate it will print (with the floor) is within `max_error`, else
// the rest of the grid runs in detail too (a full simulation, and the result says why). The
// detailed part is the CTAs of the first k full waves plus as many as the grid's partial last
// wave holds (the rest, the highest CTA ids, run functionally), so the launch's ramp-up and its
// tail both run in detail and only whole steady-state waves are extrapolated. The functional CTAs
// run as functional mode runs a grid (isa::run_ctas_functional): independent ones on the host
// threads, each seeing %clock from 0; CTAs that may communicate one after another.
//
// The statistics cover how well d is known from the detailed waves, not a change of behaviour
// over the grid (DRAM and L2 state drifting as it proceeds): that bias is the error_floor,
// measured on the suite. One such change the sampler does watch for: the L2 filling up
// (sim/l2_fill_watch.h). While the L2 is still filling and would be full before the grid ends,
// the sampler does not stop; once it has turned over, only the waves after that are fitted when
// the pace changed there (vecadd 32M on h100.ini: 1,280 cycles a wave while its 50 MB L2 fills,
// 2,000 after; the prefix alone predicted 33 % too few cycles). The waves in between need not be
// simulated: once the filling pace is known (a stationary fit), those that would only fill the L2
// further run functionally at once, their accesses warming the L2, and the dispatcher jumps over
// them (sim/l2_warming.h); their time is extrapolated at the filling pace, the rest as below from
// the waves after the turn-over. Nor can the statistics see later
// CTAs doing more or less work than the timed ones (a loop count that grows with blockIdx): once
// the skipped CTAs have run functionally their warp-instructions per wave are compared with the
// fitted waves', and beyond 2 % the skipped time is scaled by the ratio and the change added to the
// error (sim/work_scaling.h), a prediction then flagged NOT TRUSTED when that error exceeds max_error.
//
// A cooperative or clustered launch is simulated in full; the result says why. A grid of fewer
// than min_waves / max_detailed_fraction full waves (74) is sampled by windows spread over the
// grid when windows_for_short_grids (sim/window_sampling.h: start, middle, end, the drift between
// them measured), else simulated in full. A grid too short for those windows (under 22 waves) is
// sampled (unless its CTAs act on what other CTAs wrote, isa::ctas_may_steer_each_other: a work
// queue's atomic counter, whose items a subset of the CTAs would take all of) with shadow SMs when
// its CTAs read each other's data (sim/shadow_sampling.h: 1 SM in s
// in detail on the full chip, the others functional, feeding the real L2), else on a
// scaled-machine proxy where the chip and the grid divide evenly
// (sim/proxy_sampling.h: 1/s of the chip runs 1/s of the CTAs), else by its progress rate
// (sim/progress_sampling.h: the model stops part-way through the CTAs, the rest is predicted from
// the remaining instructions); a launch that ends before its rate settles has been simulated in
// full, and the result says so.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"
#include "sim/gpu_model.h"
#include "sim/l2_fill_watch.h"
#include "sim/l2_warming.h"
#include "sim/progress_sampling.h"
#include "sim/proxy_sampling.h"
#include "sim/shadow_sampling.h"
#include "sim/timing_types.h"
#include "sim/wave_estimate.h"
#include "sim/window_sampling.h"
#include "sim/work_scaling.h"

namespace gpusim::sim {

struct SamplingOptions {
  // Full waves simulated in detail at least: wave 0 (ramp-up) + 10 the stationarity test splits
  // into halves of 5 (halves of 3 missed a 19 % drift on transpose_unpadded).
  unsigned min_waves = 11;
  double tolerance = 0.02;       // stop once the estimated error of the prediction is within this
  double max_detailed_fraction = 0.15;  // of the full waves, once min_waves are done
  double max_error = 0.05;       // at that cap: predict only within this, else simulate in full
  // Per skipped wave, fraction of d: bias the statistics of the first waves cannot see. Measured
  // on v100.ini at the large sizes (docs/PERFORMANCE.md): the skipped waves of vecadd and
  // window_sum_naive 16M ran 1.6 % and 2.8 % slower than the detailed ones predicted, those of
  // transpose_padded 4096^2 4.0 % faster (DRAM and L2 state that keeps changing over the grid);
  // 4 % covers all three. Re-measured with the L2 watch (docs/PERFORMANCE.md, "The L2 filling
  // up"): 9 large runs on v100.ini and h100.ini within it (the largest, vecadd 32M on v100.ini,
  // 3.4 % of d per skipped wave), 23 of 24 teaching.ini runs too (one at 4.2 %). The stop rule
  // (`tolerance`) looks at the statistics alone, or it could never be met.
  double error_floor = 0.04;
  // The L2 filling up changes a streaming grid's pace (sim/l2_fill_watch.h): until it has turned
  // over the sampler does not stop, and fits only the waves after it; the cap of detailed waves
  // moves to min_waves past the (projected) turn-over, but no further than this fraction of the
  // waves: an L2 that fills later than that has the grid simulated in full, and the result says why.
  L2FillOptions l2_fill;
  double max_fill_fraction = 0.5;
  // Instead of simulating the waves that only fill the L2 further in detail, run them
  // functionally and warm the L2 with their accesses (sim/l2_warming.h), once the filling pace is
  // known from a stationary fit; their time is extrapolated at that pace. Only when it saves at
  // least this many waves, and leaves the detailed run enough waves after the turn-over.
  bool warm_l2 = true;
  unsigned warm_min_waves = 3;
  // The skipped CTAs' work against the fitted waves' (sim/work_scaling.h): a grid whose later CTAs
  // do more or less work per wave has the skipped waves' time scaled by it.
  WorkScalingOptions work;
  // Grids too short for the prefix: windows spread over the grid (sim/window_sampling.h), only
  // when asked for (--sample-windows): such an estimate cannot fall back to a full simulation
  // once it turns out too wide (the transposes at 4096^2 on v100.ini: +/-7.4 %), so by default
  // these grids are simulated in full.
  bool windows_for_short_grids = false;
  WindowOptions windows;
  ProgressOptions progress;  // the other grids too short for the wave sampler
  // Grids too short for the wave sampler and for windows, on a chip that scales evenly: a
  // scaled-machine proxy (sim/proxy_sampling.h) instead of the progress rate.
  ProxyOptions proxy;
  // Of those, with shadow.enabled (--sample-shadow), grids whose CTAs read each other's data
  // (sim/sharing_probe.h: GEMM tiles): shadow SMs on the full chip (sim/shadow_sampling.h)
  // instead of a proxy, which would hold fewer of the sharing CTAs at once. Experimental: its
  // prediction is always printed NOT TRUSTED (docs/PERFORMANCE.md: the tail is not yet right).
  ShadowOptions shadow;
};

struct SampledTiming {
  // cycles/seconds = the prediction; the counters are the detailed part's, scaled to the whole
  // launch by counters_scaled_by (sim/counter_extrapolation.h; 1 when nothing was skipped, and for
  // shadow SMs, whose memory counters already cover the whole chip).
  LaunchTiming timing;
  double counters_scaled_by = 1.0;
  bool sampled = false;          // false: simulated in full (see fallback_reason)
  std::string fallback_reason;
  uint64_t total_ctas = 0, detailed_ctas = 0;
  uint64_t wave_ctas = 0;        // CTAs per wave
  uint64_t total_waves = 0, detailed_waves = 0;  // full waves
  uint64_t detailed_cycles = 0;  // cycle-level time of the detailed CTAs
  double wave_cycles = 0;        // steady-state cycles per wave used for the prediction
  size_t fit_first_wave = 0, fit_waves = 0;  // the window d was fitted on
  // The L2 when the sampler stopped (sim/l2_fill_watch.h): whether it had turned over, in which
  // wave (numbered like fit_first_wave: wave 0 is the first), and the fraction of its lines held.
  bool l2_full = false;
  size_t l2_full_wave = 0;
  double l2_occupancy = 0;
  bool stationary = false;       // its halves agreed (else the drift is in the error)
  // The skipped CTAs' warp-instructions per wave against the fitted waves' (sim/work_scaling.h),
  // and the prediction before it was scaled by them.
  WorkScaling work;
  uint64_t unscaled_cycles = 0;
  // Waves run functionally to warm the L2 (sim/l2_warming.h), after the first warmed_after
  // detailed waves, and their time per wave (the filling pace, fitted on the waves before them).
  L2Warming l2_warming;
  uint64_t warmed_waves = 0, warmed_after = 0;
  double warm_wave_cycles = 0;
  double detailed_cpu_seconds = 0, functional_cpu_seconds = 0;  // host CPU time of the two parts
  uint64_t error_cycles = 0;     // estimated error of the prediction (cycles)
  std::vector<uint64_t> wave_end_cycles;  // from launch start, one per full detailed wave
  // Sampled by windows spread over the grid (a short grid): the windows, and whether the
  // estimated error is within max_error (the windows cannot be re-run in detail afterwards).
  std::vector<SampledWindow> windows;
  bool trusted = true;
  double max_error = 0.05;
  // The kernel's CTAs may spin waiting for one another (isa::ctas_may_wait_for_each_other): no
  // scheme's estimate holds, since how long the skipped CTAs spin is not their work; always NOT TRUSTED.
  bool ctas_wait_for_each_other = false;
  // Sampled by progress rate (a short grid without --sample-windows): its measurements.
  bool by_progress = false;
  ProgressRun progress;
  // Sampled by a scaled-machine proxy: its measurements.
  bool by_proxy = false;
  ProxyRun proxy;
  // Sampled with shadow SMs: its measurements.
  bool by_shadow = false;
  ShadowRun shadow;
  double estimated_error() const { return timing.cycles ? double(error_cycles) / double(timing.cycles) : 0.0; }
};

// Counts CTA retirements on the model while a sampled launch runs (arm: it sets itself as the
// model's retirement listener; disarm: it leaves and lifts the limit) and raises the model's CTA limit wave by wave
// until the wave time is known.
class WaveSampler : public GpuModel::CtaRetirementListener {
 public:
  // With `launch` and `limits`, the sampler may warm the L2 functionally (SamplingOptions::warm_l2).
  void arm(GpuModel& model, uint64_t wave_ctas, uint64_t total_ctas, const SamplingOptions& options,
           isa::LaunchState* launch = nullptr, const isa::FunctionalLimits* limits = nullptr);
  void disarm();  // leaves the model and lifts its CTA limit
  void on_ctas_retired(uint64_t cycle, uint64_t retired_so_far) override;

  // CTAs let run in detail (after a warming jump these are not the lowest ids: first_rest_cta).
  uint64_t detailed_ctas() const { return limit_; }
  // The lowest CTA id of the functional rest, once the sampler has stopped.
  uint64_t first_rest_cta() const { return id_of(limit_); }
  // The L2 warming jump, if one was made: its CTAs, the waves it skipped (warmed_waves()) after
  // warmed_after() detailed waves, and the filling pace it extrapolates them at.
  const L2Warming& warming() const { return warming_; }
  uint64_t warmed_waves() const { return warmed_waves_; }
  uint64_t warmed_after() const { return warmed_after_; }
  const WaveEstimate& warm_estimate() const { return warm_estimate_; }
  const std::vector<uint64_t>& wave_ends() const { return wave_ends_; }  // absolute core cycles
  // The launch's warp-instructions issued by each wave end (the work of the fitted waves, against
  // which the skipped CTAs' is compared: sim/work_scaling.h).
  const std::vector<uint64_t>& wave_instructions() const { return wave_instructions_; }
  // Waves that ended while the next wave was queued (the sampler was still deciding).
  uint64_t steady_waves() const { return steady_waves_; }
  // The estimate did not settle by the cap: the whole grid ran in detail.
  bool gave_up() const { return gave_up_; }
  // Why, when the L2 kept it from settling (else empty).
  const std::string& l2_reason() const { return l2_reason_; }
  // The first wave end the fit may use: where the L2 turned over if the pace changed there, else 0
  // (as decided when the sampler stopped).
  size_t fit_from() const { return fit_from_; }
  const L2FillWatch& l2() const { return l2_; }

 private:
  // Estimated error of the prediction (fraction of it) if the sampler stopped after j waves.
  double estimated_error_if_stopped(const WaveEstimate& e, uint64_t j, double floor) const;
  // The cap of detailed waves with the L2's state taken into account; 0: it fills too late.
  uint64_t cap_for_l2() const;
  // Where the fit may start now: the L2's turn-over when the wave time before it and after it differ
  // by more than their combined 95 % interval and more than the error floor, else 0 (the fill did
  // not change the pace beyond what the printed error allows for, and the longer window averages
  // more of the waves' wander: teaching.ini window sums, whose 4-CTA waves wander by +/-4 % over
  // tens of waves, fitted on 7 waves after the turn-over missed by 4-5 % per wave).
  size_t fit_start_after_l2() const;
  // After wave j, while the L2 is filling: warm it with the waves that would only fill it further
  // and jump the dispatcher over them, when the filling pace is known (sim/l2_warming.h).
  void maybe_warm_l2(uint64_t j);
  // The linear CTA id of the n-th CTA the detailed run may dispatch (n counts detailed CTAs).
  uint64_t id_of(uint64_t n) const { return warmed_waves_ && n > warming_.first_cta ? n + (warming_.end_cta - warming_.first_cta) : n; }
  void set_limit(uint64_t n);
  GpuModel* model_ = nullptr;
  isa::LaunchState* launch_ = nullptr;
  const isa::FunctionalLimits* limits_ = nullptr;
  L2Warming warming_;
  uint64_t warmed_waves_ = 0, warmed_after_ = 0;
  WaveEstimate warm_estimate_;
  SamplingOptions options_;
  void on_wave_end(uint64_t cycle, uint64_t j);
  // total_: the CTAs the detailed run may see (the grid's, less any warmed); limit_ counts them.
  uint64_t wave_ = 0, total_ = 0, max_waves_ = 0, limit_ = 0, steady_waves_ = 0;
  bool deciding_ = false, gave_up_ = false;
  std::vector<uint64_t> wave_ends_, wave_instructions_;
  L2FillWatch l2_;
  size_t fit_from_ = 0;
  std::string l2_reason_;
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
