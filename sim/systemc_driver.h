// Drives a GpuModel with the SystemC kernel: one clock per domain (core, interconnect/L2, DRAM)
// from the configuration, each a method re-triggered every period while a launch runs.
//
// SystemC elaborates once per process and keeps its simulation context process-wide, so this
// driver is the one process-wide object in gpusim: built on first use, then every launch of every
// GpuModel runs through it (sc_start returns when the launch has drained).
#pragma once

#include "isa/launch_state.h"
#include "sim/gpu_model.h"

namespace gpusim::sim {

// Runs one launch on `model` to completion and returns its timing. Throws isa::ExecError on a
// kernel fault (the simulation context stays usable for the next launch).
LaunchTiming run_timed_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources);

}  // namespace gpusim::sim
