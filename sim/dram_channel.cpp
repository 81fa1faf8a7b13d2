// DRAM channel: banks, rows, bus, turnarounds, refresh, FR-FCFS (model in dram_channel.h).
//
// Times are kept as exact doubles (ps); commands are issued on the channel's clock edges, and a
// constraint that frees within half a clock of an edge counts as met there (interconnect.h).
#include "sim/dram_channel.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace gpusim::sim {

namespace {
constexpr double kNever = 1e30;
}

DramChannel::DramChannel(const GpuConfig& config, const MemoryClocks& clocks)
    : DramChannel(DramTiming::from_config(config),
                  DramAddressMap(uint32_t(config.l2_line_bytes), uint32_t(config.dram_row_bytes),
                                 config.dram_banks_per_channel, config.l2_slices, config.dram_channels),
                  uint32_t(config.l2_sector_bytes), config.dram_latency_cycles, clocks) {}

DramChannel::DramChannel(const DramTiming& timing, const DramAddressMap& map, uint32_t sector_bytes,
                         double latency_cycles, const MemoryClocks& clocks)
    : timing_(timing),
      map_(map),
      clocks_(clocks),
      sector_bytes_(sector_bytes),
      latency_cycles_(latency_cycles),
      banks_(size_t(timing.banks)),
      group_col_ready_(size_t(timing.bank_groups), 0.0) {
}

double DramChannel::refresh_interval() const {
  return timing_.trefi > 0 ? (timing_.refresh_per_bank ? timing_.trefi / timing_.banks : timing_.trefi) : kNever;
}

void DramChannel::enqueue(const DramAccess& access) {
  if (access.write) ++arriving_writes_;
  arriving_.push({access, next_sequence_++});
  wake_ = 0;
}

void DramChannel::admit_arrivals(double now) {
  while (!arriving_.empty() && channel_time(arriving_.top().access.ready_ps) <= now) {
    const Arriving a = arriving_.top();
    arriving_.pop();
    const DramLocation where = map_.locate(a.access.slice, a.access.local_line);
    Bank& bank = banks_[size_t(where.bank)];
    (a.access.write ? bank.writes : bank.reads).push_back({a.access, where.row, a.sequence});
    ++(a.access.write ? queued_writes_ : queued_reads_);
    if (a.access.write) --arriving_writes_;
  }
}

void DramChannel::refresh(double now) {
  if (timing_.refresh_per_bank) {
    const double interval = timing_.trefi / timing_.banks;
    while (next_refresh_ <= now) {
      Bank& b = banks_[size_t(refresh_bank_)];
      refresh_bank_ = (refresh_bank_ + 1) % timing_.banks;
      // A refresh due while the channel sat idle happened then; it still closed the row.
      const double start = std::max({next_refresh_, b.pre_ready, b.act_ready}) + (b.open_row >= 0 ? timing_.trp : 0);
      b.open_row = -1;
      b.conflict = false;
      b.act_ready = std::max(b.act_ready, start + timing_.trfcpb);
      next_refresh_ += interval;
      ++stats_.refreshes;
    }
    return;
  }
  while (next_refresh_ <= now) {
    double start = next_refresh_;
    bool any_open = false;
    for (const Bank& b : banks_) {
      start = std::max(start, b.act_ready);
      if (b.open_row >= 0) {
        start = std::max(start, b.pre_ready);
        any_open = true;
      }
    }
    if (any_open) start += timing_.trp;  // PRECHARGE all first
    for (Bank& b : banks_) {
      b.open_row = -1;
      b.conflict = false;
      b.act_ready = start + timing_.trfc;
    }
    next_refresh_ += timing_.trefi;
    ++stats_.refreshes;
  }
}

void DramChannel::choose_direction() {
  if (writing_) {
    if (queued_writes_ == 0 || (queued_reads_ > 0 && queued_writes_ <= size_t(timing_.write_low))) writing_ = false;
  } else if (queued_writes_ >= size_t(timing_.write_high) || (queued_reads_ == 0 && queued_writes_ > 0)) {
    writing_ = true;
  }
}

double DramChannel::row_command(Bank& bank, double now) {
  const double slack = clocks_.dram.ps / 2;
  if (bank.open_row >= 0) {  // PRECHARGE first
    const double pre = std::max(bank.pre_ready, next_row_command_);
    if (pre > now + slack) return pre;
    bank.open_row = -1;
    bank.act_ready = std::max(bank.act_ready, now + timing_.trp);
    bank.conflict = true;
    next_row_command_ = now + clocks_.dram.ps;
    return bank.act_ready;
  }
  const double act = std::max({bank.act_ready, last_act_ + timing_.trrd, next_row_command_});
  if (act > now + slack) return act;
  const std::deque<Pending>& queue = writing_ ? bank.writes : bank.reads;
  bank.open_row = queue.front().row;
  bank.activated = true;
  bank.col_ready = now + timing_.trcd;
  bank.pre_ready = now + timing_.tras;
  last_act_ = now;
  next_row_command_ = now + clocks_.dram.ps;
  return kNever;
}

