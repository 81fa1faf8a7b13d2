// One L2 slice: queue, sectored write-back cache, bandwidth and atomics (model in l2_slice.h).
#include "sim/l2_slice.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

namespace gpusim::sim {

namespace {

// The L2 MSHR merge limit; the config has no key for it. S1 l.165 (Accel-Sim QV100 dl2
// "A:192:4") merges 4 requests per line.
constexpr uint32_t kL2MshrMaxMerged = 4;
// An atomic unit performs one 32-bit operation per L2 clock (assumption: Accel-Sim's ROP does
// not model a separate rate; this makes same-sector contention serialise lane by lane).
constexpr double kAtomicBytesPerClock = 4;

SectorCacheParams slice_params(int index, const GpuConfig& c) {
  SectorCacheParams p;
  p.name = "L2 slice " + std::to_string(index);
  p.size_bytes = uint64_t(c.l2_size_kib) * 1024 / uint64_t(c.l2_slices);
  p.line_bytes = uint32_t(c.l2_line_bytes);
  p.sector_bytes = uint32_t(c.l2_sector_bytes);
  p.associativity = uint32_t(c.l2_associativity);
  p.write_policy = WritePolicy::WriteBackAllocate;
  p.mshr_entries = uint32_t(c.l2_mshrs_per_slice);
  p.mshr_max_merged = kL2MshrMaxMerged;
  return p;
}

}  // namespace

L2Slice::L2Slice(int index, const GpuConfig& config, const MemoryClocks& clocks)
    : index_(index),
      partition_(index % config.dram_channels * config.l2_partitions / config.dram_channels),
      partitions_(config.l2_partitions),
      num_sms_(config.num_sms),
      far_round_trip_cycles_(2.0 * config.l2_far_latency_cycles),
      clocks_(clocks),
      latency_cycles_(config.l2_latency_cycles),
      bytes_per_clock_(config.l2_bytes_per_clock_per_slice),
      sector_bytes_(uint32_t(config.l2_sector_bytes)),
      params_(slice_params(index, config)),
      cache_(params_),
      merge_limit_blocks_(config.l2_merge_limit_blocks != 0) {}

void L2Slice::enqueue(const MemPacket& request, uint64_t local_line) {
  queue_.push(Queued{request, local_line, next_sequence_++, request.ready_ps});
}

double L2Slice::occupancy_cycles(const MemPacket& request) const {
  if (request.kind == MemPacket::Kind::Atomic) return std::max(1.0, std::ceil(request.bytes / kAtomicBytesPerClock));
  const double bytes = double(std::popcount(request.sector_mask)) * sector_bytes_;
  return std::max(1.0, std::ceil(bytes / bytes_per_clock_));
}

void L2Slice::tick(uint64_t now_ps, SliceOutputs& out, MemoryStats& stats) {
  if (queue_.empty() || mshr_blocked_ || !clocks_.l2.reached(busy_until_ps_, now_ps)) return;
  const Queued& head = queue_.top();
  if (head.request.ready_ps > now_ps) return;
  const Served served = serve(head, now_ps, out, stats);
  if (served == Served::Blocked) {  // no MSHR: the head waits for a fill
    mshr_blocked_ = true;
    blocked_since_ps_ = now_ps;
    return;
  }
  queue_stats_.requests += served == Served::Done;
  queue_stats_.queue_wait_ps += served == Served::Done ? now_ps - head.request.ready_ps : 0;
  // A parked request took only its tag lookup; its data moves when it is replayed.
  busy_until_ps_ = clocks_.l2.later(now_ps, served == Served::Parked ? 1.0 : occupancy_cycles(head.request));
  queue_.pop();
}

L2Slice::Served L2Slice::serve(const Queued& q, uint64_t now_ps, SliceOutputs& out, MemoryStats& stats) {
  const MemPacket& request = q.request;
  const uint64_t lookup_done = clocks_.core.ready_after(now_ps, latency_cycles_);
  if (request.kind == MemPacket::Kind::Write) {
    stats.l2_write_sectors += std::popcount(request.sector_mask);
    write_dirty(q.local_line, request.sector_mask, now_ps, out);
    MemPacket ack = request;
    ack.bytes = 0;
    answer(ack, 0, lookup_done, out);
    return Served::Done;
  }
  const uint64_t waiter = next_sequence_++;
  const ReadResult r = cache_.read(q.local_line, request.sector_mask, waiter);
  if (r.status == AccessStatus::RejectedMergeLimit) {
    queue_stats_.merge_limit_stalls += 1;
    if (merge_limit_blocks_) return Served::Blocked;
    parked_[q.local_line].push_back(q);
    return Served::Parked;
  }
  if (r.status != AccessStatus::Accepted) {
    queue_stats_.mshr_full_stalls += 1;
    return Served::Blocked;
  }
  if (request.kind == MemPacket::Kind::Atomic) stats.l2_atomics += 1;
  else {
    stats.l2_read_sector_hits += std::popcount(r.hit_mask);
    stats.l2_read_sector_misses += std::popcount(r.merged_mask | r.miss_mask);
  }
  if (r.miss_mask) out.dram.push_back({false, index_, q.local_line, r.miss_mask, lookup_done});
  if (r.waits()) {
    waiting_.emplace(waiter, Waiting{request, q.local_line, q.arrival_ps});
    return Served::Done;
  }
  if (request.kind == MemPacket::Kind::Atomic) write_dirty(q.local_line, request.sector_mask, now_ps, out);
  MemPacket reply = request;
  if (request.kind == MemPacket::Kind::Read) reply.bytes = uint32_t(std::popcount(request.sector_mask)) * sector_bytes_;
  answer(reply, q.arrival_ps, lookup_done, out);
  return Served::Done;
}

void L2Slice::fill(uint64_t local_line, uint32_t sector_mask, uint64_t now_ps, SliceOutputs& out) {
  FillResult f = cache_.fill(local_line, sector_mask);
  if (mshr_blocked_) queue_stats_.blocked_ps += now_ps - blocked_since_ps_;
  mshr_blocked_ = false;
  if (f.writeback) out.dram.push_back({true, index_, f.writeback->line_address, f.writeback->sector_mask, now_ps});
  for (uint64_t id : f.ready_waiters) {
    auto it = waiting_.find(id);
    Waiting w = it->second;
    waiting_.erase(it);
    if (w.request.kind == MemPacket::Kind::Atomic) write_dirty(w.local_line, w.request.sector_mask, now_ps, out);
    if (w.request.kind == MemPacket::Kind::Read)
      w.request.bytes = uint32_t(std::popcount(w.request.sector_mask)) * sector_bytes_;
    answer(w.request, w.arrival_ps, clocks_.core.ready_after(now_ps, far_cycles(w.request.sm)), out);
  }
  // Requests set aside over the merge limit go back into the queue, in their original order.
  if (auto it = parked_.find(local_line); it != parked_.end()) {
    for (Queued q : it->second) {
      q.request.ready_ps = now_ps;
      q.sequence = next_sequence_++;
      queue_.push(q);
    }
    parked_.erase(it);
  }
}

double L2Slice::far_cycles(int sm) const {
  if (partitions_ <= 1) return 0;
  const int sm_partition = sm * partitions_ / num_sms_;
  return sm_partition == partition_ ? 0 : far_round_trip_cycles_;
}

void L2Slice::write_dirty(uint64_t local_line, uint32_t mask, uint64_t now_ps, SliceOutputs& out) {
  WriteResult w = cache_.write(local_line, mask);
  if (w.writeback) out.dram.push_back({true, index_, w.writeback->line_address, w.writeback->sector_mask, now_ps});
}

void L2Slice::answer(MemPacket request, uint64_t arrival_ps, uint64_t ready_ps, SliceOutputs& out) {
  if (request.kind != MemPacket::Kind::Write) {
    queue_stats_.reads += 1;
    queue_stats_.read_latency_ps += ready_ps - arrival_ps;
  }
  request.ready_ps = ready_ps;
  out.responses.push_back(request);
}

void L2Slice::clear() {
  cache_ = SectorCache(params_);
  queue_ = {};
  waiting_.clear();
  parked_.clear();
  busy_until_ps_ = 0;
  mshr_blocked_ = false;
  queue_stats_ = L2QueueStats{};
}

}  // namespace gpusim::sim
