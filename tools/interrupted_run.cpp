#include "tools/interrupted_run.h"

#include <iostream>

#include "runtime/interrupt_signals.h"
#include "runtime/sim_device.h"
#include "sim/interrupt_flag.h"
#include "tools/device_run_support.h"

namespace gpusim::cli {

void catch_interrupts() { runtime::install_interrupt_handlers(runtime::InterruptAction::Flag); }

int pending_interrupt() { return sim::interrupt_signal(); }

int finish_interrupted(const std::string& command, int signal, runtime::Device& sim_device,
                       const boost::program_options::variables_map& vm, const std::vector<runtime::LaunchStats>& finished) {
  std::string where;
  if (vm.count("stats")) {
    const std::string path = vm["stats"].as<std::string>();
    try {
      write_stats(path, finished, /*interrupted=*/true);
      where = "statistics of the " + std::to_string(finished.size()) + " finished launch" +
              (finished.size() == 1 ? "" : "es") + " in " + path;
    } catch (const std::exception& e) {
      std::cerr << "gpusim " << command << ": " << e.what() << "\n";
    }
  }
  if (vm.count("trace") && finish_profiling_files(command, sim_device))
    where += (where.empty() ? "" : ", ") + std::string("trace up to here in ") + vm["trace"].as<std::string>();
  else if (!vm.count("trace"))
    finish_profiling_files(command, sim_device);  // --vcd
  std::cerr << "gpusim " << command << ": " << runtime::interrupted_message(signal) << "; "
            << (where.empty() ? "no partial results asked for (--stats, --trace)" : where) << "\n";
  return 128 + signal;
}

bool finish_profiling_files(const std::string& command, runtime::Device& sim_device) {
  try {
    runtime::finish_profiling(sim_device);
    return true;
  } catch (const std::exception& e) {
    std::cerr << "gpusim " << command << ": " << e.what() << "\n";
    return false;
  }
}

}  // namespace gpusim::cli
