// `gpusim run [<workload>] [--size S] [--config FILE] [--set k=v]... [--mode M] [--seed N]
//  [--backend sim|cuda|both]`: runs one workload on the simulated device, the real GPU or both,
// and checks each result against its CPU reference.
// Exit status: 0 pass, 1 mismatch or device/kernel error, 2 bad usage.
#include <boost/program_options.hpp>
#include <exception>
#include <iomanip>
#include <iostream>
#include <new>
#include <stdexcept>

#include "runtime/device.h"
#include "runtime/sim_device.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "tools/device_run_support.h"
#include "tools/interrupted_run.h"
#include "tools/option_checks.h"
#include "tools/stepped_commands.h"
#include "workloads/workload.h"
#include "workloads/workload_support.h"

namespace gpusim::cli {
namespace po = boost::program_options;

namespace {

constexpr const char* kDefaultWorkload = "sgemm_tiled";

std::string workload_names() {
  std::string names;
  for (const auto& w : workloads::all_workloads()) names += (names.empty() ? "" : ", ") + w->name();
  return names;
}

void print_usage(std::ostream& os, const po::options_description& opts) {
  os << "usage: gpusim run [<workload>] [options]\n"
     << "Runs a workload on the simulator (or the GPU: --backend) and checks it against its CPU reference (default workload: "
     << kDefaultWorkload << ").\nworkloads: " << workload_names() << "  (gpusim list shows their sizes)\n\n"
     << opts;
}

// Empty when the device can run the workload; otherwise the error line, naming the workload, the
// configuration and the architecture the workload needs (gpusim list marks such workloads).
std::string architecture_error(const workloads::Workload& w, const runtime::Device& dev, const std::string& config) {
  const std::string why = workloads::architecture_mismatch(w, dev.properties());
  if (why.empty()) return "";
  return why + "; configuration " + (config.empty() ? "(the embedded default, V100-like)" : config) +
         ": use a configuration with sm_arch = sm_" + std::to_string(w.required_sm()) + " or newer, e.g. --config configs/h100.ini";
}

}  // namespace

int gpusim_cmd_run(int argc, char** argv) {
  catch_interrupts();  // not for `gpusim step`, which shares run_command: Ctrl-C there ends the session
  return run_command(argc, argv, {});
}

int run_command(int argc, char** argv, const runtime::TimedLaunchRunner& runner) {
  // Stepping runs this command for `gpusim step`: its messages carry the name the user typed.
  const char* const prefix = runner ? "gpusim step: " : "gpusim run: ";
  po::options_description opts("gpusim run options");
  opts.add_options()("help,h", "show this help")(
      "size", po::value<std::string>(), "problem size, e.g. 256x256x256 (see gpusim list)")(
      "seed", po::value<uint64_t>()->default_value(1), "seed for the input data");
  add_device_options(opts,
                     "sim (the simulator) | cuda (the real GPU, same PTX) | both (one run each, times side by side; "
                     "gpusim compare gives medians over repeated runs)");
  po::options_description hidden;
  hidden.add_options()("workload", po::value<std::vector<std::string>>(), "workload name");
  po::options_description all;
  opts.add(resource_limit_options());
  all.add(opts).add(hidden);
  po::positional_options_description positional;
  positional.add("workload", -1);

  po::variables_map vm;
  try {
    const po::parsed_options parsed = po::command_line_parser(argc, argv).options(all).positional(positional).extra_style_parser(bare_source_report).run();
    reject_negative_unsigned(parsed);
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << prefix << sim::option_error_text(e) << "\n\n";
    print_usage(std::cerr, opts);
    return 2;
  }
  if (vm.count("help")) {
    print_usage(std::cout, opts);
    return 0;
  }

  std::string name = kDefaultWorkload;
  if (vm.count("workload")) {
    const auto& names = vm["workload"].as<std::vector<std::string>>();
    if (names.size() > 1) {
      std::string listed, number;
      for (const std::string& n : names) {
        listed += (listed.empty() ? "" : ", ") + n;
        if (number.empty() && !n.empty() && n.find_first_not_of("0123456789") == std::string::npos) number = n;
      }
      std::cerr << prefix << "one workload at a time (got " << names.size() << ": " << listed << ")";
      // `--source-report 5`: an option whose value is optional takes it only after '='.
      if (!number.empty())
        std::cerr << "; '" << number << "' is no workload: an option with an optional value takes it after '=' "
                  << "(--source-report=" << number << ")";
      std::cerr << "\n";
      return 2;
    }
    name = names[0];
  }
  const workloads::Workload* workload = workloads::find_workload(name);
  if (!workload) {
    std::cerr << prefix << "unknown workload '" << name << "'; valid workloads: " << workload_names() << "\n";
    return 2;
  }

  workloads::WorkloadParams params;
  params.seed = vm["seed"].as<uint64_t>();
  runtime::SimDeviceOptions device_options;
  Backend backend = Backend::Sim;
  try {
    apply_resource_limit_options(vm);
    if (vm.count("size")) params.size = workloads::parse_size_spec(vm["size"].as<std::string>());
    device_options = sim_device_options(vm);
    device_option_files(vm).check();
    backend = parse_backend(vm["backend"].as<std::string>());
    if (runner) {
      require_steppable(device_options, vm["backend"].as<std::string>());
      device_options.timed_launch_runner = runner;
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << prefix << e.what() << "\n";
    return 2;
  }

  try {
    const std::vector<uint64_t> size = params.size.empty() ? workload->default_size() : params.size;
    std::cout << "workload " << workload->name() << " (" << workload->description() << ")\n"
              << "size     " << workloads::format_size(size) << ", seed " << params.seed << "\n";
    bool passed = true;
    std::vector<runtime::LaunchStats> simulated, measured;
    if (backend != Backend::Sim) {
      std::unique_ptr<runtime::Device> gpu = open_cuda_backend("run", backend, std::cerr);
      if (!gpu) return 1;
      std::cout << "device   " << gpu->name() << "\n";
      const workloads::WorkloadResult result = workload->run(*gpu, params);
      for (const runtime::LaunchStats& l : result.launches) print_measured_launch(std::cout, l);
      std::cout << "result   " << (result.passed ? "PASS" : "FAIL") << " on the GPU: " << result.detail
                << "; max abs error " << std::setprecision(3) << result.max_abs_error << "\n";
      passed = passed && result.passed;
      measured = result.launches;
    }
    if (backend != Backend::Cuda) {
      std::unique_ptr<runtime::Device> sim_device = runtime::make_sim_device(device_options);
      if (const std::string why = architecture_error(*workload, *sim_device, device_options.config_path); !why.empty()) {
        std::cerr << prefix << why << "\n";
        return 2;
      }
      std::cout << "device   " << sim_device->name() << ", " << vm["mode"].as<std::string>() << " mode\n";
      LaunchRecorder device(*sim_device);  // the finished launches, should a signal stop the run
      workloads::WorkloadResult result;
      try {
        result = workload->run(device, params);
      } catch (const runtime::Interrupted& e) {
        for (const runtime::LaunchStats& l : device.finished()) print_launch(std::cout, l);
        return finish_interrupted("run", e.signal(), *sim_device, vm, device.finished());
      }
      for (const runtime::LaunchStats& l : result.launches) {
        print_launch(std::cout, l);
        std::cout << l.report_text;
      }
      // A signal after the last launch (checking on the host): the results are complete, but the
      // user asked to stop, so the status says so.
      if (const int signal = pending_interrupt())
        return finish_interrupted("run", signal, *sim_device, vm, result.launches);
      if (vm.count("stats")) write_stats(vm["stats"].as<std::string>(), result.launches);
      if (!finish_profiling_files("run", *sim_device)) return 1;
      std::cout << "result   " << (result.passed ? "PASS" : "FAIL") << ": " << result.detail
                << "; max abs error " << std::setprecision(3) << result.max_abs_error << "\n";
      passed = passed && result.passed;
      simulated = result.launches;
    }
    if (backend == Backend::Both) print_side_by_side(std::cout, simulated, measured);
    return passed ? 0 : 1;
  } catch (const std::invalid_argument& e) {  // sizes a workload rejects
    std::cerr << prefix << e.what() << "\n";
    return 2;
  } catch (const runtime::KernelFault& e) {
    std::cerr << prefix << "kernel fault in " << name << ": " << e.what() << "\n";
    if (vm.count("stats")) std::cerr << prefix << "--stats " << vm["stats"].as<std::string>() << " not written: the launch faulted\n";
    return 1;
  } catch (const runtime::Error& e) {  // a launch refused (resources, shape) or failed
    std::cerr << prefix << device_error_text(name, e.what()) << "\n";
    // A file of that name from an earlier run is left as it was: said, so that it is not read as
    // this run's (an outside architect's loop over configurations did).
    if (vm.count("stats")) std::cerr << prefix << "--stats " << vm["stats"].as<std::string>() << " not written: the launch did not run\n";
    return 1;
  } catch (const std::bad_alloc&) {  // its what() ("std::bad_alloc") says nothing to a user
    std::cerr << prefix << name << " failed: out of host memory (the size or the configuration needs more than this "
              << "machine's memory or the process's limit, ulimit -v)\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << prefix << name << " failed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace gpusim::cli
