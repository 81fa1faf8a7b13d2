// What a sampled launch reports: its one line for the launch summary and its "sampling" JSON
// object (sim/sampled_launch.h). Apart from the sampler so that each file keeps to one job.
#include <iomanip>
#include <sstream>

#include "sim/sampled_launch.h"

namespace gpusim::sim {

namespace {

// The skipped (or not proxied) CTAs' work against the timed ones' (sim/work_scaling.h).
nlohmann::json work_to_json(const WorkScaling& w, uint64_t unscaled_cycles) {
  return {{"measured", w.measured},
          {"timed_warp_instructions_per_unit", w.timed_per_unit},
          {"predicted_warp_instructions_per_unit", w.predicted_per_unit},
          {"ratio", w.ratio},
          {"scaled", w.scaled},
          {"unscaled_cycles", unscaled_cycles}};
}

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
     << " predicted cycles, + " << p.drain_cycles << " for the drain"
     << (p.l2_full ? "; L2 full from window " + std::to_string(p.l2_full_window) : std::string()) << "); host CPU " << s.detailed_cpu_seconds << " s detailed + " << s.functional_cpu_seconds
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
     << "%, DRAM reads per CTA " << std::setprecision(1) << p.fine_dram_read_per_cta << " / "
     << p.coarse_dram_read_per_cta << " B); predicted " << s.timing.cycles << " cycles +/- " << s.error_cycles << " ("
     << std::setprecision(2) << 100.0 * s.estimated_error()
     << (p.serialised ? "% estimated: up to the serialised grid's time + the measured floor"
                      : "% estimated: the two scales' difference + the measured floor");
  if (p.work.scaled)
    os << std::setprecision(1) << "; the grid ran " << 100.0 * p.work.ratio
       << "% of the fine proxy's warp-instructions per CTA: its " << p.fine_cycles
       << " cycles scaled by that, the change again in the error";
  os << ")";
  if (p.serialised)
    os << ": NOT TRUSTED, the proxies' time grew with their CTA count (" << std::setprecision(2)
       << double(p.fine_cycles) / double(p.coarse_cycles)
       << "x from 1/" << 2 * p.scale << " to 1/" << p.scale
       << "): something the scaled chips do not scale serialises the CTAs (atomics on one address, one L2 slice); "
          "the whole grid may take up to "
       << p.serial_bound_cycles << " cycles, which the error covers: run without --sample";
  else if (p.shares_data)
    os << ": NOT TRUSTED, the CTAs share data through the L2 (DRAM reads per CTA differ between the scales; "
          "a smaller chip holds fewer of the sharing CTAs at once, a bias the estimate does not bound: run without "
          "--sample)";
  else if (!s.trusted)
    os << ": NOT TRUSTED, the estimated error exceeds " << std::setprecision(0) << 100 * s.max_error
       << (p.work.scaled ? "% (the grid's CTAs do other work than the proxy's; run without --sample)"
                         : "% (the result still moves with the proxy's scale; run without --sample)");
  os << std::setprecision(2) << "; host CPU " << s.detailed_cpu_seconds << " s detailed + " << s.functional_cpu_seconds
     << " s functional rest";
  return os.str();
}

std::string describe_sampling_scheme(const SampledTiming& s) {
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
     << std::setprecision(0);
  if (s.l2_full) os << "; L2 full from wave " << s.l2_full_wave;
  else os << "; L2 " << 100 * s.l2_occupancy << "% full, the grid ends before it fills";
  if (s.warmed_waves)
    os << "; grid waves " << s.warmed_after << "-" << s.warmed_after + s.warmed_waves - 1
       << " ran functionally, warming the L2, at the filling pace of " << std::setprecision(1) << s.warm_wave_cycles
       << " cycles per wave (the wave numbers above count detailed waves only)" << std::setprecision(0);
  if (s.work.scaled)
    os << std::setprecision(1) << "; the skipped CTAs ran " << 100.0 * s.work.ratio
       << "% of the fitted waves' warp-instructions per wave: their time scaled by it, the change again in the error"
       << " (unscaled " << s.unscaled_cycles << " cycles)";
  if (!s.trusted)
    os << std::setprecision(0) << ": NOT TRUSTED, the estimated error exceeds " << 100 * s.max_error
       << "% (the skipped CTAs' work differs from the timed waves'; run without --sample)";
  os << std::setprecision(2) << "); host CPU " << s.detailed_cpu_seconds << " s detailed + " << s.functional_cpu_seconds
     << " s functional rest";
  return os.str();
}

}  // namespace

