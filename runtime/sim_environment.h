// Settings of the simulator-backed CUDA libraries (libcudart.so.13, libcuda.so.1), read from the
// environment. A user program loads those libraries without any gpusim command line, so the
// environment is the only channel: `gpusim exec` sets these variables and starts the program,
// and a script or a debugger can set them by hand (docs/CUDA_SUPPORT.md lists them).
//
//   GPUSIM_CONFIG  INI file of the simulated GPU (default: the embedded default configuration)
//   GPUSIM_SET     overrides "key=value;key=value" as `--set` takes them
//   GPUSIM_MODE    functional (default) | timing
//   GPUSIM_SAMPLE  1: sampled timing simulation (timing mode only; sim/sampled_launch.h)
//   GPUSIM_STATS   write every launch's statistics (JSON) to this file at exit
//   GPUSIM_QUIET   1: no per-launch table on stderr at exit
//   GPUSIM_LAUNCH_TABLE  launches | kernels: the exit table's rows, one per launch or one per kernel
//                  (default: per launch up to kLaunchTableRows launches, per kernel beyond)
//   GPUSIM_LAUNCH_RECORDS  N | all: launches the exit report keeps whole (table rows, notes, --stats
//                  objects); later ones are summed per kernel (runtime/folded_launches.h). Default
//                  kDefaultLaunchRecordsKept
//   GPUSIM_MAX_WARP_INSTRUCTIONS  per-launch budget before a launch is reported as a runaway loop
//   GPUSIM_TRACE, GPUSIM_TRACE_SMS, GPUSIM_TRACE_CYCLES, GPUSIM_TRACE_KERNEL (name[:launch index]),
//   GPUSIM_SOURCE_REPORT (top N lines), GPUSIM_VCD, GPUSIM_VCD_SM: timing-mode profiling, as the
//                  --trace... options of `gpusim run` (runtime::SimProfilingOptions)
//   GPUSIM_THREADS host threads simulating in parallel (default: the machine's hardware threads)
//   GPUSIM_STEP    KERNEL[:N]: stop in the N-th (from 0) launch of KERNEL and step it (docs/STEPPER.md;
//                  timing mode only); commands from GPUSIM_STEP_SCRIPT or /dev/tty, output on stderr
//   GPUSIM_STEP_SCRIPT  the stepper's commands for GPUSIM_STEP
//   GPUSIM_PROGRESS 1 / 0: a status line on stderr while a timed launch runs for more than two
//                  seconds; default: on when stderr is a terminal
//   GPUSIM_REDIRECT_STATIC_CUDART 1: the library, preloaded, redirects a program's static CUDA
//                  runtime to itself (runtime/cudart/static_runtime_redirect.cpp; gpusim exec sets it)
#pragma once

#include <functional>
#include <string>

#include "runtime/sim_device.h"

namespace gpusim::runtime {

// The rows of the launch table printed at exit.
enum class LaunchTableRows { Auto, Launches, Kernels };
// Auto: one row per launch up to this many launches, one per kernel beyond (a training loop's
// thousands of launches would bury the program's own output).
inline constexpr size_t kLaunchTableRows = 50;
// Launches kept whole for the exit report: ~37 MB in functional mode, ~340 MB in timing mode with
// --stats (each keeps its statistics JSON); the rest are summed per kernel.
inline constexpr uint64_t kDefaultLaunchRecordsKept = 100000;

struct SimEnvironment {
  SimDeviceOptions device;
  std::string stats_path;  // empty: none
  // GPUSIM_STATS_SESSION, set by gpusim exec: the processes of one run share its --stats file
  // (runtime/cudart/stats_file_merge.h).
  std::string stats_session;
  bool quiet = false;
  LaunchTableRows launch_table = LaunchTableRows::Auto;
  uint64_t launch_records = kDefaultLaunchRecordsKept;  // UINT64_MAX: all
  // GPUSIM_STEP split (the stepper: tools/stepper/launch_stepper.h); empty kernel: no stepping.
  std::string step_kernel;
  uint64_t step_launch = 0;
  std::string step_script;  // empty: /dev/tty
};

// GPUSIM_LAUNCH_RECORDS's value (`name` starts the error: "GPUSIM_LAUNCH_RECORDS=" or exec's
// "--launch-records "):
// a positive whole number, "all" (UINT64_MAX), or empty (the default). Throws runtime::Error.
uint64_t parse_launch_records(const std::string& value, const std::string& name);

// Reads the variables through `getenv` (a parameter so tests need not touch the process
// environment). Throws runtime::Error naming the variable and the bad value.
// PATH with ".PID" before its extension ("t.json" -> "t.1234.json"), "" for "": the trace or
// waveform file of a process other than the one gpusim exec started.
std::string per_process_path(const std::string& path, long pid);

SimEnvironment read_sim_environment(const std::function<const char*(const char*)>& getenv);
// The process's own environment, for the simulated CUDA libraries: also sets
// SimDeviceOptions::exit_on_interrupt (a program exits at a safe point on Ctrl-C, writing its files).
SimEnvironment read_sim_environment();

// A host thread count as written by a user ("4"): a whole number from 1 to kMaxThreads. Throws
// runtime::Error naming `what` (the option or variable) and the value.
inline constexpr unsigned kMaxThreads = 1024;
unsigned parse_thread_count(const std::string& text, const std::string& what);

// GPUSIM_PROGRESS (its value, or null when unset) -> SimDeviceOptions::progress_line: "1" on,
// "0" off, unset on when stderr is a terminal (never in scripts, sweeps or tests, whose stderr is
// a file or a pipe). `gpusim run` and `gpusim launch` use it too. Throws runtime::Error otherwise.
bool progress_line_wanted(const char* gpusim_progress);

}  // namespace gpusim::runtime
