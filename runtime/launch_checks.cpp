#include "runtime/launch_checks.h"

#include <sstream>

namespace gpusim::runtime {

namespace {
std::string dims(const Dim3& d) {
  std::ostringstream os;
  os << "(" << d.x << "," << d.y << "," << d.z << ")";
  return os.str();
}
}  // namespace

void check_launch(const sim::GpuConfig& config, const isa::Function& kernel, const LaunchConfig& launch) {
  const std::string who = "launch of '" + kernel.name + "' with grid " + dims(launch.grid) + " block " +
                          dims(launch.block) + ": ";
  if (launch.grid.x == 0 || launch.grid.y == 0 || launch.grid.z == 0) throw Error(who + "zero grid dimension");
  if (launch.block.x == 0 || launch.block.y == 0 || launch.block.z == 0) throw Error(who + "zero block dimension");
  // Per-dimension limits are the same on every NVIDIA GPU since compute capability 3.0.
  if (launch.block.x > 1024 || launch.block.y > 1024 || launch.block.z > 64)
    throw Error(who + "block dimensions exceed (1024,1024,64)");
  if (launch.grid.x > 0x7fffffffu || launch.grid.y > 65535 || launch.grid.z > 65535)
    throw Error(who + "grid dimensions exceed (2147483647,65535,65535)");
  const uint64_t threads = launch.block.count();
  if (threads > static_cast<uint64_t>(config.max_threads_per_block))
    throw Error(who + "block of " + std::to_string(threads) + " threads exceeds the limit of " +
                std::to_string(config.max_threads_per_block) + " on " + config.name);
  const uint64_t shared = kernel.static_shared_bytes + launch.dynamic_shared_bytes;
  if (shared > static_cast<uint64_t>(config.shared_per_block_max_bytes))
    throw Error(who + "shared memory of " + std::to_string(kernel.static_shared_bytes) + " B static + " +
                std::to_string(launch.dynamic_shared_bytes) + " B dynamic exceeds the per-block limit of " +
                std::to_string(config.shared_per_block_max_bytes) + " B on " + config.name);
  if (kernel.ptxas_registers) {
    if (kernel.ptxas_registers > static_cast<unsigned>(config.max_registers_per_thread))
      throw Error(who + "kernel uses " + std::to_string(kernel.ptxas_registers) + " registers per thread, more than " +
                  std::to_string(config.max_registers_per_thread));
    const uint64_t regs = uint64_t(kernel.ptxas_registers) * ((threads + 31) / 32 * 32);
    if (regs > static_cast<uint64_t>(config.registers_per_block_max))
      throw Error(who + "needs " + std::to_string(regs) + " registers per block, more than the " +
                  std::to_string(config.registers_per_block_max) + " available (too many resources requested)");
  }
}

}  // namespace gpusim::runtime
