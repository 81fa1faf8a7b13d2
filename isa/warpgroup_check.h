// wgmma.mma_async is executed by a warpgroup: four consecutive warps (the first one's rank a
// multiple of 4), each supplying a quarter of the accumulator. The functional model computes each
// warp's quarter when that warp executes it, so a warpgroup that a return or a branch left short
// of a warp would still give the other quarters: undefined behaviour on a GPU (a hang or garbage),
// silent here. These checks make it a fault naming both warps, whichever order they run in: at
// each wgmma.mma_async (a partner already gone with fewer) and at each warp's exit (a partner that
// executed more than it).
#pragma once

#include "isa/exec_context.h"

namespace gpusim::isa {

// After the warp in `ctx` counted one more wgmma.mma_async (Warp::wgmma_issued).
void check_warpgroup_at_wgmma(ExecContext& ctx);

// After the warp in `ctx` executed exit or its kernel's ret: called once its last threads have left.
void check_warpgroup_at_exit(ExecContext& ctx);

}  // namespace gpusim::isa
