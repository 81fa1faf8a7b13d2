#include "sim/vcd_tracer.h"

#include <stdexcept>
#include <string>

#include <systemc>

namespace gpusim::sim {

VcdTracer::VcdTracer(const GpuConfig& config, int sm) : sm_(sm), subcores_(config.subcores_per_sm) {
  if (sm < 0 || sm >= config.num_sms)
    throw std::invalid_argument("--vcd-sm " + std::to_string(sm) + ": the configuration has SMs 0.." +
                                std::to_string(config.num_sms - 1));
  const size_t n = static_cast<size_t>(subcores_);
  issued_warp_.assign(n, -1);
  issue_count_.assign(n, 0);
  pipe_busy_.assign(n * kPipes, 0);
  busy_until_.assign(n * kPipes, 0);
}

void VcdTracer::declare(sc_core::sc_trace_file* file) {
  const std::string prefix = "sm" + std::to_string(sm_) + ".";
  for (int k = 0; k < subcores_; ++k) {
    const std::string sc = prefix + "subcore" + std::to_string(k) + ".";
    sc_core::sc_trace(file, issued_warp_[k], sc + "issued_warp", 32);
    sc_core::sc_trace(file, issue_count_[k], sc + "issue_count", 32);
    for (size_t p = 0; p < kPipes; ++p)
      sc_core::sc_trace(file, pipe_busy_[k * kPipes + p], sc + pipe_name(static_cast<Pipe>(p)) + "_busy", 1);
  }
  sc_core::sc_trace(file, mio_depth_, prefix + "mio_queue_depth", 32);
  sc_core::sc_trace(file, lg_depth_, prefix + "lg_queue_depth", 32);
}

void VcdTracer::on_core_cycle(uint64_t cycle) {
  for (int& w : issued_warp_) w = -1;
  for (size_t i = 0; i < pipe_busy_.size(); ++i) pipe_busy_[i] = busy_until_[i] > cycle ? 1 : 0;
}

void VcdTracer::on_issue(uint64_t, int sm, int subcore, int warp, uint32_t, const isa::Instruction&, uint32_t) {
  if (sm != sm_ || subcore >= subcores_) return;
  issued_warp_[subcore] = warp;
  issue_count_[subcore] += 1;
}

void VcdTracer::on_unit_busy(uint64_t cycle, int sm, int subcore, Pipe pipe, uint32_t busy_cycles) {
  if (sm != sm_ || subcore >= subcores_ || busy_cycles == 0) return;
  const size_t i = static_cast<size_t>(subcore) * kPipes + static_cast<size_t>(pipe);
  busy_until_[i] = cycle + busy_cycles;
  pipe_busy_[i] = 1;
}

void VcdTracer::on_sm_queues(uint64_t, int sm, int mio_depth, int lg_depth) {
  if (sm != sm_) return;
  mio_depth_ = mio_depth;
  lg_depth_ = lg_depth;
}

}  // namespace gpusim::sim