DramChannel::Candidate DramChannel::best_row_hit(double now) const {
  Candidate best;
  best.start = kNever;
  const double latency = writing_ ? timing_.tcwl : timing_.tcl;
  double channel_ready = std::max({now, next_command_, bus_free_ - latency});
  channel_ready = std::max(channel_ready, writing_ ? last_read_cmd_ + timing_.trtw : last_write_end_ + timing_.twtr);
  for (size_t b = 0; b < banks_.size(); ++b) {
    const Bank& bank = banks_[b];
    if (bank.open_row < 0) continue;
    const std::deque<Pending>& queue = writing_ ? bank.writes : bank.reads;
    const size_t window = std::min(queue.size(), size_t(timing_.lookahead));
    for (size_t i = 0; i < window; ++i) {
      if (queue[i].row != bank.open_row) continue;
      const double start =
          std::max({channel_ready, bank.col_ready, group_col_ready_[b % size_t(timing_.bank_groups)]});
      if (start < best.start || (start == best.start && queue[i].sequence < best.sequence))
        best = {int(b), i, start, queue[i].sequence};
      break;  // the first hit of a bank is its oldest
    }
  }
  return best;
}

void DramChannel::issue(const Candidate& c, double now, std::vector<DramReturn>& returns, uint64_t* read_bytes,
                        uint64_t* write_bytes) {
  Bank& bank = banks_[size_t(c.bank)];
  std::deque<Pending>& queue = writing_ ? bank.writes : bank.reads;
  const DramAccess a = queue[c.position].access;
  queue.erase(queue.begin() + std::ptrdiff_t(c.position));
  --(writing_ ? queued_writes_ : queued_reads_);

  if (bank.activated) ++(bank.conflict ? stats_.row_conflicts : stats_.row_misses);
  else ++stats_.row_hits;
  bank.activated = false;
  bank.conflict = false;
  if (any_command_ && bus_wrote_last_ != writing_) ++(writing_ ? stats_.read_to_write : stats_.write_to_read);
  any_command_ = true;
  bus_wrote_last_ = writing_;

  const uint32_t bytes = uint32_t(std::popcount(a.sector_mask)) * sector_bytes_;
  const double burst = bytes * timing_.burst_ps_per_byte;
  const double data_start = now + (a.write ? timing_.tcwl : timing_.tcl);
  const double data_end = std::max(data_start, bus_free_) + burst;
  bus_free_ = data_end;
  next_command_ = now + clocks_.dram.ps;
  double& group_ready = group_col_ready_[size_t(c.bank) % size_t(timing_.bank_groups)];
  group_ready = now + std::max(timing_.tccd_l, burst);
  if (a.write) {
    last_write_end_ = data_end;
    bank.pre_ready = std::max(bank.pre_ready, data_end + timing_.twr);
    *write_bytes += bytes;
    return;
  }
  last_read_cmd_ = now;
  bank.pre_ready = std::max(bank.pre_ready, now + timing_.trtp);
  *read_bytes += bytes;
  const uint64_t end_ps = origin_ps_ + uint64_t(std::llround(data_end));
  returns.push_back({clocks_.core.ready_after(end_ps, latency_cycles_), a.slice, a.local_line, a.sector_mask});
}

void DramChannel::tick(uint64_t now_ps, std::vector<DramReturn>& returns, uint64_t* read_bytes,
                       uint64_t* write_bytes) {
  if (!started_) {
    // The channel's clock starts at its first edge, not at simulated time 0: SystemC time keeps
    // running across devices in one process, and the same launch must time the same (refresh
    // phase and rounding alike; see origin_ps_ in the header).
    started_ = true;
    origin_ps_ = now_ps;
    next_refresh_ = refresh_interval();
  }
  const double now = channel_time(now_ps);
  const double half = clocks_.dram.ps / 2;
  if (idle() || now + half < std::min(wake_, next_refresh_)) return;
  admit_arrivals(now + half);
  refresh(now + half);
  if (queued_reads_ == 0 && queued_writes_ == 0) {
    wake_ = channel_time(arriving_.top().access.ready_ps);
    return;
  }
  choose_direction();
  // Row commands (one per clock, on the row command bus) for banks that have requests in this
  // direction and no row hit among them: PRECHARGE, then ACTIVATE for the oldest request.
  double row_wake = kNever;
  for (Bank& bank : banks_) {
    const std::deque<Pending>& queue = writing_ ? bank.writes : bank.reads;
    if (queue.empty()) continue;
    bool hit = false;
    const size_t window = std::min(queue.size(), size_t(timing_.lookahead));
    for (size_t i = 0; i < window && !hit; ++i) hit = queue[i].row == bank.open_row;
    if (!hit) row_wake = std::min(row_wake, row_command(bank, now));
  }
  const Candidate best = best_row_hit(now);
  // A later arrival may change the choice: wake for it too.
  wake_ = std::min({best.start, row_wake, arriving_.empty() ? kNever : channel_time(arriving_.top().access.ready_ps)});
  if (best.bank < 0 || best.start > now + half) return;
  issue(best, now, returns, read_bytes, write_bytes);
  wake_ = 0;
}

void DramChannel::clear() {
  DramChannel fresh(timing_, map_, sector_bytes_, latency_cycles_, clocks_);
  *this = std::move(fresh);
}

}  // namespace gpusim::sim
