// Executes one warp-instruction: the single entry point that both the functional executor and
// the timing model use, so they cannot disagree about semantics.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/affine_access.h"
#include "isa/launch_state.h"

namespace gpusim::isa {

struct StepResult {
  const Instruction* inst = nullptr;
  uint32_t pc = 0;
  uint32_t active = 0;     // lanes of the SIMT entry that issued
  uint32_t executed = 0;   // active lanes whose guard predicate was true
  // The warp waits at the instruction (barrier.cluster.wait whose phase has not completed): it ran
  // nothing, is not counted as a warp-instruction, and retries on a later turn.
  bool waiting = false;
};

// Runs the next instruction of `warp` (not done, not waiting at a barrier). Memory accesses are
// appended to `trace` when it is non-null. With `summary` too, a load or store whose accesses
// have the AffineAccess form is described there instead (summary->valid(), `trace` left empty);
// otherwise summary->lanes is 0 and `trace` has the records. Throws ExecError on a fault.
StepResult step_warp(Warp& warp, CtaState& cta, LaunchState& launch, std::vector<MemAccess>* trace,
                     AffineAccess* summary = nullptr);

}  // namespace gpusim::isa
