// `gpusim info`: prints the effective GPU configuration and the peaks it implies; optionally the
// occupancy of a hypothetical kernel on it.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "sim/gpu_config.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "sim/occupancy.h"

namespace gpusim::cli {

namespace po = boost::program_options;

int gpusim_cmd_info(int argc, char** argv) {
  po::options_description options("gpusim info [--config FILE] [--set section.key=value]... [options]");
  std::string config_path;
  std::vector<std::string> overrides;
  sim::KernelResources kernel;
  options.add_options()
      ("help,h", "print this help and every configuration key with its default, unit and meaning")
      ("config", po::value(&config_path), "GPU configuration INI file (default: the embedded V100-like chip)")
      ("set", po::value(&overrides)->composing(), "override one key, e.g. --set sm.count=40 (repeatable)")
      ("block", po::value(&kernel.threads_per_block), "also show the occupancy of a kernel with this many threads per block")
      ("regs", po::value(&kernel.registers_per_thread)->default_value(32), "  ... and this many registers per thread")
      ("smem", po::value(&kernel.static_shared_bytes)->default_value(0), "  ... and this much shared memory per block [bytes]");
  po::variables_map args;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), args);
    po::notify(args);
  } catch (const po::error& e) {
    std::cerr << "gpusim info: " << sim::option_error_text(e) << "\n" << options;
    return 2;
  }
  if (args.count("help")) {
    std::cout << options << "\n" << sim::gpu_config_help();
    return 0;
  }
  try {
    sim::GpuConfig config = sim::load_gpu_config(config_path, overrides);
    std::cout << "# Effective GPU configuration" << (config_path.empty() ? " (embedded default)" : " from " + config_path)
              << "\n"
              << sim::describe(config) << "\n# Peaks\n"
              << sim::describe_peaks(config);
    if (args.count("block")) {
      sim::LaunchDims block = {uint32_t(std::max(kernel.threads_per_block, 0)), 1, 1};
      if (auto problem = sim::validate_launch(config, {1, 1, 1}, block, kernel)) {
        std::cerr << "gpusim info: this kernel cannot launch: " << *problem << "\n";
        return 1;
      }
      std::cout << "\n# Occupancy of " << kernel.threads_per_block << " threads x " << kernel.registers_per_thread
                << " registers, " << kernel.static_shared_bytes << " B shared per block\n"
                << sim::describe(sim::compute_occupancy(config, kernel));
    }
  } catch (const sim::GpuConfigError& e) {
    std::cerr << "gpusim info: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace gpusim::cli
