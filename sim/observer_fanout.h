// One SimObserver that forwards every event to several others, so a timeline trace, the per-line
// source counters, a VCD waveform and a stepper can watch the same run: the model holds one
// observer pointer (GpuModel owns one of these behind GpuModel::add_observer) and the set behind
// it may change between launches.
#pragma once

#include <vector>

#include "sim/timing_types.h"

namespace gpusim::sim {

class ObserverFanout final : public SimObserver {
 public:
  void add(SimObserver* observer);     // ignored when null or already present
  void remove(SimObserver* observer);  // ignored when absent
  void clear() { targets_.clear(); }
  bool empty() const { return targets_.empty(); }
  size_t size() const { return targets_.size(); }
  SimObserver* only() const { return targets_.size() == 1 ? targets_.front() : nullptr; }  // the one target

  void on_issue(uint64_t cycle, int sm, int subcore, int warp, uint32_t pc, const isa::Instruction& inst,
                uint32_t active_mask) override;
  void on_stall(uint64_t cycle, int sm, int subcore, int warp, StallReason reason) override;
  void on_unit_busy(uint64_t cycle, int sm, int subcore, Pipe pipe, uint32_t busy_cycles) override;
  void on_mem_request(uint64_t cycle, int sm, const MemPacket& p, const char* level) override;
  void on_mem_response(uint64_t cycle, int sm, const MemPacket& p, const char* level) override;
  void on_cta(uint64_t cycle, int sm, uint64_t cta_linear_id, bool started) override;
  void on_core_cycle(uint64_t cycle) override;
  void on_warp_stall(uint64_t cycle, int sm, int subcore, int warp, StallReason reason,
                     const isa::Instruction* waiting_at) override;
  void on_warp_mem_op(uint64_t cycle, int sm, int subcore, int warp, const isa::Instruction& inst,
                      const WarpMemOp& op) override;
  void on_sm_queues(uint64_t cycle, int sm, int mio_depth, int lg_depth) override;

 private:
  std::vector<SimObserver*> targets_;
};

}  // namespace gpusim::sim
