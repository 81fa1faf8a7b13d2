// Drives a GpuModel with the SystemC kernel: one clock per domain (core, interconnect/L2, DRAM)
// from the configuration, each a method re-triggered every period while a launch runs.
//
// SystemC elaborates once per process and keeps its simulation context process-wide, so this
// driver is the one process-wide object in gpusim: built on first use, then every launch of every
// GpuModel runs through it (sc_start returns when the launch has drained).
#pragma once

#include <string>

#include "isa/launch_state.h"
#include "sim/gpu_model.h"
#include "sim/vcd_tracer.h"

namespace gpusim::sim {

// Runs one launch on `model` to completion and returns its timing. Throws isa::ExecError on a
// kernel fault (the simulation context stays usable for the next launch).
LaunchTiming run_timed_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources);

// Waveforms through SystemC's VCD tracing. SystemC takes traces only before it elaborates, which
// this driver does at the process's first timed launch, so open_vcd must come before that one.
// `path` must end in ".vcd" (SystemC adds the extension itself). The tracer must also be attached
// to the model as an observer, and outlive close_vcd. Throws std::runtime_error when SystemC has
// already elaborated in this process or the file cannot be written.
void open_vcd(const std::string& path, VcdTracer& tracer);
// Flushes and closes the waveform file (no-op when none is open).
void close_vcd();

}  // namespace gpusim::sim
