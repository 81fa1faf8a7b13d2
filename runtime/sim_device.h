// The simulated device: runs the PTX in the isa/ executor (functional mode) or, once the timing
// model is attached, on the cycle-level GPU model.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/device.h"

namespace gpusim::isa {
struct LaunchState;
}
namespace gpusim::sim {
class GpuModel;
class SimObserver;
struct KernelResources;
struct LaunchTiming;
}

namespace gpusim::runtime {

// Runs one timed launch on the model to completion (sim/systemc_driver.h's run_timed_launch
// signature): the interactive stepper (tools/stepper/) substitutes its own edge-by-edge driver.
using TimedLaunchRunner = std::function<sim::LaunchTiming(sim::GpuModel&, isa::LaunchState&, const sim::KernelResources&)>;

enum class SimMode { Functional, Timing };

// Timelines, waveforms and per-line counters of timed runs (timing mode only; see
// runtime/sim_profiling.h). All off by default: an un-profiled run attaches no observer.
struct SimProfilingOptions {
  std::string trace_path;    // Chrome/Perfetto trace-event JSON (--trace)
  std::string trace_sms;     // SMs with tracks: "0,2-3" or "all" (--trace-sms; empty: SM 0)
  std::string trace_cycles;  // "FROM:TO" core cycles on the trace's timeline (--trace-cycles; empty: all)
  // Which launches are traced and counted: "name" (every launch of that kernel) or "name:K" (its
  // K-th launch, from 0); empty: every launch.
  std::string trace_kernel;
  size_t source_report = 0;  // per-line counters, printing the top N lines (--source-report[=N]); 0: off
  std::string vcd_path;      // SystemC VCD waveforms of one SM (--vcd)
  int vcd_sm = 0;            // --vcd-sm
  bool any() const { return !trace_path.empty() || source_report > 0 || !vcd_path.empty(); }
};

struct SimDeviceOptions {
  std::string config_path;              // INI file; empty = the embedded default configuration
  std::vector<std::string> overrides;   // "key=value", as --set on the command line
  SimMode mode = SimMode::Functional;
  // Timing mode only: sampled simulation (sim/sampled_launch.h), --sample / GPUSIM_SAMPLE=1.
  bool sample = false;
  // With sample: grids too short for the prefix sampler (under 74 waves) are sampled by windows
  // spread over the grid (sim/window_sampling.h) instead of simulated in full; --sample-windows.
  bool sample_windows = false;
  // With sample: grids of a few generations whose CTAs share data through the L2 (GEMMs) run with
  // shadow SMs (sim/shadow_sampling.h; experimental, NOT TRUSTED) instead of a proxy; --sample-shadow.
  bool sample_shadow = false;
  // With sample: the waves that would only fill the L2 further run functionally, warming it
  // (sim/l2_warming.h), instead of in detail; --sample-no-l2-warming turns it off (to compare).
  bool sample_l2_warming = true;
  // Host threads simulating in parallel (CTAs in functional mode, SMs in timing mode); 0 = the
  // machine's hardware threads. Results are the same for every count (docs/ARCHITECTURE.md).
  unsigned threads = 0;
  // Timing mode: commit each cycle's SM results in stages, mostly in parallel (the default), or
  // every SM in SM order on one thread (the reference the staged commit must equal; tests).
  bool staged_commit = true;
  // A launch executing more warp-instructions than this is stopped and reported as a probable
  // infinite loop (the host process must never hang on a broken kernel).
  uint64_t max_warp_instructions = uint64_t(1) << 36;
  // After this many warp-instructions (per CTA in functional mode, per launch in timing mode) the
  // simulator watches for a state that proves an endless loop and stops such a launch at once
  // (isa/repeat_watch.h, sim/endless_loop_watch.h); 0: only the budget above.
  uint64_t repeat_check_after = uint64_t(1) << 24;
  // Where kernels' device-side printf output goes, once per launch when it ends (faulted or not);
  // empty = the process's stdout, fflush'd.
  std::function<void(const std::string&)> printf_sink;
  // Where the messages of failed device asserts go ("file:line: function: block: [..], thread:
  // [..] Assertion `expr` failed."), after the launch's printf output; empty = stderr.
  std::function<void(const std::string&)> assert_sink;
  SimProfilingOptions profiling;
  // --racecheck / GPUSIM_RACECHECK=1: report shared-memory races of every launch (isa/shared_race_check.h)
  // through race_sink (empty = stderr), after the launch's printf output. Costs a record of every
  // memory access: functional mode runs several times slower with it.
  bool race_check = false;
  // Timing mode: every launch starts with an empty L2 (and closed DRAM rows), as Nsight Compute
  // measures by default (`--cache-control all`), instead of what the launches before it left;
  // GPUSIM_CACHE_CONTROL=all, `gpusim exec --cache-control all`.
  bool cold_l2_per_launch = false;
  // Timing mode: host copies, memsets and device-to-device copies leave the bytes they wrote
  // (dirty) or read in the L2, as a GPU's copy engine, whose accesses go through the L2 like every
  // DRAM access, does: a kernel reading a 4 MiB buffer just uploaded then hits in the L2 (an
  // outside robotics user's upload-then-process frame was predicted 1.2-1.9x too slow). On for
  // CUDA programs (gpusim exec, GPUSIM_* environment); off for `gpusim run`'s workloads, whose
  // recorded GPU runs flush the L2 before each launch.
  bool copies_fill_l2 = false;
  std::function<void(const std::string&)> race_sink;
  // Functional mode too: each module goes through ptxas (when installed) at load, so PTX that
  // ptxas rejects (mismatched operand types, a call whose arguments do not fit) is refused with
  // ptxas's message, as the driver's JIT would, instead of running (gpusim launch: hand-written
  // PTX). Timing mode always does, for the register counts.
  bool check_ptx_with_ptxas = false;
  // A status line on stderr while a launch runs longer than two seconds (timing mode:
  // sim/launch_progress.h; functional: sim/functional_progress_line.h);
  // runtime/sim_environment.h's progress_line_wanted() decides it.
  bool progress_line = false;
  // On SIGINT/SIGTERM (runtime/interrupt_signals.h) a launch stops at a safe point and throws
  // runtime::Interrupted. With exit_on_interrupt (the simulated CUDA libraries inside a program),
  // the device installs the handlers itself and ends the process with exit(128 + signal) instead,
  // so the libraries' exit handlers still write --stats and the trace; interrupt_results says
  // where those go, for the message on stderr.
  bool exit_on_interrupt = false;
  std::string interrupt_results;
  // Timing mode: runs each launch instead of the SystemC driver; empty = sim::run_timed_launch.
  TimedLaunchRunner timed_launch_runner;
  // Timing mode: watches the model from its construction (the stepper's issue recorder); a
  // runner attaching it at its first launch rebuilt the model, dropping what copies had left in
  // the L2, so a stepped program's first launch took other cycles than the unstepped one.
  sim::SimObserver* model_observer = nullptr;
};

std::unique_ptr<Device> make_sim_device(const SimDeviceOptions& options = {});

// Completes a simulated device's profiling files (the trace's closing brackets, the waveform
// file) now, for owners that never destroy the device (the CUDA libraries at exit); the device
// destructor does the same. No-op for other devices. Throws runtime::Error on a write error.
void finish_profiling(Device& device);

}  // namespace gpusim::runtime
