#include "sim/window_sampling.h"

#include <algorithm>
#include <cmath>

#include "sim/sampled_detail.h"
#include "sim/wave_estimate.h"

namespace gpusim::sim {

std::vector<SamplingWindow> plan_windows(uint64_t full_waves, const WindowOptions& o) {
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

void WindowSampler::arm(GpuModel& model, uint64_t wave_ctas, uint64_t total_ctas,
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

uint64_t WindowSampler::cta_id_of(uint64_t n, size_t* window) const {
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

void WindowSampler::raise_limit(uint64_t detailed_target) {
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

void WindowSampler::on_ctas_retired(uint64_t cycle, uint64_t retired_so_far) {
  if (!model_) return;
  // Every wave boundary this edge crossed, in order (several CTAs retire on one edge).
  for (uint64_t j = wave_ends_.size() + 1; j * wave_ <= retired_so_far; ++j) {
    wave_ends_.push_back(cycle);
    raise_limit((j + 2) * wave_);
  }
}

void WindowSampler::disarm() {
  if (model_) {
    model_->set_cta_retirement_listener(nullptr);
    model_->set_cta_skip(UINT64_MAX, 0);
    model_->set_cta_limit(UINT64_MAX);
  }
  model_ = nullptr;
}

WindowedRun run_windowed_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources,
                                const isa::FunctionalLimits& limits, uint64_t wave_ctas,
                                const std::vector<SamplingWindow>& plan, unsigned window_waves) {
  WindowedRun r;
  const uint64_t total_ctas = launch.grid.count();
  WindowSampler sampler;
  const DetailedPart d = run_detailed_part(model, launch, resources, sampler, [&](WindowSampler& w) {
    w.arm(model, wave_ctas, total_ctas, plan);
  });
  r.timing = d.timing;
  r.detailed_cpu_seconds = d.cpu_seconds;
  r.detailed_ctas = d.ctas;
  r.detailed_cycles = d.timing.cycles;
  r.wave_end_cycles = d.wave_end_cycles;

  // The skipped ranges, functionally: the results must be complete.
  for (size_t k = 0; k + 1 < plan.size(); ++k)
    r.functional_cpu_seconds += run_ctas_functionally(launch, limits, (plan[k].first_wave + plan[k].waves) * wave_ctas,
                                                      plan[k + 1].first_wave * wave_ctas, model.worker_pool());

  // Each window's steady wave ends: after wave 0 in the first window, before the drain wave in
  // the last, all of them in the middle ones (the first wave of a middle window, which the
  // previous window's tail overlaps, is its line's starting point: its own length is not used).
  std::vector<std::vector<uint64_t>> ends(plan.size());
  uint64_t b = 0;  // detailed wave index of the window's first wave
  for (size_t k = 0; k < plan.size(); ++k) {
    const uint64_t first = k == 0 ? b + 1 : b;
    for (uint64_t i = first; i < first + window_waves && i < r.wave_end_cycles.size(); ++i)
      ends[k].push_back(r.wave_end_cycles[i]);
    b += plan[k].waves;
  }
  r.detailed_waves = b;
  const WindowedFit fit = fit_windows(ends);
  double skipped_cycles = 0, error = 0;
  uint64_t skipped_waves = 0;
  for (size_t k = 0; k < plan.size(); ++k)
    r.windows.push_back({plan[k].first_wave, plan[k].waves, fit.windows[k].wave_cycles, fit.windows[k].half_width});
  for (size_t k = 0; k + 1 < plan.size(); ++k) {
    const uint64_t waves = plan[k + 1].first_wave - (plan[k].first_wave + plan[k].waves);
    const SegmentEstimate seg = estimate_segment(fit.windows[k], fit.windows[k + 1], waves);
    skipped_cycles += seg.cycles;
    error += seg.error;
    skipped_waves += waves;
  }
  r.valid = fit.valid;
  r.wave_cycles = skipped_waves ? skipped_cycles / double(skipped_waves) : 0;
  r.timing.cycles = r.detailed_cycles + static_cast<uint64_t>(std::llround(std::max(skipped_cycles, 0.0)));
  r.timing.seconds = double(r.timing.cycles) / (model.config().core_clock_mhz * 1e6);
  // No valid fit (a window without a wave time): the error is the whole skipped time.
  r.error_cycles = static_cast<uint64_t>(std::ceil(fit.valid ? error : std::fabs(skipped_cycles)));
  return r;
}

}  // namespace gpusim::sim
