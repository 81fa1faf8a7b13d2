// One SM sub-core (processing block): its warp slots, with an instruction buffer and a register
// scoreboard per warp, its warp scheduler, the register-file dispatch port and its functional-unit
// pipes (FP32, INT, FP64, SFU, tensor cores, the MIO/LSU port and the branch unit).
//
// Each cycle every resident warp of the sub-core is in exactly one StallReason. A warp's reason
// is cached with the cycle until which it cannot change (a fixed-latency result, a busy pipe, a
// fetch bubble) or until an event (a memory result, a barrier release), so a cycle only
// re-examines warps whose situation may have changed, and warps that only wait for a pipe or a
// queue are classified per class (sim/pipe_wait_classes.h); the per-reason warp-cycle counts are
// added to the stats lazily, when a count changes (see count_change). The per-cycle classification and
// selection are in subcore_classify.cpp, issue and memory submission in subcore.cpp.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "isa/launch_state.h"
#include "isa/step.h"
#include "sim/commit_order.h"
#include "sim/cluster_tma_barriers.h"
#include "sim/instruction_timing.h"
#include "sim/pending_mem_ops.h"
#include "sim/pipe_wait_classes.h"
#include "sim/scoreboard.h"
#include "sim/sm_snapshot.h"
#include "sim/sm_core.h"
#include "sim/tma_unit.h"
#include "sim/warp_scheduler.h"
#include "sim/wgmma_groups.h"
#include "sim/wgmma_queue.h"

namespace gpusim::sim {

// Memory tokens name the sub-core and slot of the issuing warp, and a per-SM sequence number.
inline uint64_t make_mem_token(uint64_t sequence, int subcore, int slot) {
  return sequence << 16 | uint64_t(subcore & 0xff) << 8 | uint64_t(slot & 0xff);
}
inline int token_subcore(uint64_t token) { return static_cast<int>(token >> 8 & 0xff); }
inline int token_slot(uint64_t token) { return static_cast<int>(token & 0xff); }

// What a sub-core tells its SM about a CTA after a cycle (bit flags, per CTA slot).
enum CtaEvent : uint8_t {
  kCtaBarrierCheck = 1,  // a warp arrived at a barrier, exited lanes or finished
  kCtaRetireCheck = 2,   // a warp finished or its last memory operation completed
};

class SubCore {
 public:
  // Everything a sub-core shares with its SM.
  struct Shared {
    int sm_id = 0;
    const GpuConfig* config = nullptr;
    SmMemoryPipeline* memory = nullptr;
    InstructionTimingCache* timing = nullptr;
    SimObserver* observer = nullptr;
    SmStats* stats = nullptr;
    uint64_t* next_token_sequence = nullptr;
    std::vector<uint8_t>* cta_events = nullptr;  // indexed by CTA slot
    TmaBarriers* tma_barriers = nullptr;         // the SM's bulk copies in flight per mbarrier
    // Set when a CTA event is raised / an issue is deferred to commit(), so that the SM's commit
    // phase looks at its CTAs and sub-cores only when there is something to do.
    bool* cta_event_raised = nullptr;
    bool* issue_deferred = nullptr;
    ClusterTmaBarriers* cluster_tma = nullptr;   // copies onto other CTAs' barriers (GPU-wide; may be null)
    // The SM's active warps over all its sub-cores, kept up to date here (place, finish) so that
    // the SM's occupancy count per cycle is one addition, not a sum over the sub-cores.
    int* sm_active_warps = nullptr;
    // Per CTA slot: warp-instructions issued for the CTA there (shadow-SM sampling paces each
    // shadow CTA by the detailed CTA of the same age: sim/shadow_sms.h).
    std::vector<uint64_t>* cta_issued = nullptr;
    // The SM's launch (shared by all SMs), whose global memory tells at issue whether a deferred
    // load or store lies in an allocation (sim/commit_order.h); read only.
    isa::LaunchState* const* launch = nullptr;
  };

  SubCore(int index, int slots, const Shared& shared);

  // Puts a warp into a free slot; it can issue after the initial fetch bubble.
  void place(int slot, isa::Warp& warp, isa::CtaState& cta, int cta_slot, uint64_t age, uint64_t cycle);
  // Frees a slot whose warp finished and whose memory operations all completed.
  void release(int slot);
  // A memory operation of `slot` completed: its destination registers are readable at `cycle`.
  void complete(uint64_t token, uint64_t cycle);
  // Re-examine the warps of `cta_slot` at `cycle` (a barrier was released).
  void wake_cta(int cta_slot, uint64_t cycle);

