#include "sim/sampled_launch.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <memory>
#include <sstream>

#include "sim/occupancy.h"
#include "sim/systemc_driver.h"
#include "sim/wave_estimate.h"

namespace gpusim::sim {

namespace {

// Process CPU time (all threads): the split between the detailed and the functional part of a
// sampled launch is reported in CPU seconds, which a loaded machine moves less than wall time.
double cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

std::vector<SamplingWindow> plan_windows(uint64_t full_waves, const SamplingOptions& o) {
  const uint64_t l = o.window_waves;
  // Detailed waves with k windows: k x l + 2 (wave 0 in the first, the drain wave in the last).
  auto detailed = [&](uint64_t k) { return k * l + 2; };
  uint64_t k = o.min_windows;
  while (double(detailed(k + 1)) <= o.max_detailed_fraction * double(full_waves)) ++k;
  if (k < 2 || double(detailed(k)) > o.max_detailed_share * double(full_waves)) return {};
  const uint64_t skipped = full_waves - detailed(k);
  std::vector<SamplingWindow> w;
  w.push_back({0, l + 1});
  uint64_t next = l + 1;
  for (uint64_t i = 1; i < k; ++i) {  // the skipped waves split evenly into k - 1 gaps
    next += skipped * i / (k - 1) - skipped * (i - 1) / (k - 1);
    const uint64_t waves = i + 1 == k ? l + 1 : l;
    w.push_back({next, waves});
    next += waves;
  }
  return w;
}

void WaveSampler::arm(GpuModel& model, uint64_t wave_ctas, uint64_t total_ctas,
                      const std::vector<SamplingWindow>& windows) {
  model_ = &model;
  windows_ = windows;
  wave_ = wave_ctas;
  total_ = total_ctas;
  detailed_ = total_ctas % wave_ctas;  // the partial last wave, in the last window
  for (const SamplingWindow& w : windows) detailed_ += w.waves * wave_ctas;
  skip_window_ = 0;
  wave_ends_.clear();
  model.set_cta_skip(UINT64_MAX, 0);
  model.set_cta_retirement_listener(this);
  // Two waves ahead of the retirements, so SMs never starve, across the jumps too.
  raise_limit(2 * wave_);
}

uint64_t WaveSampler::cta_id_of(uint64_t n, size_t* window) const {
  uint64_t before = 0;  // detailed CTAs in the windows before k
  for (size_t k = 0; k < windows_.size(); ++k) {
    uint64_t size = windows_[k].waves * wave_;
    if (k + 1 == windows_.size()) size += total_ % wave_;
    if (n <= before + size) {
      if (window) *window = k;
      return windows_[k].first_wave * wave_ + (n - before);
    }
    before += size;
  }
  if (window) *window = windows_.size() - 1;
  return total_;
}

void WaveSampler::raise_limit(uint64_t detailed_target) {
  size_t k = 0;
  const uint64_t limit = cta_id_of(std::min(detailed_, detailed_target), &k);
  // The limit has entered window k: the dispatcher jumps there once it has handed out window
  // k - 1 (at most one jump is pending: windows are longer than the two waves of look-ahead).
  if (k > skip_window_) {
    skip_window_ = k;
    const SamplingWindow& prev = windows_[k - 1];
    model_->set_cta_skip((prev.first_wave + prev.waves) * wave_, windows_[k].first_wave * wave_);
  }
  model_->set_cta_limit(limit);
}

void WaveSampler::on_ctas_retired(uint64_t cycle, uint64_t retired_so_far) {
  if (!model_) return;
  // Every wave boundary this edge crossed, in order (several CTAs retire on one edge).
  for (uint64_t j = wave_ends_.size() + 1; j * wave_ <= retired_so_far; ++j) {
    wave_ends_.push_back(cycle);
    raise_limit((j + 2) * wave_);
  }
}

SampledTiming run_sampled_launch(GpuModel& model, WaveSampler& sampler, isa::LaunchState& launch,
                                 const KernelResources& resources, const isa::FunctionalLimits& limits,
                                 const SamplingOptions& options) {
  SampledTiming s;
  s.max_error = options.max_error;
  s.total_ctas = launch.grid.count();
  const Occupancy occ = compute_occupancy(model.config(), resources);
  s.wave_ctas = uint64_t(std::max(occ.ctas_per_sm, 0)) * uint64_t(model.config().num_sms);
  s.total_waves = s.wave_ctas ? s.total_ctas / s.wave_ctas : 0;
  const std::vector<SamplingWindow> plan = plan_windows(s.total_waves, options);
  if (launch.cooperative) s.fallback_reason = "cooperative launch (grid-wide sync needs every CTA resident)";
  else if (launch.cluster.count() > 1) s.fallback_reason = "thread-block clusters (a cluster's CTAs run together)";
  else if (s.wave_ctas && plan.empty()) {
    const uint64_t need = uint64_t(std::ceil((options.min_windows * options.window_waves + 2) / options.max_detailed_share));
    s.fallback_reason = "only " + std::to_string(s.total_waves) + " full waves of " + std::to_string(s.wave_ctas) +
                        " CTAs (sampling needs " + std::to_string(need) + ", so that its " +
                        std::to_string(options.min_windows) + " windows of detailed waves are at most " +
                        std::to_string(int(std::lround(options.max_detailed_share * 100))) + " % of the grid)";
  }
  if (!s.fallback_reason.empty() || !s.wave_ctas) {  // no CTA fits: run_timed_launch says so
    const double t0 = cpu_seconds();
    s.timing = run_timed_launch(model, launch, resources);
    s.detailed_cpu_seconds = cpu_seconds() - t0;
    s.detailed_ctas = s.total_ctas;
    s.detailed_waves = s.total_waves;
    s.detailed_cycles = s.timing.cycles;
    return s;
  }

  // The limit and the jump must not outlive the launch, faulted or not.
  struct LimitReset {
    GpuModel& model;
    WaveSampler& sampler;
    ~LimitReset() {
      sampler.disarm();
      model.set_cta_limit(UINT64_MAX);
    }
  } reset{model, sampler};
  const uint64_t start = model.core_cycle();
  sampler.arm(model, s.wave_ctas, s.total_ctas, plan);
  double t0 = cpu_seconds();
  s.timing = run_timed_launch(model, launch, resources);
  s.detailed_cpu_seconds = cpu_seconds() - t0;
  s.detailed_ctas = sampler.detailed_ctas();
  s.detailed_cycles = s.timing.cycles;
  for (uint64_t c : sampler.wave_ends()) s.wave_end_cycles.push_back(c - start);

  // The skipped ranges, functionally: the results must be complete.
  t0 = cpu_seconds();
  const isa::Dim3& g = launch.grid;
  for (size_t k = 0; k + 1 < plan.size(); ++k) {
    for (uint64_t id = (plan[k].first_wave + plan[k].waves) * s.wave_ctas; id < plan[k + 1].first_wave * s.wave_ctas; ++id) {
      const isa::Dim3 ctaid{static_cast<uint32_t>(id % g.x), static_cast<uint32_t>(id / g.x % g.y),
                            static_cast<uint32_t>(id / (uint64_t(g.x) * g.y))};
      isa::CtaState cta(launch, ctaid);
      isa::run_cta_functional(cta, launch, limits);
    }
  }
  s.functional_cpu_seconds = cpu_seconds() - t0;

  // Each window's steady wave ends: after wave 0 in the first window, before the drain wave in
  // the last, all of them in the middle ones (the first wave of a window, which the previous
  // window's tail overlaps, is the line's starting point: its own length is not used).
  std::vector<std::vector<uint64_t>> ends(plan.size());
  uint64_t b = 0;  // detailed wave index of the window's first wave
  for (size_t k = 0; k < plan.size(); ++k) {
    const uint64_t first = k == 0 ? b + 1 : b;
    for (uint64_t i = first; i < first + options.window_waves && i < s.wave_end_cycles.size(); ++i)
      ends[k].push_back(s.wave_end_cycles[i]);
    b += plan[k].waves;
  }
  s.detailed_waves = b;
  const WindowedFit fit = fit_windows(ends);
  double skipped_cycles = 0, error = 0;
  uint64_t skipped_waves = 0;
  for (size_t k = 0; k < plan.size(); ++k)
    s.windows.push_back({plan[k].first_wave, plan[k].waves, fit.windows[k].wave_cycles, fit.windows[k].half_width});
  for (size_t k = 0; k + 1 < plan.size(); ++k) {
    const uint64_t waves = plan[k + 1].first_wave - (plan[k].first_wave + plan[k].waves);
    const SegmentEstimate seg = estimate_segment(fit.windows[k], fit.windows[k + 1], waves);
    skipped_cycles += seg.cycles;
    error += seg.error;
    skipped_waves += waves;
  }
  s.sampled = true;
  s.wave_cycles = skipped_waves ? skipped_cycles / double(skipped_waves) : 0;
  s.timing.cycles = s.detailed_cycles + static_cast<uint64_t>(std::llround(skipped_cycles));
  s.timing.seconds = double(s.timing.cycles) / (model.config().core_clock_mhz * 1e6);
  // No valid fit (a window without steady waves): the estimate is the whole skipped time.
  s.error_cycles = static_cast<uint64_t>(std::ceil(fit.valid ? error : std::fabs(skipped_cycles)));
  s.trusted = fit.valid && s.estimated_error() <= options.max_error;
  return s;
}

std::string describe_sampling(const SampledTiming& s) {
  std::ostringstream os;
  if (!s.sampled) {
    os << "sampling: simulated in full";
    if (!s.fallback_reason.empty()) os << ": " << s.fallback_reason;
    return os.str();
  }
  os << std::fixed << std::setprecision(1) << "sampled: " << s.detailed_ctas << " of " << s.total_ctas
     << " CTAs in detail (" << 100.0 * double(s.detailed_ctas) / double(s.total_ctas) << "%, " << s.detailed_waves
     << " of " << s.total_waves << " waves of " << s.wave_ctas << " in " << s.windows.size() << " windows:";
  for (const SampledWindow& w : s.windows)
    os << " " << w.first_wave << "-" << w.first_wave + w.waves - 1 << " (" << w.wave_cycles << " cycles/wave)";
  os << "); predicted " << s.timing.cycles << " cycles +/- " << s.error_cycles << " (" << std::setprecision(2)
     << 100.0 * s.estimated_error() << "% estimated, 95% confidence and the drift between windows)";
  if (!s.trusted)
    os << ": NOT TRUSTED, the estimated error exceeds " << std::setprecision(0) << 100 * s.max_error
       << "% (the wave time changes too much over the grid to sample it; run without --sample)";
  os << std::setprecision(2) << "; host CPU " << s.detailed_cpu_seconds << " s detailed + " << s.functional_cpu_seconds
     << " s functional rest";
  return os.str();
}

}  // namespace gpusim::sim

namespace gpusim::sim {

nlohmann::json sampling_to_json(const SampledTiming& s) {
  nlohmann::json j;
  j["sampled"] = s.sampled;
  if (s.sampled) j["trusted"] = s.trusted;
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
  nlohmann::json windows = nlohmann::json::array();
  for (const SampledWindow& w : s.windows)
    windows.push_back({{"first_wave", w.first_wave}, {"waves", w.waves}, {"wave_cycles", w.wave_cycles},
                       {"half_width", w.half_width}});
  j["windows"] = windows;
  j["error_method"] =
      "per skipped segment between two windows: waves x (|d_a - d_b| / 2 + mean of the windows' 95% confidence "
      "half-widths of d, Student t over the pooled jitter of all windows); does not cover a change of the wave time "
      "that comes and goes between two windows";
  // Host measurements (not simulated quantities): vary run to run.
  j["host_cpu_seconds_detailed"] = s.detailed_cpu_seconds;
  j["host_cpu_seconds_functional_rest"] = s.functional_cpu_seconds;
  j["counters_cover"] = s.sampled ? "detailed CTAs only" : "all CTAs";
  return j;
}

}  // namespace gpusim::sim
