// One DRAM channel: a data bus of bus_width_bits x transfers_per_clock bits per DRAM clock,
// shared by reads (L2 misses) and writes (dirty L2 write-backs), and a fixed access latency
// (dram_latency_cycles, core cycles) from the start of an access to its data reaching the L2.
//
// Scheduling: reads first (they stall warps); writes are buffered and drained when no read is
// waiting or when kWriteDrainThreshold of them have piled up, as write-draining memory
// controllers do. Each access occupies the bus for ceil(bytes / bytes_per_clock) DRAM clocks,
// which is what limits a streaming kernel to the configured bandwidth. Turning the bus around
// between reads and writes leaves it idle for kTurnaroundClocks, so a copy kernel gets less than
// a pure read stream (hardware.md 2.5: V100 read 866, triad 814 GB/s). Banks, rows and refresh
// are not modelled (the calibration targets are p-chase latency and streaming bandwidth); their
// cost on a real card can be folded into dram.efficiency_pct, which lowers bytes_per_clock (the
// fraction of a clock that leaves is carried to the next access, so the average rate is exact).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/interconnect.h"

namespace gpusim::sim {

struct DramAccess {
  bool write = false;
  int slice = 0;               // the L2 slice to answer (reads)
  uint64_t local_line = 0;     // the line as the slice's cache knows it
  uint32_t sector_mask = 0;
  uint64_t ready_ps = 0;       // earliest start
};

// A read whose data has reached the L2 side at ready_ps.
struct DramReturn {
  uint64_t ready_ps = 0;
  int slice = 0;
  uint64_t local_line = 0;
  uint32_t sector_mask = 0;
};

class DramChannel {
 public:
  static constexpr size_t kWriteDrainThreshold = 32;
  // S1 l.216-217 (Accel-Sim's HBM timing): CDLR = 3 clocks from a write to a read; the same is
  // used from a read to a write (assumption).
  static constexpr int kTurnaroundClocks = 3;

  DramChannel(const GpuConfig& config, const MemoryClocks& clocks);

  void enqueue(const DramAccess& access);
  // One DRAM clock edge: starts at most one access when the bus is free. A finished read is
  // appended to `returns`. Adds the bytes moved to *read_bytes / *write_bytes.
  void tick(uint64_t now_ps, std::vector<DramReturn>& returns, uint64_t* read_bytes, uint64_t* write_bytes);
  bool idle() const { return reads_.empty() && writes_.empty(); }
  void clear();

 private:
  MemoryClocks clocks_;
  double bytes_per_clock_;
  uint32_t sector_bytes_;
  double latency_cycles_;
  std::deque<DramAccess> reads_, writes_;  // each in arrival order
  uint64_t bus_free_ps_ = 0;               // exact time the data bus frees
  bool bus_writing_ = false;               // direction of the last access
  double bus_carry_ = 0;                   // fraction of a clock owed by earlier accesses
};

}  // namespace gpusim::sim