std::string describe_sampling(const SampledTiming& s) {
  std::string text = describe_sampling_scheme(s);
  if (s.ctas_wait_for_each_other)
    text += "; NOT TRUSTED whatever its estimated error: the kernel's CTAs may spin waiting for one another (a loop "
            "polls global memory: a ticket chain, a look-back scan), and how long the skipped CTAs would spin is not "
            "in their instruction counts: run without --sample";
  return text;
}

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
  if (s.ctas_wait_for_each_other) j["ctas_wait_for_each_other"] = true;  // never trusted
  const bool trusted = s.trusted && !s.ctas_wait_for_each_other;
  j["fit_first_wave"] = s.fit_first_wave;
  j["fit_waves"] = s.fit_waves;
  j["stationary"] = s.stationary;
  j["scheme"] = !s.sampled      ? "full"
                : s.by_progress   ? "progress_rate"
                : s.by_proxy      ? "proxy"
                : s.by_shadow     ? "shadow_sms"
                : !s.windows.empty() ? "windows"
                                     : "waves";
  if (j["scheme"] == "waves") {
    j["l2_full_wave"] = s.l2_full ? nlohmann::json(s.l2_full_wave) : nlohmann::json();  // null: not full
    j["l2_occupancy"] = s.l2_occupancy;
    j["trusted"] = trusted;
    j["work"] = work_to_json(s.work, s.unscaled_cycles);
    // Waves run functionally to warm the L2 (sim/l2_warming.h); null: none. (Their host time is
    // in host_cpu_seconds_functional_rest: simulated quantities only here.)
    j["l2_warming"] = s.warmed_waves ? nlohmann::json{{"first_wave", s.warmed_after},
                                                      {"waves", s.warmed_waves},
                                                      {"first_cta", s.l2_warming.first_cta},
                                                      {"end_cta", s.l2_warming.end_cta},
                                                      {"wave_cycles", s.warm_wave_cycles},
                                                      {"replaced_lines", s.l2_warming.replaced_lines}}
                                     : nlohmann::json();
  }
  if (s.by_shadow) {
    const ShadowRun& r = s.shadow;
    j["trusted"] = trusted;
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
    j["trusted"] = trusted;
    j["proxy"] = {{"fine_scale", p.scale},         {"fine_sms", p.fine_sms},       {"fine_ctas", p.fine_ctas},
                  {"fine_cycles", p.fine_cycles},   {"coarse_scale", 2 * p.scale}, {"coarse_sms", p.coarse_sms},
                  {"coarse_ctas", p.coarse_ctas}, {"coarse_cycles", p.coarse_cycles},
                  {"fine_dram_read_bytes_per_cta", p.fine_dram_read_per_cta},
                  {"coarse_dram_read_bytes_per_cta", p.coarse_dram_read_per_cta},
                  {"shares_data_through_l2", p.shares_data},
                  {"serialised", p.serialised},
                  {"serial_bound_cycles", p.serial_bound_cycles},
                  {"work", work_to_json(p.work, p.fine_cycles)}};
    j["error_method"] =
        "the chip scaled to 1/s and 1/2s (SMs, L2 slices and size, DRAM channels) runs 1/s and 1/2s of the CTAs (disjoint "
        "contiguous ranges); prediction = the 1/s proxy's cycles; error = |fine - coarse| + error_floor x prediction "
        "(the fine proxy's range-to-range jitter, measured against full runs)";
  } else if (s.by_progress) {
    const ProgressRun& p = s.progress;
    j["trusted"] = !s.ctas_wait_for_each_other;
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
                     {"drain_cycles", p.drain_cycles},
                     {"l2_full_window", p.l2_full ? nlohmann::json(p.l2_full_window) : nlohmann::json()}};
    j["error_method"] =
        "predicted rest cycles x max(relative 95% half-width of the warp-instruction rate (least-squares slope of the "
        "cumulative count over fixed windows, Student t, after a stationarity test), error_floor) + drain_cycles (two "
        "DRAM round trips: the last CTA's final dependent accesses); the rest is the remaining instructions of every CTA scheduled onto the CTA slots at the measured per-CTA rate";
  } else if (!s.windows.empty()) {
    j["trusted"] = trusted;
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
  j["counters_scaled_by"] = s.counters_scaled_by;
  j["counters_cover"] = !s.sampled    ? "all CTAs"
                        : s.by_shadow ? "SM counters: the detailed SMs; memory counters: the whole chip (shadow traffic included)"
                        : s.by_progress
                            ? "the whole launch, estimated: the detailed cycles' counts x counters_scaled_by (the launch's "
                              "warp-instructions over theirs)"
                        : s.by_proxy ? "the whole launch, estimated: the fine proxy's counts x counters_scaled_by (the launch's "
                                       "warp-instructions over its)"
                                     : "the whole launch, estimated: the detailed CTAs' counts x counters_scaled_by (the "
                                       "launch's warp-instructions over theirs)";
  return j;
}

}  // namespace gpusim::sim
