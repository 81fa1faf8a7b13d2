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
  // result dominates any fixed latency.
  Block check(std::span<const uint32_t> regs, uint64_t cycle) const;
  // Every result readable at `cycle` (nothing pending).
  bool drained(uint64_t cycle) const { return pending_ == 0 && latest_ready_ <= cycle; }
  // The block a drain-requiring instruction sees (not blocked when drained).
  Block drain_block(uint64_t cycle) const;
  // Registers whose results are not readable at `cycle` (for inspection; not on the hot path).
  std::vector<PendingRegister> pending_at(uint64_t cycle) const;

 private:
  struct Entry {
    uint64_t ready = 0;  // kNeverCycle while a memory result is pending
    StallReason why = StallReason::Wait;
  };
  std::vector<Entry> entries_;
  uint32_t pending_ = 0;         // registers waiting on memory
  StallReason pending_why_ = StallReason::LongScoreboard;  // the last pending kind set
  uint64_t latest_ready_ = 0;    // max fixed ready cycle ever set (for drained())
  StallReason latest_why_ = StallReason::Wait;
};

}  // namespace gpusim::sim
