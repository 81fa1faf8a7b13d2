// Distributed shared memory (sm_90 clusters): an SM's port onto the SM-to-SM network inside its
// GPC. A shared-memory instruction whose lanes reach another CTA of the cluster (addresses from
// mapa, ld/st/atom.shared::cluster) sends those bytes through this port instead of the local
// banks: it moves cluster.dsmem_bytes_per_clock per core cycle, and the data is back
// cluster.dsmem_latency_cycles after the first byte left (hardware.md §3.3, S10: 181-213 cycles
// on H800). This is the sending SM's port; the receiving SM's port and banks are
// sim/dsmem_network.h. The network between the two is a fixed latency.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/exec_context.h"
#include "sim/gpu_config.h"

namespace gpusim::sim {

// Bytes of `accesses` to shared memory of a cluster CTA other than `own_rank` (shared::cluster
// addresses carry rank + 1 above isa::kClusterRankShift; 0 there is the CTA's own memory).
uint32_t remote_shared_bytes(const std::vector<isa::MemAccess>& accesses, uint32_t own_rank);

class DsmemPort {
 public:
  explicit DsmemPort(const GpuConfig& config) : config_(config) {}
  // Sends `bytes` no earlier than `cycle`; returns the cycle its data (or acknowledgement) is
  // back, when `wavefronts` bank passes are also needed at the far end:
  //   start + latency + max(transfer cycles, wavefronts) - 1,
  // with start = max(cycle, port free) and transfer = ceil(bytes / bytes_per_clock).
  uint64_t transfer(uint64_t cycle, uint32_t bytes, int wavefronts);
  // The port's part alone: books `bytes` no earlier than `cycle`; returns when they start leaving
  // and for how many cycles they hold the port.
  struct Send {
    uint64_t start, cycles;
  };
  Send send(uint64_t cycle, uint32_t bytes);
  void reset() { free_cycle_ = 0; }

 private:
  const GpuConfig& config_;
  uint64_t free_cycle_ = 0;
};

}  // namespace gpusim::sim