  // One clock edge: classify every resident warp, issue at most one warp-instruction. An
  // instruction that may touch global memory or a device service (InstTiming::commit) is chosen
  // here but executed by commit(), with its memory-queue place held until then.
  void tick(uint64_t cycle, isa::LaunchState& launch) {
    if (active_count_ == 0) return;
    last_tick_ = cycle;
    // Most cycles no warp is due for re-examination (and so none is eligible): nothing to do
    // unless an observer is told every warp's reason every cycle.
    if (next_recheck_ > cycle && !shared_.observer) return;
    tick_warps(cycle, launch);
  }
  // The cycle's serial part: issues the instruction tick() chose and deferred, if any.
  void commit(uint64_t cycle, isa::LaunchState& launch);
  bool has_deferred() const { return deferred_ != WarpScheduler::kNone; }
  // What the deferred instruction will touch, worked out when it was deferred (kind None: none).
  const DeferredAccess& deferred_access() const { return deferred_access_; }

  int active_warps() const { return active_count_; }
  // Whether the slot's warp still has memory operations in flight.
  bool has_pending_memory(int slot) const { return !slots_[slot].pending.empty(); }
  // Adds the stall-reason warp counts of the cycles ticked so far to the SM's stats (they are
  // added lazily, see count_change); call before reading or resetting the stats.
  void flush_stall_counts();
  // The warp's reason in the last cycle (for tests and tracing).
  StallReason last_reason(int slot) const { return reason_of(slot); }
  // Appends the sub-core's resident warps to `warps` and describes the sub-core (inspection).
  void snapshot(uint64_t cycle, std::vector<WarpSnapshot>& warps, SubcoreSnapshot& self) const;

 private:
  // Aligned to a cache line and ordered by who reads what: with tens of warps per sub-core and
  // their slots read in turn, nearly every first touch of a slot line misses the caches.
  // Line 0: the per-cycle classification (tick_warps, passes_warp_checks); line 1: the
  // scoreboard (block_of, complete, issue); lines 2-3: the memory operations in flight (complete,
  // submit_memory: their count and the first two in line 2); line 5: the warp and where its
  // state lies (issue); the rest is read rarely.
  struct alignas(64) WarpSlot {
    // Line 0. What the classification reads: most re-examinations need nothing else (and the
    // board in line 1).
    uint64_t recheck_at = 0;
    // The warp's next instruction's timing and whether it may wait at a barrier, cached at place
    // and after each issue: only the warp's own issue moves its pc or puts it at a barrier (a
    // barrier release only clears at_barrier), so the classification need not chase the warp's call
    // frames every cycle (those reads were most of its time).
    const InstTiming* next = nullptr;
    const FunctionTiming* timing = nullptr;
    uint64_t fetch_ready = 0, sleep_until = 0, dispatch_until = 0;
    uint64_t tma_ready_at = 0;  // the cycle the bulk copies an mbarrier wait saw all arrived
    StallReason reason = StallReason::NoInstruction;
    // The next instruction's operands were found ready. Only the warp's own issue can make them
    // unready again (completions and time only make registers readier), so an eligible warp
    // that was not selected skips the scoreboard next cycle.
    bool operands_ready = false;
    // Every check before the pipe and queue checks (pipe_verdict) was passed for the next
    // instruction. Those checks can only fail again after the warp's own issue (which clears
    // this): barrier, mbarrier and sleep waits start at issue, the dispatch, sleep and fetch
    // cycles only pass, and the operands stay ready (see operands_ready). So an eligible or
    // throttled warp that was not issued skips them (most re-examinations are of such warps),
    // and is classified with its PipeWaitClasses class until its next issue.
    bool waits_only_for_pipes = false;
    bool maybe_at_barrier = false;
    // After mbarrier.try_wait/test_wait: the warp waits for the barrier's in-flight bulk copies
    // (mbarrier_offset, mbarrier_parity below) before its next instruction.
    bool mbarrier_wait = false;
    bool active = false;  // resident and not finished
    bool occupied = false;
    // Line 1.
    alignas(64) Scoreboard board;
    // Lines 2-3.
    alignas(64) PendingMemOps pending;
    // Line 4, behind the list's spill vector: what is read rarely.
    int cta_slot = -1;
    uint32_t cp_async_open_group = 0;  // the group cp.async ops join until the next commit
    uint32_t bulk_open_group = 0;      // the same for cp.async.bulk .bulk_group copies
    unsigned mbarrier_parity = 0;      // see mbarrier_wait: the barrier's shared offset and phase parity
    uint64_t mbarrier_offset = 0;
    // Lanes whose nanosleep let the warp's other lanes run (SubCore::issue): they sleep until
    // sleeping_lanes_until once the warp runs them again.
    uint32_t sleeping_lanes = 0;
    uint64_t sleeping_lanes_until = 0;
    // Line 5: what issue and prefetch_warp_state read first.
    alignas(64) isa::Warp* warp = nullptr;
    isa::CtaState* cta = nullptr;
    // Where the warp's current call frame, top SIMT entry and registers were after its last issue
    // (or placement). Only prefetch hints (prefetch_warp_state): issue reads the warp through the
    // warp itself, so a stale hint after a barrier release or a call costs one wasted prefetch,
    // never a wrong value. They let the first touches of the warp's state go out together instead
    // of as a chain of dependent misses (warp -> frame -> SIMT entry -> registers).
    const void* hint_frame = nullptr;
    const void* hint_top = nullptr;
    const uint8_t* hint_regs = nullptr;              // the frame's register file
    const isa::RegInfo* hint_reg_info = nullptr;   // where each register lies in it
    // Line 6.
    WgmmaGroups wgmma;                 // wgmma.mma_async completion per group
  };
  static_assert(sizeof(Scoreboard) <= 64, "the scoreboard fills the slot's second line");

