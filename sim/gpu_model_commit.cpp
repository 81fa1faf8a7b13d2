// The serial part of a core cycle: what the busy SMs did at tick that other SMs can see (global
// memory accesses, packets for the L2 slices, CTA retirement) is committed here.
//
// commit_sequential is the reference: every SM's SmCore::commit, in SM order, on this thread.
// commit_staged leaves exactly the same state with most of the work on the pool's threads
// (docs/ARCHITECTURE.md, "Parallel simulation", staged commit):
//   1. ordered (this thread, SM order): each SM's deferred instructions up to its last one that
//      conflicts with a later access of another SM (sim/commit_order.h: overlapping bytes, one of
//      them written; or unknown bytes), in SM order, each SM's in sub-core order;
//   2. local (in parallel): each SM's remaining deferred instructions (loads and stores that no
//      later access of the cycle overlaps, so they read and leave what the sequential order
//      would); then its barrier releases and CTA retirements, which touch only the SM itself.
//      Beside them, by groups of L2 slices: every SM's staged packets handed to the slices in
//      SM order, then the L2 edge that falls at the same time, merged in that order after the
//      round (MemoryPartitions::begin_l2_round);
//   3. finish (this thread, SM order): faults in SM order, the instruction counts, retirements.
#include "sim/gpu_model.h"

#include <algorithm>

