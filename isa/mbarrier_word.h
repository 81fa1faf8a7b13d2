// The 64-bit mbarrier object in shared memory and its phase rule, shared by the mbarrier
// instructions (exec_mbarrier.cpp) and the bulk copies that complete transactions on one
// (exec_bulk_copy.cpp). PTX treats the object and the `state` returned by arrive as opaque, so
// any encoding that keeps the phase semantics is faithful. Here: bit 63 = current phase parity,
// bits 0..19 = pending arrivals, bits 20..39 = expected arrivals, bits 40..60 = transaction
// count (21-bit two's complement: PTX allows -(2^20-1) .. 2^20-1).
//
// A phase completes when its pending arrivals reach zero and its transaction count is zero
// (PTX ISA, "mbarrier: phase completion"); the next phase then expects the same arrivals.
#pragma once

#include <cstdint>
#include <string>

namespace gpusim::isa {

class ExecContext;
enum class StateSpace : uint8_t;

struct MbarrierWord {
  static constexpr uint64_t kCountMask = (1ull << 20) - 1;
  static constexpr int64_t kTxLimit = (1ll << 20) - 1;
  uint64_t phase = 0, expected = 0, pending = 0;
  int64_t tx = 0;

  static MbarrierWord unpack(uint64_t w) {
    MbarrierWord m;
    m.phase = w >> 63;
    m.pending = w & kCountMask;
    m.expected = (w >> 20) & kCountMask;
    const uint64_t tx = (w >> 40) & ((1ull << 21) - 1);
    m.tx = (tx & (1ull << 20)) ? int64_t(tx) - (1ll << 21) : int64_t(tx);
    return m;
  }
  uint64_t pack() const {
    return phase << 63 | (uint64_t(tx) & ((1ull << 21) - 1)) << 40 | (expected & kCountMask) << 20 |
           (pending & kCountMask);
  }
  // The `state` operand arrive returns: the phase it arrived in.
  uint64_t state() const { return phase << 63; }
  static uint64_t phase_of_state(uint64_t state) { return state >> 63; }
};

// Adds `delta` bytes to (expect-tx) or, negative, removes them from (complete-tx) the current
// phase's transaction count of the mbarrier at `addr`, then completes the phase if it is done.
// Faults (naming `what` and `lane`'s place) on an uninitialised barrier, a count out of range,
// or more bytes completed than the phase's arrivals expected.
void mbarrier_add_transactions(ExecContext& ctx, StateSpace space, uint64_t addr, int64_t delta, unsigned lane,
                               const std::string& what);

}  // namespace gpusim::isa
