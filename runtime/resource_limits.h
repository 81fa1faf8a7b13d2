// Resource limits as policy, in one place: how much host memory a simulation may use, and how
// much simulated work one kernel launch may cost, before it is refused with a message that names
// the need, the limit and how to raise it. The workloads' inputs, their simulated device copies
// and CPU references all live in host memory, and the simulator executes about a million
// warp-instructions a second, so sizes that do not fit are refused up front instead of running
// until std::bad_alloc or for hours.
//
// Sources of the limits, strongest first: set_* (the CLI's --max-host-memory and
// --max-launch-work), the environment (GPUSIM_MAX_HOST_MEMORY, GPUSIM_MAX_LAUNCH_WORK), the
// defaults (half the physical memory; kDefaultLaunchWork).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace gpusim::runtime {

// A request over a limit. Derives from std::runtime_error, so every command's existing error
// handling prints it and exits 1.
class ResourceLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Estimated warp-instructions one launch may need: about 4 minutes of functional simulation at
// the measured 1M warp-instructions/s (20 in timing mode); the runs this project ships need
// under 2^22.
inline constexpr uint64_t kDefaultLaunchWork = uint64_t(1) << 28;

// Physical memory (sysconf), 0 when unknown.
uint64_t physical_memory_bytes();

// "512M", "8G", "8GiB", "1.5T", "4096" (bytes). Throws std::invalid_argument.
uint64_t parse_memory_size(const std::string& text);
// 12884901888 -> "12.0 GiB (12884901888 bytes)"; 147456 -> "144.0 KiB (147456 bytes)".
std::string memory_size_text(uint64_t bytes);

// The host memory a simulation may use (bytes).
uint64_t host_memory_limit();
void set_host_memory_limit(uint64_t bytes);
// The limit when one was given (set_host_memory_limit, GPUSIM_MAX_HOST_MEMORY), else 0. A given
// limit also bounds the simulated device's memory (device_memory_capacity): device allocations
// live in host memory, committed as they are touched, so only an allocation bound keeps a program
// that fills its buffers within the limit. The default (half the physical memory) does not: a
// program may reserve far more device memory than it touches, as pools do.
uint64_t given_host_memory_limit();
// Throws ResourceLimitError when `bytes` (what `what` needs in all) exceed the limit, e.g.
// require_host_memory(n * 4 * 3, "vecadd 1000000000: a, b, c on the host and on the device").
void require_host_memory(uint64_t bytes, const std::string& what);

// The estimated warp-instructions one launch may need.
uint64_t launch_work_limit();
void set_launch_work_limit(uint64_t warp_instructions);
// Throws ResourceLimitError when `warp_instructions` (estimated for `what`) exceed the budget.
void require_launch_work(uint64_t warp_instructions, const std::string& what);

}  // namespace gpusim::runtime
