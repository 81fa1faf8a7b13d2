// `gpusim exec [--config FILE] [--set k=v]... [--mode functional|timing] [--stats FILE.json]
//  [--quiet] [--cache-control all|none] [--error-exitcode N] [--step KERNEL[:N] [--step-script|--script FILE]] -- PROGRAM [ARGS...]`: runs an unmodified CUDA program on the simulator. The
// program loads gpusim's libcudart.so.13 (build/lib) instead of NVIDIA's (a program with NVIDIA's
// static runtime gets gpusim's preloaded, which redirects the static one to itself); this command only
// checks the inputs, sets the library's environment (runtime/sim_environment.h) and replaces
// itself with the program, so the program's stdout, stderr and exit status are its own.
// Exit status before the program starts: 2 bad usage, 1 a program or configuration that cannot run.
#include <link.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "runtime/kernel_error_exit.h"
#include "runtime/sim_environment.h"
#include "runtime/sim_profiling.h"
#include "sim/gpu_config.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "tools/device_run_support.h"
#include "tools/option_checks.h"
#include "tools/program_inspect.h"

namespace gpusim::cli {
namespace po = boost::program_options;

namespace {

void print_usage(std::ostream& os, const po::options_description& opts) {
  os << "usage: gpusim exec [options] -- PROGRAM [ARGS...]\n"
     << "Runs a CUDA program built by nvcc on the simulator, unchanged; prints a table of\n"
     << "its kernel launches on stderr when it exits. Without a GPU, with the same output as on one.\n\n"
     << opts
     << "\nThe same settings reach the library without this command through GPUSIM_CONFIG, GPUSIM_SET\n"
     << "('k=v;k=v'), GPUSIM_MODE, GPUSIM_STATS, GPUSIM_QUIET, GPUSIM_LAUNCH_TABLE, GPUSIM_LAUNCH_RECORDS, GPUSIM_THREADS and LD_LIBRARY_PATH=<gpusim>/lib\n"
     << "(docs/CUDA_SUPPORT.md).\n";
}

// build/gpusim -> build/lib, where libcudart.so.13 is built.
std::filesystem::path library_dir() {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) throw std::runtime_error("cannot locate the gpusim executable (/proc/self/exe)");
  self[n] = '\0';
  return std::filesystem::path(self).parent_path() / "lib";
}

#if defined(GPUSIM_ADDRESS_SANITIZER)
// A gpusim built with AddressSanitizer has a libcudart.so.13 built with it too, and ASan's runtime
// must be the first library of a program that is not (nvcc's): preload the one this process uses.
std::string sanitizer_runtime() {
  std::string found;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) {
        const std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.find("libasan.so") != std::string::npos || name.find("libclang_rt.asan") != std::string::npos) *static_cast<std::string*>(out) = name;
        return 0;
      },
      &found);
  return found;
}
#endif

// PROGRAM as execvp would find it.
std::string resolve_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = (end > start ? dirs.substr(start, end - start) : ".") + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw std::runtime_error("program '" + program + "' not found on PATH");
}

// Checks PROGRAM before it starts. NVIDIA's static CUDA runtime inside it, or inside a library it
// loads, is redirected to gpusim's by the preloaded libcudart.so.13
// (runtime/cudart/static_runtime_redirect.cpp), which needs the runtime's function names.
void check_program(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw std::runtime_error(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw std::runtime_error(path + ": is a directory, not a program");
  if (access(path.c_str(), X_OK) != 0) throw std::runtime_error(path + ": not executable");
  const ProgramLinkage link = inspect_program(path);
  // Another CUDA major version's runtime has other structures (cudaDeviceProp) and entry points.
  for (const std::string& needed : link.needed)
    if (needed.rfind("libcudart.so.", 0) == 0 && needed != "libcudart.so.13")
      throw std::runtime_error(path + " was built against " + needed + " (another CUDA version); gpusim provides CUDA "
                               "13's runtime, libcudart.so.13: rebuild it with nvcc 13");
  if (link.is_elf && link.has_fatbin && !link.has_loader)
    throw std::runtime_error(path + " is statically linked (`-static`: it has no dynamic loader), so gpusim cannot put its "
                             "CUDA runtime and driver into it: link it dynamically (drop `-static` / `-Xcompiler "
                             "-static`; `-static-libstdc++` and `-static-libgcc` are fine)");
  if (!link.is_elf || link.uses_shared_cudart() || link.static_cudart) return;
  if (link.has_kernels)
    throw std::runtime_error(path + " carries device code and NVIDIA's static CUDA runtime (nvcc's default) but has been "
                             "stripped of its symbol table, so gpusim cannot find the runtime's functions in it: rebuild "
                             "it without stripping (no `-s`, no `strip`), or with `nvcc -cudart shared ...`");
  if (link.has_fatbin)  // a stripped static runtime, but no kernels of its own: a driver-API/NVRTC program
    std::cerr << "gpusim exec: note: " << path << " links NVIDIA's static CUDA runtime and has been stripped; the "
              << "driver API (libcuda.so.1) it uses is simulated, runtime API calls would look for a real GPU "
              << "(rebuild it without stripping, or with `nvcc -cudart shared`, to simulate those too)\n";
}

}  // namespace

