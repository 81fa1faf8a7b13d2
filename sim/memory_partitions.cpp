// The memory side: interconnect ports, address-hashed L2 slices and DRAM channels, advanced on the
// L2 and DRAM clock edges. Each part is its own file (interconnect, l2_slice, dram_channel,
// address_hash); this file routes packets between them and keeps the time-ordered events.
//
// Latency of a lone access from the SM's side (core cycles; see configs/README.md):
//   L2 hit  = icnt + l2 + icnt, DRAM = icnt + l2 + dram + icnt, plus up to one DRAM clock and one
//   L2 clock of edge alignment on the DRAM path. Queueing adds to this only under load.
#include <algorithm>
#include <bit>
#include <functional>
#include <queue>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>

#include "sim/memory_partitions_impl.h"

namespace gpusim::sim {

namespace {

uint32_t sets_per_slice(const GpuConfig& c) {
  const uint64_t set_bytes = uint64_t(c.l2_line_bytes) * uint64_t(c.l2_associativity);
  const uint64_t slice_bytes = uint64_t(c.l2_size_kib) * 1024 / uint64_t(c.l2_slices);
  if (set_bytes == 0 || slice_bytes % set_bytes != 0 || slice_bytes == 0)
    throw std::invalid_argument("memory partitions: an L2 slice (l2.size_kib / l2.slices = " +
                                std::to_string(slice_bytes) + " B) must be a positive multiple of l2.line_bytes x " +
                                "l2.associativity (" + std::to_string(set_bytes) + " B)");
  return uint32_t(slice_bytes / set_bytes);
}

}  // namespace

MemoryPartitions::Impl::Impl(const GpuConfig& c, SimObserver* o)
    : config(c), observer(o), clocks(c), hash(uint32_t(c.l2_line_bytes), c.l2_slices, c.dram_channels,
                                              sets_per_slice(c)),
      icnt(c, clocks), channel_active(size_t(c.dram_channels), 0) {
  for (int s = 0; s < c.l2_slices; ++s) slices.emplace_back(s, c, clocks);
  slice_arrivals.assign(size_t(c.l2_slices), 0);
  for (int ch = 0; ch < c.dram_channels; ++ch) channels.emplace_back(c, clocks);
  deferred.resize(size_t(c.dram_channels));
  groups.resize(1);
  slice_active.assign(size_t(c.l2_slices), 0);
  slice_activation.resize(size_t(c.l2_slices));
}

void MemoryPartitions::Impl::check_request(const MemPacket& p) const {
  // Built only for an error message (every packet is checked; a string per packet was 1 % of a run).
  const auto where = [&] { return "memory partitions: request " + std::to_string(p.id) + " from SM " + std::to_string(p.sm); };
  if (p.sm < 0 || p.sm >= config.num_sms)
    throw std::invalid_argument(where() + ": no such SM (" + std::to_string(config.num_sms) + " SMs)");
  if (p.line_address % uint64_t(config.l2_line_bytes) != 0)
    throw std::invalid_argument(where() + ": line address " + std::to_string(p.line_address) + " is not a multiple of " +
                                std::to_string(config.l2_line_bytes) + " B");
  const int sectors = config.l2_line_bytes / config.l2_sector_bytes;
  const uint32_t full = sectors >= 32 ? ~0u : (1u << sectors) - 1;
  if (p.sector_mask == 0 || (p.sector_mask & ~full) != 0)
    throw std::invalid_argument(where() + ": sector mask " + std::to_string(p.sector_mask) + " is empty or names " +
                                "sectors beyond the " + std::to_string(sectors) + " of a line");
  if (!p.fanout.empty() && (p.kind != MemPacket::Kind::Read || p.fanout.last_sm() >= config.num_sms))
    throw std::invalid_argument(where() + ": a multicast fan-out must belong to a read and name SMs below " +
                                std::to_string(config.num_sms) + " (its last is SM " +
                                std::to_string(p.fanout.last_sm()) + ")");
  if (p.kind == MemPacket::Kind::Atomic && std::popcount(p.sector_mask) != 1)
    throw std::invalid_argument(where() + ": an atomic request must name exactly one sector");
}

MemoryPartitions::MemoryPartitions(const GpuConfig& config, SimObserver* observer)
    : impl_(std::make_unique<Impl>(config, observer)) {}
MemoryPartitions::~MemoryPartitions() = default;

bool MemoryPartitions::push_request(const MemPacket& request, uint64_t now_ps) {
  Staged staged;
  const bool taken = inject(request, now_ps, staged);
  accept(staged, now_ps);
  return taken;
}

bool MemoryPartitions::inject(const MemPacket& request, uint64_t now_ps, Staged& staged) {
  const Impl& m = *impl_;
  m.check_request(request);
  const uint32_t payload = request.kind == MemPacket::Kind::Read ? 0 : request.bytes;
  const std::optional<uint64_t> arrival = impl_->icnt.inject_request(request.sm, payload, now_ps);
  if (!arrival) {
    staged.rejected += 1;
    return false;
  }
  MemPacket p = request;
  p.ready_ps = *arrival;
  staged.packets.push_back(p);
  staged.slices.push_back(m.hash.slice_of(p.line_address));
  staged.local_lines.push_back(m.hash.local_line_address(p.line_address));
  return true;
}

void MemoryPartitions::tick_dram(uint64_t now_ps) {
  Impl& m = *impl_;
  m.settle_dram();
  if (m.active_channels.empty()) return;
  size_t kept = 0;
  for (int ch : m.active_channels) {
    m.channels[ch].tick(now_ps, m.returned, &m.stats.dram_read_bytes, &m.stats.dram_write_bytes);
    if (!m.channels[ch].idle()) m.active_channels[kept++] = ch;
    else m.channel_active[ch] = 0;
  }
  m.active_channels.resize(kept);
  for (const DramReturn& r : m.returned) m.dram_returns.push({r.ready_ps, m.sequence++, r});
  m.returned.clear();
}

void MemoryPartitions::defer_dram(uint64_t now_ps) {
  Impl& m = *impl_;
  // An edge with no channel busy does nothing (tick_dram returns at once), and none can become
  // busy before the next L2 edge, which settles first.
  if (m.active_channels.empty()) return;
  m.deferred_edges.push_back(now_ps);
}

bool MemoryPartitions::has_deferred_dram() const { return !impl_->deferred_edges.empty(); }

void MemoryPartitions::run_deferred_dram(size_t group, size_t groups) { impl_->run_deferred(group, groups); }

void MemoryPartitions::merge_deferred_dram() { impl_->merge_deferred(); }

void MemoryPartitions::Impl::run_deferred(size_t group, size_t groups) {
  Impl& m = *this;
  if (m.deferred_edges.empty()) return;
  for (int ch : m.active_channels) {
    if (size_t(ch) % groups != group) continue;
    Impl::DeferredChannel& d = m.deferred[size_t(ch)];
    DramChannel& channel = m.channels[size_t(ch)];
    // As tick_dram would: ticked at every edge until it is idle after one (then it leaves the
    // active set and nothing reaches it before the next L2 edge).
    for (uint64_t edge : m.deferred_edges) {
      channel.tick(edge, d.returns, &d.read_bytes, &d.write_bytes);
      d.ends.push_back(d.returns.size());
      if (channel.idle()) {
        d.idle_after_last = true;
        break;
      }
    }
  }
}

void MemoryPartitions::Impl::merge_deferred() {
  Impl& m = *this;
  if (m.deferred_edges.empty()) return;
  for (int ch : m.active_channels) {  // the byte counts: sums, in any order; and the scratch to clear
    Impl::DeferredChannel& d = m.deferred[size_t(ch)];
    m.stats.dram_read_bytes += d.read_bytes;
    m.stats.dram_write_bytes += d.write_bytes;
    m.ticked_channels.push_back(ch);
  }
  for (size_t e = 0; e < m.deferred_edges.size(); ++e) {
    // Edge e as tick_dram runs it: the active channels in order, each one's returns of this
    // edge queued in turn; a channel idle after it leaves the active set.
    size_t kept = 0;
    for (int ch : m.active_channels) {
      const Impl::DeferredChannel& d = m.deferred[size_t(ch)];
      const size_t begin = e == 0 ? 0 : d.ends[e - 1];
      for (size_t i = begin; i < d.ends[e]; ++i) m.dram_returns.push({d.returns[i].ready_ps, m.sequence++, d.returns[i]});
      if (d.idle_after_last && e + 1 == d.ends.size()) m.channel_active[size_t(ch)] = 0;
      else m.active_channels[kept++] = ch;
    }
    m.active_channels.resize(kept);
  }
  for (int ch : m.ticked_channels) {  // (only these ran: the others' scratch is untouched)
    Impl::DeferredChannel& d = m.deferred[size_t(ch)];
    d.returns.clear();
    d.ends.clear();
    d.idle_after_last = false;
    d.read_bytes = d.write_bytes = 0;
  }
  m.ticked_channels.clear();
  m.deferred_edges.clear();
}

void MemoryPartitions::Impl::settle_dram() {
  if (deferred_edges.empty()) return;
  run_deferred(0, 1);
  merge_deferred();
}

bool MemoryPartitions::pop_response(int sm, uint64_t now_ps, MemPacket* response) {
  return impl_->icnt.pop_response(sm, now_ps, response);
}

const Interconnect& MemoryPartitions::interconnect() const { return impl_->icnt; }

bool MemoryPartitions::idle() const {
  impl_->settle_dram();  // (impl_ points to a non-const Impl: settling is not a visible change)
  const Impl& m = *impl_;
  return m.outstanding_requests == 0 && m.dram_returns.empty() && m.responses.empty() && m.active_channels.empty() &&
         m.icnt.idle();
}

const MemoryStats& MemoryPartitions::stats() const {
  // The channels count for themselves (cumulatively); report what happened since reset_stats().
  Impl& m = *impl_;
  m.settle_dram();
  DramChannelStats sum;
  for (const DramChannel& ch : m.channels) {
    const DramChannelStats& s = ch.stats();
    sum.row_hits += s.row_hits;
    sum.row_misses += s.row_misses;
    sum.row_conflicts += s.row_conflicts;
    sum.refreshes += s.refreshes;
    sum.read_to_write += s.read_to_write + s.write_to_read;
  }
  m.stats.dram_row_hits = sum.row_hits - m.dram_baseline.row_hits;
  m.stats.dram_row_misses = sum.row_misses - m.dram_baseline.row_misses;
  m.stats.dram_row_conflicts = sum.row_conflicts - m.dram_baseline.row_conflicts;
  m.stats.dram_refreshes = sum.refreshes - m.dram_baseline.refreshes;
  m.stats.dram_turnarounds = sum.read_to_write - m.dram_baseline.read_to_write;
  L2QueueStats q;
  for (const L2Slice& slice : m.slices) q.add(slice.queue_stats());
  for (uint64_t n : m.slice_arrivals) {
    q.busiest_slice_requests = std::max(q.busiest_slice_requests, n);
    q.slices_used += n > 0;
  }
  m.stats.l2_queue = q;
  return m.stats;
}

void MemoryPartitions::reset_stats() {
  Impl& m = *impl_;
  stats();
  m.dram_baseline.row_hits += m.stats.dram_row_hits;
  m.dram_baseline.row_misses += m.stats.dram_row_misses;
  m.dram_baseline.row_conflicts += m.stats.dram_row_conflicts;
  m.dram_baseline.refreshes += m.stats.dram_refreshes;
  m.dram_baseline.read_to_write += m.stats.dram_turnarounds;
  m.stats = MemoryStats{};
  for (L2Slice& slice : m.slices) slice.reset_queue_stats();
  std::fill(m.slice_arrivals.begin(), m.slice_arrivals.end(), 0);
}

L2LineCounts MemoryPartitions::l2_lines() const {
  L2LineCounts lines;
  for (const L2Slice& s : impl_->slices) {
    lines.valid += s.cache().valid_lines();
    lines.capacity += s.cache().capacity_lines();
    lines.evictions += s.cache().stats().evictions;
  }
  return lines;
}

uint64_t MemoryPartitions::warm_l2(uint64_t address, uint32_t bytes, bool write) {
  Impl& m = *impl_;
  const uint64_t line_bytes = uint64_t(m.config.l2_line_bytes), sector_bytes = uint64_t(m.config.l2_sector_bytes);
  const uint64_t last = address + std::max<uint32_t>(bytes, 1) - 1;
  uint64_t replaced = 0;
  for (uint64_t line = address / line_bytes * line_bytes; line <= last; line += line_bytes) {
    const uint64_t from = std::max(address, line), to = std::min(last, line + line_bytes - 1);
    uint32_t mask = 0;
    for (uint64_t s = (from - line) / sector_bytes; s <= (to - line) / sector_bytes; ++s) mask |= 1u << s;
    L2Slice& slice = m.slices[static_cast<size_t>(m.hash.slice_of(line))];
    replaced += slice.warm(m.hash.local_line_address(line), mask, write) ? 1 : 0;
  }
  return replaced;
}

CacheLineState MemoryPartitions::l2_line(uint64_t address, int* slice) const {
  const Impl& m = *impl_;
  const uint64_t line_bytes = uint64_t(m.config.l2_line_bytes);
  const uint64_t line = address / line_bytes * line_bytes;
  const int s = m.hash.slice_of(line);
  if (slice) *slice = s;
  CacheLineState st = m.slices[static_cast<size_t>(s)].cache().line_state(m.hash.local_line_address(line));
  st.line_address = line;  // the global address, not the slice's local one
  return st;
}

void MemoryPartitions::flush() {
  Impl& m = *impl_;
  m.settle_dram();
  if (!idle())
    throw std::logic_error("memory partitions: flush() while requests are in flight (it would drop their answers)");
  for (L2Slice& s : m.slices) s.clear();
  for (DramChannel& ch : m.channels) ch.clear();
  m.dram_baseline = DramChannelStats{};
  std::fill(m.slice_arrivals.begin(), m.slice_arrivals.end(), 0);
  m.icnt.clear();
}

}  // namespace gpusim::sim
