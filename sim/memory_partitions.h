// The memory side shared by all SMs: the interconnect (SM <-> L2 crossbar), the address-hashed
// L2 slices (sectored, write-back, atomics performed here) and the DRAM channels. Plain C++,
// advanced by the timing top on the L2/interconnect and DRAM clock edges.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/sector_cache.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

struct MemoryStats {
  uint64_t l2_read_sector_hits = 0, l2_read_sector_misses = 0;
  uint64_t l2_write_sectors = 0, l2_atomics = 0;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  uint64_t icnt_request_bytes = 0, icnt_response_bytes = 0;
  uint64_t icnt_rejected = 0;  // injection attempts refused (back-pressure)
};

class MemoryPartitions {
 public:
  MemoryPartitions(const GpuConfig& config, SimObserver* observer);
  ~MemoryPartitions();
  MemoryPartitions(const MemoryPartitions&) = delete;
  MemoryPartitions& operator=(const MemoryPartitions&) = delete;

  // An SM injects a request (Read: sectors to fetch; Write: sectors written, bytes = data;
  // Atomic: one sector, performed at L2). Returns false when the SM's injection port has no
  // room this cycle; the SM keeps the packet and retries.
  bool push_request(const MemPacket& request, uint64_t now_ps);
  // One interconnect/L2 clock edge at simulated time now_ps.
  void tick_l2(uint64_t now_ps);
  // One DRAM clock edge.
  void tick_dram(uint64_t now_ps);
  // The next response for `sm` that has arrived by now_ps (Read: the requested sectors,
  // Atomic: the result, Write: an acknowledgement). Same id as the request.
  bool pop_response(int sm, uint64_t now_ps, MemPacket* response);
  // Nothing in flight anywhere.
  bool idle() const;

  const MemoryStats& stats() const;
  void reset_stats();
  // The L2 slice holding the line of `address`, and the line as that slice holds it (inspection).
  CacheLineState l2_line(uint64_t address, int* slice) const;
  // Drops all cached contents (a fresh GPU for a new, independent measurement).
  void flush();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpusim::sim