  // A reason and the cycle until which it holds (kNeverCycle: until an event).
  struct Verdict {
    StallReason reason;
    uint64_t until;
  };
  // The reason of a warp whose own checks have passed (passes_warp_checks): it waits only for
  // its instruction's pipe and, for a memory instruction, its queue. Every warp with the same
  // pipe, kind and queue gets the same verdict in a cycle (see PipeWaitClasses).
  // An instruction with SFU steps (sfu_steps) waits for the SFU pipe too: its MUFU steps share
  // the sub-core's SFU lanes with MUFU instructions.
  Verdict pipe_verdict(Pipe pipe, bool memory, QueueHint queue, bool wgmma, bool sfu_steps, uint64_t cycle) {
    uint64_t pipe_free = pipe_free_at_[static_cast<size_t>(pipe)];
    if (sfu_steps) pipe_free = std::max(pipe_free, pipe_free_at_[static_cast<size_t>(Pipe::Sfu)]);
    if (memory) {
      // Waiting for the memory pipe itself: the LG path's throttle for global/local work, the MIO's
      // for shared memory and for what uses neither queue (a __constant__ read: LDC is an MIO
      // instruction; an outside DSP user's shared + __constant__ FIR showed lg_throttle on a line
      // with no global access).
      StallReason throttle = queue == QueueHint::Lg || queue == QueueHint::Both ? StallReason::LgThrottle : StallReason::MioThrottle;
      if (pipe_free > cycle) return {throttle, pipe_free};
      if (!queue_has_room(queue, &throttle)) return {throttle, cycle + 1};
    } else if (pipe_free > cycle) {
      if (!wgmma) return {StallReason::MathPipeThrottle, pipe_free};
      // A wgmma may still be accepted into the tensor cores' queue (sim/wgmma_queue.h).
      const int depth = shared_.config->tensor_wgmma_queue_depth;
      if (!wgmma_queue_.has_room(cycle, depth))
        return {StallReason::MathPipeThrottle, depth > 0 ? wgmma_queue_.room_at() : pipe_free};
    }
    return {StallReason::NotSelected, cycle + 1};  // eligible; the scheduler decides
  }
  Verdict pipe_verdict(const InstTiming& t, uint64_t cycle) {
    return pipe_verdict(t.pipe, t.kind == IssueKind::Memory, t.queue, t.kind == IssueKind::Wgmma, t.sfu_interval != 0,
                        cycle);
  }
  Verdict class_verdict(int cls, uint64_t cycle) {
    const PipeWaitClasses::Key k = PipeWaitClasses::key_of(cls);
    return pipe_verdict(k.pipe, k.memory, k.queue, k.wgmma, k.sfu_steps, cycle);
  }
  // Gives the members of the pipe-wait classes their class's verdict for `cycle` (a class's
  // regular members in bulk, and only when its reason changes; irregular ones one by one); adds
  // the eligible ones to `eligible` and lowers `next` to the classes' recheck cycles.
  void classify_pipe_waits(uint64_t cycle, uint64_t& eligible, uint64_t& next);
  // The checks before pipe_verdict() that only the warp's own state decides (barrier, bulk copies,
  // dispatch, sleep, fetch, operands); false when one sets the warp's reason.
  bool passes_warp_checks(WarpSlot& s, uint64_t cycle);
  void tick_warps(uint64_t cycle, isa::LaunchState& launch);
  // Leaves next_recheck_ alone: tick_warps, its only caller, sets it from every warp's
  // recheck_at after the classification.
  void set_reason(WarpSlot& s, StallReason r, uint64_t until, uint64_t cycle) {
    if (r != s.reason) {
      count_change(s.reason, -1, cycle);
      count_change(r, +1, cycle);
      s.reason = r;
    }
    s.recheck_at = until;
  }
  // Stall accounting: every ticked cycle adds each reason's warp count to the stats. The counts
  // change in few cycles, so the stats get a reason's count times the cycles it held: a warp
  // entering reason r at cycle `from` adds -from to pending_[r], one leaving it adds +from, and
  // flush_stall_counts() adds pending_[r] + count x end (the sum telescopes to the same total,
  // exactly, in modular arithmetic). `from` is the first cycle the new count holds (the cycle
  // being ticked for a change made while classifying the warps, the next one for a change at or
  // after issue). Every cycle between two changes is ticked (a sub-core with an active warp is
  // ticked every cycle). Two additions per change instead of a multiply-add into the stats.
  void count_change(StallReason r, int delta, uint64_t from) {
    const size_t i = static_cast<size_t>(r);
    pending_[i] -= uint64_t(int64_t(delta)) * from;
    counted_from_[i] = from;
    reason_counts_[i] = uint32_t(int(reason_counts_[i]) + delta);
  }
  // The warp's reason: a regular pipe-wait member's is its class's (its own field is stale, so
  // that a class's change of reason, nearly every cycle, writes no warp).
  StallReason reason_of(int slot) const {
    if (pipe_waits_.is_regular(slot)) return pipe_waits_.reason(pipe_waits_.class_of_slot(slot));
    return slots_[static_cast<size_t>(slot)].reason;
  }
  // A regular pipe-wait member takes its class's reason and recheck cycle as its own and becomes
  // irregular (classified on its own fields next time): before anything sets or lowers them.
  void make_irregular(WarpSlot& s, int slot) {
    if (!pipe_waits_.is_regular(slot)) return;
    const int cls = pipe_waits_.class_of_slot(slot);
    s.reason = pipe_waits_.reason(cls);
    s.recheck_at = pipe_waits_.until(cls);
    pipe_waits_.mark_irregular(slot);
  }
  // Lowers the warp's next re-examination to `at` (an event or its own issue).
  void recheck_no_later(WarpSlot& s, int slot, uint64_t at) {
    make_irregular(s, slot);
    s.recheck_at = std::min(s.recheck_at, at);
    next_recheck_ = std::min(next_recheck_, at);
  }

