#include "sim/sampled_launch.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <sstream>

#include "sim/occupancy.h"
#include "sim/systemc_driver.h"

namespace gpusim::sim {

namespace {

// The steady-state wave time: the least-squares slope of wave end time over wave number, fitted
// to the later half of the waves (the earlier ones include the launch's ramp-up: cold caches,
// queues filling). Single spacings jitter by several per cent as CTAs of neighbouring waves
// overlap; the fit averages that out, and its standard error says how well d is known.
struct WaveFit {
  double slope = 0, slope_error = 0;
  size_t points = 0;
  bool valid = false;
};

// Two-sided 95 % quantile of Student's t with `dof` degrees of freedom (standard tables): a fit
// to few waves knows its slope less well than its standard error alone says.
double t95(size_t dof) {
  static constexpr double table[] = {12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23};
  if (dof == 0) return table[0];
  if (dof <= 10) return table[dof - 1];
  return dof <= 20 ? 2.09 : dof <= 30 ? 2.04 : 1.96;
}

WaveFit fit_steady_waves(const std::vector<uint64_t>& ends) {
  WaveFit f;
  const size_t first = ends.size() / 2, n = ends.size() - first;
  if (n < 3) return f;
  double mean_x = 0, mean_y = 0;
  for (size_t i = first; i < ends.size(); ++i) mean_x += double(i), mean_y += double(ends[i]);
  mean_x /= double(n), mean_y /= double(n);
  double sxx = 0, sxy = 0;
  for (size_t i = first; i < ends.size(); ++i) {
    sxx += (double(i) - mean_x) * (double(i) - mean_x);
    sxy += (double(i) - mean_x) * (double(ends[i]) - mean_y);
  }
  f.slope = sxy / sxx;
  double residuals = 0;
  for (size_t i = first; i < ends.size(); ++i) {
    const double r = double(ends[i]) - (mean_y + f.slope * (double(i) - mean_x));
    residuals += r * r;
  }
  f.slope_error = std::sqrt(residuals / double(n - 2) / sxx);
  f.points = n;
  f.valid = f.slope > 0;
  return f;
}

// Uncertainty of d claimed: the 95 % confidence half-width of the slope (independent jitter), and
// never under half the settling tolerance: drift slower than the fit window shows (the fit
// left up to 0.9 % of bias on the 2-SM teaching GPU in tests/workloads/sampling_test.cpp).
double wave_time_uncertainty(const WaveFit& f, double tolerance) {
  return std::max(t95(f.points - 2) * f.slope_error, tolerance / 2 * f.slope);
}

// Drift the detailed waves show: the mean wave time of their later half minus that of their
// earlier half (wave 0, the ramp-up, left out). Later waves that grow slower (DRAM rows and
// refresh, dirty L2 lines accumulating) make the extrapolated wave time too short; a fit's
// confidence interval cannot see that, so the claimed error takes the larger of the two.
double wave_time_drift(const std::vector<uint64_t>& ends) {
  if (ends.size() < 5) return 0;
  const size_t mid = 1 + (ends.size() - 1) / 2, last = ends.size() - 1;
  const double early = double(ends[mid] - ends[1]) / double(mid - 1);
  const double late = double(ends[last] - ends[mid]) / double(last - mid);
  return std::fabs(late - early);
}

}  // namespace

void WaveSampler::arm(GpuModel& model, uint64_t wave_ctas, uint64_t total_ctas, const SamplingOptions& options) {
  model_ = &model;
  options_ = options;
  wave_ = wave_ctas;
  total_ = total_ctas;
  const uint64_t full_waves = total_ctas / wave_ctas;
  max_waves_ = std::max<uint64_t>(options.min_waves + 1,
                                  static_cast<uint64_t>(std::floor(double(full_waves) * options.max_detailed_fraction)));
  retired_ = 0;
  steady_waves_ = 0;
  wave_ends_.clear();
  deciding_ = true;
  // Two waves ahead of the retirements, so SMs never starve while the sampler decides.
  limit_ = std::min(total_, 2 * wave_);
  model.set_cta_limit(limit_);
}

bool WaveSampler::settled() const {
  if (wave_ends_.size() < options_.min_waves) return false;
  const WaveFit f = fit_steady_waves(wave_ends_);
  return f.valid && wave_time_uncertainty(f, options_.tolerance) <= options_.tolerance * f.slope;
}

void WaveSampler::on_cta(uint64_t cycle, int, uint64_t, bool started) {
  if (!model_ || started) return;
  ++retired_;
  if (retired_ % wave_) return;
  const uint64_t j = retired_ / wave_;  // full waves retired so far
  if (j > wave_ends_.size()) wave_ends_.push_back(cycle);
  if (!deciding_) return;
  // The limit is (j+1) waves now. Stop: the next wave and the partial last wave's worth of CTAs
  // finish in detail, as the grid's own last waves would. Otherwise keep two waves ahead.
  const uint64_t remainder = total_ % wave_;
  if (settled() || j + 1 >= max_waves_) {
    deciding_ = false;
    steady_waves_ = j;
    limit_ = std::min(total_, (j + 1) * wave_ + remainder);
  } else {
    limit_ = std::min(total_, (j + 2) * wave_);
  }
  model_->set_cta_limit(limit_);
}

SampledTiming run_sampled_launch(GpuModel& model, WaveSampler& sampler, isa::LaunchState& launch,
                                 const KernelResources& resources, const isa::FunctionalLimits& limits,
                                 const SamplingOptions& options) {
  SampledTiming s;
  s.total_ctas = launch.grid.count();
  const Occupancy occ = compute_occupancy(model.config(), resources);
  s.wave_ctas = uint64_t(std::max(occ.ctas_per_sm, 0)) * uint64_t(model.config().num_sms);
  s.total_waves = s.wave_ctas ? s.total_ctas / s.wave_ctas : 0;
  if (launch.cooperative) s.fallback_reason = "cooperative launch (grid-wide sync needs every CTA resident)";
  else if (launch.cluster.count() > 1) s.fallback_reason = "thread-block clusters (a cluster's CTAs run together)";
  else if (s.wave_ctas && s.total_waves < options.min_total_waves)
    s.fallback_reason = "only " + std::to_string(s.total_waves) + " full waves of " + std::to_string(s.wave_ctas) +
                        " CTAs (sampling needs " + std::to_string(options.min_total_waves) + ")";
  if (!s.fallback_reason.empty() || !s.wave_ctas) {  // no CTA fits: run_timed_launch says so
    s.timing = run_timed_launch(model, launch, resources);
    s.detailed_ctas = s.total_ctas;
    s.detailed_cycles = s.timing.cycles;
    return s;
  }

  // The limit must not outlive the launch, faulted or not.
  struct LimitReset {
    GpuModel& model;
    WaveSampler& sampler;
    ~LimitReset() {
      sampler.disarm();
      model.set_cta_limit(UINT64_MAX);
    }
  } reset{model, sampler};
  const uint64_t start = model.core_cycle();
  sampler.arm(model, s.wave_ctas, s.total_ctas, options);
  s.timing = run_timed_launch(model, launch, resources);
  s.detailed_ctas = sampler.detailed_ctas();
  s.detailed_cycles = s.timing.cycles;
  for (uint64_t c : sampler.wave_ends()) s.wave_end_cycles.push_back(c - start);
  // Spacings only while the machine had a full wave queued behind the running one; after the
  // sampler stopped, the detailed run drains like a grid's tail does.
  const std::vector<uint64_t> steady(s.wave_end_cycles.begin(),
                                     s.wave_end_cycles.begin() + static_cast<long>(std::min<uint64_t>(
                                                                     sampler.steady_waves(), s.wave_end_cycles.size())));

  // The rest of the grid, functionally: the results must be complete.
  const isa::Dim3& g = launch.grid;
  for (uint64_t id = s.detailed_ctas; id < s.total_ctas; ++id) {
    const isa::Dim3 ctaid{static_cast<uint32_t>(id % g.x), static_cast<uint32_t>(id / g.x % g.y),
                          static_cast<uint32_t>(id / (uint64_t(g.x) * g.y))};
    isa::CtaState cta(launch, ctaid);
    isa::run_cta_functional(cta, launch, limits);
  }

  const uint64_t skipped_waves = (s.total_ctas - s.detailed_ctas) / s.wave_ctas;
  s.detailed_waves = s.total_waves - skipped_waves;
  const WaveFit fit = fit_steady_waves(steady);
  if (skipped_waves == 0 || !fit.valid) {
    s.detailed_ctas = s.total_ctas;  // the sampler never stopped early: this was a full run
    return s;
  }
  s.sampled = true;
  s.wave_cycles = fit.slope;
  s.timing.cycles = s.detailed_cycles + static_cast<uint64_t>(std::llround(double(skipped_waves) * s.wave_cycles));
  s.timing.seconds = double(s.timing.cycles) / (model.config().core_clock_mhz * 1e6);
  s.error_cycles =
      static_cast<uint64_t>(std::ceil(double(skipped_waves) * std::max(wave_time_uncertainty(fit, options.tolerance),
                                                                        wave_time_drift(steady))));
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
     << " of " << s.total_waves << " waves of " << s.wave_ctas << "), " << s.wave_cycles
     << " cycles per steady wave; predicted " << s.timing.cycles << " cycles +/- " << s.error_cycles << " ("
     << std::setprecision(2) << 100.0 * s.estimated_error() << "% estimated)";
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
  j["error_method"] = "skipped waves x max(95% confidence half-width of the fitted wave time (Student t), tolerance/2 x wave time, drift between the detailed waves' earlier and later halves)";
  j["counters_cover"] = s.sampled ? "detailed CTAs only" : "all CTAs";
  return j;
}

}  // namespace gpusim::sim
