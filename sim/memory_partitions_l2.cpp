// The L2 side of MemoryPartitions: the SMs' packets handed to the slices, DRAM fills and slice
// ticks, done by groups of slices (by DRAM channel % G) that may run on different threads, then routed on
// the calling thread in the order of the serial loop this replaces:
//   for each SM in order: accept its packets (each slice activated when it gets its first);
//   on an L2 edge: fill the DRAM returns due, in queue order (a slice whose parked requests come
//   back is activated); tick the active slices in activation order; queue the answers and DRAM
//   accesses in the order they were produced (fills first, then ticks).
// A group does the same for its slices, in the same relative order, and enqueues their DRAM
// accesses into its own channels (a channel's slices are all in its group). What crosses groups
// is only that order, kept as numbers (Activation, AccessOrder, the fills' index) and merged in
// end_round; counters are sums. So the result does not depend on G (docs/ARCHITECTURE.md,
// "Parallel simulation").
#include <algorithm>

#include "sim/memory_partitions_impl.h"

namespace gpusim::sim {

using memory_detail::AccessOrder;
using memory_detail::Activation;
using memory_detail::L2Group;
using memory_detail::OutputRange;

void MemoryPartitions::Impl::regroup(size_t n) {
  // The active slices in activation order, dealt out to the new groups (each keeps that order).
  std::vector<int> active;
  for (const L2Group& g : groups) active.insert(active.end(), g.active.begin(), g.active.end());
  std::sort(active.begin(), active.end(), [&](int a, int b) { return slice_activation[a] < slice_activation[b]; });
  groups.assign(n, L2Group{});
  for (int s : active) groups[size_t(hash.channel_of_slice(s)) % n].active.push_back(s);
}

bool MemoryPartitions::Impl::any_active_slice() const {
  for (const L2Group& g : groups)
    if (!g.active.empty()) return true;
  return false;
}

void MemoryPartitions::Impl::activate(L2Group& g, int slice, Activation when) {
  if (slice_active[size_t(slice)]) return;
  slice_active[size_t(slice)] = 1;
  slice_activation[size_t(slice)] = when;
  g.active.push_back(slice);
}

void MemoryPartitions::Impl::begin_round(uint64_t now_ps, const Staged* const* staged, size_t count, bool l2_edge,
                                         size_t n) {
  if (n == 0) n = 1;
  if (n != groups.size()) regroup(n);
  round.now_ps = now_ps;
  round.staged = staged;
  round.staged_count = count;
  round.first_handoff_event = next_event;
  next_event += count;
  round.l2_edge = l2_edge;
  round.fills.clear();
  round.fill_outputs.clear();
  if (!l2_edge) return;
  settle_dram();  // deferred DRAM edges come before this L2 edge
  while (!dram_returns.empty() && dram_returns.top().ready_ps <= now_ps) {
    round.fills.push_back(dram_returns.top().item);
    dram_returns.pop();
  }
  round.fill_outputs.resize(round.fills.size());
  round.first_fill_event = next_event;
  next_event += round.fills.size();
}

void MemoryPartitions::Impl::run_group(size_t index) {
  L2Group& g = groups[index];
  try {
    // The hand-off: every buffer in SM order, this group's slices' packets in the buffer's order.
    for (size_t k = 0; k < round.staged_count; ++k) {
      const Staged& st = *round.staged[k];
      if (index == 0) g.stats.icnt_rejected += st.rejected;
      for (size_t j = 0; j < st.packets.size(); ++j) {
        const int s = st.slices[j];
        if (group_of_slice(s) != index) continue;
        const MemPacket& p = st.packets[j];
        g.stats.icnt_request_bytes += p.kind == MemPacket::Kind::Read ? 0 : p.bytes;
        slices[size_t(s)].enqueue(p, st.local_lines[j]);
        slice_arrivals[size_t(s)] += 1;
        activate(g, s, {round.first_handoff_event + k, uint32_t(j)});
        ++g.accepted;
        if (observer) observer->on_mem_request(cycle_of(round.now_ps), p.sm, p, "L2");
      }
    }
    if (!round.l2_edge) return;
    const uint64_t now = round.now_ps;
    // The fills due, in queue order.
    for (size_t i = 0; i < round.fills.size(); ++i) {
      const DramReturn& r = round.fills[i];
      if (group_of_slice(r.slice) != index) continue;
      OutputRange& o = round.fill_outputs[i];
      o.group = uint32_t(index);
      o.responses_begin = uint32_t(g.out.responses.size()), o.dram_begin = uint32_t(g.out.dram.size());
      L2Slice& slice = slices[size_t(r.slice)];
      slice.fill(r.local_line, r.sector_mask, now, g.out);
      o.responses_end = uint32_t(g.out.responses.size()), o.dram_end = uint32_t(g.out.dram.size());
      if (slice.has_queued_requests()) activate(g, r.slice, {round.first_fill_event + i, 0});  // replayed parked requests
    }
    // The active slices in activation order. A slice whose DRAM channel cannot take more writes
    // waits (its requests may evict dirty lines); fills still arrive, so reads already sent complete.
    size_t kept = 0;
    for (int s : g.active) {
      const uint32_t rb = uint32_t(g.out.responses.size()), db = uint32_t(g.out.dram.size());
      if (!channels[size_t(hash.channel_of_slice(s))].write_queue_full()) slices[size_t(s)].tick(now, g.out, g.stats);
      if (g.out.responses.size() != rb || g.out.dram.size() != db)
        g.ticks.push_back({slice_activation[size_t(s)], uint32_t(index), rb, uint32_t(g.out.responses.size()), db,
                           uint32_t(g.out.dram.size())});
      if (slices[size_t(s)].has_queued_requests()) g.active[kept++] = s;
      else slice_active[size_t(s)] = 0;
    }
    g.active.resize(kept);
    // Its DRAM accesses to its own channels, in the order the serial code enqueues them (fills,
    // then ticks), only now: every slice's tick above saw its channel as it was before the edge.
    for (size_t i = 0; i < round.fills.size(); ++i)
      if (group_of_slice(round.fills[i].slice) == index) enqueue_dram(g, round.fill_outputs[i], {0, i, 0, 0});
    for (const OutputRange& r : g.ticks) enqueue_dram(g, r, {1, r.order.event, r.order.packet, 0});
  } catch (...) {
    g.error = std::current_exception();
  }
}

void MemoryPartitions::Impl::route_responses(const OutputRange& r, const DramReturn* fill) {
  const L2Group& g = groups[r.group];
  // A fill answers every request waiting on its line. DRAM read each sector for the first of them
  // that asked for it; the others waited in the L2 (a trace that called them all "DRAM" counted
  // a line once per waiting request: 49,152 bytes against the counters' 32,768).
  uint32_t unclaimed = fill ? fill->sector_mask : 0;
  for (uint32_t i = r.responses_begin; i < r.responses_end; ++i) {
    const MemPacket& p = g.out.responses[i];
    if (observer && fill) {
      dram_served[packet_key(p)] = p.sector_mask & unclaimed;
      unclaimed &= ~p.sector_mask;
    }
    responses.push({p.ready_ps, sequence++, p});
  }
}

void MemoryPartitions::Impl::enqueue_dram(L2Group& g, const OutputRange& r, AccessOrder order) {
  for (uint32_t i = r.dram_begin; i < r.dram_end; ++i, ++order.index) {
    const DramAccess& a = g.out.dram[i];
    const int ch = hash.channel_of_slice(a.slice);  // one of this group's channels
    channels[size_t(ch)].enqueue(a);
    if (!channel_active[size_t(ch)]) {
      channel_active[size_t(ch)] = 1;
      g.new_channels.push_back({order, ch});
    }
  }
}

void MemoryPartitions::Impl::end_round() {
  // The first group's error in group order; a group fails only on an internal error, and the
  // round's state is then not worth keeping.
  for (L2Group& g : groups)
    if (g.error) {
      std::exception_ptr e = g.error;
      for (L2Group& h : groups) h.error = nullptr;
      std::rethrow_exception(e);
    }
  for (L2Group& g : groups) {
    stats.icnt_rejected += g.stats.icnt_rejected;
    stats.icnt_request_bytes += g.stats.icnt_request_bytes;
    stats.l2_read_sector_hits += g.stats.l2_read_sector_hits;
    stats.l2_read_sector_misses += g.stats.l2_read_sector_misses;
    stats.l2_write_sectors += g.stats.l2_write_sectors;
    stats.l2_atomics += g.stats.l2_atomics;
    g.stats = MemoryStats{};
    outstanding_requests += g.accepted;
    g.accepted = 0;
  }
  if (round.l2_edge) {
    // Answers: fills first, in queue order; then the slice ticks in activation order (each
    // group's are). (The DRAM accesses went to their channels in the groups.)
    for (size_t i = 0; i < round.fill_outputs.size(); ++i) route_responses(round.fill_outputs[i], &round.fills[i]);
    if (groups.size() == 1) {
      for (const OutputRange& r : groups[0].ticks) route_responses(r, nullptr);
    } else {
      std::vector<size_t> next(groups.size(), 0);
      while (true) {
        const OutputRange* best = nullptr;
        size_t from = 0;
        for (size_t g = 0; g < groups.size(); ++g)
          if (next[g] < groups[g].ticks.size() && (!best || groups[g].ticks[next[g]].order < best->order))
            best = &groups[g].ticks[next[g]], from = g;
        if (!best) break;
        route_responses(*best, nullptr);
        ++next[from];
      }
    }
    // Channels that became active join the active list in the order their first accesses had.
    if (groups.size() == 1) {
      for (const auto& [order, ch] : groups[0].new_channels) active_channels.push_back(ch);
    } else {
      new_channels.clear();
      for (const L2Group& g : groups) new_channels.insert(new_channels.end(), g.new_channels.begin(), g.new_channels.end());
      std::sort(new_channels.begin(), new_channels.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [order, ch] : new_channels) active_channels.push_back(ch);
    }
    // Answers whose time has come leave for their SMs.
    while (!responses.empty() && responses.top().ready_ps <= round.now_ps) {
      const MemPacket r = responses.top().item;
      responses.pop();
      stats.icnt_response_bytes += uint64_t(r.bytes) * uint64_t(Interconnect::receivers(r));  // each port it crosses
      --outstanding_requests;
      if (observer) {
        // The observer's copy carries, as its sector mask, the sectors DRAM read for it.
        MemPacket shown = r;
        const char* level = "L2";
        if (auto it = dram_served.find(packet_key(r)); it != dram_served.end()) {
          shown.sector_mask = it->second;
          level = it->second ? "DRAM" : "L2 (waited for DRAM)";
          dram_served.erase(it);
        }
        observer->on_mem_response(cycle_of(round.now_ps), r.sm, shown, level);
      }
      icnt.send_response(r, round.now_ps);
    }
  }
  for (L2Group& g : groups) {
    g.out.responses.clear();
    g.out.dram.clear();
    g.ticks.clear();
    g.new_channels.clear();
  }
  round.staged = nullptr;
  round.staged_count = 0;
}

void MemoryPartitions::begin_l2_round(uint64_t now_ps, const Staged* const* staged, size_t count, bool l2_edge,
                                      size_t groups) {
  impl_->begin_round(now_ps, staged, count, l2_edge, groups);
}

void MemoryPartitions::run_l2_group(size_t group) { impl_->run_group(group); }

void MemoryPartitions::end_l2_round() { impl_->end_round(); }

void MemoryPartitions::accept(Staged& staged, uint64_t now_ps) {
  Impl& m = *impl_;
  staged.forget_handed_off();
  const Staged* one = &staged;
  m.begin_round(now_ps, &one, 1, false, m.groups.size());
  for (size_t g = 0; g < m.groups.size(); ++g) m.run_group(g);
  m.end_round();
  staged.clear();
}

void MemoryPartitions::tick_l2(uint64_t now_ps) {
  Impl& m = *impl_;
  m.settle_dram();
  if (!m.any_active_slice() && m.dram_returns.empty() && m.responses.empty()) return;
  m.begin_round(now_ps, nullptr, 0, true, m.groups.size());
  for (size_t g = 0; g < m.groups.size(); ++g) m.run_group(g);
  m.end_round();
}

}  // namespace gpusim::sim
