// A sub-core's warp scheduler: picks, each cycle, one warp among those eligible to issue.
//
//  - lrr (loose round-robin): priority rotates; the search starts at the slot after the warp
//    that issued last, so every eligible warp gets a turn.
//  - gto (greedy-then-oldest): keep issuing from the warp that issued last while it stays
//    eligible; otherwise take the oldest eligible warp (smallest age = earliest arrival).
//
// Slots are the sub-core's warp slots (at most kMaxSlots); eligibility arrives as a bit mask so
// a selection costs a few bit operations, whatever the number of warps.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/gpu_config.h"

namespace gpusim::sim {

class WarpScheduler {
 public:
  static constexpr int kMaxSlots = 64;
  static constexpr int kNone = -1;

  explicit WarpScheduler(WarpSchedulerPolicy policy) : policy_(policy) {}

  // The slot to issue from, or kNone when `eligible` is empty. `ages[slot]` orders warps for gto
  // (read only for eligible slots). Does not record the choice: call issued() when it issues.
  int select(uint64_t eligible, std::span<const uint64_t> ages) const;
  void issued(int slot) { last_ = slot; }
  // Forget the greedy warp (it left the sub-core).
  void forget(int slot) {
    if (last_ == slot) last_ = kNone;
  }
  WarpSchedulerPolicy policy() const { return policy_; }
  int last_issued() const { return last_; }
  // The slots of `slots` in the order select() would prefer them if all were eligible (for
  // inspection: the stepper shows it; not on the hot path).
  std::vector<int> priority_order(uint64_t slots, std::span<const uint64_t> ages) const;

 private:
  WarpSchedulerPolicy policy_;
  int last_ = kNone;
};

}  // namespace gpusim::sim
