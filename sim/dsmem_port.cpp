#include "sim/dsmem_port.h"

#include <algorithm>

#include "isa/launch_state.h"

namespace gpusim::sim {

uint32_t remote_shared_bytes(const std::vector<isa::MemAccess>& accesses, uint32_t own_rank) {
  uint32_t bytes = 0;
  for (const isa::MemAccess& a : accesses) {
    if (a.space != isa::StateSpace::Shared) continue;
    const uint64_t tag = a.addr >> isa::kClusterRankShift;  // 0: own CTA, else rank + 1
    if (tag != 0 && tag - 1 != own_rank) bytes += a.size;
  }
  return bytes;
}

DsmemPort::Send DsmemPort::send(uint64_t cycle, uint32_t bytes) {
  const uint64_t per_clock = uint64_t(std::max(config_.cluster_dsmem_bytes_per_clock, 1));
  const uint64_t cycles = std::max<uint64_t>((bytes + per_clock - 1) / per_clock, 1);
  const uint64_t start = std::max(cycle, free_cycle_);
  free_cycle_ = start + cycles;
  return {start, cycles};
}

uint64_t DsmemPort::transfer(uint64_t cycle, uint32_t bytes, int wavefronts) {
  const Send s = send(cycle, bytes);
  return s.start + uint64_t(config_.cluster_dsmem_latency_cycles) + std::max<uint64_t>(s.cycles, uint64_t(std::max(wavefronts, 1))) - 1;
}

}  // namespace gpusim::sim
