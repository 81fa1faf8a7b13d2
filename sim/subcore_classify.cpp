// The sub-core's per-cycle part (sim/subcore.h): classifying each resident warp into its stall
// reason and picking the warp that issues. Issue and memory submission are in subcore.cpp.
#include "sim/subcore.h"

#include <algorithm>

#include "isa/cluster_barrier.h"
#include "isa/global_footprint.h"

namespace gpusim::sim {

Scoreboard::Block SubCore::block_of(const WarpSlot& s, const InstTiming& t, uint64_t cycle) const {
  switch (t.kind) {
    case IssueKind::Drain:
      return s.board.drain_block(cycle);
    case IssueKind::Fence: {
      if (s.pending.empty()) return {};
      const bool lg = std::any_of(s.pending.begin(), s.pending.end(), [](const PendingMemOp& p) { return p.lg; });
      return {lg ? StallReason::LongScoreboard : StallReason::ShortScoreboard, kNeverCycle};
    }
    case IssueKind::CpAsyncWait:
      return group_block(s.pending, PendingMemOp::kCpAsync, s.cp_async_open_group, t.wait_groups);
    case IssueKind::BulkWait:
      return group_block(s.pending, PendingMemOp::kBulk, s.bulk_open_group, t.wait_groups);
    case IssueKind::WgmmaWait: {
      // The accumulators of all but the newest N committed groups complete at a known cycle;
      // Nsight Compute counts a warp waiting for a fixed-latency unit as "wait".
      const uint64_t until = s.wgmma.wait_until(t.wait_groups);
      if (until > cycle) return {StallReason::Wait, until};
      return {};
    }
    default:
      return s.board.check(s.timing->touched(t), cycle);
  }
}

Scoreboard::Block SubCore::group_block(const PendingMemOps& pending, PendingMemOp::GroupKind kind,
                                       uint32_t open_group, unsigned allowed) {
  // Committed groups (ids below the open one) that still have copies in flight.
  uint32_t seen[64];
  unsigned nseen = 0;
  for (const PendingMemOp& p : pending) {
    const uint32_t g = p.group_of(kind);
    if (g == PendingMemOp::kNoGroup || g >= open_group) continue;
    if (std::find(seen, seen + nseen, g) == seen + nseen && nseen < 64) seen[nseen++] = g;
  }
  if (nseen > allowed) return {StallReason::LongScoreboard, kNeverCycle};
  return {};
}

// A warp that executed mbarrier.try_wait/test_wait saw the functional barrier, which counts a bulk
// copy's bytes at issue; in model time they arrive when the TMA unit's last answer is back, so the
// warp's next instruction waits for that (sim/tma_unit.h). Nsight Compute counts a warp waiting
// on L1TEX/TMA data as long_scoreboard.
bool SubCore::waits_for_bulk_copies(WarpSlot& s, uint64_t cycle) {
  if (s.mbarrier_wait) {
    const TmaBarriers::Readiness r = shared_.tma_barriers->of(s.cta_slot, s.mbarrier_offset, s.mbarrier_parity);
    if (r.in_flight) {
      set_reason(s, StallReason::LongScoreboard, kNeverCycle, cycle);  // woken when the last copy arrives
      return true;
    }
    if (s.cta->cluster && shared_.cluster_tma) {
      // Copies another CTA of the cluster issued onto this barrier (multicast): nothing wakes
      // this SM when they land, so the warp looks again every cycle while they are in flight.
      const TmaBarriers::Readiness c = shared_.cluster_tma->of(s.cta->linear_id, s.mbarrier_offset, s.mbarrier_parity);
      if (c.in_flight) {
        set_reason(s, StallReason::LongScoreboard, cycle + 1, cycle);
        return true;
      }
      s.tma_ready_at = std::max(s.tma_ready_at, c.arrived);
    }
    s.mbarrier_wait = false;
    s.tma_ready_at = std::max(s.tma_ready_at, r.arrived);
  }
  if (s.tma_ready_at > cycle) {
    set_reason(s, StallReason::LongScoreboard, s.tma_ready_at, cycle);
    return true;
  }
  return false;
}

bool SubCore::passes_warp_checks(WarpSlot& s, uint64_t cycle) {
  if (s.maybe_at_barrier) {
    if (s.warp->at_barrier) return set_reason(s, StallReason::Barrier, kNeverCycle, cycle), false;
    s.maybe_at_barrier = false;
  }
  if ((s.mbarrier_wait || s.tma_ready_at > cycle) && waits_for_bulk_copies(s, cycle)) return false;
  if (s.dispatch_until > cycle) return set_reason(s, StallReason::DispatchStall, s.dispatch_until, cycle), false;
  if (s.sleep_until > cycle) return set_reason(s, StallReason::Sleeping, s.sleep_until, cycle), false;
  if (s.fetch_ready > cycle) return set_reason(s, StallReason::NoInstruction, s.fetch_ready, cycle), false;
  const InstTiming& t = *s.next;
  const bool cluster_wait = t.cluster_barrier_wait && s.cta->cluster;
  if (cluster_wait) {
    const uint64_t until = cluster_wait_until(s, cycle);
    if (until > cycle) return set_reason(s, StallReason::Barrier, until, cycle), false;
  }
  if (!s.operands_ready) {
    const Scoreboard::Block b = block_of(s, t, cycle);
    if (b.blocked()) return set_reason(s, b.reason, b.until, cycle), false;
    s.operands_ready = true;
  }
  // Every check above is passed for good (see WarpSlot::waits_only_for_pipes) except a
  // barrier.cluster.wait's, which is asked again each time.
  s.waits_only_for_pipes = !cluster_wait;
  return true;
}

// barrier.cluster.wait: the phase completes on whichever SM issues its last arrive, so a waiting
// warp looks again every cycle (cluster launches tick their SMs on one thread, gpu_model.cpp);
// once it has completed, the warp may issue barrier_latency_cycles after the completion.
uint64_t SubCore::cluster_wait_until(WarpSlot& s, uint64_t cycle) const {
  uint64_t completed = 0;
  if (!isa::cluster_barrier_passed(*s.cta, *s.warp, cycle, &completed)) return cycle + 1;
  return std::max(cycle, completed + uint64_t(shared_.config->cluster_barrier_latency_cycles));
}

// Inline into tick_warps, its only caller (a call per tick cost a fifth of its instructions).
inline __attribute__((always_inline)) void SubCore::classify_pipe_waits(uint64_t cycle, uint64_t& eligible,
                                                                        uint64_t& next) {
  const uint64_t irregular = pipe_waits_.irregular();
  for (uint64_t c = pipe_waits_.present(); c; c &= c - 1) {
    const int cls = __builtin_ctzll(c);
    const Verdict v = class_verdict(cls, cycle);
    const uint64_t members = pipe_waits_.members(cls);
    StallReason& held = pipe_waits_.reason(cls);
    if (v.reason != held) {
      // What set_reason would do for each regular member (they all hold `held`; their own
      // reason fields are not written, see reason_of), in two count changes for the class.
      if (const int n = pipe_waits_.regular_count(cls, members & irregular)) {
        count_change(held, -n, cycle);
        count_change(v.reason, +n, cycle);
      }
      held = v.reason;
    }
    pipe_waits_.until(cls) = v.until;
    for (uint64_t m = members & irregular; m; m &= m - 1) set_reason(slots_[__builtin_ctzll(m)], v.reason, v.until, cycle);
    if (v.reason == StallReason::NotSelected) eligible |= members;
    next = std::min(next, v.until);
  }
  pipe_waits_.clear_irregular();
}

void SubCore::tick_warps(uint64_t cycle, isa::LaunchState& launch) {
  mio_room_ = lg_room_ = -1;  // not asked yet this tick
  uint64_t eligible = 0;
  uint64_t next = kNeverCycle;
  // The warps with checks of their own left, one by one; those whose checks now pass for good
  // join their pipe-wait class and are classified with it below, in the same cycle.
  for (uint64_t m = active_mask_ & ~pipe_waits_.all(); m; m &= m - 1) {
    const int slot = __builtin_ctzll(m);
    WarpSlot& s = slots_[slot];
    if (s.recheck_at <= cycle && passes_warp_checks(s, cycle)) {
      if (s.waits_only_for_pipes) {
        pipe_waits_.join(slot, PipeWaitClasses::class_of(*s.next));
        continue;
      }
      const Verdict v = pipe_verdict(*s.next, cycle);  // a barrier.cluster.wait passed
      set_reason(s, v.reason, v.until, cycle);
    }
    if (s.reason == StallReason::NotSelected) eligible |= uint64_t(1) << slot;
    next = std::min(next, s.recheck_at);
  }
  classify_pipe_waits(cycle, eligible, next);
  // The selection below only sets eligible warps' reasons, until cycle + 1 as before (so `next`
  // stays right; set_reason does not lower next_recheck_); issue lowers it again.
  next_recheck_ = next;
  int selected = WarpScheduler::kNone;
  if (dispatch_free_at_ <= cycle) {
    while (eligible) {
      const int slot = scheduler_.select(eligible, ages_);
      WarpSlot& s = slots_[slot];
      const InstTiming& t = *s.next;
      StallReason throttle = StallReason::Selected;
      // Another sub-core may have filled a shared queue since this warp was examined.
      make_irregular(s, slot);  // its reason becomes its own (or it issues this cycle)
      if (t.kind == IssueKind::Memory && !queue_has_room(t.queue, &throttle)) {
        set_reason(s, throttle, cycle + 1, cycle);
        eligible &= ~(uint64_t(1) << slot);
        continue;
      }
      selected = slot;
      set_reason(s, StallReason::Selected, cycle + 1, cycle);
      break;
    }
  }
  if (SimObserver* obs = shared_.observer) {
    for (uint64_t m = active_mask_; m; m &= m - 1) {
      const int slot = __builtin_ctzll(m);
      if (slot == selected) continue;
      const WarpSlot& s = slots_[slot];
      const StallReason reason = reason_of(slot);
      obs->on_stall(cycle, shared_.sm_id, index_, sm_warp_id(slot), reason);
      const isa::Function& fn = *s.warp->frame().fn;
      const uint32_t pc = s.warp->top().pc;
      obs->on_warp_stall(cycle, shared_.sm_id, index_, sm_warp_id(slot), reason,
                         pc < fn.code.size() ? &fn.code[pc] : nullptr);
    }
  }
  if (selected == WarpScheduler::kNone) return;
  prefetch_warp_state(slots_[selected]);
  const InstTiming& t = *slots_[selected].next;
  if (!t.commit) return issue(selected, cycle, launch);
  // Its queue place is held so that the other sub-cores see the queue as the op will leave it.
  deferred_ = selected;
  *shared_.issue_deferred = true;
  deferred_queue_ = t.kind == IssueKind::Memory ? t.queue : QueueHint::None;
  hold_queues(+1);
  describe_deferred(slots_[selected], t, launch);
}

void SubCore::describe_deferred(WarpSlot& s, const InstTiming& t, isa::LaunchState& launch) {
  DeferredAccess& a = deferred_access_;
  a.kind = t.commit_reads_only ? DeferredAccess::Kind::Read : DeferredAccess::Kind::Write;
  isa::GlobalFootprint f;
  isa::GlobalMemory* memory = shared_.launch && *shared_.launch ? (*shared_.launch)->global : nullptr;
  a.known = memory && isa::global_footprint(*s.warp, *s.cta, launch, *memory, f) &&
            f.write == (a.kind == DeferredAccess::Kind::Write);
  a.lo = a.known ? f.lo : 0;
  a.hi = a.known ? f.hi : 0;
}

}  // namespace gpusim::sim
