#include "sim/observer_fanout.h"

#include <algorithm>

namespace gpusim::sim {

void ObserverFanout::add(SimObserver* observer) {
  if (observer && observer != this && std::find(targets_.begin(), targets_.end(), observer) == targets_.end())
    targets_.push_back(observer);
}

void ObserverFanout::remove(SimObserver* observer) {
  targets_.erase(std::remove(targets_.begin(), targets_.end(), observer), targets_.end());
}

void ObserverFanout::on_issue(uint64_t cycle, int sm, int subcore, int warp, uint32_t pc, const isa::Instruction& inst,
                              uint32_t active_mask) {
  for (SimObserver* o : targets_) o->on_issue(cycle, sm, subcore, warp, pc, inst, active_mask);
}
void ObserverFanout::on_stall(uint64_t cycle, int sm, int subcore, int warp, StallReason reason) {
  for (SimObserver* o : targets_) o->on_stall(cycle, sm, subcore, warp, reason);
}
void ObserverFanout::on_unit_busy(uint64_t cycle, int sm, int subcore, Pipe pipe, uint32_t busy_cycles) {
  for (SimObserver* o : targets_) o->on_unit_busy(cycle, sm, subcore, pipe, busy_cycles);
}
void ObserverFanout::on_mem_request(uint64_t cycle, int sm, const MemPacket& p, const char* level) {
  for (SimObserver* o : targets_) o->on_mem_request(cycle, sm, p, level);
}
void ObserverFanout::on_mem_response(uint64_t cycle, int sm, const MemPacket& p, const char* level) {
  for (SimObserver* o : targets_) o->on_mem_response(cycle, sm, p, level);
}
void ObserverFanout::on_cta(uint64_t cycle, int sm, uint64_t cta_linear_id, bool started) {
  for (SimObserver* o : targets_) o->on_cta(cycle, sm, cta_linear_id, started);
}
void ObserverFanout::on_core_cycle(uint64_t cycle) {
  for (SimObserver* o : targets_) o->on_core_cycle(cycle);
}
void ObserverFanout::on_warp_stall(uint64_t cycle, int sm, int subcore, int warp, StallReason reason,
                                   const isa::Instruction* waiting_at) {
  for (SimObserver* o : targets_) o->on_warp_stall(cycle, sm, subcore, warp, reason, waiting_at);
}
void ObserverFanout::on_warp_mem_op(uint64_t cycle, int sm, int subcore, int warp, const isa::Instruction& inst,
                                    const WarpMemOp& op) {
  for (SimObserver* o : targets_) o->on_warp_mem_op(cycle, sm, subcore, warp, inst, op);
}
void ObserverFanout::on_sm_queues(uint64_t cycle, int sm, int mio_depth, int lg_depth) {
  for (SimObserver* o : targets_) o->on_sm_queues(cycle, sm, mio_depth, lg_depth);
}

}  // namespace gpusim::sim
