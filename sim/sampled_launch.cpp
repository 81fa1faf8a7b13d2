#include "sim/sampled_launch.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <sstream>

#include "sim/occupancy.h"
#include "sim/sampled_detail.h"
#include "sim/wave_estimate.h"

namespace gpusim::sim {

void WaveSampler::arm(GpuModel& model, uint64_t wave_ctas, uint64_t total_ctas, const SamplingOptions& options) {
  model_ = &model;
  options_ = options;
  wave_ = wave_ctas;
  total_ = total_ctas;
  const uint64_t full_waves = total_ctas / wave_ctas;
  max_waves_ = std::max<uint64_t>(options.min_waves + 1,
                                  static_cast<uint64_t>(std::floor(double(full_waves) * options.max_detailed_fraction)));
  steady_waves_ = 0;
  gave_up_ = false;
  wave_ends_.clear();
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
  const double predicted = double(wave_ends_.back()) + double(full_waves - j) * e.wave_cycles;
  return extrapolation_error(e, skipped, floor) / predicted;
}

void WaveSampler::on_ctas_retired(uint64_t cycle, uint64_t retired_so_far) {
  if (!model_) return;
  // Every wave boundary this edge crossed, in order (several CTAs retire on one edge).
  for (uint64_t j = wave_ends_.size() + 1; j * wave_ <= retired_so_far; ++j) on_wave_end(cycle, j);
}

void WaveSampler::on_wave_end(uint64_t cycle, uint64_t j) {  // j full waves retired
  wave_ends_.push_back(cycle);
  if (!deciding_) return;
  // The limit is (j+1) waves now. Stop: the next wave and the partial last wave's worth of CTAs
  // finish in detail, as the grid's own last waves would. Otherwise keep two waves ahead.
  const uint64_t remainder = total_ % wave_;
  bool stop = false;
  if (wave_ends_.size() >= options_.min_waves) {
    const WaveEstimate e = estimate_wave_time(wave_ends_);
    const bool known = e.valid && e.stationary;
    if (known && estimated_error_if_stopped(e, j, 0.0) <= options_.tolerance) {
      stop = true;
    } else if (j + 1 >= max_waves_) {
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
  model_->set_cta_limit(limit_);
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

SampledTiming run_sampled_launch(GpuModel& model, WaveSampler& sampler, isa::LaunchState& launch,
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
  if (short_grid) {
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
                                         options.proxy);
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
                           " cycles) before its rate settled";
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
    w.arm(model, s.wave_ctas, s.total_ctas, options);
  });
  s.timing = d.timing;
  s.detailed_cpu_seconds = d.cpu_seconds;
  s.detailed_ctas = d.ctas;
  s.detailed_cycles = d.timing.cycles;
  s.wave_end_cycles = d.wave_end_cycles;
  if (sampler.gave_up() || s.detailed_ctas >= s.total_ctas) {
    s.detailed_ctas = s.total_ctas;
    s.detailed_waves = s.total_waves;
    s.fallback_reason = "the wave time did not settle to within " + std::to_string(int(options.max_error * 100)) +
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
  s.functional_cpu_seconds = run_ctas_functionally(launch, limits, s.detailed_ctas, s.total_ctas, model.worker_pool());

  const uint64_t skipped_waves = (s.total_ctas - s.detailed_ctas) / s.wave_ctas;
  s.detailed_waves = s.total_waves - skipped_waves;
  // The sampler stopped on this same estimate (valid), so the prediction always exists here.
  const WaveEstimate est = estimate_wave_time(steady);
  s.sampled = true;
  s.stationary = est.stationary;
  s.fit_first_wave = est.first;
  s.fit_waves = est.points;
  s.wave_cycles = est.wave_cycles;
  s.timing.cycles = s.detailed_cycles + static_cast<uint64_t>(std::llround(double(skipped_waves) * s.wave_cycles));
  s.timing.seconds = double(s.timing.cycles) / (model.config().core_clock_mhz * 1e6);
  s.error_cycles = static_cast<uint64_t>(std::ceil(extrapolation_error(est, skipped_waves, options.error_floor)));
  return s;
}

namespace {

std::string describe_windows(const SampledTiming& s) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << "sampled by windows: " << s.detailed_ctas << " of " << s.total_ctas
     << " CTAs in detail (" << 100.0 * double(s.detailed_ctas) / double(s.total_ctas) << "%, " << s.detailed_waves
     << " of " << s.total_waves << " waves of " << s.wave_ctas << " in " << s.windows.size() << " windows:";
  for (const SampledWindow& w : s.windows)
    os << " " << w.first_wave << "-" << w.first_wave + w.waves - 1 << " (" << w.wave_cycles << " cycles/wave)";
  os << "); predicted " << s.timing.cycles << " cycles +/- " << s.error_cycles << " (" << std::setprecision(2)
     << 100.0 * s.estimated_error() << "% estimated: the drift between the windows and their 95% intervals)";
  if (!s.trusted)
    os << ": NOT TRUSTED, the estimated error exceeds " << std::setprecision(0) << 100 * s.max_error
       << "% (the wave time changes over the grid more than the windows pin down; run without --sample)";
  os << std::setprecision(2) << "; host CPU " << s.detailed_cpu_seconds << " s detailed + " << s.functional_cpu_seconds
     << " s functional rest";
  return os.str();
}

std::string describe_progress(const SampledTiming& s) {
  const ProgressRun& p = s.progress;
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << "sampled by progress rate: " << p.detailed_cycles
     << " cycles in detail (" << p.windows << " windows; " << s.detailed_ctas << " of " << s.total_ctas
     << " CTAs dispatched, " << p.resident_at_stop << " resident completed functionally, "
     << 100.0 * double(p.detailed_instructions) / double(p.detailed_instructions + p.remaining_instructions)
     << "% of the warp-instructions in detail), " << std::setprecision(3) << p.rate << " +/- " << p.rate_half_width
     << " warp-instructions/cycle over windows " << p.fit_first_window << "-" << p.fit_first_window + p.fit_windows - 1
     << (p.stationary ? "" : " (still drifting)") << " with " << std::setprecision(1) << p.mean_resident
     << " CTAs resident; predicted " << s.timing.cycles << " cycles +/- " << s.error_cycles << " ("
     << std::setprecision(2) << 100.0 * s.estimated_error()
     << "% estimated: the rate's 95% interval or the measured floor, on the " << p.rest_cycles
     << " predicted cycles, + " << p.drain_cycles << " for the drain); host CPU " << s.detailed_cpu_seconds << " s detailed + " << s.functional_cpu_seconds
     << " s functional rest";
  return os.str();
}

std::string describe_shadow(const SampledTiming& s) {
  const ShadowRun& r = s.shadow;
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << "sampled with shadow SMs (the CTAs share data through the L2: "
     << 100.0 * r.probe.shared_fraction << "% of CTA 0's global lines read by a neighbour): " << r.detailed_ctas
     << " of " << s.total_ctas << " CTAs in detail on " << r.detailed_sms << " SMs (1 in " << r.scale
     << "), the others functional on the full chip's L2 and DRAM, paced at " << std::setprecision(3) << r.mean_pace
     << " warp-instructions per CTA and cycle; predicted " << s.timing.cycles << " cycles +/- " << s.error_cycles
     << " (" << std::setprecision(2) << 100.0 * s.estimated_error()
     << "% estimated: half the tail's bracket, the simulated end " << r.simulated_cycles
     << " to the last dispatch " << r.last_dispatch_cycles << " + the longest detailed CTA " << r.longest_cta_cycles
     << ", + the detailed SMs' end " << r.detailed_end_cycles << " against the simulated one, + a floor)"
     << (s.trusted ? "" : ": NOT TRUSTED, experimental (the error covered the sgemm runs measured but not wmma_gemm's, "
                        "-42 %: the shadows miss its L2 contention; run without --sample)");
  os << std::setprecision(2) << "; host CPU " << s.detailed_cpu_seconds << " s";
  return os.str();
}

std::string describe_proxy(const SampledTiming& s) {
  const ProxyRun& p = s.proxy;
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << "sampled on scaled-machine proxies: " << p.fine_ctas << " CTAs on 1/"
     << p.scale << " of the chip (" << p.fine_sms << " SMs) took " << p.fine_cycles << " cycles, " << p.coarse_ctas
     << " on 1/" << 2 * p.scale << " (" << p.coarse_sms << " SMs) " << p.coarse_cycles << " (" << s.detailed_ctas
     << " of " << s.total_ctas << " CTAs in detail, " << 100.0 * double(s.detailed_ctas) / double(s.total_ctas)
     << "%, DRAM reads per CTA " << std::setprecision(0) << p.fine_dram_read_per_cta << " / "
     << p.coarse_dram_read_per_cta << " B); predicted " << s.timing.cycles << " cycles +/- " << s.error_cycles << " ("
     << std::setprecision(2) << 100.0 * s.estimated_error() << "% estimated: the two scales' difference + the measured floor)";
  if (p.shares_data)
    os << ": NOT TRUSTED, the CTAs share data through the L2 (DRAM reads per CTA differ between the scales; "
          "a smaller chip holds fewer of the sharing CTAs at once, a bias the estimate does not bound: run without "
          "--sample)";
  else if (!s.trusted)
    os << ": NOT TRUSTED, the estimated error exceeds " << std::setprecision(0) << 100 * s.max_error
       << "% (the result still moves with the proxy's scale; run without --sample)";
  os << std::setprecision(2) << "; host CPU " << s.detailed_cpu_seconds << " s detailed + " << s.functional_cpu_seconds
     << " s functional rest";
  return os.str();
}

}  // namespace

std::string describe_sampling(const SampledTiming& s) {
  std::ostringstream os;
  if (!s.sampled) {
    os << "sampling: simulated in full";
    if (!s.fallback_reason.empty()) os << ": " << s.fallback_reason;
    return os.str();
  }
  if (!s.windows.empty()) return describe_windows(s);
  if (s.by_progress) return describe_progress(s);
  if (s.by_proxy) return describe_proxy(s);
  if (s.by_shadow) return describe_shadow(s);
  os << std::fixed << std::setprecision(1) << "sampled: " << s.detailed_ctas << " of " << s.total_ctas
     << " CTAs in detail (" << 100.0 * double(s.detailed_ctas) / double(s.total_ctas) << "%, " << s.detailed_waves
     << " of " << s.total_waves << " waves of " << s.wave_ctas << "), " << s.wave_cycles
     << " cycles per steady wave; predicted " << s.timing.cycles << " cycles +/- " << s.error_cycles << " ("
     << std::setprecision(2) << 100.0 * s.estimated_error() << "% estimated, 95% confidence, from waves "
     << s.fit_first_wave << "-" << s.fit_first_wave + s.fit_waves - 1 << (s.stationary ? "" : ", still drifting")
     << "); host CPU " << s.detailed_cpu_seconds << " s detailed + " << s.functional_cpu_seconds
     << " s functional rest";
  return os.str();
}

}  // namespace gpusim::sim

namespace gpusim::sim {

nlohmann::json sampling_to_json(const SampledTiming& s) {
  nlohmann::json j;
  j["sampled"] = s.sampled;
  if (!s.fallback_reason.empty()) j["fallback_reason"] = s.fallback_reason;
  j["total_ctas"] = s.total_ctas;
  j["detailed_ctas"] = s.detailed_ctas;
  j["detailed_fraction"] = s.total_ctas ? double(s.detailed_ctas) / double(s.total_ctas) : 1.0;
  j["wave_ctas"] = s.wave_ctas;
  j["total_waves"] = s.total_waves;
  j["detailed_waves"] = s.detailed_waves;
  j["detailed_cycles"] = s.detailed_cycles;
  j["predicted_cycles"] = s.timing.cycles;
  j["wave_cycles"] = s.wave_cycles;
  j["wave_end_cycles"] = s.wave_end_cycles;
  j["estimated_error_cycles"] = s.error_cycles;
  j["estimated_error"] = s.estimated_error();
  j["fit_first_wave"] = s.fit_first_wave;
  j["fit_waves"] = s.fit_waves;
  j["stationary"] = s.stationary;
  j["scheme"] = !s.sampled      ? "full"
                : s.by_progress   ? "progress_rate"
                : s.by_proxy      ? "proxy"
                : s.by_shadow     ? "shadow_sms"
                : !s.windows.empty() ? "windows"
                                     : "waves";
  if (s.by_shadow) {
    const ShadowRun& r = s.shadow;
    j["trusted"] = s.trusted;
    j["shadow"] = {{"scale", r.scale},
                   {"detailed_sms", r.detailed_sms},
                   {"detailed_ctas", r.detailed_ctas},
                   {"shadow_ctas", r.shadow_ctas},
                   {"detailed_warp_instructions", r.detailed_warp_instructions},
                   {"shadow_warp_instructions", r.shadow_warp_instructions},
                   {"mean_pace", r.mean_pace},
                   {"detailed_end_cycles", r.detailed_end_cycles},
                   {"simulated_cycles", r.simulated_cycles},
                   {"last_dispatch_cycles", r.last_dispatch_cycles},
                   {"longest_cta_cycles", r.longest_cta_cycles},
                   {"shared_read_fraction", r.probe.shared_fraction},
                   {"probed_lines", r.probe.lines}};
    j["error_method"] =
        "1 SM in scale simulated in detail on the full chip, the others run their CTAs functionally at the pace of the detailed "
        "SMs holding as many CTAs and send their global accesses through the real L2 and DRAM; error = |launch end - "
        "detailed SMs' end| + error_floor x prediction; experimental, never trusted";
  } else if (s.by_proxy) {
    const ProxyRun& p = s.proxy;
    j["trusted"] = s.trusted;
    j["proxy"] = {{"fine_scale", p.scale},         {"fine_sms", p.fine_sms},       {"fine_ctas", p.fine_ctas},
                  {"fine_cycles", p.fine_cycles},   {"coarse_scale", 2 * p.scale}, {"coarse_sms", p.coarse_sms},
                  {"coarse_ctas", p.coarse_ctas}, {"coarse_cycles", p.coarse_cycles},
                  {"fine_dram_read_bytes_per_cta", p.fine_dram_read_per_cta},
                  {"coarse_dram_read_bytes_per_cta", p.coarse_dram_read_per_cta},
                  {"shares_data_through_l2", p.shares_data}};
    j["error_method"] =
        "the chip scaled to 1/s and 1/2s (SMs, L2 slices and size, DRAM channels) runs 1/s and 1/2s of the CTAs (disjoint "
        "contiguous ranges); prediction = the 1/s proxy's cycles; error = |fine - coarse| + error_floor x prediction "
        "(the fine proxy's range-to-range jitter, measured against full runs)";
  } else if (s.by_progress) {
    const ProgressRun& p = s.progress;
    j["progress"] = {{"windows", p.windows},
                     {"fit_first_window", p.fit_first_window},
                     {"fit_windows", p.fit_windows},
                     {"rate_warp_instructions_per_cycle", p.rate},
                     {"rate_half_width", p.rate_half_width},
                     {"mean_resident_ctas", p.mean_resident},
                     {"resident_at_stop", p.resident_at_stop},
                     {"queued_at_stop", p.queued_at_stop},
                     {"slots", p.slots},
                     {"detailed_warp_instructions", p.detailed_instructions},
                     {"remaining_warp_instructions", p.remaining_instructions},
                     {"predicted_rest_cycles", p.rest_cycles},
                     {"drain_cycles", p.drain_cycles}};
    j["error_method"] =
        "predicted rest cycles x max(relative 95% half-width of the warp-instruction rate (least-squares slope of the "
        "cumulative count over fixed windows, Student t, after a stationarity test), error_floor) + drain_cycles (two "
        "DRAM round trips: the last CTA's final dependent accesses); the rest is the remaining instructions of every CTA scheduled onto the CTA slots at the measured per-CTA rate";
  } else if (!s.windows.empty()) {
    j["trusted"] = s.trusted;
    nlohmann::json windows = nlohmann::json::array();
    for (const SampledWindow& w : s.windows)
      windows.push_back({{"first_wave", w.first_wave}, {"waves", w.waves}, {"wave_cycles", w.wave_cycles},
                         {"half_width", w.half_width}});
    j["windows"] = windows;
    j["error_method"] =
        "windows spread over the grid; per skipped segment between two windows: waves x (|d_a - d_b| + mean of the "
        "windows' 95% confidence half-widths of d, Student t over the pooled jitter of all windows); does not cover a "
        "change of the wave time that comes and goes between two windows";
  } else {
    j["error_method"] =
        "skipped waves x max(95% confidence half-width of the least-squares wave time (Student t) over the waves after "
        "the warm-up a stationarity test cut off (plus the slope change between the window's halves when none passed), "
        "error_floor x wave time); does not cover behaviour that changes only after the detailed waves";
  }
  // Host measurements (not simulated quantities): vary run to run.
  j["host_cpu_seconds_detailed"] = s.detailed_cpu_seconds;
  j["host_cpu_seconds_functional_rest"] = s.functional_cpu_seconds;
  j["counters_cover"] = !s.sampled      ? "all CTAs"
                        : s.by_progress ? "the detailed cycles only"
                        : s.by_proxy    ? "the fine proxy's CTAs on its scaled chip"
                        : s.by_shadow   ? "SM counters: the detailed SMs; memory counters: the whole chip (shadow traffic included)"
                                        : "detailed CTAs only";
  return j;
}

}  // namespace gpusim::sim
