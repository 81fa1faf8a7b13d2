// Functional warming of the L2 for the wave sampler (sim/sampled_launch.h).
//
// A grid that streams through more data than the L2 holds runs at one pace while the L2 fills and
// at another once it is full (vecadd 32M on h100.ini, 50 MB L2: 1,280 cycles a wave for 15 waves,
// ~2,000 after). The sampler needs the second pace, so it used to simulate every wave up to the
// turn-over in detail: 23-29 % of such a grid on h100.ini. Instead, once the filling pace is known
// (a stationary fit of the first waves), the CTAs of the waves that would only fill the L2 further
// run functionally, at once, and their global accesses are placed in the timing model's L2 as they
// would have left it (sectors valid, written ones dirty, in the order the CTAs touch them); the
// dispatcher then jumps over those CTAs (GpuModel::set_cta_skip) and the detailed run goes on at
// the turn-over with the L2 in the state those waves would have left. Their time is extrapolated
// at the filling pace. This is the "functional warming" of sampled CPU simulators (SMARTS), for
// the one structure whose state outlives a wave: L1s and DRAM row buffers turn over within one.
//
// Only CTAs that cannot communicate are warmed (they may run out of order), on the calling thread
// in linear order between two cycles, so the L2's state is the same for any thread count.
#pragma once

#include <cstdint>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"
#include "sim/gpu_model.h"

namespace gpusim::sim {

struct L2Warming {
  uint64_t first_cta = 0, end_cta = 0;  // linear ids run functionally
  uint64_t warp_instructions = 0;       // theirs
  uint64_t replaced_lines = 0;          // warmed lines that replaced another (the L2 was fuller than planned)
  double cpu_seconds = 0;
};

// Runs CTAs [first, end) of `launch` functionally, each global access warming `model`'s L2.
// Throws like isa::run_ctas_functional.
L2Warming warm_l2_with_ctas(GpuModel& model, isa::LaunchState& launch, const isa::FunctionalLimits& limits,
                            uint64_t first, uint64_t end);

}  // namespace gpusim::sim
