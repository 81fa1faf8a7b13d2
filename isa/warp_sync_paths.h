// Warp collectives whose members are on different paths of a divergent warp (sm_70 and later).
//
// Since Volta, the lanes named in the membermask of bar.warp.sync (`__syncwarp`) and of the
// .sync collectives (shfl, vote, match, redux) need not execute the *same* instruction: the two
// sides of a branch may each call `__syncwarp()`, and the calls meet (PTX ISA: "for .target
// sm_6x or below, all threads in membermask must execute the same ... instruction in
// convergence"; later targets drop that). A reconvergence stack runs one side at a time, so the
// first side to arrive would wait forever for lanes that have not started.
//
// What gpusim does when a collective names lanes that are not on the executing path:
// - lanes that already wait in front of a collective of the same form elsewhere in the function
//   (parked split paths of isa/spin_yield.h, or a not-yet-run path whose next instruction is
//   one) take part: the collective runs once over all of them, each lane with the operands of
//   its own instruction, and every part moves past its own instruction;
// - otherwise the path waits where it is and the nearest waiting lanes of the warp run first
//   (the independent-scheduling split of isa/spin_yield.h); they park at their next instruction
//   that needs the warp converged, and the collective is tried again;
// - lanes that can never arrive (exited paths are not members; lanes of a caller's frame, a
//   different kind of instruction, a CTA barrier) end the kernel with a barrier fault naming
//   where they wait.
// Decided on the warp's own state only: deterministic, and the same in the functional and
// timing modes (both call step_warp).
#pragma once

#include <cstdint>

#include "isa/exec_context.h"

namespace gpusim::isa {

// bar.warp.sync and the membermask forms of shfl/vote/match/redux.
bool is_warp_collective(const Instruction& in);

enum class CrossPathResult : uint8_t {
  Local,     // every member is on the executing path: run the instruction as usual
  Executed,  // ran over the lanes of several paths; the executing path still has to advance
  Yielded,   // other lanes run first; the executing path stays in front of the instruction
};

// Called by step_warp before a warp collective runs on a divergent warp (`ctx.mask` is the
// executing lanes after the guard). Throws ExecError (FaultKind::Barrier) where the members
// can never meet.
CrossPathResult run_across_paths(ExecContext& ctx, const Instruction& in, void (*handler)(ExecContext&, const Instruction&));

}  // namespace gpusim::isa
