// The warps of one sub-core that only wait for a pipe or a memory queue, grouped by what they
// wait for (sim/subcore.h).
//
// A warp whose own checks have passed (WarpSlot::waits_only_for_pipes) has a stall reason that
// depends only on its next instruction's pipe, issue kind and queue and on the sub-core's pipes
// and the SM's queues: every warp of such a class has the same reason in the same cycle. Most of
// a sub-core's re-examinations were of these warps (eligible, not selected, or throttled, each
// looked at again every cycle); grouped, a cycle asks each class once and touches a warp only
// when its class's reason changes or the warp is "irregular": it joined this cycle, the
// scheduler gave it another reason (selected, or a queue filled since), or an event asked for
// it. Only bit masks live here; the sub-core applies the reasons.
#pragma once

#include <array>
#include <cstdint>

#include "isa/bit_count.h"
#include "sim/instruction_timing.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

class PipeWaitClasses {
 public:
  // Non-memory instructions: one class per pipe; memory instructions: one per pipe and queue;
  // wgmma.mma_async one per pipe (it may enter the tensor cores' queue while the pipe is busy);
  // an instruction ptxas expands with MUFU steps (a division, a refined sqrt) one per pipe (it
  // waits for the SFU pipe as well as its own).
  static constexpr int kPipes = static_cast<int>(Pipe::Count);
  static constexpr int kQueues = 4;  // QueueHint's values
  static constexpr int kFirstMemory = kPipes;
  static constexpr int kFirstWgmma = kFirstMemory + kPipes * kQueues;
  static constexpr int kFirstSfuSteps = kFirstWgmma + kPipes;
  static constexpr int kClasses = kFirstSfuSteps + kPipes;
  static_assert(kClasses <= 64, "class ids are bits of one word");

  // What a pipe-waiting warp's verdict reads of its instruction (SubCore::pipe_verdict): the
  // queue only matters for a memory instruction.
  struct Key {
    Pipe pipe;
    bool memory;
    QueueHint queue;  // None unless memory
    bool wgmma;
    bool sfu_steps;   // also waits for the SFU pipe (InstTiming::sfu_interval)
  };
  static int class_of(const InstTiming& t) {
    const int pipe = static_cast<int>(t.pipe);
    if (t.kind == IssueKind::Wgmma) return kFirstWgmma + pipe;
    if (t.kind != IssueKind::Memory) return t.sfu_interval ? kFirstSfuSteps + pipe : pipe;
    return kFirstMemory + pipe * kQueues + static_cast<int>(t.queue);
  }
  static Key key_of(int cls) {
    if (cls >= kFirstSfuSteps) return {static_cast<Pipe>(cls - kFirstSfuSteps), false, QueueHint::None, false, true};
    if (cls >= kFirstWgmma) return {static_cast<Pipe>(cls - kFirstWgmma), false, QueueHint::None, true, false};
    if (cls < kFirstMemory) return {static_cast<Pipe>(cls), false, QueueHint::None, false, false};
    const int x = cls - kFirstMemory;
    return {static_cast<Pipe>(x / kQueues), true, static_cast<QueueHint>(x % kQueues), false, false};
  }

  // `slot` (not a member) joins class `cls`, irregular until the next apply.
  void join(int slot, int cls) {
    const uint64_t bit = uint64_t(1) << slot;
    members_[static_cast<size_t>(cls)] |= bit;
    member_count_[static_cast<size_t>(cls)] += 1;
    present_ |= uint64_t(1) << cls;
    all_ |= bit;
    irregular_ |= bit;
    class_of_slot_[static_cast<size_t>(slot)] = static_cast<uint8_t>(cls);
  }
  // `slot` leaves its class (no effect when it is not a member).
  void leave(int slot) {
    const uint64_t bit = uint64_t(1) << slot;
    if (!(all_ & bit)) return;
    const int cls = class_of_slot_[static_cast<size_t>(slot)];
    uint64_t& m = members_[static_cast<size_t>(cls)];
    m &= ~bit;
    member_count_[static_cast<size_t>(cls)] -= 1;
    if (!m) present_ &= ~(uint64_t(1) << cls);
    all_ &= ~bit;
    irregular_ &= ~bit;
  }
  // The member's reason or recheck cycle may differ from its class's.
  void mark_irregular(int slot) { irregular_ |= (uint64_t(1) << slot) & all_; }
  void clear_irregular() { irregular_ = 0; }

  bool contains(int slot) const { return all_ >> slot & 1; }
  // A member whose reason and recheck cycle are its class's (its own fields are stale).
  bool is_regular(int slot) const { return (all_ & ~irregular_) >> slot & 1; }
  int class_of_slot(int slot) const { return class_of_slot_[static_cast<size_t>(slot)]; }
  uint64_t all() const { return all_; }
  uint64_t present() const { return present_; }  // bit per class with members
  uint64_t members(int cls) const { return members_[static_cast<size_t>(cls)]; }
  uint64_t irregular() const { return irregular_; }

  // The reason every regular member of the class has, and the cycle until which it holds (as
  // applied at the class's last examination).
  StallReason& reason(int cls) { return reason_[static_cast<size_t>(cls)]; }
  StallReason reason(int cls) const { return reason_[static_cast<size_t>(cls)]; }
  uint64_t& until(int cls) { return until_[static_cast<size_t>(cls)]; }
  uint64_t until(int cls) const { return until_[static_cast<size_t>(cls)]; }

  // Members of a 64-bit mask (inline, see isa/bit_count.h).
  static int count(uint64_t m) { return static_cast<int>(isa::bit_count64(m)); }
  // count(members(cls) & ~irregular_members) for `irregular_members`, a subset of the class's
  // members: its size kept at join/leave less the irregular ones, counted bit by bit (there are
  // rarely more than one), instead of a full 64-bit count each time a class changes reason.
  int regular_count(int cls, uint64_t irregular_members) const {
    int n = member_count_[static_cast<size_t>(cls)];
    for (uint64_t m = irregular_members; m; m &= m - 1) --n;
    return n;
  }

 private:
  std::array<uint64_t, kClasses> members_{};
  std::array<uint8_t, kClasses> member_count_{};  // bits of members_ (at most 64)
  std::array<StallReason, kClasses> reason_{};
  std::array<uint64_t, kClasses> until_{};
  std::array<uint8_t, 64> class_of_slot_{};
  uint64_t present_ = 0, all_ = 0, irregular_ = 0;
};

}  // namespace gpusim::sim
