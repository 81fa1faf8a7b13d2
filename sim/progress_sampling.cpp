#include "sim/progress_sampling.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "sim/cta_completion.h"
#include "sim/sampled_detail.h"
#include "sim/systemc_driver.h"
#include "sim/tail_schedule.h"

namespace gpusim::sim {

void ProgressSampler::arm(GpuModel& model, const ProgressOptions& options, uint64_t slots, uint64_t total_ctas) {
  model_ = &model;
  options_ = options;
  slots_ = slots;
  total_ctas_ = total_ctas;
  ends_.clear();
  resident_.clear();
  sm_windows_.clear();
  sm_first_window_ = 0;
  estimate_ = WaveEstimate{};
  offset_ = 0;
  turnover_ = total_ctas <= slots ? 0 : SIZE_MAX;
  l2_.start(model.l2_lines(), UINT64_MAX);
  waited_for_l2_ = false;
  model.set_progress_probe(this, options.window_cycles);
}

void ProgressSampler::disarm() {
  if (model_) model_->set_progress_probe(nullptr, 1);
  model_ = nullptr;
}

void ProgressSampler::on_progress(uint64_t, uint64_t warp_instructions) {
  if (!model_ || model_->stopped()) return;
  ends_.push_back(warp_instructions);
  uint64_t resident = 0;
  SmWindow& w = sm_windows_.emplace_back();
  w.instructions.resize(size_t(model_->sm_count()));
  w.resident.resize(size_t(model_->sm_count()));
  for (int i = 0; i < model_->sm_count(); ++i) {
    const int ctas = model_->sm(i).resident_ctas();
    resident += uint64_t(ctas);
    w.resident[size_t(i)] = uint32_t(ctas);
    w.instructions[size_t(i)] = model_->sm(i).stats().warp_instructions;
  }
  if (sm_windows_.size() > size_t(options_.max_windows) + 1) {
    sm_windows_.pop_front();
    ++sm_first_window_;
  }
  resident_.push_back(resident);
  // The launch's length in windows at the rate CTAs have completed so far (unknown before the
  // first completes: then the L2 counts as filling if it gains lines at all).
  const uint64_t completed = model_->dispatched_ctas() - std::min(resident, model_->dispatched_ctas());
  l2_.set_total_waves(completed ? uint64_t(std::ceil(double(ends_.size()) * double(total_ctas_) / double(completed)))
                                : UINT64_MAX);
  l2_.on_wave_end(model_->l2_lines());
  // The first generation of CTAs starts together on cold caches and runs in lockstep; the later
  // ones find the data their predecessors brought into the L2 (sgemm_naive 256^3 on 8 SMs: 6,000
  // warp-instructions per 1,000 cycles in the first generation, 13,000 after). Windows count only
  // from the one in which the first CTA beyond the machine's slots was dispatched.
  if (turnover_ == SIZE_MAX) {
    if (model_->dispatched_ctas() <= slots_) return;
    turnover_ = ends_.size() - 1;
  }
  if (l2_.filling()) {
    waited_for_l2_ = true;
    return;
  }
  const size_t n = ends_.size();
  size_t begin = std::max(turnover_, n > options_.max_windows ? n - options_.max_windows : size_t(0));
  if (l2_.turned_over()) begin = std::max(begin, l2_.turned_over_at());
  // At least as long as the first generation took: the lockstep of the first generation takes
  // generations to dissolve (sgemm_tiled 384^3 on 8 SMs: 14,000 per window in the 2nd and 3rd
  // generation, 12,000 from the 4th on).
  if (n - begin < std::max<size_t>(options_.min_windows, turnover_ + 1)) return;
  const WaveEstimate e = estimate_wave_time(std::vector<uint64_t>(ends_.begin() + long(begin), ends_.end()));
  if (!e.valid) return;
  const double relative = e.half_width / e.wave_cycles;
  const bool settled = e.stationary && relative <= options_.tolerance;
  const bool good_enough = n - begin >= options_.max_windows && relative <= options_.max_error;
  if (!settled && !good_enough) return;
  estimate_ = e;
  offset_ = begin;
  model_->stop_launch();
}

namespace {

// Each SM's slots (the machine's, shared evenly) and the per-CTA rate measured on it over the
// fitted windows [first, first + points): its warp-instructions per cycle over the CTAs it held
// on average; an SM that held none (a grid smaller than the machine) gets the machine's per-CTA rate.
std::vector<SmTail> sm_tails(const ProgressSampler& sampler, size_t first, size_t points, uint64_t window_cycles,
                             uint64_t slots, double machine_per_cta_rate) {
  const size_t sms = sampler.sm_count();
  const size_t last = std::min(first + points, sampler.instruction_ends().size()) - 1;
  std::vector<SmTail> out(sms);
  for (size_t s = 0; s < sms; ++s) {
    out[s].slots = slots / sms + (s < slots % sms ? 1 : 0);
    double held = 0;
    for (size_t w = first + 1; w <= last; ++w) held += sampler.sm_resident(w, s);
    const size_t windows = last - first;
    const double mean_held = windows ? held / double(windows) : 0;
    const double rate =
        windows ? double(sampler.sm_instructions(last, s) - sampler.sm_instructions(first, s)) / double(windows * window_cycles)
                : 0;
    out[s].per_cta_rate = mean_held >= 0.5 && rate > 0 ? rate / mean_held : machine_per_cta_rate;
  }
  return out;
}

std::vector<ResidentCta> resident_ctas(const std::vector<size_t>& sm_of, const std::vector<uint64_t>& remaining) {
  std::vector<ResidentCta> out;
  for (size_t i = 0; i < remaining.size(); ++i) out.push_back({sm_of.at(i), remaining[i]});
  return out;
}

}  // namespace

ProgressRun run_progress_sampled_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources,
                                        const isa::FunctionalLimits& limits, uint64_t slots,
                                        const ProgressOptions& options) {
  ProgressRun r;
  r.slots = slots;
  ProgressSampler sampler;
  struct Disarm {
    ProgressSampler& s;
    ~Disarm() { s.disarm(); }
  } disarm{sampler};
  sampler.arm(model, options, slots, launch.grid.count());
  const uint64_t instructions_before = launch.warp_instructions;
  double t0 = process_cpu_seconds();
  r.timing = run_timed_launch(model, launch, resources);
  r.detailed_cpu_seconds = process_cpu_seconds() - t0;
  r.detailed_cycles = r.timing.cycles;
  r.windows = sampler.instruction_ends().size();
  r.detailed_instructions = launch.warp_instructions - instructions_before;
  const bool stopped = model.stopped();
  sampler.disarm();
  r.l2_full = sampler.l2().turned_over();
  r.l2_full_window = sampler.l2().turned_over_at();
  r.l2_waited = sampler.waited_for_l2();
  if (!stopped) return r;  // the launch ended before the rate settled: a full simulation

  // The rest, functionally: the resident CTAs from where they stopped, then the queued ones.
  const uint64_t dispatched = model.dispatched_ctas();
  std::vector<size_t> resident_sm;
  std::vector<std::unique_ptr<isa::CtaState>> resident = model.take_stopped_ctas(&resident_sm);
  t0 = process_cpu_seconds();
  const std::vector<uint64_t> resident_rest = complete_resident_ctas(resident, launch, limits);
  const std::vector<uint64_t> queued = run_counted_ctas(launch, limits, dispatched, launch.grid.count());
  r.functional_cpu_seconds = process_cpu_seconds() - t0;
  r.resident_at_stop = resident.size();
  r.queued_at_stop = queued.size();
  for (uint64_t n : resident_rest) r.remaining_instructions += n;
  for (uint64_t n : queued) r.remaining_instructions += n;

  const WaveEstimate& e = sampler.estimate();
  const std::vector<uint64_t>& res = sampler.resident();
  double resident_sum = 0;
  const size_t first = sampler.estimate_offset() + e.first;
  for (size_t i = first; i < first + e.points && i < res.size(); ++i) resident_sum += double(res[i]);
  r.mean_resident = e.points ? resident_sum / double(e.points) : 0;
  r.rate = e.wave_cycles / double(options.window_cycles);
  r.rate_half_width = e.half_width / double(options.window_cycles);
  r.fit_first_window = first;
  r.fit_windows = e.points;
  r.stationary = e.stationary;
  const double per_cta_rate = r.rate / std::max(r.mean_resident, 1.0);
  const double rest = schedule_remaining_work_by_sm(
      sm_tails(sampler, first, e.points, options.window_cycles, std::max<uint64_t>(slots, resident.size()), per_cta_rate),
      resident_ctas(resident_sm, resident_rest), queued);
  r.rest_cycles = static_cast<uint64_t>(std::llround(rest));
  r.sampled = true;
  r.timing.cycles = r.detailed_cycles + r.rest_cycles;
  r.timing.seconds = double(r.timing.cycles) / (model.config().core_clock_mhz * 1e6);
  const double relative = std::max(e.half_width / e.wave_cycles, options.error_floor);
  // The schedule ends when the last CTA's instructions are done at the steady rate; the launch
  // ends when that CTA's last dependent memory accesses are back too, which in steady state
  // overlap with other CTAs' work and so are not in the rate: two DRAM round trips (a load, then
  // the store that uses it). vecadd on the 2-SM teaching GPU: the rest ran 578 cycles past a
  // 1,856-cycle prediction; 2 x 372 on its V100 latencies.
  const GpuConfig& c = model.config();
  r.drain_cycles = 2 * uint64_t(std::max(0, c.l1_latency_cycles + c.icnt_latency_cycles + c.l2_latency_cycles +
                                                c.dram_latency_cycles));
  r.error_cycles = static_cast<uint64_t>(std::ceil(rest * relative)) + r.drain_cycles;
  return r;
}

}  // namespace gpusim::sim