  bool queue_has_room(QueueHint hint, StallReason* throttle) {
    if ((hint == QueueHint::Mio || hint == QueueHint::Both) && !room_in(SmMemoryPipeline::Queue::Mio)) {
      *throttle = StallReason::MioThrottle;
      return false;
    }
    if ((hint == QueueHint::Lg || hint == QueueHint::Both) && !room_in(SmMemoryPipeline::Queue::Lg)) {
      *throttle = StallReason::LgThrottle;
      return false;
    }
    return true;
  }
  // Whether queue q has room, asked of the memory pipeline once per tick: nothing changes the
  // SM's queues between this sub-core's classification of its warps and its selection.
  bool room_in(SmMemoryPipeline::Queue q) {
    int8_t& known = q == SmMemoryPipeline::Queue::Mio ? mio_room_ : lg_room_;
    if (known < 0) known = shared_.memory->can_accept(q) ? 1 : 0;
    return known == 1;
  }
  // Whether the warp still waits for bulk copies after an mbarrier wait (sets its reason).
  bool waits_for_bulk_copies(WarpSlot& s, uint64_t cycle);
  static Scoreboard::Block group_block(const PendingMemOps& pending, PendingMemOp::GroupKind kind,
                                       uint32_t open_group, unsigned allowed);
  Scoreboard::Block block_of(const WarpSlot& s, const InstTiming& t, uint64_t cycle) const;
  void issue(int slot, uint64_t cycle, isa::LaunchState& launch);
  // Runs the muls ptxas contracted into FMAs (InstTiming::contracted) that follow the instruction
  // just issued from `pc`, without issuing them: the GPU has no instruction for them. Returns the
  // PC the warp reaches without a redirect (no fetch bubble when it is where the warp is).
  uint32_t run_contracted_muls(WarpSlot& s, const InstTiming& issued, uint32_t pc, isa::LaunchState& launch);
  // Records the warp's state addresses in the slot's hints (after placement and each issue).
  static void remember_warp_state(WarpSlot& s);
  // Prefetches what issuing the slot's next instruction will read first (see WarpSlot::hint_frame).
  void prefetch_warp_state(const WarpSlot& s) const;
  void submit_memory(WarpSlot& s, int slot, const InstTiming& t, const isa::StepResult& r, uint64_t cycle);
  uint64_t sleep_cycles(const WarpSlot& s, const isa::Instruction& in) const;
  // barrier.cluster.wait: the first cycle the warp may issue it (cycle: not such a wait).
  uint64_t cluster_wait_until(WarpSlot& s, uint64_t cycle) const;
  void hold_queues(int delta);  // (un)reserves the deferred op's queue places
  void raise_cta_event(int cta_slot, uint8_t event) {
    (*shared_.cta_events)[cta_slot] |= event;
    *shared_.cta_event_raised = true;
  }
  int sm_warp_id(int slot) const { return slot * shared_.config->subcores_per_sm + index_; }

