// Advances one timed launch on a GpuModel core cycle by core cycle, with the same clock-edge
// order as the SystemC driver (sim/clock_schedule.h), so a stepped launch takes exactly the cycles
// `gpusim run --mode timing` reports. Records, through the model's observer hooks, what each
// sub-core issued in the cycles it ran.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "isa/launch_state.h"
#include "sim/clock_schedule.h"
#include "sim/gpu_model.h"

namespace gpusim::stepper {

// One warp-instruction a sub-core issued.
struct IssueRecord {
  uint64_t cycle = 0;        // the model's core cycle number
  int sm = 0, subcore = 0, warp = 0;
  uint32_t pc = 0;
  const isa::Instruction* inst = nullptr;
  uint32_t active_mask = 0;
};

// The observer the stepper attaches to the model for the whole session: the last issue of
// every (SM, sub-core), and the issues of the most recent core cycle.
class IssueRecorder : public sim::SimObserver {
 public:
  void on_issue(uint64_t cycle, int sm, int subcore, int warp, uint32_t pc, const isa::Instruction& inst,
                uint32_t active_mask) override;
  // The sub-core's last issue, or nullptr when it has issued nothing in this launch.
  const IssueRecord* last(int sm, int subcore) const;
  // Bumped by every issue, so a caller can tell whether anything issued since it last looked.
  uint64_t issue_count() const { return issues_; }
  void clear() { last_.clear(); }

 private:
  std::map<std::pair<int, int>, IssueRecord> last_;
  uint64_t issues_ = 0;
};

class StepDriver {
 public:
  // Starts `launch` on `model` (which must have `recorder` among its observers) with every
  // clock's first edge at `start_ps`.
  StepDriver(sim::GpuModel& model, isa::LaunchState& launch, const sim::KernelResources& resources,
             const IssueRecorder& recorder, uint64_t start_ps);

  // Runs clock edges up to and including the next core edge; false when the launch had already
  // finished. Throws isa::ExecError on a kernel fault.
  bool step_core_cycle();
  bool finished() const { return model_.finished(); }
  // Runs to the end without stopping.
  void run_to_end();

  // Core cycles completed since the launch began; the last one completed is cycles() - 1.
  uint64_t cycles() const { return model_.core_cycle() - first_cycle_; }
  // The model's number of the last completed core cycle (what IssueRecord::cycle holds).
  uint64_t model_cycle() const { return model_.core_cycle() - 1; }
  uint64_t first_model_cycle() const { return first_cycle_; }
  // Simulated time of the next edge (where the next launch starts once this one is over).
  uint64_t next_edge_ps() const { return schedule_.next_edge_ps(); }
  // The time of the last edge ticked (the launch's start before any): where the SystemC driver's
  // clock stands when a launch has drained, so the next launch starts there too. Starting it at
  // next_edge_ps() instead shifted later launches' DRAM refresh phase (an outside user's fourth
  // launch ended 3 cycles earlier stepped than unstepped).
  uint64_t last_edge_ps() const { return last_edge_ps_; }

  sim::GpuModel& model() { return model_; }
  const sim::GpuModel& model() const { return model_; }
  isa::LaunchState& launch() { return launch_; }
  const isa::LaunchState& launch() const { return launch_; }
  const IssueRecorder& recorder() const { return recorder_; }

 private:
  sim::GpuModel& model_;
  isa::LaunchState& launch_;
  const IssueRecorder& recorder_;
  sim::ClockSchedule schedule_;
  uint64_t first_cycle_ = 0;
  uint64_t last_edge_ps_ = 0;
};

}  // namespace gpusim::stepper
