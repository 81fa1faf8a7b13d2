// One L2 slice: a sectored write-back cache (sim/sector_cache) behind an input queue, serving
// l2_bytes_per_clock_per_slice per L2 clock.
//
// A request that reaches the head of the queue when the slice is free is looked up at once and
// occupies the slice for ceil(bytes / bytes_per_clock) L2 clocks (its sectors' data for reads and
// writes; one 32-bit operation per clock for an atomic's operands). Its answer leaves
// l2_latency_cycles (core cycles) after the lookup when every sector hits; otherwise the
// missing sectors go to DRAM at that same moment (the miss is known after the tag pipeline) and
// the answer leaves as soon as the data is filled in. Writes allocate and dirty their sectors;
// a dirty victim goes to DRAM as a write. Atomics are read-modify-writes performed here: their
// sector is fetched on a miss, then dirtied, then answered. When the slice's MSHRs are full the
// head request waits, and so does everything behind it. A read of a line whose MSHR already
// merges its maximum of requests waits too with l2.merge_limit_blocks = 1 (the default, as
// Accel-Sim). With 0 it does not block the queue: it takes one lookup clock, is set aside with
// that line and replayed (re-queued) when the line's data arrives, while the requests behind it
// go on being served. (Blocking the whole slice for a DRAM round trip there makes any line that
// more than four SMs fetch at once, as the CTAs of a GEMM do with a shared operand tile, stall
// every other line of the slice; see docs/PERFORMANCE.md, hopper_gemm.)
//
// Partitions (l2.partitions = 2, H100/H200): the SMs and the DRAM channels split into two halves;
// an answer whose data came from a DRAM channel in the requesting SM's far half crosses between
// the halves twice (the miss going out, the data coming back), l2.far_latency_cycles each way.
// Hits do not pay it: the near partition holds a copy of what its SMs read (on H100 an SM's L2 hit
// latency stays near ~265 cycles until the data outgrows one partition, hardware.md 3.3), which a
// single hashed copy per line can only approximate by charging the crossing on the DRAM path.
#pragma once

#include <cstdint>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/dram_channel.h"
#include "sim/gpu_config.h"
#include "sim/interconnect.h"
#include "sim/memory_partitions.h"
#include "sim/sector_cache.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

// What a slice produced during one call: answers ready to leave (at their ready_ps) and
// accesses for its DRAM channel.
struct SliceOutputs {
  std::vector<MemPacket> responses;
  std::vector<DramAccess> dram;
};

class L2Slice {
 public:
  L2Slice(int index, const GpuConfig& config, const MemoryClocks& clocks);

  // A request that arrives at request.ready_ps, stored under `local_line` (see address_hash.h).
  void enqueue(const MemPacket& request, uint64_t local_line);
  // One L2 clock edge: serves the queue head if it has arrived and the slice is free.
  void tick(uint64_t now_ps, SliceOutputs& out, MemoryStats& stats);
  // DRAM data for `sector_mask` of `local_line` arrived at now_ps.
  void fill(uint64_t local_line, uint32_t sector_mask, uint64_t now_ps, SliceOutputs& out);

  bool has_queued_requests() const { return !queue_.empty(); }
  bool idle() const { return queue_.empty() && waiting_.empty() && parked_.empty(); }
  // Drops every line and queued request (a fresh GPU).
  void clear();
  uint32_t num_sets() const { return cache_.num_sets(); }
  const SectorCache& cache() const { return cache_; }
  // Functional warming (sim/l2_warming.h): the sectors placed without timing or statistics.
  bool warm(uint64_t local_line, uint32_t sector_mask, bool dirty) { return cache_.warm(local_line, sector_mask, dirty); }
  // Queueing counters since the last reset_queue_stats() (sim/l2_queue_stats.h).
  const L2QueueStats& queue_stats() const { return queue_stats_; }
  void reset_queue_stats() { queue_stats_ = L2QueueStats{}; }

 private:
  struct Queued {
    MemPacket request;
    uint64_t local_line;
    uint64_t sequence;  // arrival-order tie-break: deterministic
    uint64_t arrival_ps;  // first arrival at the slice (a replayed request keeps it)
    bool operator>(const Queued& o) const {
      return std::pair(request.ready_ps, sequence) > std::pair(o.request.ready_ps, o.sequence);
    }
  };
  struct Waiting {
    MemPacket request;
    uint64_t local_line;
    uint64_t arrival_ps;
  };
  enum class Served { Done, Parked, Blocked };

  // Blocked: the request has to wait for an MSHR. Parked: set aside until its line's fill.
  Served serve(const Queued& q, uint64_t now_ps, SliceOutputs& out, MemoryStats& stats);
  double occupancy_cycles(const MemPacket& request) const;
  void write_dirty(uint64_t local_line, uint32_t mask, uint64_t now_ps, SliceOutputs& out);
  // arrival_ps: when the request reached the slice (for the latency counter).
  void answer(MemPacket request, uint64_t arrival_ps, uint64_t ready_ps, SliceOutputs& out);

  // Core cycles a DRAM-served answer to `sm` takes extra (0 unless the channel is in its far half).
  double far_cycles(int sm) const;

  int index_;
  int partition_ = 0;  // of this slice's DRAM channel
  int partitions_ = 1;
  int num_sms_ = 1;
  double far_round_trip_cycles_ = 0;
  MemoryClocks clocks_;
  double latency_cycles_;
  double bytes_per_clock_;
  uint32_t sector_bytes_;
  SectorCacheParams params_;
  SectorCache cache_;
  std::priority_queue<Queued, std::vector<Queued>, std::greater<>> queue_;
  std::unordered_map<uint64_t, Waiting> waiting_;  // by waiter id: requests waiting for DRAM
  std::unordered_map<uint64_t, std::vector<Queued>> parked_;  // by local line: over the merge limit
  uint64_t next_sequence_ = 0;
  uint64_t busy_until_ps_ = 0;  // exact time the slice can take the next request
  bool merge_limit_blocks_ = true;  // l2.merge_limit_blocks
  bool mshr_blocked_ = false;   // the head was refused an MSHR; only a fill can change that
  uint64_t blocked_since_ps_ = 0;
  L2QueueStats queue_stats_;
};

}  // namespace gpusim::sim
