#include "tools/stepper/step_driver.h"

namespace gpusim::stepper {

void IssueRecorder::on_issue(uint64_t cycle, int sm, int subcore, int warp, uint32_t pc, const isa::Instruction& inst,
                             uint32_t active_mask) {
  last_[{sm, subcore}] = IssueRecord{cycle, sm, subcore, warp, pc, &inst, active_mask};
  ++issues_;
}

const IssueRecord* IssueRecorder::last(int sm, int subcore) const {
  auto it = last_.find({sm, subcore});
  return it == last_.end() ? nullptr : &it->second;
}

StepDriver::StepDriver(sim::GpuModel& model, isa::LaunchState& launch, const sim::KernelResources& resources,
                       const IssueRecorder& recorder, uint64_t start_ps)
    : model_(model), launch_(launch), recorder_(recorder), schedule_(model.config()) {
  model_.begin_launch(&launch_, resources);
  schedule_.start(start_ps);
  last_edge_ps_ = start_ps;
  first_cycle_ = model_.core_cycle();
}

bool StepDriver::step_core_cycle() {
  // The SystemC driver stops as soon as the model has finished after any edge; so does this.
  while (!model_.finished()) {
    bool core = false;
    last_edge_ps_ = schedule_.next_edge_ps();  // before the tick, which may throw (a runaway kernel)
    schedule_.tick_next(model_, launch_, &core);
    if (core) return true;
  }
  return false;
}

void StepDriver::run_to_end() {
  while (!model_.finished()) {
    last_edge_ps_ = schedule_.next_edge_ps();
    schedule_.tick_next(model_, launch_);
  }
}

}  // namespace gpusim::stepper
