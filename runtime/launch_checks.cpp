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
}

}  // namespace gpusim::runtime