  int index_;
  Shared shared_;
  WarpScheduler scheduler_;
  std::vector<WarpSlot> slots_;
  std::vector<uint64_t> ages_;
  uint64_t active_mask_ = 0;
  int active_count_ = 0;
  std::array<uint64_t, static_cast<size_t>(Pipe::Count)> pipe_free_at_{};
  // Per pipe, the 1/65536ths of a cycle tensor occupancies have left over (InstTiming::interval_frac).
  std::array<uint32_t, static_cast<size_t>(Pipe::Count)> pipe_carry_{};
  WgmmaQueue wgmma_queue_;  // wgmmas accepted while the tensor cores were busy, not yet started
  uint64_t dispatch_free_at_ = 0;
  // The constant cache serves one address a cycle: a warp's __constant__ read of N distinct
  // addresses holds it N cycles (the CUDA Programming Guide: the request is split into one per
  // address, throughput divided by their number), and reads behind it start when it is free.
  uint64_t constant_port_free_at_ = 0;
  std::array<uint32_t, static_cast<size_t>(StallReason::Count)> reason_counts_{};
  // Per reason: the sum of -delta x from of the changes not yet in the stats, the cycle of its
  // last change (see count_change), and the last cycle ticked with an active warp.
  std::array<uint64_t, static_cast<size_t>(StallReason::Count)> pending_{};
  std::array<uint64_t, static_cast<size_t>(StallReason::Count)> counted_from_{};
  uint64_t last_tick_ = 0;
  // No active warp's recheck_at is below this: a cycle before it has no warp to re-examine
  // (and no eligible warp, since an eligible warp is re-examined the next cycle).
  uint64_t next_recheck_ = 0;
  // The active warps that wait only for a pipe or a queue (waits_only_for_pipes), by class:
  // classified per class, not per warp (sim/pipe_wait_classes.h).
  PipeWaitClasses pipe_waits_;
  std::vector<isa::MemAccess> trace_;
  isa::AffineAccess trace_summary_;  // what step_warp wrote instead of trace_'s records, if valid
  WarpMemOp mem_op_;  // the memory op being submitted, reused (see submit_memory)
  int8_t mio_room_ = -1, lg_room_ = -1;  // room_in's answers this tick (-1: not asked)
  int deferred_ = WarpScheduler::kNone;  // slot chosen this cycle whose issue waits for commit()
  QueueHint deferred_queue_ = QueueHint::None;
  DeferredAccess deferred_access_;
  void describe_deferred(WarpSlot& s, const InstTiming& t, isa::LaunchState& launch);
};

}  // namespace gpusim::sim
