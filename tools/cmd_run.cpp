// `gpusim run [<workload>] [--size S] [--config FILE] [--set k=v]... [--mode M] [--seed N]
//  [--backend sim|cuda|both]`: runs one workload on the simulated device, the real GPU or both,
// and checks each result against its CPU reference.
// Exit status: 0 pass, 1 mismatch or device/kernel error, 2 bad usage.
#include <boost/program_options.hpp>
#include <exception>
#include <iomanip>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "runtime/cuda_device.h"
#include "runtime/device.h"
#include "runtime/sim_device.h"
#include "tools/commands.h"
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

runtime::SimMode parse_mode(const std::string& mode) {
  if (mode == "functional") return runtime::SimMode::Functional;
  if (mode == "timing") return runtime::SimMode::Timing;
  throw std::invalid_argument("--mode '" + mode + "': expected 'functional' or 'timing'");
}

std::string human_count(uint64_t n) {
  std::ostringstream s;
  if (n >= 10'000'000) s << std::fixed << std::setprecision(1) << n / 1e6 << "M";
  else s << n;
  return s.str();
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

// One JSON document: {"launches": [<the timing model's report per launch>, ...]}.
void write_stats(const std::string& path, const std::vector<runtime::LaunchStats>& launches) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write --stats file '" + path + "'");
  f << "{\"launches\": [";
  for (size_t i = 0; i < launches.size(); ++i)
    f << (i ? ",\n" : "\n") << (launches[i].report_json.empty() ? "{}" : launches[i].report_json);
  f << "\n]}\n";
  if (!f) throw std::runtime_error("error writing --stats file '" + path + "'");
}

void print_usage(std::ostream& os, const po::options_description& opts) {
  os << "usage: gpusim run [<workload>] [options]\n"
     << "Runs a workload on the simulator (or the GPU: --backend) and checks it against its CPU reference (default workload: "
     << kDefaultWorkload << ").\nworkloads: " << workload_names() << "  (gpusim list shows their sizes)\n\n"
     << opts;
}

}  // namespace

int gpusim_cmd_run(int argc, char** argv) {
  po::options_description opts("gpusim run options");
  opts.add_options()("help,h", "show this help")(
      "size", po::value<std::string>(), "problem size, e.g. 256x256x256 (see gpusim list)")(
      "config", po::value<std::string>(), "GPU configuration INI file (default: the embedded default)")(
      "set", po::value<std::vector<std::string>>()->composing(), "override a config key: --set key=value (repeatable)")(
      "mode", po::value<std::string>()->default_value("timing"),
      "timing (cycle-level model) | functional (results only, fast)")(
      "stats", po::value<std::string>(), "write per-launch timing statistics as JSON to this file")(
      "seed", po::value<uint64_t>()->default_value(1), "seed for the input data")(
      "backend", po::value<std::string>()->default_value("sim"),
      "sim (the simulator) | cuda (the real GPU, same PTX) | both (one run each, times side by side; "
      "gpusim compare gives medians over repeated runs)");
  po::options_description hidden;
  hidden.add_options()("workload", po::value<std::vector<std::string>>(), "workload name");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description positional;
  positional.add("workload", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gpusim run: " << e.what() << "\n\n";
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
      std::cerr << "gpusim run: one workload at a time (got " << names.size() << ")\n";
      return 2;
    }
    name = names[0];
  }
  const workloads::Workload* workload = workloads::find_workload(name);
  if (!workload) {
    std::cerr << "gpusim run: unknown workload '" << name << "'; valid workloads: " << workload_names() << "\n";
    return 2;
  }

  workloads::WorkloadParams params;
  params.seed = vm["seed"].as<uint64_t>();
  runtime::SimDeviceOptions device_options;
  try {
    if (vm.count("size")) params.size = workloads::parse_size_spec(vm["size"].as<std::string>());
    device_options.mode = parse_mode(vm["mode"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    std::cerr << "gpusim run: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("config")) device_options.config_path = vm["config"].as<std::string>();
  if (vm.count("set")) device_options.overrides = vm["set"].as<std::vector<std::string>>();

  const std::string backend = vm["backend"].as<std::string>();
  if (backend != "sim" && backend != "cuda" && backend != "both") {
    std::cerr << "gpusim run: --backend '" << backend << "': expected sim, cuda or both\n";
    return 2;
  }

  try {
    const std::vector<uint64_t> size = params.size.empty() ? workload->default_size() : params.size;
    std::cout << "workload " << workload->name() << " (" << workload->description() << ")\n"
              << "size     " << workloads::format_size(size) << ", seed " << params.seed << "\n";
    bool passed = true;
    std::vector<runtime::LaunchStats> simulated, measured;
    if (backend != "sim") {
      std::unique_ptr<runtime::Device> gpu;
      try {
        gpu = runtime::make_cuda_device();
      } catch (const runtime::Error& e) {
        std::cerr << "gpusim run: the cuda backend is unavailable: " << e.what()
                  << (backend == "both" ? "" : "\n(--backend sim runs the simulator)") << "\n";
        return 1;
      }
      std::cout << "device   " << gpu->name() << "\n";
      const workloads::WorkloadResult result = workload->run(*gpu, params);
      for (const runtime::LaunchStats& l : result.launches)
        std::cout << "  launch " << l.kernel << ": " << l.ctas << " CTAs, " << std::fixed << std::setprecision(2)
                  << l.seconds * 1e6 << " us measured (CUDA events, one cold run)\n";
      std::cout.unsetf(std::ios::fixed);
      std::cout << "result   " << (result.passed ? "PASS" : "FAIL") << " on the GPU: " << result.detail
                << "; max abs error " << std::setprecision(3) << result.max_abs_error << "\n";
      passed = passed && result.passed;
      measured = result.launches;
    }
    if (backend != "cuda") {
      std::unique_ptr<runtime::Device> device = runtime::make_sim_device(device_options);
      std::cout << "device   " << device->name() << ", " << vm["mode"].as<std::string>() << " mode\n";
      const workloads::WorkloadResult result = workload->run(*device, params);
      for (const runtime::LaunchStats& l : result.launches) {
        print_launch(std::cout, l);
        std::cout << l.report_text;
      }
      if (vm.count("stats")) write_stats(vm["stats"].as<std::string>(), result.launches);
      std::cout << "result   " << (result.passed ? "PASS" : "FAIL") << ": " << result.detail
                << "; max abs error " << std::setprecision(3) << result.max_abs_error << "\n";
      passed = passed && result.passed;
      simulated = result.launches;
    }
    if (backend == "both" && simulated.size() == measured.size()) {
      std::cout << "side by side (predicted / measured):\n";
      for (size_t i = 0; i < simulated.size(); ++i)
        std::cout << "  " << simulated[i].kernel << ": " << std::fixed << std::setprecision(2)
                  << simulated[i].seconds * 1e6 << " us / " << measured[i].seconds * 1e6 << " us\n";
      std::cout.unsetf(std::ios::fixed);
    }
    return passed ? 0 : 1;
  } catch (const std::invalid_argument& e) {  // sizes a workload rejects
    std::cerr << "gpusim run: " << e.what() << "\n";
    return 2;
  } catch (const runtime::KernelFault& e) {
    std::cerr << "gpusim run: kernel fault in " << name << ": " << e.what() << "\n";
    return 1;
  } catch (const runtime::Error& e) {
    std::cerr << "gpusim run: device error in " << name << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "gpusim run: " << name << " failed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace gpusim::cli
