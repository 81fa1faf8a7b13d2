// DRAM channel bandwidth and latency (model in dram_channel.h).
#include "sim/dram_channel.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace gpusim::sim {

DramChannel::DramChannel(const GpuConfig& config, const MemoryClocks& clocks)
    : clocks_(clocks),
      bytes_per_clock_(config.dram_bus_width_bits / 8.0 * config.dram_transfers_per_clock *
                       config.dram_efficiency_pct / 100.0),
      sector_bytes_(uint32_t(config.l2_sector_bytes)),
      latency_cycles_(config.dram_latency_cycles) {}

void DramChannel::enqueue(const DramAccess& access) { (access.write ? writes_ : reads_).push_back(access); }

void DramChannel::tick(uint64_t now_ps, std::vector<DramReturn>& returns, uint64_t* read_bytes,
                       uint64_t* write_bytes) {
  if (!clocks_.dram.reached(bus_free_ps_, now_ps)) return;
  const bool read_ready = !reads_.empty() && reads_.front().ready_ps <= now_ps;
  const bool write_ready = !writes_.empty() && writes_.front().ready_ps <= now_ps;
  const bool drain = writes_.size() >= kWriteDrainThreshold || !read_ready;
  std::deque<DramAccess>* source = nullptr;
  if (write_ready && drain) source = &writes_;
  else if (read_ready) source = &reads_;
  if (!source) return;
  if ((source == &writes_) != bus_writing_) {  // turn the bus around first
    bus_writing_ = source == &writes_;
    bus_free_ps_ = clocks_.dram.later(now_ps, kTurnaroundClocks);
    return;
  }

  const DramAccess a = source->front();
  source->pop_front();
  const uint32_t bytes = uint32_t(std::popcount(a.sector_mask)) * sector_bytes_;
  // Accesses start on clock edges, so the bus is held for whole clocks; the fraction a derated
  // rate leaves over is owed by the next access (integral rates: exactly bytes / rate clocks).
  const double need = bytes / bytes_per_clock_ + bus_carry_;
  const double whole = std::max(1.0, std::floor(need + 1e-9));
  bus_carry_ = std::max(0.0, need - whole);
  bus_free_ps_ = clocks_.dram.later(now_ps, whole);
  if (a.write) {
    *write_bytes += bytes;
    return;
  }
  *read_bytes += bytes;
  returns.push_back({clocks_.core.ready_after(now_ps, latency_cycles_), a.slice, a.local_line, a.sector_mask});
}

void DramChannel::clear() {
  reads_.clear();
  writes_.clear();
  bus_free_ps_ = 0;
  bus_writing_ = false;
  bus_carry_ = 0;
}

}  // namespace gpusim::sim
