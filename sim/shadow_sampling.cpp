#include "sim/shadow_sampling.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/sampled_detail.h"
#include "sim/shadow_sms.h"
#include "sim/systemc_driver.h"

namespace gpusim::sim {

bool shadow_sms_fit(const GpuConfig& config, const ShadowOptions& options, std::string& why) {
  why.clear();
  const int detailed = (config.num_sms + int(options.scale) - 1) / int(options.scale);
  if (options.scale >= 2 && detailed >= int(options.min_detailed_sms)) return true;
  why = "no shadow SMs: 1 SM in " + std::to_string(options.scale) + " of " + std::to_string(config.num_sms) +
        " is fewer than the " + std::to_string(options.min_detailed_sms) + " detailed SMs the pacing needs";
  return false;
}

TailBracket bracket_tail(uint64_t simulated, uint64_t last_dispatch, uint64_t longest_cta, uint64_t detailed_end,
                         double error_floor) {
  const uint64_t packed = last_dispatch + longest_cta;
  const uint64_t lo = std::min(simulated, packed), hi = std::max(simulated, packed);
  TailBracket t;
  t.cycles = lo + (hi - lo) / 2;
  const uint64_t ends_apart = simulated > detailed_end ? simulated - detailed_end : detailed_end - simulated;
  t.error_cycles = (hi - lo + 1) / 2 + ends_apart + static_cast<uint64_t>(std::ceil(error_floor * double(t.cycles)));
  return t;
}

ShadowRun run_shadow_sampled_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources,
                                    const ShadowOptions& options) {
  ShadowRun r;
  r.scale = options.scale;
  ShadowFleet fleet(model, options.scale);
  struct Detach {
    GpuModel& m;
    ~Detach() { m.set_shadow_sms(nullptr); }
  } detach{model};
  model.set_shadow_sms(&fleet);
  const uint64_t before = launch.warp_instructions;
  const uint64_t start = model.core_cycle();
  const double t0 = process_cpu_seconds();
  r.timing = run_timed_launch(model, launch, resources);
  r.cpu_seconds = process_cpu_seconds() - t0;
  r.detailed_sms = r.timing.sms_used;
  r.shadow_ctas = fleet.shadow_ctas();
  r.detailed_ctas = launch.grid.count() - r.shadow_ctas;
  r.shadow_warp_instructions = fleet.shadow_warp_instructions();
  r.detailed_warp_instructions = launch.warp_instructions - before - r.shadow_warp_instructions;
  r.mean_pace = fleet.mean_pace();
  r.detailed_end_cycles = fleet.last_detailed_cycle() - start;

  r.simulated_cycles = r.timing.cycles;
  r.last_dispatch_cycles = fleet.last_dispatch_cycle() > start ? fleet.last_dispatch_cycle() - start : 0;
  r.longest_cta_cycles = fleet.longest_cta_cycles();

  // Up to the grid's last dispatch the shadows reproduce the full chip (sgemm_tiled 512^3: the last
  // CTA dispatched at 134,486 cycles against the full run's 135,133). The tail after it does not
  // follow: in the full run the SMs that free first take several of the last CTAs each (sgemm_tiled
  // 512^3: 64 CTAs on 11 SMs) and run them at a full SM's pace, while the shadows, each a copy of
  // its group's detailed SM, free their slots in groups and spread those CTAs thinly, so they
  // finish early (512^3: a 48,400-cycle tail against 66,200). The launch's end therefore lies
  // between the simulated end and the last dispatch plus the longest a detailed CTA was resident
  // (a last CTA on an SM as full as any was); the prediction is the middle of that bracket, the
  // error its half-width plus the two ends' difference and the floor.
  const TailBracket t = bracket_tail(r.simulated_cycles, r.last_dispatch_cycles, r.longest_cta_cycles,
                                     r.detailed_end_cycles, options.error_floor);
  r.timing.cycles = t.cycles;
  r.timing.seconds = double(r.timing.cycles) / (model.config().core_clock_mhz * 1e6);
  r.error_cycles = t.error_cycles;
  r.trusted = false;
  return r;
}

}  // namespace gpusim::sim
