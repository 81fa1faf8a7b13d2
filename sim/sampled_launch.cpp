#include "sim/sampled_launch.h"

#include "sim/counter_extrapolation.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <sstream>

#include "isa/shared_effects.h"
#include "sim/occupancy.h"
#include "sim/sampled_detail.h"
#include "sim/wave_estimate.h"

namespace gpusim::sim {

void WaveSampler::arm(GpuModel& model, uint64_t wave_ctas, uint64_t total_ctas, const SamplingOptions& options,
                      isa::LaunchState* launch, const isa::FunctionalLimits* limits) {
  model_ = &model;
  // Warming runs CTAs out of order: only for CTAs that cannot communicate.
  const bool may_warm = launch && limits && !isa::ctas_may_communicate(*launch->module, *launch->kernel);
  launch_ = may_warm ? launch : nullptr;
  limits_ = may_warm ? limits : nullptr;
  warming_ = L2Warming{};
  warmed_waves_ = warmed_after_ = 0;
  warm_estimate_ = WaveEstimate{};
  options_ = options;
  wave_ = wave_ctas;
  total_ = total_ctas;
  const uint64_t full_waves = total_ctas / wave_ctas;
  max_waves_ = std::max<uint64_t>(options.min_waves + 1,
                                  static_cast<uint64_t>(std::floor(double(full_waves) * options.max_detailed_fraction)));
  steady_waves_ = 0;
  gave_up_ = false;
  wave_ends_.clear();
  wave_instructions_.clear();
  l2_.start(model.l2_lines(), full_waves, options.l2_fill);
  fit_from_ = 0;
  l2_reason_.clear();
  deciding_ = true;
  // Two waves ahead of the retirements, so SMs never starve while the sampler decides.
  limit_ = std::min(total_, 2 * wave_);
  model.set_cta_limit(limit_);
  model.set_cta_retirement_listener(this);
}

void WaveSampler::disarm() {
  if (model_) {
    model_->set_cta_retirement_listener(nullptr);
    model_->set_cta_limit(UINT64_MAX);
  }
  model_ = nullptr;
}

double WaveSampler::estimated_error_if_stopped(const WaveEstimate& e, uint64_t j, double floor) const {
  // Stopping after j waves lets wave j+1 and the partial last wave finish in detail.
  const uint64_t full_waves = total_ / wave_;
  const uint64_t skipped = full_waves > j + 1 ? full_waves - (j + 1) : 0;
  const double warmed = double(warmed_waves_) * warm_estimate_.wave_cycles;
  const double predicted = double(wave_ends_.back()) + double(full_waves - j) * e.wave_cycles + warmed;
  return (extrapolation_error(e, skipped, floor) + extrapolation_error(warm_estimate_, warmed_waves_, floor)) /
         predicted;
}

void WaveSampler::maybe_warm_l2(uint64_t j) {
  if (!options_.warm_l2 || !launch_ || warmed_waves_ || !l2_.filling()) return;
  // The filling pace must be known: a stationary fit (wave 0 is never fitted).
  if (wave_ends_.size() < kMinStationaryWindow + 1) return;
  const WaveEstimate e = estimate_wave_time(wave_ends_, 1);
  const double rate = l2_.lines_per_wave();
  if (!e.valid || !e.stationary || rate <= 0) return;
  // Room left for the wave still running and one more in detail, so that the detailed run itself
  // sees the L2 turn over at a wave's end.
  const double fill_waves = std::floor(double(l2_.room()) / rate);
  if (fill_waves < 2.0 + options_.warm_min_waves) return;
  uint64_t k = uint64_t(fill_waves) - 2;
  // Leave the detailed run the waves it needs after the turn-over, the next one and the drain.
  const uint64_t full_waves = total_ / wave_, keep = j + 4 + options_.min_waves;
  if (full_waves < keep + k) k = full_waves > keep ? full_waves - keep : 0;
  const uint64_t first = (j + 1) * wave_;  // the limit now: wave j runs, none queued after it
  if (k < options_.warm_min_waves || limit_ != first) return;
  warming_ = warm_l2_with_ctas(*model_, *launch_, *limits_, first, first + k * wave_);
  warmed_waves_ = k;
  warmed_after_ = j + 1;
  warm_estimate_ = e;
  total_ -= k * wave_;
  model_->set_cta_skip(first, first + k * wave_);
  l2_.after_warming(model_->l2_lines(), total_ / wave_);
}

void WaveSampler::on_ctas_retired(uint64_t cycle, uint64_t retired_so_far) {
  if (!model_) return;
  // Every wave boundary this edge crossed, in order (several CTAs retire on one edge).
  for (uint64_t j = wave_ends_.size() + 1; j * wave_ <= retired_so_far; ++j) on_wave_end(cycle, j);
}

uint64_t WaveSampler::cap_for_l2() const {
  const uint64_t full_waves = total_ / wave_;
  const uint64_t hard_cap = static_cast<uint64_t>(std::floor(double(full_waves) * options_.max_fill_fraction));
  if (l2_.turned_over()) return std::max<uint64_t>(max_waves_, l2_.turned_over_at() + options_.min_waves);
  if (!l2_.filling()) return max_waves_;
  const uint64_t cap =
      std::max<uint64_t>(max_waves_, static_cast<uint64_t>(std::ceil(l2_.projected_full_wave())) + options_.min_waves);
  return cap > hard_cap ? 0 : cap;
}

size_t WaveSampler::fit_start_after_l2() const {
  if (!l2_.turned_over()) return 0;
  const size_t t = l2_.turned_over_at();
  const LineFit before = fit_wave_ends(wave_ends_, 1, t + 1), after = fit_wave_ends(wave_ends_, t, wave_ends_.size());
  if (!before.valid || !after.valid) return t;
  // A change within the error floor is one the printed error already allows for.
  const size_t dof = before.points + after.points - 4;
  const double noise = student_t95(dof) * std::hypot(before.slope_error, after.slope_error);
  const bool same_pace = std::fabs(before.slope - after.slope) <= std::max(noise, options_.error_floor * after.slope);
  return same_pace ? 0 : t;
}

void WaveSampler::on_wave_end(uint64_t cycle, uint64_t j) {  // j full waves retired
  wave_ends_.push_back(cycle);
  // The detailed CTAs' instructions only: the warmed CTAs' ran at once, functionally.
  wave_instructions_.push_back(model_->launch() ? model_->launch()->warp_instructions - warming_.warp_instructions : 0);
  l2_.on_wave_end(model_->l2_lines());
  if (!deciding_) return;
  maybe_warm_l2(j);
  fit_from_ = fit_start_after_l2();
  // The limit is (j+1) waves now. Stop: the next wave and the partial last wave's worth of CTAs
  // finish in detail, as the grid's own last waves would. Otherwise keep two waves ahead.
  const uint64_t remainder = total_ % wave_;
  bool stop = false;
  const uint64_t cap = cap_for_l2();
  // Waves needed after the L2's turn-over (when the pace changed there): an L2 that filled within
  // the launch's first waves is part of its warm-up, and the stationarity test's smallest window
  // after it will do (v100.ini at 16M: full by wave 3-5); one that filled later starts a new
  // regime, which needs as many waves as a launch does after its start (a short window there
  // mistakes the waves' wander for a change of pace: teaching.ini window sums).
  const size_t from = fit_from();
  const uint64_t needed = std::max<uint64_t>(
      options_.min_waves, from + (from <= kMinStationaryWindow ? kMinStationaryWindow + 1 : options_.min_waves));
  // A fill projected too late for the cap may still be warmed over once the filling pace is known.
  const bool may_still_warm = options_.warm_l2 && launch_ && !warmed_waves_ && wave_ends_.size() < 2 * kMinStationaryWindow;
  if (cap == 0 && may_still_warm) {
    // not yet: keep two waves ahead (below)
  } else if (cap == 0) {
    std::ostringstream why;
    why << std::fixed << std::setprecision(0) << "the L2 was still filling after " << j << " waves ("
        << 100 * l2_.occupancy() << " % of its lines; full at about wave " << std::ceil(l2_.projected_full_wave())
        << " of " << total_ / wave_ << " at its rate so far, past " << 100 * options_.max_fill_fraction
        << " % of the grid), and a grid's pace changes once its L2 is full: the rest ran in detail too";
    l2_reason_ = why.str();
    gave_up_ = true;
    deciding_ = false;
    limit_ = total_;
  } else if (!l2_.filling() && wave_ends_.size() >= needed) {
    const WaveEstimate e = estimate_wave_time(wave_ends_, from);
    const bool known = e.valid && e.stationary;
    if (known && estimated_error_if_stopped(e, j, 0.0) <= options_.tolerance) {
      stop = true;
    } else if (j + 1 >= cap) {
      // At the cap: predict only with an estimate within max_error; otherwise the rest of the
      // grid runs in detail too (a full simulation, and the result says why).
      if (e.valid && estimated_error_if_stopped(e, j, options_.error_floor) <= options_.max_error) {
        stop = true;
      } else {
        gave_up_ = true;
        deciding_ = false;
        limit_ = total_;
      }
    }
  }
  if (stop) {
    deciding_ = false;
    steady_waves_ = j;
    limit_ = std::min(total_, (j + 1) * wave_ + remainder);
  } else if (deciding_) {
    limit_ = std::min(total_, (j + 2) * wave_);
  }
  model_->set_cta_limit(id_of(limit_));
}

namespace {

// What the launch's answer takes from a scheme that predicted it (ShadowRun or ProxyRun: both carry
// timing, error_cycles and trusted); the scheme's own CPU-time split is copied by the caller.
template <typename SchemeRun>
void adopt_scheme_result(SampledTiming& s, const SchemeRun& run, uint64_t detailed_ctas, uint64_t detailed_cycles,
                         double max_error) {
  s.timing = run.timing;
  s.detailed_ctas = detailed_ctas;
  s.detailed_cycles = detailed_cycles;
  s.error_cycles = run.error_cycles;
  s.trusted = run.trusted;
  s.max_error = max_error;
  s.fallback_reason.clear();
  s.sampled = true;
}

}  // namespace

namespace {

// The prediction, with counters that cover only what ran in detail (run_sampled_launch scales them).
SampledTiming sample_launch(GpuModel& model, WaveSampler& sampler, isa::LaunchState& launch,
                            const KernelResources& resources, const isa::FunctionalLimits& limits,
                            const SamplingOptions& options) {
  SampledTiming s;
  s.total_ctas = launch.grid.count();
  const Occupancy occ = compute_occupancy(model.config(), resources);
  s.wave_ctas = uint64_t(std::max(occ.ctas_per_sm, 0)) * uint64_t(model.config().num_sms);
  s.total_waves = s.wave_ctas ? s.total_ctas / s.wave_ctas : 0;
  // The first min_waves must be at most max_detailed_fraction of the grid: a prefix that is a
  // larger part of a short grid cannot show how the wave time drifts over the rest of it
  // (transpose_unpadded 4096^2 on v100.ini, 25 waves: its first 8 were 19 % slower than the rest,
  // and 6 fitted waves looked stationary).
  const uint64_t min_total_waves =
      static_cast<uint64_t>(std::ceil(double(options.min_waves) / options.max_detailed_fraction));
  if (launch.cooperative) s.fallback_reason = "cooperative launch (grid-wide sync needs every CTA resident)";
  else if (launch.cluster.count() > 1) s.fallback_reason = "thread-block clusters (a cluster's CTAs run together)";
  else if (s.wave_ctas && s.total_waves < min_total_waves)
    s.fallback_reason = "only " + std::to_string(s.total_waves) + " full waves of " + std::to_string(s.wave_ctas) +
                        " CTAs (sampling by waves needs " + std::to_string(min_total_waves) + ", so that the " +
                        std::to_string(options.min_waves) + " waves the estimate needs are at most " +
                        std::to_string(int(std::lround(options.max_detailed_fraction * 100))) + " % of the grid)";
  s.max_error = options.max_error;
  if (!options.windows_for_short_grids && s.wave_ctas && !launch.cooperative && launch.cluster.count() <= 1 &&
      !s.fallback_reason.empty() && !plan_windows(s.total_waves, options.windows).empty())
    s.fallback_reason += "; --sample-windows would sample it by windows spread over the grid";
  const std::vector<SamplingWindow> plan =
      !options.windows_for_short_grids || s.fallback_reason.empty() || !s.wave_ctas || launch.cooperative || launch.cluster.count() > 1
          ? std::vector<SamplingWindow>{}
          : plan_windows(s.total_waves, options.windows);
  if (!plan.empty()) {
    const WindowedRun w = run_windowed_launch(model, launch, resources, limits, s.wave_ctas, plan,
                                              options.windows.window_waves);
    s.fallback_reason.clear();
    s.sampled = true;
    s.timing = w.timing;
    s.detailed_ctas = w.detailed_ctas;
    s.detailed_waves = w.detailed_waves;
    s.detailed_cycles = w.detailed_cycles;
    s.error_cycles = w.error_cycles;
    s.wave_cycles = w.wave_cycles;
    s.windows = w.windows;
    s.wave_end_cycles = w.wave_end_cycles;
    s.detailed_cpu_seconds = w.detailed_cpu_seconds;
    s.functional_cpu_seconds = w.functional_cpu_seconds;
    s.trusted = w.valid && s.estimated_error() <= options.max_error;
    return s;
  }
  // Progress-rate sampling only for grids too short for windows too (under 22 waves): a prefix
  // cannot see the wave time drifting over a longer grid (transpose_unpadded 4096^2, 25 waves:
  // +8.7 % against a printed +/-3.3 %, docs/PERFORMANCE.md), windows measure that drift.
  const bool short_grid = s.wave_ctas && !launch.cooperative && launch.cluster.count() <= 1 &&
                          !s.fallback_reason.empty() && plan_windows(s.total_waves, options.windows).empty();
  std::string proxy_why;
  // CTAs that read what other CTAs wrote (an atomic's result, a flag) can steer each other's work:
  // persistent CTAs taking items from an atomic counter would all be taken by the first proxy's few
  // CTAs (simulated in detail, slower than the full run), leaving none for the second. A proxy or
  // shadow subset of them is not the grid in small; progress-rate sampling runs them on the whole
  // chip and counts the work that is left.
  const bool steering = isa::ctas_may_steer_each_other(*launch.module, *launch.kernel);
  if (short_grid && steering)
    proxy_why = "no scaled-machine proxy: the CTAs may act on what other CTAs wrote (an atomic's result or an ordered "
                "load), so a subset of them on a smaller chip need not do the grid's work in small";
  // A proxy starts with an empty L2 of its own: lines earlier launches left in the chip's L2 (data
  // this grid hits, dirty lines whose write-back takes DRAM time from it) would be missed. An
  // outside user's second transpose after a first was predicted 22.5 % low with +/-2.8 %.
  const L2LineCounts left = model.l2_lines();
  const bool warm_l2 = left.valid > 0;
  if (short_grid && !steering && warm_l2)
    proxy_why = "no scaled-machine proxy: the L2 holds " + std::to_string(left.valid) + " lines (" +
                std::to_string(int(std::lround(100.0 * double(left.valid) / double(std::max<uint64_t>(left.capacity, 1))))) +
                " %) from earlier launches, which a proxy's own L2 would not";
  if (short_grid && !steering && !warm_l2) {
    std::string shadow_why;
    if (options.shadow.enabled && shadow_sms_fit(model.config(), options.shadow, shadow_why)) {
      s.shadow.probe = probe_data_sharing(launch, limits, uint32_t(model.config().l2_line_bytes));
      if (s.shadow.probe.probed && s.shadow.probe.shared_fraction >= options.shadow.min_shared_fraction) {
        const SharingProbe probe = s.shadow.probe;
        s.shadow = run_shadow_sampled_launch(model, launch, resources, options.shadow);
        s.shadow.probe = probe;
        adopt_scheme_result(s, s.shadow, s.shadow.detailed_ctas, s.shadow.timing.cycles, options.shadow.max_error);
        s.detailed_cpu_seconds = s.shadow.cpu_seconds;
        s.by_shadow = true;
        return s;
      }
    }
    const unsigned scale = choose_proxy_scale(model.config(), s.total_ctas, options.proxy, proxy_why);
    if (scale) {
      s.proxy = run_proxy_sampled_launch(model.config(), model.worker_pool(), launch, resources, limits, scale,
                                         options.proxy, &model);
      adopt_scheme_result(s, s.proxy, s.proxy.coarse_ctas + s.proxy.fine_ctas, s.proxy.coarse_cycles + s.proxy.fine_cycles,
                          options.proxy.max_error);
      s.detailed_cpu_seconds = s.proxy.detailed_cpu_seconds;
      s.functional_cpu_seconds = s.proxy.functional_cpu_seconds;
      s.by_proxy = true;
      return s;
    }
  }
  if (short_grid) {
    s.progress = run_progress_sampled_launch(model, launch, resources, limits, s.wave_ctas, options.progress);
    s.timing = s.progress.timing;
    s.detailed_cpu_seconds = s.progress.detailed_cpu_seconds;
    s.functional_cpu_seconds = s.progress.functional_cpu_seconds;
    s.detailed_cycles = s.progress.detailed_cycles;
    if (!s.progress.sampled) {
      s.detailed_ctas = s.total_ctas;
      s.fallback_reason += "; " + proxy_why + "; sampling by progress rate: the launch ended (" + std::to_string(s.progress.windows) +
                           " windows of " + std::to_string(options.progress.window_cycles) +
                           " cycles) before its rate settled" +
                           (s.progress.l2_waited ? " (it waited for the L2 to fill: the rate changes once it is full)" : "");
      return s;
    }
    s.fallback_reason.clear();
    s.sampled = true;
    s.by_progress = true;
    s.detailed_ctas = s.total_ctas - s.progress.queued_at_stop;  // dispatched before the stop: wholly or partly
    s.error_cycles = s.progress.error_cycles;
    s.stationary = s.progress.stationary;
    s.max_error = options.progress.max_error;
    return s;
  }
  if (!s.fallback_reason.empty() || !s.wave_ctas) {  // no CTA fits: run_timed_launch says so
    const double t0 = process_cpu_seconds();
    s.timing = run_timed_launch(model, launch, resources);
    s.detailed_cpu_seconds = process_cpu_seconds() - t0;
    s.detailed_ctas = s.total_ctas;
    s.detailed_cycles = s.timing.cycles;
    return s;
  }

  const DetailedPart d = run_detailed_part(model, launch, resources, sampler, [&](WaveSampler& w) {
    w.arm(model, s.wave_ctas, s.total_ctas, options, &launch, &limits);
  });
  // Warmed waves ran functionally inside the detailed part: their CPU time is the functional part's.
  s.l2_warming = sampler.warming();
  s.warmed_waves = sampler.warmed_waves();
  s.warmed_after = sampler.warmed_after();
  s.warm_wave_cycles = sampler.warm_estimate().wave_cycles;
  const uint64_t warmed_ctas = s.warmed_waves * s.wave_ctas;
  s.functional_cpu_seconds = s.l2_warming.cpu_seconds;
  s.timing = d.timing;
  s.detailed_cpu_seconds = d.cpu_seconds - s.l2_warming.cpu_seconds;
  s.detailed_ctas = d.ctas;
  s.detailed_cycles = d.timing.cycles;
  s.wave_end_cycles = d.wave_end_cycles;
  const double warmed_cycles = double(s.warmed_waves) * s.warm_wave_cycles;
  const double warmed_error = extrapolation_error(sampler.warm_estimate(), s.warmed_waves, options.error_floor);
  if (s.warmed_waves && (sampler.gave_up() || s.detailed_ctas + warmed_ctas >= s.total_ctas)) {
    // Everything but the warmed waves ran in detail: only their time is extrapolated.
    s.sampled = true;
    s.detailed_waves = s.total_waves - s.warmed_waves;
    s.wave_cycles = s.warm_wave_cycles;
    s.fit_first_wave = sampler.warm_estimate().first;
    s.fit_waves = sampler.warm_estimate().points;
    s.stationary = sampler.warm_estimate().stationary;
    s.unscaled_cycles = s.detailed_cycles + static_cast<uint64_t>(std::llround(warmed_cycles));
    s.timing.cycles = s.unscaled_cycles;
    s.timing.seconds = double(s.timing.cycles) / (model.config().core_clock_mhz * 1e6);
    s.error_cycles = static_cast<uint64_t>(std::ceil(warmed_error));
    s.l2_full = sampler.l2().turned_over();
    s.l2_full_wave = sampler.l2().turned_over_at();
    s.l2_occupancy = sampler.l2().occupancy();
    return s;
  }
  if (sampler.gave_up() || s.detailed_ctas >= s.total_ctas) {
    s.detailed_ctas = s.total_ctas;
    s.detailed_waves = s.total_waves;
    s.fallback_reason = !sampler.l2_reason().empty()
                            ? sampler.l2_reason()
                            : "the wave time did not settle to within " + std::to_string(int(options.max_error * 100)) +
                                  " % estimated error in " + std::to_string(sampler.wave_ends().size()) +
                                  " detailed waves: the rest ran in detail too";
    return s;
  }
  // Spacings only while the machine had a full wave queued behind the running one; after the
  // sampler stopped, the detailed run drains like a grid's tail does.
  const std::vector<uint64_t> steady(s.wave_end_cycles.begin(),
                                     s.wave_end_cycles.begin() + static_cast<long>(std::min<uint64_t>(
                                                                     sampler.steady_waves(), s.wave_end_cycles.size())));

  // The rest of the grid, functionally: the results must be complete.
  const uint64_t issued_before_rest = launch.warp_instructions;
  s.functional_cpu_seconds +=
      run_ctas_functionally(launch, limits, sampler.first_rest_cta(), s.total_ctas, model.worker_pool());
  const uint64_t rest_instructions = launch.warp_instructions - issued_before_rest;

  const uint64_t skipped_waves = (s.total_ctas - warmed_ctas - s.detailed_ctas) / s.wave_ctas;
  s.detailed_waves = s.total_waves - skipped_waves - s.warmed_waves;
  // The sampler stopped on this same estimate (valid), so the prediction always exists here.
  const WaveEstimate est = estimate_wave_time(steady, sampler.fit_from());
  s.sampled = true;
  s.stationary = est.stationary;
  s.fit_first_wave = est.first;
  s.fit_waves = est.points;
  s.l2_full = sampler.l2().turned_over();
  s.l2_full_wave = sampler.l2().turned_over_at();
  s.l2_occupancy = sampler.l2().occupancy();
  s.wave_cycles = est.wave_cycles;
  s.work = compare_work(sampler.wave_instructions(), est.first, est.points,
                        rest_instructions + s.l2_warming.warp_instructions, skipped_waves + s.warmed_waves, options.work);
  const double skipped_cycles = double(skipped_waves) * s.wave_cycles + warmed_cycles;
  s.unscaled_cycles = s.detailed_cycles + static_cast<uint64_t>(std::llround(skipped_cycles));
  s.timing.cycles = s.detailed_cycles + static_cast<uint64_t>(std::llround(s.work.scale_cycles(skipped_cycles)));
  s.timing.seconds = double(s.timing.cycles) / (model.config().core_clock_mhz * 1e6);
  s.error_cycles = static_cast<uint64_t>(std::ceil(s.work.scale_error(
      extrapolation_error(est, skipped_waves, options.error_floor) + warmed_error, skipped_cycles)));
  // The stop rule bounded the unscaled estimate; a scaled one can only be flagged (the skipped CTAs
  // have run: they cannot be timed now).
  s.trusted = !s.work.scaled || s.estimated_error() <= options.max_error;
  return s;
}

}  // namespace

SampledTiming run_sampled_launch(GpuModel& model, WaveSampler& sampler, isa::LaunchState& launch,
                                 const KernelResources& resources, const isa::FunctionalLimits& limits,
                                 const SamplingOptions& options) {
  SampledTiming s = sample_launch(model, sampler, launch, resources, limits, options);
  // A ticket chain sampled by progress rate was predicted 43-66 % low at +/-4 % (outside user):
  // the detailed CTAs' rate counted spin iterations, and the functional rest spins another amount.
  s.ctas_wait_for_each_other = s.sampled && isa::ctas_may_wait_for_each_other(*launch.module, *launch.kernel);
  // Every CTA has run (in detail or functionally), so the launch's warp-instructions are exact.
  const uint64_t detailed = s.timing.sm.warp_instructions;
  if (s.sampled && !s.by_shadow && detailed > 0 && launch.warp_instructions > detailed) {
    s.counters_scaled_by = double(launch.warp_instructions) / double(detailed);
    scale_counters(s.timing, s.counters_scaled_by);
  }
  return s;
}

}  // namespace gpusim::sim
