// Per-warp register scoreboard: when each register's pending result becomes readable, and why a
// reader would wait for it (Wait for a fixed-latency ALU/FMA/FP64/tensor result, ShortScoreboard
// for an MIO result, LongScoreboard for a global/local load). Results of memory instructions have
// no known ready cycle until the memory pipeline returns them.
//
// Register indices are those of the warp's current function; the SM core drains the scoreboard
// before a call or return changes the function (see sim/instruction_timing.h).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sim/sm_snapshot.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

inline constexpr uint64_t kNeverCycle = std::numeric_limits<uint64_t>::max();

class Scoreboard {
 public:
  // Why `check` would block, and until when (kNeverCycle: until a memory result arrives).
  struct Block {
    StallReason reason = StallReason::Selected;  // Selected = not blocked
    uint64_t until = 0;
    bool blocked() const { return reason != StallReason::Selected; }
  };

  // Forgets everything and sizes the board for `registers` registers.
  void reset(size_t registers);
  // Grows (never shrinks) to hold `registers` registers; new ones are ready.
  void ensure(size_t registers);

  // `reg` is written by a fixed-latency instruction whose result is readable at `ready_cycle`.
  void set_ready_at(uint32_t reg, uint64_t ready_cycle, StallReason why);
  // `reg` is written by a memory instruction; readable after complete().
  void set_pending(uint32_t reg, StallReason why);
  // The memory result for `reg` arrived; readable from `cycle` on.
  void complete(uint32_t reg, uint64_t cycle);

  // Whether an instruction touching `regs` (sources and destinations: WAW also waits) can issue
  // at `cycle`. The reason is that of the register that becomes ready last; a pending memory
  // result dominates any fixed latency. `cycle` must not decrease from one call to the next (it
  // is the simulated clock): a register found ready is not looked at again until it is written.
  Block check(std::span<const uint32_t> regs, uint64_t cycle) const;
  // Every result readable at `cycle` (nothing pending).
  bool drained(uint64_t cycle) const { return pending_ == 0 && latest_ready_ <= cycle; }
  // The block a drain-requiring instruction sees (not blocked when drained).
  Block drain_block(uint64_t cycle) const;
  // Registers whose results are not readable at `cycle` (for inspection; not on the hot path).
  std::vector<PendingRegister> pending_at(uint64_t cycle) const;

 private:
  // One register's ready cycle and reason in 8 bytes (the cycle in the high 56 bits, the reason in
  // the low 8): a board is read at every classification and memory completion of its warp, and
  // with every warp's board apart in memory these are cache misses; half the bytes put twice the
  // registers in a line (a kernel's consecutive registers are mostly used together).
  struct Entry {
    uint64_t bits = uint64_t(StallReason::Wait);  // ready 0
    uint64_t ready() const {
      const uint64_t r = bits >> 8;
      return r == kNeverStored ? kNeverCycle : r;
    }
    StallReason why() const { return static_cast<StallReason>(bits & 0xff); }
    bool pending() const { return (bits >> 8) == kNeverStored; }
    void set(uint64_t ready_cycle, StallReason why) {
      bits = (ready_cycle == kNeverCycle ? kNeverStored : ready_cycle) << 8 | uint64_t(why);
    }
  };
  static constexpr uint64_t kNeverStored = (uint64_t(1) << 56) - 1;
  static_assert(sizeof(Entry) == 8);
  // A ready cycle the entry cannot hold (2^56 - 1 or more, never kNeverCycle): an internal error.
  static void check_cycle(uint64_t ready_cycle);
  // The members ordered so that the board takes 40 bytes of its warp's slot (sim/subcore.h packs
  // the slot's hot fields into cache lines).
  std::vector<Entry> entries_;
  // One bit per register below kTracked: clear when the register's entry was found ready by
  // check() (at that cycle, so at every later one) and not written since. check() skips such
  // registers without reading their entries, which are far apart in memory (a register read many
  // times, or written long before it is read, costs its entry's cache line once). A cache of
  // what the entries say: the entries stay the whole truth.
  static constexpr uint32_t kTracked = 192;
  mutable uint64_t maybe_busy_[kTracked / 64] = {};
  void mark_busy(uint32_t reg) {
    if (reg < kTracked) maybe_busy_[reg / 64] |= uint64_t(1) << (reg % 64);
  }
  uint64_t latest_ready_ = 0;    // max fixed ready cycle ever set (for drained())
  uint32_t pending_ = 0;         // registers waiting on memory
  StallReason pending_why_ = StallReason::LongScoreboard;  // the last pending kind set
  StallReason latest_why_ = StallReason::Wait;
};

}  // namespace gpusim::sim
