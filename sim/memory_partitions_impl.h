// MemoryPartitions' state, shared by its two source files: memory_partitions.cpp (requests in,
// DRAM edges, answers out, statistics) and memory_partitions_l2.cpp (the L2 rounds: the SMs'
// hand-off, DRAM fills and slice ticks, by groups of slices).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <queue>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/address_hash.h"
#include "sim/dram_channel.h"
#include "sim/interconnect.h"
#include "sim/l2_slice.h"
#include "sim/memory_partitions.h"

namespace gpusim::sim {

namespace memory_detail {

template <typename T>
struct Timed {
  uint64_t ready_ps;
  uint64_t sequence;  // creation order: ties resolve the same way every run
  T item;
  bool operator>(const Timed& o) const { return std::pair(ready_ps, sequence) > std::pair(o.ready_ps, o.sequence); }
};
template <typename T>
using TimedQueue = std::priority_queue<Timed<T>, std::vector<Timed<T>>, std::greater<>>;

// When a slice last became active (got a request to serve), as a place in the order the serial
// memory side met its events: events are numbered as they come (each SM's hand-off in SM order,
// then each DRAM fill in queue order), and within a hand-off by the packet's index. The serial
// code kept its active slices in a list in that order and ticked them in it; groups keep theirs
// in it too, and the round's outputs are merged by it.
struct Activation {
  uint64_t event = 0;
  uint32_t packet = 0;
  bool operator<(const Activation& o) const { return std::tie(event, packet) < std::tie(o.event, o.packet); }
};

// Where a DRAM access stands in the order the serial code enqueued them (fills first, by index;
// then slice ticks, by the slice's activation; then its index in that output): a channel that
// becomes active is placed in the active channels by the first access it got.
struct AccessOrder {
  uint32_t from_tick = 0;  // 0: a fill's, 1: a slice tick's
  uint64_t event = 0;      // the fill's index, or the slice's activation event
  uint32_t packet = 0;     // (the slice's activation packet)
  uint32_t index = 0;      // within that fill's or tick's accesses
  bool operator<(const AccessOrder& o) const {
    return std::tie(from_tick, event, packet, index) < std::tie(o.from_tick, o.event, o.packet, o.index);
  }
};

// What one fill or one slice tick produced: ranges of its group's outputs.
struct OutputRange {
  Activation order;  // slice ticks: the slice's activation (fills are in their own order)
  uint32_t group = 0;
  uint32_t responses_begin = 0, responses_end = 0, dram_begin = 0, dram_end = 0;
};

// One group of slices (those whose DRAM channel % groups == index, so that a channel and all its
// slices are in one group) and what it did this round.
struct L2Group {
  std::vector<int> active;         // its slices with queued requests, by activation
  SliceOutputs out;                // answers and DRAM accesses its fills and ticks produced
  std::vector<OutputRange> ticks;  // per slice tick that produced something, in tick order
  std::vector<std::pair<AccessOrder, int>> new_channels;  // channels it activated this round, in its order
  MemoryStats stats;               // what its hand-off and slices counted (summed after the round)
  uint64_t accepted = 0;           // requests handed to its slices
  std::exception_ptr error;
};

}  // namespace memory_detail

struct MemoryPartitions::Impl {
  Impl(const GpuConfig& c, SimObserver* o);

  void check_request(const MemPacket& p) const;
  uint64_t cycle_of(uint64_t now_ps) const { return uint64_t(double(now_ps) / clocks.core.ps); }

  GpuConfig config;
  SimObserver* observer;
  MemoryClocks clocks;
  AddressHash hash;
  Interconnect icnt;
  std::vector<L2Slice> slices;
  std::vector<DramChannel> channels;
  std::vector<int> active_channels;  // channels with queued accesses, in activation order
  std::vector<uint8_t> channel_active;  // bytes, not bits: L2 groups write their own channels'
  memory_detail::TimedQueue<MemPacket> responses;     // answers waiting to leave their slice
  memory_detail::TimedQueue<DramReturn> dram_returns;  // DRAM data on its way to the L2
  std::vector<DramReturn> returned;  // scratch
  uint64_t sequence = 0;
  uint64_t outstanding_requests = 0;  // accepted and not yet answered (every request gets one answer)
  MemoryStats stats;
  // Observed runs only: answers whose data came from DRAM (SM << 48 | packet id), so the observer
  // is told which level served each request ("L2" or "DRAM").
  // Observed runs only: the answers a DRAM fill gave, by packet, with the sectors DRAM read for
  // each (0: it waited in the L2 for sectors another request had DRAM read).
  std::unordered_map<uint64_t, uint32_t> dram_served;
  static uint64_t packet_key(const MemPacket& p) { return uint64_t(p.sm) << 48 | p.id; }
  std::vector<uint64_t> slice_arrivals = {};  // requests per slice since reset_stats() (L2QueueStats)
  DramChannelStats dram_baseline;  // channel counts at the last reset_stats() (read_to_write: both directions)

  // --- L2 rounds (memory_partitions_l2.cpp) ---
  std::vector<memory_detail::L2Group> groups;        // one to start with; begin_l2_round regroups
  std::vector<uint8_t> slice_active;                 // bytes, not bits: groups write their own slices'
  std::vector<memory_detail::Activation> slice_activation;
  std::vector<std::pair<memory_detail::AccessOrder, int>> new_channels;  // scratch of end_round
  uint64_t next_event = 0;
  struct Round {
    uint64_t now_ps = 0;
    bool l2_edge = false;
    const Staged* const* staged = nullptr;  // the SMs' buffers, in SM order
    size_t staged_count = 0;
    uint64_t first_handoff_event = 0;  // buffer k's packets: event first_handoff_event + k
    uint64_t first_fill_event = 0;     // fill i: event first_fill_event + i
    std::vector<DramReturn> fills;     // the DRAM returns due, in the order the queue gives them
    std::vector<memory_detail::OutputRange> fill_outputs;  // per fill
  } round;
  void begin_round(uint64_t now_ps, const Staged* const* staged, size_t count, bool l2_edge, size_t groups);
  void run_group(size_t g);
  void end_round();
  void regroup(size_t groups);
  bool any_active_slice() const;
  void activate(memory_detail::L2Group& g, int slice, memory_detail::Activation when);
  void route_responses(const memory_detail::OutputRange& r, const DramReturn* fill);
  void enqueue_dram(memory_detail::L2Group& g, const memory_detail::OutputRange& r, memory_detail::AccessOrder order);
  size_t group_of_slice(int slice) const { return size_t(hash.channel_of_slice(slice)) % groups.size(); }

  // --- Deferred DRAM edges (defer_dram) ---
  // Their times, and per channel what its ticks through them produced, for merge_deferred_dram.
  struct DeferredChannel {
    std::vector<DramReturn> returns;  // of every edge it ticked, in order
    std::vector<size_t> ends;         // returns.size() after each edge it ticked
    bool idle_after_last = false;     // it went idle after its last ticked edge (and stopped there)
    uint64_t read_bytes = 0, write_bytes = 0;
  };
  std::vector<uint64_t> deferred_edges;
  std::vector<DeferredChannel> deferred;
  std::vector<int> ticked_channels;  // scratch of merge_deferred
  void run_deferred(size_t group, size_t groups);
  void merge_deferred();
  void settle_dram();  // runs and merges what is deferred, on this thread
};

}  // namespace gpusim::sim
