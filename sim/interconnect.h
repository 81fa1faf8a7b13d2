// The crossbar between the SMs and the L2 slices, modelled per SM port: each SM has a request port
// (SM -> L2) and a response port (L2 -> SM), each moving icnt_bytes_per_clock_per_sm bytes per
// interconnect clock after icnt_latency_cycles of wire/router latency. The ports are the
// bottleneck a single SM sees; contention at a slice is modelled by the slice's own bandwidth.
//
// Time is in picoseconds. The timing top calls each domain on its own clock edges, rounded to
// whole picoseconds (SystemC), so an edge can sit a fraction of a picosecond per cycle away from
// the exact multiple. Occupancy is therefore kept as exact end times and compared with half a
// period of tolerance, and a "ready" time handed to another domain is placed half a period
// before the exact edge: the consumer takes it on the intended edge, never one late.
#pragma once

#include <atomic>
#include <cmath>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

// One clock domain's period and the time arithmetic on it.
struct ClockPeriod {
  explicit ClockPeriod(int mhz) : ps(1e6 / mhz) {}
  double ps;
  // Exact time `cycles` periods after `now_ps` (for occupancy bookkeeping).
  uint64_t later(uint64_t now_ps, double cycles) const { return now_ps + uint64_t(std::llround(cycles * ps)); }
  // Whether something that frees at the exact time `t_ps` is free at the edge `now_ps`.
  bool reached(uint64_t t_ps, uint64_t now_ps) const { return double(t_ps) <= double(now_ps) + ps / 2; }
  // A ready time for a consumer that checks `ready_ps <= now`: `cycles` periods after now_ps,
  // less half a period (see the file comment).
  uint64_t ready_after(uint64_t now_ps, double cycles) const {
    return cycles <= 0 ? now_ps : now_ps + uint64_t(std::llround(cycles * ps - ps / 2));
  }
};

// The clock domains of the memory side. Latencies in the config are core cycles (see
// gpu_config.h), so every latency uses `core`; bandwidths use their own domain's clock.
struct MemoryClocks {
  explicit MemoryClocks(const GpuConfig& c)
      : core(c.core_clock_mhz), icnt(c.icnt_clock_mhz), l2(c.l2_clock_mhz), dram(c.dram_clock_mhz) {}
  ClockPeriod core, icnt, l2, dram;
};

class Interconnect {
 public:
  Interconnect(const GpuConfig& config, const MemoryClocks& clocks);

  // An SM's request carrying `payload_bytes` of data (0 for a read request, which still takes one
  // flit). Returns the time it arrives at the L2 side, or nothing when the SM's request port is
  // still busy with earlier packets this cycle. Touches only that SM's port: SMs may call it in
  // parallel.
  std::optional<uint64_t> inject_request(int sm, uint32_t payload_bytes, uint64_t now_ps);
  // A response leaving an L2 slice at now_ps towards packet.sm: it queues behind earlier responses
  // on that SM's response port; its ready_ps becomes its arrival time at the SM.
  // A multicast reply (packet.fanout not empty) crosses every receiving SM's port, each when that
  // port is free (the GPC holds the copy for a busy one), and occupies each for its bytes. It
  // is handed to packet.sm alone, when the last receiver has it: the receivers' copies complete
  // no request of theirs, and every destination CTA's barrier phase completes with the issuer's
  // request (sim/cluster_tma_barriers.h), so no barrier sees the bytes before they all landed.
  void send_response(MemPacket packet, uint64_t now_ps);
  // How many SM ports a response crosses (its fan-out's, else 1).
  static int receivers(const MemPacket& packet) { return packet.fanout.empty() ? 1 : packet.fanout.count(); }
  // The oldest response for `sm` that has arrived by now_ps (only that SM's port: parallel-safe).
  bool pop_response(int sm, uint64_t now_ps, MemPacket* out);
  // Whether pop_response(sm, now_ps, ...) would return a response (inline: an SM with reads in
  // flight asks every cycle, and most cycles nothing has arrived). True for a port that does not
  // exist, so that pop_response reports it.
  bool response_ready(int sm, uint64_t now_ps) const {
    if (size_t(sm) >= responses_.size()) return true;
    const std::deque<MemPacket>& q = responses_[size_t(sm)];
    return !q.empty() && q.front().ready_ps <= now_ps;
  }
  bool idle() const { return queued_responses_.load(std::memory_order_relaxed) == 0; }
  // Forgets port occupancy and undelivered responses.
  void clear();

 private:
  double transfer_cycles(uint32_t payload_bytes) const;

  double bytes_per_clock_;
  double latency_cycles_;
  MemoryClocks clocks_;
  std::vector<uint64_t> request_port_free_ps_;   // exact time each SM's request port frees
  std::vector<uint64_t> response_port_free_ps_;  // exact time each SM's response port frees
  std::vector<std::deque<MemPacket>> responses_;  // per SM, in arrival order
  // Every SM pops its own port, in parallel during a core cycle (docs/ARCHITECTURE.md), so the
  // one count they share is atomic; only its value between cycles matters.
  std::atomic<size_t> queued_responses_{0};
};

}  // namespace gpusim::sim