int gpusim_cmd_exec(int argc, char** argv) {
  po::options_description opts("gpusim exec options");
  opts.add_options()("help,h", "show this help")(
      "config", po::value<std::string>(), "GPU configuration INI file (default: the embedded V100-like config)")(
      "set", po::value<std::vector<std::string>>()->composing(), "override a config key: --set sm.count=8 (repeatable)")(
      "mode", po::value<std::string>()->default_value("functional"), "functional | timing (cycle-level model)")(
      "stats", po::value<std::string>(), "write every launch's statistics to this JSON file at exit")(
      "quiet", "no launch table on stderr at exit")(
      "launch-table", po::value<std::string>(),
      "launches | kernels: the exit table's rows, one per launch or one per kernel (default: per launch up to 50 "
      "launches, per kernel beyond)")(
      "launch-records", po::value<std::string>(),
      "N | all: launches kept whole for the exit table, its notes and --stats (default: 100000); later launches "
      "are summed per kernel, so a program of millions of launches needs bounded memory")(
      "sample", "timing mode: sampled simulation (first waves in detail, the rest functionally); each "
                "launch's prediction is printed with its estimated error at exit (gpusim run --help: how)")(
      "threads", po::value<std::string>(), kThreadsOptionHelp)(
      "racecheck", kRacecheckOptionHelp)(
      "cache-control", po::value<std::string>(),
      "all | none (default): timing mode, `all` starts every launch with an empty L2, as Nsight Compute measures "
      "by default; `none` keeps what earlier launches left there, as the program runs on a GPU")(
      "error-exitcode", po::value<std::string>(),
      "N: exit with status N when a kernel launch faulted or (--racecheck) raced, even if the program ignored the "
      "error and exited 0 (as compute-sanitizer's option)")(
      "max-warp-instructions", po::value<uint64_t>(),
      "stop a launch after this many warp-instructions as a runaway loop (default 2^36)")(
      "step", po::value<std::string>(),
      "KERNEL[:N]: stop in the N-th (from 0) launch of KERNEL and step it cycle by cycle (docs/STEPPER.md; "
      "implies --mode timing; output on stderr)")(
      "step-script", po::value<std::string>(), "the stepper's commands (default: read from the terminal, /dev/tty)")(
      "script", po::value<std::string>(), "the same as --step-script (the name `gpusim step` gives it)");
  add_sample_variant_options(opts);
  add_profiling_options(opts);
  opts.add(resource_limit_options());

  // Options end at "--" or at the first word that is not an option: the program and its args.
  int split = 1;
  while (split < argc && std::strcmp(argv[split], "--") != 0 && argv[split][0] == '-') {
    const std::string a = argv[split];
    // "--name VALUE" spans two words; "--name=VALUE", flags and optional values ("--source-report") one.
    const po::option_description* known = a.size() > 2 && a.find('=') == std::string::npos && a[1] == '-'
                                              ? opts.find_nothrow(a.substr(2), false)
                                              : nullptr;
    const bool takes_value = known && known->semantic()->min_tokens() > 0;
    split += takes_value ? 2 : 1;
  }
  split = std::min(split, argc);
  po::variables_map vm;
  try {
    const po::parsed_options parsed = po::command_line_parser(split, argv).options(opts).extra_style_parser(bare_source_report).run();
    reject_negative_unsigned(parsed);
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gpusim exec: " << sim::option_error_text(e) << "\n\n";
    print_usage(std::cerr, opts);
    return 2;
  }
  if (vm.count("help")) {
    print_usage(std::cout, opts);
    return 0;
  }
  const int program_at = split < argc && std::strcmp(argv[split], "--") == 0 ? split + 1 : split;
  if (program_at >= argc) {
    std::cerr << "gpusim exec: no program given\n\n";
    print_usage(std::cerr, opts);
    return 2;
  }
  // "--source-report 3 -- ./app": an optional value is written "--source-report=3"; as a word of
  // its own it is where the program starts (an outside user got "program '3' not found on PATH").
  const std::string first_word = argv[program_at];
  const bool looks_like_value =
      !first_word.empty() && first_word.find_first_not_of("0123456789") == std::string::npos;
  if (program_at == split && split > 1 && looks_like_value && std::string(argv[split - 1]).rfind("--", 0) == 0) {
    const std::string option = std::string(argv[split - 1]).substr(2);
    const po::option_description* known = option.find('=') == std::string::npos ? opts.find_nothrow(option, false) : nullptr;
    if (known && known->semantic()->min_tokens() == 0 && known->semantic()->max_tokens() > 0) {
      std::cerr << "gpusim exec: '" << argv[split] << "' is no program: an option with an optional value takes it after '=' (--"
                << option << "=" << argv[split] << ")\n";
      return 2;
    }
  }
  if (vm.count("script")) {  // `gpusim step`'s name for it (a tutorial reader tried it here)
    if (vm.count("step-script")) {
      std::cerr << "gpusim exec: --script and --step-script are the same option; give one\n";
      return 2;
    }
    vm.insert({"step-script", vm["script"]});
  }
  std::string mode = vm["mode"].as<std::string>();
  if (vm.count("step")) {
    if (!vm["mode"].defaulted() && mode != "timing") {
      std::cerr << "gpusim exec: --step runs the timing model; it cannot be used with --mode " << mode << "\n";
      return 2;
    }
    mode = "timing";
  } else if (vm.count("step-script")) {
    std::cerr << "gpusim exec: --step-script needs --step KERNEL[:N]\n";
    return 2;
  }
  if (vm.count("step-script") && !std::ifstream(vm["step-script"].as<std::string>())) {
    std::cerr << "gpusim exec: --step-script '" << vm["step-script"].as<std::string>() << "': cannot be read\n";
    return 2;
  }
  if (mode != "functional" && mode != "timing") {
    std::cerr << "gpusim exec: --mode '" << mode << "': expected 'functional' or 'timing'\n";
    return 2;
  }
  if (vm.count("launch-table") && vm["launch-table"].as<std::string>() != "launches" &&
      vm["launch-table"].as<std::string>() != "kernels") {
    std::cerr << "gpusim exec: --launch-table '" << vm["launch-table"].as<std::string>() << "': expected launches or kernels\n";
    return 2;
  }
  if (vm.count("launch-records")) {
    try {
      runtime::parse_launch_records(vm["launch-records"].as<std::string>(), "--launch-records ");
    } catch (const std::exception& e) {
      std::cerr << "gpusim exec: " << e.what() << "\n";
      return 2;
    }
  }
  if (vm.count("sample") && mode != "timing") {
    std::cerr << "gpusim exec: --sample predicts time: it needs --mode timing\n";
    return 2;
  }
  runtime::SimProfilingOptions profiling;
  try {
    check_sample_variants(vm);
    profiling = profiling_options(vm, mode == "timing" ? runtime::SimMode::Timing : runtime::SimMode::Functional);
    if (vm.count("stats")) check_output_folder("--stats", vm["stats"].as<std::string>());
    if (vm.count("error-exitcode")) runtime::error_exit_code_from(vm["error-exitcode"].as<std::string>().c_str());
    if (vm.count("cache-control")) {
      const std::string c = vm["cache-control"].as<std::string>();
      if (c != "all" && c != "none") throw std::invalid_argument("--cache-control '" + c + "': expected all or none");
      if (c == "all" && mode != "timing")
        throw std::invalid_argument("--cache-control all empties the L2 of the timing model: it needs --mode timing");
    }
    FileRoles files = device_option_files(vm);
    files.reads(argv[program_at], "the program");
    files.check();
  } catch (const std::invalid_argument& e) {
    std::cerr << "gpusim exec: " << e.what() << "\n";
    return 2;
  }
  std::string overrides;
  if (vm.count("set"))
    for (const std::string& s : vm["set"].as<std::vector<std::string>>()) {
      if (s.find(';') != std::string::npos) {
        std::cerr << "gpusim exec: --set '" << s << "': a value may not contain ';'\n";
        return 2;
      }
      overrides += (overrides.empty() ? "" : ";") + s;
    }
  const std::string config = vm.count("config") ? vm["config"].as<std::string>() : "";

  try {
    // A bad configuration is reported here, before the program runs, rather than at its first CUDA call.
    std::vector<std::string> list;
    if (vm.count("set")) list = vm["set"].as<std::vector<std::string>>();
    runtime::check_profiling_options(profiling, sim::load_gpu_config(config, list));
    const std::filesystem::path lib = library_dir();
    if (!std::filesystem::exists(lib / "libcudart.so.13"))
      throw std::runtime_error("gpusim's CUDA runtime is missing: " + (lib / "libcudart.so.13").string() + " (build it: bash scripts/build.sh)");
    const std::string program = resolve_program(argv[program_at]);
    check_program(program);

    // The options decide; a setting inherited from the caller's environment is cleared (so it
    // cannot profile or redirect a run that did not ask for it), and said so, with its option.
    const auto clear_inherited = [](const char* name, const char* option) {
      if (const char* value = std::getenv(name); value && *value)
        std::cerr << "gpusim exec: note: " << name << "=" << value << " from the environment is ignored; give "
                  << option << " instead\n";
      unsetenv(name);
    };
    const char* old = std::getenv("LD_LIBRARY_PATH");
    const std::string ld = lib.string() + (old && *old ? std::string(":") + old : "");
    setenv("LD_LIBRARY_PATH", ld.c_str(), 1);
    setenv("GPUSIM_MODE", mode.c_str(), 1);
    if (!config.empty()) setenv("GPUSIM_CONFIG", std::filesystem::absolute(config).c_str(), 1);
    else clear_inherited("GPUSIM_CONFIG", "--config");
    if (!overrides.empty()) setenv("GPUSIM_SET", overrides.c_str(), 1);
    else clear_inherited("GPUSIM_SET", "--set");
    if (vm.count("stats")) {
      setenv("GPUSIM_STATS", std::filesystem::absolute(vm["stats"].as<std::string>()).c_str(), 1);
      // This run's name: its processes add their launches to one file (runtime/cudart/stats_file_merge.h);
      // a file left by an earlier run is replaced, not added to.
      const std::string session = std::to_string(getpid()) + "-" +
                                  std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
      setenv("GPUSIM_STATS_SESSION", session.c_str(), 1);
    } else {
      clear_inherited("GPUSIM_STATS", "--stats");
      unsetenv("GPUSIM_STATS_SESSION");
    }
    // --quiet, or GPUSIM_QUIET=1 inherited from the caller (what the program's own runs honour).
    if (vm.count("quiet")) setenv("GPUSIM_QUIET", "1", 1);
    if (vm.count("launch-table")) setenv("GPUSIM_LAUNCH_TABLE", vm["launch-table"].as<std::string>().c_str(), 1);
    if (vm.count("launch-records")) setenv("GPUSIM_LAUNCH_RECORDS", vm["launch-records"].as<std::string>().c_str(), 1);
    // Profiling (runtime/sim_environment.h): set when given, cleared otherwise so an inherited
    // variable does not profile a run that did not ask for it.
    const auto set_or_clear = [&](const char* name, const std::string& value, const char* option) {
      if (value.empty()) clear_inherited(name, option);
      else setenv(name, value.c_str(), 1);
    };
    const auto absolute = [](const std::string& p) { return p.empty() ? p : std::filesystem::absolute(p).string(); };
    set_or_clear("GPUSIM_TRACE", absolute(profiling.trace_path), "--trace");
    // The first process to simulate writes the named trace and waveform, later ones their own
    // (runtime/sim_environment.cpp), now that the files of earlier runs are removed (below).
    set_or_clear("GPUSIM_PROFILE_FILES_SHARED", profiling.trace_path.empty() && profiling.vcd_path.empty() ? "" : "1",
                 "--trace");
    set_or_clear("GPUSIM_TRACE_SMS", profiling.trace_sms, "--trace-sms");
    set_or_clear("GPUSIM_TRACE_CYCLES", profiling.trace_cycles, "--trace-cycles");
    set_or_clear("GPUSIM_TRACE_KERNEL", profiling.trace_kernel, "--trace-kernel");
    set_or_clear("GPUSIM_SOURCE_REPORT", profiling.source_report ? std::to_string(profiling.source_report) : "",
                 "--source-report");
    set_or_clear("GPUSIM_VCD", absolute(profiling.vcd_path), "--vcd");
    set_or_clear("GPUSIM_VCD_SM", profiling.vcd_path.empty() ? "" : std::to_string(profiling.vcd_sm), "--vcd-sm");
    // Files an earlier run left are removed before the program starts: one that ends without its
    // exit handlers (_exit) then leaves none, rather than another run's statistics to be taken
    // for its own (an outside user's report).
    for (const std::string& output : {vm.count("stats") ? vm["stats"].as<std::string>() : std::string(), profiling.trace_path,
                                      profiling.vcd_path}) {
      std::error_code ignored;
      if (!output.empty()) std::filesystem::remove(output, ignored);
    }
    setenv("GPUSIM_SAMPLE", vm.count("sample") ? "1" : "0", 1);
    setenv("GPUSIM_SAMPLE_WINDOWS", vm.count("sample-windows") ? "1" : "0", 1);
    setenv("GPUSIM_SAMPLE_SHADOW", vm.count("sample-shadow") ? "1" : "0", 1);
    setenv("GPUSIM_SAMPLE_L2_WARMING", vm.count("sample-no-l2-warming") ? "0" : "1", 1);
    if (vm.count("threads"))
      setenv("GPUSIM_THREADS", std::to_string(runtime::parse_thread_count(vm["threads"].as<std::string>(), "--threads")).c_str(), 1);
    else clear_inherited("GPUSIM_THREADS", "--threads");
    if (vm.count("racecheck")) setenv("GPUSIM_RACECHECK", "1", 1);
    else clear_inherited("GPUSIM_RACECHECK", "--racecheck");
    if (vm.count("cache-control")) setenv("GPUSIM_CACHE_CONTROL", vm["cache-control"].as<std::string>().c_str(), 1);
    else clear_inherited("GPUSIM_CACHE_CONTROL", "--cache-control");
    if (vm.count("error-exitcode"))
      setenv(runtime::kErrorExitCodeVariable, vm["error-exitcode"].as<std::string>().c_str(), 1);
    else clear_inherited(runtime::kErrorExitCodeVariable, "--error-exitcode");
    if (vm.count("step")) setenv("GPUSIM_STEP", vm["step"].as<std::string>().c_str(), 1);
    else clear_inherited("GPUSIM_STEP", "--step");
    if (vm.count("step-script"))
      setenv("GPUSIM_STEP_SCRIPT", std::filesystem::absolute(vm["step-script"].as<std::string>()).c_str(), 1);
    else clear_inherited("GPUSIM_STEP_SCRIPT", "--step-script");
    apply_resource_limit_options(vm);  // checks the values here; the library reads them from the environment
    // The resource limits reach the library as the environment it reads (runtime/resource_limits.h).
    if (vm.count("max-host-memory")) setenv("GPUSIM_MAX_HOST_MEMORY", vm["max-host-memory"].as<std::string>().c_str(), 1);
    if (vm.count("max-launch-work"))
      setenv("GPUSIM_MAX_LAUNCH_WORK", std::to_string(vm["max-launch-work"].as<uint64_t>()).c_str(), 1);
    if (vm.count("max-warp-instructions")) {
      if (vm["max-warp-instructions"].as<uint64_t>() == 0) throw std::runtime_error("--max-warp-instructions must be positive");
      setenv("GPUSIM_MAX_WARP_INSTRUCTIONS", std::to_string(vm["max-warp-instructions"].as<uint64_t>()).c_str(), 1);
    }

    // gpusim's libcudart is loaded ahead of the program, and of anything the program starts, so that
    // a static CUDA runtime in the program or in a library it loads at start is redirected to it
    // (runtime/cudart/static_runtime_redirect.cpp). A program that loads libcudart.so.13 gets the
    // same library either way; one without CUDA pays about 15 ms to load it.
    std::string preload = (lib / "libcudart.so.13").string();
    setenv("GPUSIM_REDIRECT_STATIC_CUDART", "1", 1);
#if defined(GPUSIM_ADDRESS_SANITIZER)
    const std::string asan = sanitizer_runtime();
    if (!asan.empty()) preload = asan + ":" + preload;
#endif
    const char* inherited = std::getenv("LD_PRELOAD");
    if (inherited && *inherited) preload += std::string(":") + inherited;
    setenv("LD_PRELOAD", preload.c_str(), 1);
#if !defined(GPUSIM_ADDRESS_SANITIZER)
    // A library the program opens later with dlopen, or a needed one with -rdc code, is
    // redirected by the loader-audit library before its constructors run
    // (runtime/cudart/audit/static_runtime_audit.cpp). Not in a sanitizer build: LeakSanitizer's
    // exit-time tracer crashes (signal 11) in some programs when an audit namespace is loaded.
    std::string audit = (lib / "libgpusim_audit.so").string();
    if (!std::filesystem::exists(audit))
      throw std::runtime_error("gpusim's loader-audit library is missing: " + audit + " (build it: bash scripts/build.sh)");
    if (const char* user_audit = std::getenv("LD_AUDIT"); user_audit && *user_audit) audit += std::string(":") + user_audit;
    setenv("LD_AUDIT", audit.c_str(), 1);
#endif
    execv(program.c_str(), argv + program_at);
    throw std::runtime_error("cannot start " + program + ": " + std::strerror(errno));
  } catch (const std::exception& e) {
    std::cerr << "gpusim exec: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace gpusim::cli
