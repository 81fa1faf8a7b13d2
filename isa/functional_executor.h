// Functional (untimed) execution of a whole grid: CTAs one after another (a cooperative launch:
// all CTAs at once, taking turns), the warps of a CTA interleaved in fixed slices until barriers
// release them. Deterministic by construction.
#pragma once

#include <cstdint>

#include "isa/launch_state.h"

namespace gpusim::isa {

struct FunctionalLimits {
  // A kernel that runs longer than this is reported as a probable infinite loop.
  uint64_t max_warp_instructions = uint64_t(1) << 36;
  // Warp-instructions a warp runs before the next warp gets a turn (lets spin-waits progress).
  unsigned slice = 256;
};

// Runs every CTA of the launch. Throws ExecError on a fault or a barrier that cannot complete.
void run_grid_functional(LaunchState& launch, const FunctionalLimits& limits = {});

// Runs one CTA to completion (used by run_grid_functional and by tests).
void run_cta_functional(CtaState& cta, LaunchState& launch, const FunctionalLimits& limits);

// The error message for a CTA in which every unfinished warp waits at a barrier that can never
// be released; shared with the timing model.
std::string describe_barrier_deadlock(const CtaState& cta);

}  // namespace gpusim::isa
