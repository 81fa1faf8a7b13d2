// Dynamic parallelism on the simulated device: runs a host launch's grid, then the grids it
// launched from the device, depth first (isa/device_launch_queue.h gives the order among one
// grid's children). Every grid of the tree runs through the device's ordinary launch path (its
// own functional or timed launch); the host's launch returns once the whole tree has run, as
// CUDA's rule that a parent grid completes only after its children requires.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "isa/device_launch_queue.h"
#include "runtime/device.h"

namespace gpusim::runtime {

// Runs one grid with `queue` as the launch queue its device-side calls reach.
using GridRunner = std::function<LaunchStats(const isa::Function& kernel, const LaunchConfig& cfg,
                                             std::vector<uint8_t> params, isa::DeviceLaunchQueue& queue)>;

// Runs `kernel` (depth 0) and all grids launched below it. The host grid's stats come back with
// every device-side launch in `device_launches`, in the order they ran. Launch errors returned
// to device code go to `diagnostic` (one line each). A fault in a child grid throws KernelFault
// naming the child, its depth and the thread that launched it.
LaunchStats run_grid_tree(isa::CdpEnvironment& env, const isa::Module& module, const isa::Function& kernel,
                          const LaunchConfig& cfg, std::vector<uint8_t> params, const GridRunner& run,
                          const std::function<void(const std::string&)>& diagnostic);

}  // namespace gpusim::runtime
