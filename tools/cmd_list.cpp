// `gpusim list`: the workloads with their descriptions and size syntax; with --kernels, also the
// embedded kernels and their ptxas resource usage per architecture.
#include <boost/program_options.hpp>
#include <iomanip>
#include <iostream>

#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "workloads/embedded_ptx.h"
#include "workloads/workload.h"

namespace gpusim::cli {
namespace po = boost::program_options;

namespace {

void print_workloads(std::ostream& os) {
  os << "workloads (gpusim run <workload> [--size SIZE]):\n";
  for (const auto& w : workloads::all_workloads()) {
    os << "  " << std::left << std::setw(20) << w->name() << w->description() << "\n"
       << "  " << std::setw(20) << "" << "size: " << w->size_help() << "\n";
    if (w->required_sm() != 0)
      os << "  " << std::setw(20) << "" << "needs: sm_" << w->required_sm() << " (Hopper; e.g. --config configs/h100.ini)\n";
  }
}

void print_kernels(std::ostream& os) {
  os << "\nembedded kernels (ptxas -v per architecture):\n";
  os << "  " << std::left << std::setw(20) << "kernel" << std::setw(8) << "arch" << std::right << std::setw(6)
     << "regs" << std::setw(8) << "smem" << std::setw(7) << "stack" << std::setw(7) << "spill"
     << "  source\n";
  for (const auto& e : workloads::embedded_ptx())
    for (const auto& r : e.resources)
      os << "  " << std::left << std::setw(20) << r.kernel << std::setw(8) << r.arch << std::right << std::setw(6)
         << r.registers << std::setw(8) << r.static_shared << std::setw(7) << r.stack_bytes << std::setw(7)
         << r.spill_bytes << "  " << e.source_path << "\n";
}

}  // namespace

int gpusim_cmd_list(int argc, char** argv) {
  po::options_description opts("gpusim list options");
  opts.add_options()("help,h", "show this help")(
      "kernels", "also list the embedded kernels with their registers, static shared memory, stack and spills");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gpusim list: " << sim::option_error_text(e) << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "usage: gpusim list [--kernels]\n\n" << opts;
    return 0;
  }
  print_workloads(std::cout);
  if (vm.count("kernels")) print_kernels(std::cout);
  return 0;
}

}  // namespace gpusim::cli
