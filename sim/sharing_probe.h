// Do a launch's CTAs read the same global data? (`--sample` picks shadow SMs for such grids,
// sim/shadow_sampling.h, and scaled-machine proxies for the others, sim/proxy_sampling.h.)
//
// A GEMM's CTAs read each other's A and B tiles: the CTAs of one tile row share A, those of one
// tile column share B, and the L2 serves the second reader. A smaller chip holds fewer of the
// sharing CTAs at once, so a scaled-machine proxy fetches more per CTA than the full chip does
// (docs/PERFORMANCE.md). Element-wise, reduction and row-wise kernels read disjoint data.
//
// The probe runs CTA 0 and its neighbours in x (CTA 1) and in y (CTA grid.x) functionally against
// a copy-on-write view of global memory (every write stays in the view, so the launch's memory and
// counters are untouched and the CTAs run again later as usual) and compares the global lines
// they read. Device-side services (printf, malloc) are not available to the probe: a kernel that
// calls one is reported as not probed.
#pragma once

#include <cstdint>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"

namespace gpusim::sim {

struct SharingProbe {
  bool probed = false;            // false: the grid has one CTA, or the probe faulted (see why)
  double shared_fraction = 0;     // of CTA 0's global read lines, those a neighbour also read
  uint64_t lines = 0;             // CTA 0's global read lines
  const char* why = "";
};

// `line_bytes`: the granularity compared (the L2's line). Never throws.
SharingProbe probe_data_sharing(const isa::LaunchState& launch, const isa::FunctionalLimits& limits,
                                uint32_t line_bytes);

}  // namespace gpusim::sim
