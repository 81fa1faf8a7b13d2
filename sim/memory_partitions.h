// The memory side shared by all SMs: the interconnect (SM <-> L2 crossbar), the address-hashed
// L2 slices (sectored, write-back, atomics performed here) and the DRAM channels. Plain C++,
// advanced by the timing top on the L2/interconnect and DRAM clock edges.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/l2_line_counts.h"
#include "sim/l2_queue_stats.h"
#include "sim/sector_cache.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

struct MemoryStats {
  uint64_t l2_read_sector_hits = 0, l2_read_sector_misses = 0;
  uint64_t l2_write_sectors = 0, l2_atomics = 0;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  uint64_t icnt_request_bytes = 0, icnt_response_bytes = 0;
  uint64_t icnt_rejected = 0;  // injection attempts refused (back-pressure)
  // DRAM column commands by row-buffer outcome, refreshes and bus direction changes (all channels).
  uint64_t dram_row_hits = 0, dram_row_misses = 0, dram_row_conflicts = 0;
  uint64_t dram_refreshes = 0, dram_turnarounds = 0;
  L2QueueStats l2_queue;  // queueing inside the L2 slices (sim/l2_queue_stats.h)
};

class Interconnect;

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
  // push_request in two halves, so that SMs can send in parallel within a core cycle: `inject`
  // touches only the SM's own interconnect port and appends the accepted packet (or counts the
  // refusal) to the SM's `staged`; `accept` then hands an SM's staged packets to the L2 slices.
  // The timing top calls accept for every SM in SM order after the cycle's parallel part, so
  // the slices see the same requests in the same order for any number of host threads.
  struct Staged {
    std::vector<MemPacket> packets;  // accepted by the port, ready_ps = arrival at the L2 side
    std::vector<int> slices;         // each packet's L2 slice (worked out at inject, on the SM's thread)
    std::vector<uint64_t> local_lines;  // each packet's line as its slice stores it
    uint64_t rejected = 0;
    // Read by an L2 round (begin_l2_round) and not cleared there: the SM clears it at the start
    // of its next tick (forget_handed_off), so that the round's groups only read SM buffers.
    bool handed_off = false;
    bool empty() const { return packets.empty() || handed_off; }
    void clear() {
      packets.clear(), slices.clear(), local_lines.clear();
      rejected = 0;
      handed_off = false;
    }
    void forget_handed_off() {
      if (handed_off) clear();
    }
  };
  bool inject(const MemPacket& request, uint64_t now_ps, Staged& staged);
  void accept(Staged& staged, uint64_t now_ps);
  // One interconnect/L2 clock edge at simulated time now_ps.
  void tick_l2(uint64_t now_ps);
  // The SMs' hand-off and the coincident L2 edge in parallel (the staged commit's local stage;
  // docs/ARCHITECTURE.md, "Parallel simulation"): the slices are cut into groups (by their DRAM channel % G),
  // each group's share runs on one thread, and the calling thread then routes what they
  // produced in exactly the order the serial accept-per-SM + tick_l2 would:
  //   begin_l2_round(now, staged, n, l2_edge, G)  serial: SM buffers staged[0..n) in SM order,
  //                                 and with l2_edge the DRAM returns due now, in queue order;
  //   run_l2_group(g)               group g: its slices' packets from every buffer in order, its
  //                                 fills, its slices' ticks, then their DRAM accesses into its
  //                                 channels (touches only its slices and channels; reads the
  //                                 buffers);
  //   end_l2_round()                serial: counters summed, answers routed, newly active
  //                                 channels listed in order.
  // The buffers are only read; each SM clears its own before it next injects
  // (Staged::forget_handed_off; the caller marks them handed_off). The same result for any G.
  void begin_l2_round(uint64_t now_ps, const Staged* const* staged, size_t count, bool l2_edge, size_t groups);
  void run_l2_group(size_t group);
  void end_l2_round();
  // One DRAM clock edge.
  void tick_dram(uint64_t now_ps);
  // DRAM edges run beside the SMs' next tick instead of alone (docs/ARCHITECTURE.md, "Parallel
  // simulation", deferred DRAM edges). The SMs' tick touches no DRAM channel and no DRAM return,
  // so an edge may wait until then:
  //   defer_dram(now)            records the edge instead of ticking it;
  //   run_deferred_dram(g, G)    ticks the channels of group g (channel % G == g) through every
  //                              recorded edge, in time order; it touches only those channels and
  //                              their scratch, so groups may run in parallel with each other and
  //                              with the SMs' tick (inject, pop_response);
  //   merge_deferred_dram()      after every group ran: the returns enter the queue to the L2 in
  //                              the order tick_dram would have put them there (edge by edge, the
  //                              active channels in their order), so the result is the same for
  //                              any G and any thread count.
  // Every other call that reads the channels or the returns (tick_l2, tick_dram, idle, stats,
  // reset_stats, flush) first runs what is still deferred, on the calling thread: a deferred edge
  // is never observable.
  void defer_dram(uint64_t now_ps);
  bool has_deferred_dram() const;
  void run_deferred_dram(size_t group, size_t groups);
  void merge_deferred_dram();
  // The next response for `sm` that has arrived by now_ps (Read: the requested sectors,
  // Atomic: the result, Write: an acknowledgement). Same id as the request.
  bool pop_response(int sm, uint64_t now_ps, MemPacket* response);
  // The interconnect, for an SM's inline look at its response port each cycle (the same test as
  // pop_response's first step, without two calls); it lives as long as this object.
  const Interconnect& interconnect() const;
  // Nothing in flight anywhere.
  bool idle() const;

  const MemoryStats& stats() const;
  void reset_stats();
  // The L2 slices' lines, summed (read between cycles).
  L2LineCounts l2_lines() const;
  // The L2 slice holding the line of `address`, and the line as that slice holds it (inspection).
  CacheLineState l2_line(uint64_t address, int* slice) const;
  // Functional warming of the L2 (sim/l2_warming.h): the sectors `bytes` at `address` touch,
  // placed in their slice as if read (or written: dirty) long ago; no timing, no statistics.
  // Between cycles only. Returns the lines that replaced another.
  uint64_t warm_l2(uint64_t address, uint32_t bytes, bool write);
  // Drops all cached contents (a fresh GPU for a new, independent measurement).
  void flush();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpusim::sim