namespace gpusim::sim {

void GpuModel::commit_sequential(uint64_t now_ps, bool l2_edge_too, uint64_t& since) {
  // In SM order: the first SM (in that order) with a fault reports it.
  const uint64_t retired_before = retired_ctas_;
  for (size_t k = 0; k < busy_.size(); ++k) {
    if (errors_[k]) std::rethrow_exception(errors_[k]);
    SmCore& sm = *sms_[busy_[k]];
    if (!retirement_listener_) {
      sm.commit(cycle_, now_ps);
      continue;
    }
    const uint64_t done = sm.stats().ctas_completed;
    sm.commit(cycle_, now_ps);
    retired_ctas_ += sm.stats().ctas_completed - done;
  }
  if (phase_times_.enabled()) phase_times_.charge(PhaseTimes::Ordered, since);
  if (l2_edge_too) {
    memory_->tick_l2(now_ps);
    if (phase_times_.enabled()) phase_times_.charge(PhaseTimes::L2, since);
  }
  // After the L2 edge, as in the staged commit: a listener that reads the L2 (the wave sampler
  // watches it fill) sees the same state on every thread count.
  if (retirement_listener_ && retired_ctas_ != retired_before) retirement_listener_->on_ctas_retired(cycle_, retired_ctas_);
  // The SMs still busy, for the next cycle's list, as the staged commit keeps it: an SM that was
  // idle this cycle stays idle until a CTA is dispatched to it. Without it every cycle asked all
  // SMs (80 on v100.ini) whether they were idle: 12 % of a contended-atomics run whose few busy SMs
  // were waiting, 64 % in its one-SM tail.
  next_busy_.clear();
  for (size_t k = 0; k < busy_.size(); ++k)
    if (!sms_[busy_[k]]->idle()) next_busy_.push_back(busy_[k]);
  next_busy_known_ = true;
}

void GpuModel::commit_staged(uint64_t now_ps, bool l2_edge_too, uint64_t& since) {
  const size_t n = busy_.size();
  // An SM whose tick failed ends the cycle's order there, as in the sequential commit.
  size_t stop = n;
  std::exception_ptr stop_error;
  bool any_write = false;
  for (size_t k = 0; k < n; ++k) {
    if (errors_[k]) {
      stop = k, stop_error = errors_[k];
      break;
    }
    any_write = any_write || sm_cycle_[k].has_write;
  }
  // Which deferred instructions must run in SM order (sim/commit_order.h); without a write, none.
  if (any_write) {
    commit_order_.clear();
    const int subcores = config_.subcores_per_sm;
    for (size_t k = 0; k < stop; ++k)
      if (const DeferredAccess* a = sm_cycle_[k].accesses)
        for (int i = 0; i < subcores; ++i) commit_order_.add(k, i, a[i]);
    commit_order_.decide(stop, ordered_upto_);
  }
  // 1. ordered
  for (size_t k = 0; any_write && k < stop; ++k) {
    if (ordered_upto_[k] == 0) continue;
    try {
      sms_[busy_[k]]->commit_ordered(cycle_, ordered_upto_[k]);
    } catch (...) {
      // Sequentially this SM's commit stops here and nothing after it runs; the SMs before it
      // still finish (their local stage and packets), and their faults come first.
      stop = k, stop_error = std::current_exception();
    }
  }
  if (phase_times_.enabled()) phase_times_.charge(PhaseTimes::Ordered, since);
  // 2. local, for every SM before `stop`, and beside it the memory side: the SMs' packets handed
  // to the L2 slices and the coincident L2 edge, by groups of slices (one per thread, at the head
  // of its block, as the DRAM groups in the tick), between a serial start and end on this thread
  // (MemoryPartitions::begin_l2_round). The groups touch the slices and read the SMs' staged
  // packets; the SMs' local stages touch none of these (they only mark their packets handed off).
  std::exception_ptr memory_error;
  const size_t groups = pool_->threads();
  // Only the SMs that staged something (in SM order): the groups need not look at the rest.
  handoff_.clear();
  for (size_t k = 0; k < stop; ++k)
    if (sm_cycle_[k].sent) handoff_.push_back(staged_of_sm_[busy_[k]]);
  try {
    memory_->begin_l2_round(now_ps, handoff_.data(), handoff_.size(), l2_edge_too && !stop_error, groups);
  } catch (...) {
    memory_error = std::current_exception();
  }
  if (phase_times_.enabled()) phase_times_.charge(PhaseTimes::L2Begin, since);
  auto local_one = [&](size_t k) {
    SmCycle& c = sm_cycle_[k];
    SmCore& sm = *sms_[busy_[k]];
    if (c.sent) sm.mark_packets_handed_off();
    try {
      // (An SM the ordered stage reached had a deferred instruction, so local work too.)
      if (c.local_work) c.retired = sm.commit_local(cycle_);
    } catch (...) {
      c.local_error = std::current_exception();
    }
    sm.take_counts(&c.warp_instructions, &c.thread_instructions);
    c.maybe_idle = sm.resident_ctas() == 0;
  };
  // Each SM's local stage on about the thread that ticked it (the same affine blocks as the tick:
  // its state stays in that core's caches); slice group t first in thread t's block.
  pool_->for_each_affine(stop, local_one, [&](unsigned t) {
    if (!memory_error) memory_->run_l2_group(t);
  });
  if (phase_times_.enabled()) phase_times_.charge(PhaseTimes::Local, since);
  if (!memory_error) {
    try {
      memory_->end_l2_round();
    } catch (...) {
      memory_error = std::current_exception();
    }
  }
  if (phase_times_.enabled()) phase_times_.charge(PhaseTimes::L2End, since);
  // 3. finish: faults in the order the sequential loop meets them, then the memory side's.
  const uint64_t retired_before = retired_ctas_;
  uint64_t warp_instructions = 0, thread_instructions = 0;
  next_busy_.clear();
  for (size_t k = 0; k < stop; ++k) {
    const SmCycle& c = sm_cycle_[k];
    if (c.local_error) std::rethrow_exception(c.local_error);
    warp_instructions += c.warp_instructions;
    thread_instructions += c.thread_instructions;
    retired_ctas_ += uint64_t(c.retired);
    if (!c.maybe_idle || !sms_[busy_[k]]->idle()) next_busy_.push_back(busy_[k]);
  }
  launch_->warp_instructions += warp_instructions;
  launch_->thread_instructions += thread_instructions;
  if (stop_error) std::rethrow_exception(stop_error);
  if (memory_error) std::rethrow_exception(memory_error);
  next_busy_known_ = true;
  if (!retirement_listener_) retired_ctas_ = retired_before;  // counted only while a listener is set
  else if (retired_ctas_ != retired_before) retirement_listener_->on_ctas_retired(cycle_, retired_ctas_);
}

}  // namespace gpusim::sim
