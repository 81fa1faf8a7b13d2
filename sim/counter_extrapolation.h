// A sampled launch times a part of the grid in detail (its first waves, windows of waves, a
// scaled-down proxy chip, a stretch of cycles) and runs the rest functionally. Its counters
// (instructions, FLOPs, stalls, bytes) cover only that part, while its time is the prediction
// for the whole grid: rates made from the two (DRAM bandwidth, GFLOP/s, the bound class, the
// roofline point) came out several times too low. The counters are therefore extrapolated to the
// whole launch by the ratio of its warp-instructions (known exactly: every CTA ran, functionally
// or in detail) to the detailed part's; ratios (hit rates, IPC, occupancy) do not change.
#pragma once

#include "sim/gpu_model.h"

namespace gpusim::sim {

// Multiplies every count of `t` (not its cycles, seconds, occupancy or SMs used) by `factor`,
// rounding to the nearest integer.
void scale_counters(LaunchTiming& t, double factor);

}  // namespace gpusim::sim
