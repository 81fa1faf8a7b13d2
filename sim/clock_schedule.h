// The order of the GPU's clock edges, shared by the SystemC driver (sim/systemc_driver.cpp) and
// anything else that advances a GpuModel edge by edge (the interactive stepper, tools/stepper/):
// one period per domain from the configuration, in integer picoseconds rounded as SystemC rounds
// an sc_time, every domain's first edge at the launch's start, and coincident edges ticked in the
// fixed order core, L2, DRAM. Both drivers therefore compute the same cycles.
#pragma once

#include <cstdint>

#include "isa/launch_state.h"
#include "sim/gpu_model.h"

namespace gpusim::sim {

class ClockSchedule {
 public:
  explicit ClockSchedule(const GpuConfig& config);

  // Every domain's next edge is at `start_ps`.
  void start(uint64_t start_ps);
  // The time of the earliest pending edge.
  uint64_t next_edge_ps() const;
  // Ticks every domain whose edge is at next_edge_ps(), in the order core, L2, DRAM; returns that
  // time. After a core edge, stops a launch past its warp-instruction budget (isa::ExecError).
  // Whether the core ticked is reported through `core_ticked` when given.
  uint64_t tick_next(GpuModel& model, const isa::LaunchState& launch, bool* core_ticked = nullptr);

  uint64_t core_period_ps() const { return core_period_; }

 private:
  uint64_t core_period_, l2_period_, dram_period_;
  uint64_t next_core_ = 0, next_l2_ = 0, next_dram_ = 0;
};

// Throws isa::ExecError (Runaway) when `launch` executed more warp-instructions than its budget:
// a kernel that never ends would otherwise keep the clocks running for ever. With `model`, the
// message also says where the warps of its lowest resident CTA are (the loop to look at).
void check_warp_instruction_budget(const isa::LaunchState& launch, const GpuModel* model = nullptr);

}  // namespace gpusim::sim
