// The global-memory bytes a warp's next load or store will touch, worked out before it runs.
//
// The timing model decides at issue which of a cycle's global accesses may run on the SMs' own
// threads instead of in SM order (sim/commit_order.h): an access that no later access of the
// same cycle overlaps gives the same result in either order. For that it needs every byte the
// instruction will touch, and the certainty that it cannot fault (a fault must stop the cycle
// exactly where the SM order would). Both come from the warp's registers, which are final once
// the instruction may issue.
#pragma once

#include <cstdint>

#include "isa/bit_count.h"
#include "isa/launch_state.h"
#include "isa/register_file.h"

namespace gpusim::isa {

struct GlobalFootprint {
  uint64_t lo = 0, hi = 0;  // [lo, hi) holds every byte the instruction touches; lo == hi: none
  bool write = false;
};

// The lanes of `mask` whose guard predicate of `in` holds (all of them when `in` has no guard):
// the lanes that execute it. Inline: step_warp asks it for every instruction.
inline uint32_t guarded_lanes(const CallFrame& frame, const Instruction& in, uint32_t mask) {
  if (in.guard == kNoReg) return mask;
  uint32_t g = 0;
  const uint8_t* regs = frame.regs.data();
  const uint32_t slot = frame.fn->regs[in.guard].slot;
  if (mask == ~0u && reg_slot::lane_shift(slot) == 0) {
    // A converged warp's predicate row (a byte per lane): one plain loop.
    const uint8_t* row = regs + reg_slot::row_offset(slot);
    const uint32_t flip = in.guard_negated ? 1 : 0;
    for (unsigned l = 0; l < 32; ++l) g |= ((uint32_t(row[l]) & 1) ^ flip) << l;
    return g;
  }
  for_each_lane(mask, [&](unsigned l) {
    g |= uint32_t((read_register_lane(regs, slot, l) & 1) ^ uint64_t(in.guard_negated)) << l;
  });
  return g;
}

// True, with `out` set, when the warp's next instruction is an ld, ldu or st of the .global space,
// or of a generic address that resolves to global memory on every executing lane, (scalar or
// vector of 1- to 8-byte elements) whose executing lanes' accesses are each aligned to
// their size and lie in the one allocation of `memory` that holds the lowest of them: it then
// touches bytes within [lo, hi) only and cannot fault. False for anything else (the caller must
// assume it may touch any byte, or fault).
bool global_footprint(Warp& warp, CtaState& cta, LaunchState& launch, GlobalMemory& memory, GlobalFootprint& out);

}  // namespace gpusim::isa
