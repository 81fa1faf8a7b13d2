// Waveforms of one SM for GTKWave, written through SystemC's own VCD tracing: per sub-core the
// warp issued in the cycle (-1: none), a running count of issues, one busy bit per functional
// pipe, and the SM's MIO and LG queue depths. SystemC samples the traced values at the end of
// every simulated time step, so each core clock edge shows the state after that cycle.
//
// SystemC only accepts traces before it elaborates (the process's first timed launch): attach a
// VcdTracer with sim::open_vcd (sim/systemc_driver.h) before any timed launch runs.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/timing_types.h"

namespace sc_core {
class sc_trace_file;
}

namespace gpusim::sim {

class VcdTracer final : public SimObserver {
 public:
  // Throws std::invalid_argument when `sm` is not an SM of `config`.
  VcdTracer(const GpuConfig& config, int sm);

  // Adds the signals to `file` (called by open_vcd before elaboration).
  void declare(sc_core::sc_trace_file* file);
  int sm() const { return sm_; }

  void on_core_cycle(uint64_t cycle) override;
  void on_issue(uint64_t cycle, int sm, int subcore, int warp, uint32_t pc, const isa::Instruction& inst,
                uint32_t active_mask) override;
  void on_unit_busy(uint64_t cycle, int sm, int subcore, Pipe pipe, uint32_t busy_cycles) override;
  void on_sm_queues(uint64_t cycle, int sm, int mio_depth, int lg_depth) override;

 private:
  static constexpr size_t kPipes = static_cast<size_t>(Pipe::Count);
  int sm_;
  int subcores_;
  // Traced by reference: sized once here and never reallocated.
  std::vector<int> issued_warp_, issue_count_, pipe_busy_;  // pipe_busy_ is [subcore * kPipes + pipe]
  std::vector<uint64_t> busy_until_;
  int mio_depth_ = 0, lg_depth_ = 0;
};

}  // namespace gpusim::sim
