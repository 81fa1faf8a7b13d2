// barrier.cluster as the timing model sees it: whether a warp waiting in barrier.cluster.wait
// may go on, and when the phase it waits for completed (the model adds the barrier's latency).
#pragma once

#include <cstdint>

#include "isa/launch_state.h"

namespace gpusim::isa {

// Completes the current phase first when every non-exited thread of the cluster has arrived (at
// `clock`). True when the phase `warp`'s last arrive joined has completed; *completed_clock
// (if given) is the LaunchState::clock at which the cluster's latest phase completed.
bool cluster_barrier_passed(CtaState& cta, const Warp& warp, uint64_t clock, uint64_t* completed_clock);

}  // namespace gpusim::isa
