// Functional completion of a launch whose cycle-level model was stopped part-way
// (sim/progress_sampling.h): the CTAs that were resident continue from their state at the stop,
// the CTAs not yet dispatched run from their start, and every CTA's warp-instructions are counted
// (the work the timing prediction still has to place). Results are those of a full run: the same
// step_warp executes every instruction exactly once either way.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"

namespace gpusim::sim {

// Runs the resident CTAs to completion, taking turns round by round (up to limits.slice
// instructions per warp and turn) so that one may wait on another through memory as on the GPU.
// Returns each CTA's warp-instructions executed here, in the order given. Throws isa::ExecError on
// a fault, a barrier that cannot complete, or the launch's instruction budget being exceeded.
std::vector<uint64_t> complete_resident_ctas(std::vector<std::unique_ptr<isa::CtaState>>& ctas,
                                             isa::LaunchState& launch, const isa::FunctionalLimits& limits);

// Runs the CTAs with linear ids [first, end) one after another from their start; returns each
// one's warp-instructions. Throws like isa::run_cta_functional.
std::vector<uint64_t> run_counted_ctas(isa::LaunchState& launch, const isa::FunctionalLimits& limits, uint64_t first,
                                       uint64_t end);

}  // namespace gpusim::sim
