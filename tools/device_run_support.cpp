#include "tools/device_run_support.h"

#include "sim/build_revision.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "runtime/cuda_device.h"
#include "runtime/sim_environment.h"
#include "sim/gpu_config.h"
#include "sim/output_file.h"
#include "sim/trace_writer.h"

namespace gpusim::cli {

namespace po = boost::program_options;

namespace {

std::string human_count(uint64_t n) {
  std::ostringstream s;
  if (n >= 10'000'000) s << std::fixed << std::setprecision(1) << n / 1e6 << "M";
  else s << n;
  return s.str();
}

}  // namespace

const char kRacecheckOptionHelp[] =
    "report shared-memory races: two threads of different warps touching the same shared byte, one writing, with "
    "no barrier between them (a missing __syncthreads()); slows functional mode several times";

const char kThreadsOptionHelp[] =
    "host threads simulating in parallel (default: the machine's hardware threads); results are the same for every "
    "count";

unsigned parse_threads_option(const std::string& text) {
  try {
    return runtime::parse_thread_count(text, "--threads");
  } catch (const runtime::Error& e) {
    throw std::invalid_argument(e.what());
  }
}

void add_device_options(po::options_description& opts, const std::string& backend_help) {
  opts.add_options()("config", po::value<std::string>(), "GPU configuration INI file (default: the embedded default)")(
      "set", po::value<std::vector<std::string>>()->composing(), "override a config key: --set key=value (repeatable)")(
      "mode", po::value<std::string>()->default_value("timing"),
      "timing (cycle-level model) | functional (results only, fast)")(
      "stats", po::value<std::string>(), "write per-launch timing statistics as JSON to this file")(
      "sample", "timing mode: simulate the first waves of each launch in detail (grids of under 22 waves: "
                "1/8 and 1/16 of the CTAs on 1/8 and 1/16 of the chip where it divides evenly, else until the "
                "instruction rate after the first CTA generation is known; a grid whose L2 is still filling "
                "waits for it to fill, warming it functionally with the waves that would only fill it further "
                "once the filling pace is known), the rest functionally, and predict the time with its estimated error "
                "(scaled by the skipped CTAs' warp-instructions when they do more or less work than the timed "
                "ones, then NOT TRUSTED above 5 %)")(
      "max-warp-instructions", po::value<uint64_t>(),
      "stop a launch after this many warp-instructions as a runaway loop (default 2^36)")(
      "racecheck", kRacecheckOptionHelp)(
      "backend", po::value<std::string>()->default_value("sim"), backend_help.c_str())(
      "threads", po::value<std::string>(), kThreadsOptionHelp);
  add_sample_variant_options(opts);
  add_profiling_options(opts);
}

void add_sample_variant_options(po::options_description& opts) {
  opts.add_options()(
      "sample-windows", "with --sample: sample grids of 22-73 waves by windows spread over the grid (start, middle, "
                        "end) instead of simulating them in full; such an estimate cannot fall back to a full run, "
                        "it is marked NOT TRUSTED when its error exceeds 5 %")(
      "sample-no-l2-warming", "with --sample: simulate the waves that fill the L2 in detail instead of running "
                              "them functionally and warming the L2 with their accesses (for comparison)")(
      "sample-shadow", "with --sample, experimental: grids of a few CTA generations whose CTAs read each other's data "
                       "(GEMMs) run on the full chip with 1 SM in 8 in detail and the others functional, feeding the "
                       "real L2 and DRAM (shadow SMs); printed NOT TRUSTED (sgemm within its error, wmma_gemm not)");
}

void check_sample_variants(const po::variables_map& vm) {
  for (const char* variant : {"sample-windows", "sample-no-l2-warming", "sample-shadow"})
    if (vm.count(variant) && !vm.count("sample")) throw std::invalid_argument(std::string("--") + variant + " needs --sample");
}

void add_profiling_options(po::options_description& opts) {
  opts.add_options()("trace", po::value<std::string>(),
                     "write a timeline (Chrome/Perfetto trace-event JSON) of the timed run to this file")(
      "trace-sms", po::value<std::string>(), "SMs the --trace covers: LIST like 0,2-3, or all (default 0)")(
      "trace-cycles", po::value<std::string>(), "core-cycle window FROM:TO of the --trace (default: the whole run)")(
      "trace-kernel", po::value<std::string>(),
      "trace and count only launches of this kernel: NAME, or NAME:K for its K-th launch (from 0)")(
      "source-report", po::value<size_t>()->implicit_value(10)->value_name("N"),
      "per PTX instruction and CUDA source line: issued, stall cycles by reason, memory bytes; prints the top N "
      "lines (default 10), --stats holds them all")(
      "vcd", po::value<std::string>(), "write SystemC VCD waveforms of one SM (GTKWave) to this .vcd file")(
      "vcd-sm", po::value<int>()->default_value(0), "the SM the --vcd waveforms show");
}

std::vector<po::option> bare_source_report(std::vector<std::string>& args) {
  if (args.empty() || args.front() != "--source-report") return {};
  args.erase(args.begin());
  po::option o;
  o.string_key = "source-report";
  o.value = {"10"};
  o.original_tokens = {"--source-report"};
  return {o};
}

std::string device_error_text(const std::string& name, const std::string& what) {
  if (what.rfind("GPU config ", 0) == 0 || what.rfind("--set ", 0) == 0) return what;
  return "device error in " + name + ": " + what;
}

void check_output_folder(const std::string& option, const std::string& path) {
  if (path.empty()) return;
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw std::invalid_argument(option + " " + path + ": is a directory; give a file name");
  if (!folder.empty() && !std::filesystem::is_directory(folder, ec))
    throw std::invalid_argument(option + " " + path + ": the folder " + folder.string() + " does not exist");
}

FileRoles device_option_files(const po::variables_map& vm) {
  FileRoles files;
  if (vm.count("config")) files.reads(vm["config"].as<std::string>(), "--config");
  for (const char* output : {"stats", "trace", "vcd"})
    if (vm.count(output)) files.writes(vm[output].as<std::string>(), std::string("--") + output);
  return files;
}

runtime::SimProfilingOptions profiling_options(const po::variables_map& vm, runtime::SimMode mode) {
  runtime::SimProfilingOptions p;
  if (vm.count("trace")) p.trace_path = vm["trace"].as<std::string>();
  if (vm.count("trace-sms")) p.trace_sms = vm["trace-sms"].as<std::string>();
  if (vm.count("trace-cycles")) p.trace_cycles = vm["trace-cycles"].as<std::string>();
  if (vm.count("trace-kernel")) p.trace_kernel = vm["trace-kernel"].as<std::string>();
  if (vm.count("source-report")) {
    p.source_report = vm["source-report"].as<size_t>();
    if (p.source_report == 0) throw std::invalid_argument("--source-report=N: N must be positive");
  }
  if (vm.count("vcd")) p.vcd_path = vm["vcd"].as<std::string>();
  for (const char* output : {"trace", "vcd"})
    if (vm.count(output) && vm[output].as<std::string>().empty())
      throw std::invalid_argument(std::string("--") + output + " needs a file name");
  p.vcd_sm = vm["vcd-sm"].as<int>();
  if ((!p.trace_sms.empty() || !p.trace_cycles.empty()) && p.trace_path.empty())
    throw std::invalid_argument("--trace-sms and --trace-cycles bound a --trace file: give --trace FILE.json too");
  if (!p.trace_kernel.empty() && p.trace_path.empty() && p.source_report == 0)
    throw std::invalid_argument("--trace-kernel selects what --trace or --source-report cover: give one of them too");
  check_output_folder("--trace", p.trace_path);
  check_output_folder("--vcd", p.vcd_path);
  // A usage error, before any device is made (it surfaced as "device error in KERNEL: ...").
  if (!p.vcd_path.empty() && (p.vcd_path.size() <= 4 || p.vcd_path.compare(p.vcd_path.size() - 4, 4, ".vcd") != 0))
    throw std::invalid_argument("--vcd '" + p.vcd_path + "': the file name must end in .vcd");
  if (p.any() && mode != runtime::SimMode::Timing)
    throw std::invalid_argument("--trace, --vcd and --source-report watch the timing model: they need --mode timing");
  return p;
}

runtime::SimMode parse_mode(const std::string& mode) {
  if (mode == "functional") return runtime::SimMode::Functional;
  if (mode == "timing") return runtime::SimMode::Timing;
  throw std::invalid_argument("--mode '" + mode + "': expected 'functional' or 'timing'");
}

Backend parse_backend(const std::string& backend) {
  if (backend == "sim") return Backend::Sim;
  if (backend == "cuda") return Backend::Cuda;
  if (backend == "both") return Backend::Both;
  throw std::invalid_argument("--backend '" + backend + "': expected sim, cuda or both");
}

// The configuration (--config, --set) and the options that depend on it, before anything runs: a
// bad --set key or value and a --trace-sms range outside the chip are usage errors (exit 2), not a
// "device error in KERNEL" after the launch's header (an outside student's report).
namespace {
void check_against_config(const runtime::SimDeviceOptions& o) {
  sim::GpuConfig config;
  try {
    config = sim::load_gpu_config(o.config_path, o.overrides);
  } catch (const sim::GpuConfigError& e) {
    // An error of the file itself is a file error (exit 1), reported where the device is made;
    // one the --set values bring is bad usage.
    try {
      sim::load_gpu_config(o.config_path, {});
    } catch (const sim::GpuConfigError&) {
      return;
    }
    throw std::invalid_argument(e.what());
  }
  if (!o.profiling.trace_sms.empty()) sim::parse_sm_list(o.profiling.trace_sms, config.num_sms);
  if (!o.profiling.vcd_path.empty() && (o.profiling.vcd_sm < 0 || o.profiling.vcd_sm >= config.num_sms))
    throw std::invalid_argument("--vcd-sm " + std::to_string(o.profiling.vcd_sm) + ": the configuration has SMs 0.." +
                                std::to_string(config.num_sms - 1));
  if (!o.profiling.trace_cycles.empty()) {
    sim::TraceOptions window;
    sim::parse_cycle_window(o.profiling.trace_cycles, &window);
  }
}
}  // namespace

runtime::SimDeviceOptions sim_device_options(const po::variables_map& vm) {
  runtime::SimDeviceOptions o;
  o.mode = parse_mode(vm["mode"].as<std::string>());
  o.profiling = profiling_options(vm, o.mode);
  // Found before a possibly long simulation, not after it (when gpusim launch had simulated the
  // whole kernel and then lost its output buffers to the failed --stats write).
  if (vm.count("stats")) {
    // An empty name was found only after the whole simulation ("cannot write : ...").
    if (vm["stats"].as<std::string>().empty()) throw std::invalid_argument("--stats needs a file name");
    check_output_folder("--stats", vm["stats"].as<std::string>());
  }
  o.sample = vm.count("sample") > 0;
  check_sample_variants(vm);
  o.sample_windows = vm.count("sample-windows") > 0;
  o.sample_shadow = vm.count("sample-shadow") > 0;
  o.sample_l2_warming = vm.count("sample-no-l2-warming") == 0;
  if (o.sample && o.mode != runtime::SimMode::Timing)
    throw std::invalid_argument("--sample predicts time: it needs --mode timing");
  if (o.sample && o.profiling.any())
    throw std::invalid_argument("--sample cannot be combined with --trace, --vcd or --source-report (they watch every CTA)");
  try {
    o.progress_line = runtime::progress_line_wanted(std::getenv("GPUSIM_PROGRESS"));
  } catch (const runtime::Error& e) {
    throw std::invalid_argument(e.what());
  }
  if (vm.count("config")) o.config_path = vm["config"].as<std::string>();
  if (vm.count("set")) o.overrides = vm["set"].as<std::vector<std::string>>();
  if (vm.count("threads")) o.threads = parse_threads_option(vm["threads"].as<std::string>());
  o.race_check = vm.count("racecheck") > 0;
  if (vm.count("max-warp-instructions")) {
    o.max_warp_instructions = vm["max-warp-instructions"].as<uint64_t>();
    if (o.max_warp_instructions == 0) throw std::invalid_argument("--max-warp-instructions must be positive");
  }
  check_against_config(o);
  return o;
}

std::unique_ptr<runtime::Device> open_cuda_backend(const std::string& command, Backend backend, std::ostream& err) {
  try {
    return runtime::make_cuda_device();
  } catch (const runtime::Error& e) {
    err << "gpusim " << command << ": the cuda backend is unavailable: " << e.what()
        << (backend == Backend::Both ? "" : "\n(--backend sim runs the simulator)") << "\n";
    return nullptr;
  }
}

void print_launch(std::ostream& os, const runtime::LaunchStats& l) {
  os << "  launch " << l.kernel << ": " << l.ctas << " CTAs, " << human_count(l.warp_instructions)
     << " warp-instructions, " << human_count(l.thread_instructions) << " thread-instructions, host "
     << std::setprecision(3) << std::fixed << l.host_seconds << " s";
  if (l.host_seconds > 0 && l.warp_instructions > 0)
    os << " (" << std::setprecision(2) << l.warp_instructions / l.host_seconds / 1e6 << "M warp-inst/s)";
  if (l.cycles > 0) os << ", " << l.cycles << " cycles";
  if (l.seconds > 0) os << ", " << std::setprecision(3) << l.seconds * 1e6 << " us simulated";
  os << "\n";
  os.unsetf(std::ios::fixed);
}

void print_measured_launch(std::ostream& os, const runtime::LaunchStats& l) {
  os << "  launch " << l.kernel << ": " << l.ctas << " CTAs, " << std::fixed << std::setprecision(2)
     << l.seconds * 1e6 << " us measured (CUDA events, one cold run)\n";
  os.unsetf(std::ios::fixed);
}

void print_side_by_side(std::ostream& os, const std::vector<runtime::LaunchStats>& simulated,
                        const std::vector<runtime::LaunchStats>& measured) {
  if (simulated.size() != measured.size()) return;
  os << "side by side (predicted / measured):\n";
  for (size_t i = 0; i < simulated.size(); ++i)
    os << "  " << simulated[i].kernel << ": " << std::fixed << std::setprecision(2) << simulated[i].seconds * 1e6
       << " us / " << measured[i].seconds * 1e6 << " us\n";
  os.unsetf(std::ios::fixed);
}

void write_stats(const std::string& path, const std::vector<runtime::LaunchStats>& launches, bool interrupted) {
  // The revision that made the figures, for a paper's appendix (an outside researcher found none).
  std::string text = std::string("{\"gpusim_revision\": \"") + sim::build_revision() + "\", " +
                     (interrupted ? "\"interrupted\": true, \"launches\": [" : "\"launches\": [");
  for (size_t i = 0; i < launches.size(); ++i)
    text += (i ? ",\n" : "\n") + (launches[i].report_json.empty() ? std::string("{}") : launches[i].report_json);
  text += "\n]}\n";
  try {
    sim::write_file_completely(path, text);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("--stats: ") + e.what());
  }
}

}  // namespace gpusim::cli
