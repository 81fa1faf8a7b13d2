#include "runtime/launch_checks.h"

#include <sstream>

#include "sim/occupancy.h"

namespace gpusim::runtime {

void check_launch(const sim::GpuConfig& config, const isa::Function& kernel, const LaunchConfig& launch) {
  sim::KernelResources res;
  res.registers_per_thread = static_cast<int>(kernel.ptxas_registers);  // 0 when ptxas was not consulted
  res.static_shared_bytes = static_cast<int>(kernel.static_shared_bytes);
  res.dynamic_shared_bytes = static_cast<int>(launch.dynamic_shared_bytes);
  const sim::LaunchDims grid{launch.grid.x, launch.grid.y, launch.grid.z};
  const sim::LaunchDims block{launch.block.x, launch.block.y, launch.block.z};
  if (auto problem = sim::validate_launch(config, grid, block, res)) {
    std::ostringstream os;
    os << "launch of '" << kernel.name << "' with grid (" << grid[0] << "," << grid[1] << "," << grid[2] << ") block ("
       << block[0] << "," << block[1] << "," << block[2] << ") on " << config.name << ": " << *problem;
    throw Error(os.str());
  }
  if (launch.cooperative) {
    res.threads_per_block = static_cast<int>(launch.block.count());
    const sim::Occupancy occ = sim::compute_occupancy(config, res);
    const uint64_t resident = uint64_t(occ.ctas_per_sm) * uint64_t(config.num_sms);
    if (launch.grid.count() > resident) {
      std::ostringstream os;
      os << "cooperative launch of '" << kernel.name << "' with grid (" << grid[0] << "," << grid[1] << ","
         << grid[2] << ") = " << launch.grid.count() << " CTAs on " << config.name
         << ": cudaErrorCooperativeLaunchTooLarge (too many blocks in cooperative launch): at most " << resident
         << " CTAs can be resident at once (" << occ.ctas_per_sm << " per SM x " << config.num_sms << " SMs)";
      throw Error(os.str());
    }
  }
}

}  // namespace gpusim::runtime
