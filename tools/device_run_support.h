// What `gpusim run` and `gpusim launch` share: the simulator/backend options (--config, --set,
// --mode, --stats, --backend), opening the CUDA backend, and the per-launch summary and
// --stats JSON.
#pragma once

#include <boost/program_options.hpp>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "runtime/device.h"
#include "runtime/sim_device.h"
#include "tools/file_roles.h"

namespace gpusim::cli {

enum class Backend { Sim, Cuda, Both };

// Adds --config, --set, --mode (default timing), --stats and --backend (default sim), and the
// profiling options below.
void add_device_options(boost::program_options::options_description& opts, const std::string& backend_help);
// --trace, --trace-sms, --trace-cycles, --trace-kernel, --source-report[=N], --vcd, --vcd-sm.
void add_profiling_options(boost::program_options::options_description& opts);
// --sample-windows, --sample-no-l2-warming, --sample-shadow (run, launch and exec); each needs
// --sample, which check_sample_variants enforces (std::invalid_argument naming the option).
void add_sample_variant_options(boost::program_options::options_description& opts);
void check_sample_variants(const boost::program_options::variables_map& vm);
// Boost gives an option with an implicit value the next word as its value ("--source-report
// vecadd" would fail); this style parser takes a bare "--source-report" as "--source-report=10"
// (pass it to command_line_parser::extra_style_parser).
std::vector<boost::program_options::option> bare_source_report(std::vector<std::string>& args);
// Throws std::invalid_argument naming `option` when `path` is a directory or its folder does not
// exist, so a run does not end (or a program under exec fail every CUDA call) over a bad path.
void check_output_folder(const std::string& option, const std::string& path);
// The files the device options name: --config read; --stats, --trace, --vcd written.
FileRoles device_option_files(const boost::program_options::variables_map& vm);
// "device error in NAME: WHAT", or WHAT alone when it is the configuration's fault ("GPU config
// FILE:LINE: ..."): a bad --config or --set is not the kernel's or the workload's doing.
std::string device_error_text(const std::string& name, const std::string& what);
// The profiling options given; throws std::invalid_argument for inconsistent ones (a usage error),
// including any of them outside timing mode.
runtime::SimProfilingOptions profiling_options(const boost::program_options::variables_map& vm, runtime::SimMode mode);

// The simulator options and the backend the parsed options ask for. Throw std::invalid_argument
// for a bad --mode or --backend (a usage error).
runtime::SimDeviceOptions sim_device_options(const boost::program_options::variables_map& vm);
Backend parse_backend(const std::string& backend);
// --threads N: a host thread count; std::invalid_argument naming the option when it is not one.
unsigned parse_threads_option(const std::string& text);
// The help line of --threads, the same in every command that takes it (run, launch, exec, train).
extern const char kThreadsOptionHelp[];
extern const char kRacecheckOptionHelp[];
runtime::SimMode parse_mode(const std::string& mode);

// The real GPU, or nullptr after telling `err` why it is unavailable ("gpusim <command>: the cuda
// backend is unavailable: ...").
std::unique_ptr<runtime::Device> open_cuda_backend(const std::string& command, Backend backend, std::ostream& err);

// "  launch NAME: 4 CTAs, 1234 warp-instructions, ..., 5678 cycles, 1.2 us simulated".
void print_launch(std::ostream& os, const runtime::LaunchStats& l);
// One line for a launch measured on the GPU (CUDA events, one cold run).
void print_measured_launch(std::ostream& os, const runtime::LaunchStats& l);
// "side by side (predicted / measured)": one line per launch, when both lists pair up.
void print_side_by_side(std::ostream& os, const std::vector<runtime::LaunchStats>& simulated,
                        const std::vector<runtime::LaunchStats>& measured);
// One JSON document: {"launches": [<the timing model's report per launch>, ...]}, with
// "interrupted": true first when a signal stopped the run (the launches that finished). Throws
// std::runtime_error "--stats: cannot write FILE: <why>" when it cannot be written completely.
void write_stats(const std::string& path, const std::vector<runtime::LaunchStats>& launches, bool interrupted = false);

}  // namespace gpusim::cli
