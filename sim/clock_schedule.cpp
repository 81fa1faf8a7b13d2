#include "sim/clock_schedule.h"

#include "sim/gpu_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

namespace {
// SystemC keeps time in integer units of its resolution (1 ps by default) and rounds a period
// given as a double to the nearest unit; so does this.
uint64_t period_ps(double mhz, const char* domain) {
  if (!(mhz > 0.0)) throw std::invalid_argument(std::string("clock schedule: ") + domain + " clock of " +
                                                std::to_string(mhz) + " MHz is not positive");
  return static_cast<uint64_t>(std::llround(1e6 / mhz));
}
}  // namespace

ClockSchedule::ClockSchedule(const GpuConfig& c)
    : core_period_(period_ps(c.core_clock_mhz, "core")),
      l2_period_(period_ps(c.l2_clock_mhz, "L2")),
      dram_period_(period_ps(c.dram_clock_mhz, "DRAM")) {}

void ClockSchedule::start(uint64_t start_ps) { next_core_ = next_l2_ = next_dram_ = start_ps; }

uint64_t ClockSchedule::next_edge_ps() const { return std::min({next_core_, next_l2_, next_dram_}); }

uint64_t ClockSchedule::tick_next(GpuModel& model, const isa::LaunchState& launch, bool* core_ticked) {
  const uint64_t now = next_edge_ps();
  if (core_ticked) *core_ticked = false;
  if (next_core_ == now) {
    // A coincident L2 edge is ticked by the core edge's call, in the same order (core first):
    // the model can then overlap it with the core edge's parallel part.
    const bool l2_too = next_l2_ == now;
    model.tick_core(now, l2_too);
    next_core_ += core_period_;
    if (l2_too) next_l2_ += l2_period_;
    if (core_ticked) *core_ticked = true;
    check_warp_instruction_budget(launch, &model);
  }
  if (next_l2_ == now) {
    model.tick_l2(now);
    next_l2_ += l2_period_;
  }
  if (next_dram_ == now) {
    model.tick_dram(now);
    next_dram_ += dram_period_;
  }
  return now;
}

void check_warp_instruction_budget(const isa::LaunchState& launch, const GpuModel* model) {
  if (!launch.max_warp_instructions || launch.warp_instructions <= launch.max_warp_instructions) return;
  throw isa::ExecError("kernel '" + launch.kernel->name + "': more than " + std::to_string(launch.max_warp_instructions) +
                           " warp-instructions executed; the kernel probably never terminates" +
                           (model ? model->where_warps_are() : std::string()),
                       isa::FaultKind::Runaway);
}

}  // namespace gpusim::sim
