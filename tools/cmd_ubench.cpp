// `gpusim ubench`: runs the microbenchmarks (workloads/ubench_suite.h) on the simulator in timing
// mode (--backend sim), on the real GPU (cuda) or on both side by side, next to the published
// silicon figures for the chip.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "runtime/cuda_device.h"
#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "sim/output_file.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "tools/device_run_support.h"
#include "validation/csv.h"
#include "validation/gpu_measure.h"
#include "validation/matched_config.h"
#include "validation/ubench_comparison.h"
#include "workloads/ubench_suite.h"

namespace gpusim::cli {
namespace {

namespace po = boost::program_options;

using validation::csv_field;

void print_table(std::ostream& os, const std::vector<workloads::ubench::SuiteRow>& rows) {
  os << std::left << std::setw(36) << "benchmark" << std::right << std::setw(12) << "simulated" << "  "
     << std::left << std::setw(12) << "unit" << std::setw(12) << "published" << std::setw(34) << "source"
     << "note\n";
  for (const auto& r : rows) {
    if (!r.not_run.empty()) {
      os << std::left << std::setw(36) << r.benchmark << std::right << std::setw(12) << "-" << "  " << std::left
         << std::setw(12) << r.unit << std::setw(12) << r.published << std::setw(34) << r.source
         << (r.failed ? "FAILED: " : "not run: ") << r.not_run << "\n";
      continue;
    }
    os << std::left << std::setw(36) << r.benchmark << std::right << std::setw(12) << std::fixed
       << std::setprecision(r.simulated >= 100 ? 0 : 1) << r.simulated << "  " << std::left << std::setw(12) << r.unit
       << std::setw(12) << r.published << std::setw(34) << r.source << r.note << "\n";
  }
}

}  // namespace

int gpusim_cmd_ubench(int argc, char** argv) {
  po::options_description options("gpusim ubench [--config FILE] [--set section.key=value]... [--backend B] [--csv FILE]");
  std::string config_path, csv_path, backend = "sim";
  std::vector<std::string> overrides;
  options.add_options()
      ("help,h", "print this help")
      ("config", po::value(&config_path), "GPU configuration INI file (default: the embedded V100-like chip)")
      ("set", po::value(&overrides)->composing(), "override one key, e.g. --set sm.count=40 (repeatable)")
      ("backend", po::value(&backend), "sim (timing model) | cuda (the real GPU) | both (side by side)")
      ("csv", po::value(&csv_path), "also write the table as CSV to this file")
      ("threads", po::value<std::string>(), kThreadsOptionHelp);
  po::variables_map args;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), args);
    po::notify(args);
  } catch (const po::error& e) {
    std::cerr << "gpusim ubench: " << sim::option_error_text(e) << "\n" << options;
    return 2;
  }
  if (args.count("help")) {
    std::cout << options
              << "\nRuns pointer-chase latencies (clock64 in the kernel, one thread), FFMA and TensorCore\n"
                 "throughput, DRAM streaming and shared-memory bandwidth on the timing model, and prints\n"
                 "them with the published figures (V100 for a V100-named config, H100 for an H100 one;\n"
                 "sources refer to /work/shared/reference/hardware.md).\n"
                 "The DRAM stream values count the bytes the kernel moves, as gpu-stream does on a card; the\n"
                 "note gives the DRAM side (writes the L2 still holds dirty at the end never reached DRAM, so\n"
                 "a write stream over twice the L2 can read above the DRAM peak). A benchmark the configuration\n"
                 "cannot host (too little shared memory, an L2 too small for the L2 chase) is a row saying why;\n"
                 "one that fails is too, and the exit status is then 1.\n";
    return 0;
  }
  unsigned threads = 0;
  try {
    if (args.count("threads")) threads = parse_threads_option(args["threads"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    std::cerr << "gpusim ubench: " << e.what() << "\n";
    return 2;
  }
  sim::GpuConfig config;
  try {
    config = sim::load_gpu_config(config_path, overrides);
  } catch (const sim::GpuConfigError& e) {
    std::cerr << "gpusim ubench: " << e.what() << "\n";
    return 1;
  }
  if (backend != "sim" && backend != "cuda" && backend != "both") {
    std::cerr << "gpusim ubench: --backend '" << backend << "': expected sim, cuda or both\n";
    return 2;
  }
  std::vector<workloads::ubench::SuiteRow> rows, gpu_rows;
  if (backend != "sim") {
    std::unique_ptr<runtime::Device> gpu;
    try {
      gpu = runtime::make_cuda_device();
    } catch (const runtime::Error& e) {
      std::cerr << "gpusim ubench: the GPU backend is unavailable: " << e.what() << "\n";
      return 1;
    }
    const runtime::CudaDeviceInfo& info = *runtime::cuda_device_info(*gpu);
    const validation::GpuIdentity id = validation::identify_gpu(info, validation::measure_sm_clock_mhz(*gpu));
    // Per-SM, per-cycle figures on the GPU use its own SM count and measured clock.
    const sim::GpuConfig matched =
        sim::load_gpu_config(config_path, validation::matched_config_overrides(config, id));
    std::cout << "# gpusim ubench on " << gpu->name() << ", " << id.sm_count << " SMs, measured SM clock "
              << std::fixed << std::setprecision(0) << id.measured_sm_clock_mhz << " MHz\n";
    std::cout.unsetf(std::ios::fixed);
    gpu_rows = validation::measure_ubench_on_gpu(*gpu, matched, info.l2_bytes);
    if (backend == "cuda") print_table(std::cout, gpu_rows);
  }
  if (backend != "cuda") {
    runtime::SimDeviceOptions device_options;
    device_options.config_path = config_path;
    device_options.overrides = overrides;
    device_options.mode = runtime::SimMode::Timing;
    device_options.threads = threads;
    std::unique_ptr<runtime::Device> dev = runtime::make_sim_device(device_options);
    std::cout << "# gpusim ubench on " << config.name << ", timing mode\n";
    workloads::ubench::SuiteOptions suite;
    suite.keep_going = true;  // a benchmark that fails or does not fit the config keeps the others
    rows = workloads::ubench::run_suite(*dev, config, suite);
    if (backend == "sim") print_table(std::cout, rows);
  }
  if (backend == "both") {
    validation::print_ubench_pairs(std::cout, validation::pair_ubench(rows, validation::to_measured(gpu_rows)));
  }
  if (backend == "cuda") rows = gpu_rows;

  if (!csv_path.empty()) {
    std::ostringstream csv;
    csv << "benchmark," << (backend == "cuda" ? "measured" : "simulated") << ",unit,published,source,note\n";
    for (const auto& r : rows) {
      csv << csv_field(r.benchmark) << ",";
      if (r.not_run.empty()) csv << r.simulated;
      csv << "," << csv_field(r.unit) << "," << csv_field(r.published) << "," << csv_field(r.source) << ","
          << csv_field(r.not_run.empty() ? r.note : (r.failed ? "FAILED: " : "not run: ") + r.not_run) << "\n";
    }
    try {
      sim::write_file_completely(csv_path, csv.str());
    } catch (const std::runtime_error& e) {
      std::cerr << "gpusim ubench: --csv: " << e.what() << "\n";
      return 1;
    }
  }
  // The table is out; a benchmark that failed (not one the configuration cannot host) is an error.
  for (const auto& r : rows)
    if (r.failed) {
      std::cerr << "gpusim ubench: " << r.benchmark << " failed: " << r.not_run << "\n";
      return 1;
    }
  return 0;
}

}  // namespace gpusim::cli
