// Occupancy: how many thread blocks (CTAs) of a kernel fit on one SM at once, and which resource
// runs out first; plus the launch checks a CUDA user expects before anything runs.
//
// The rules follow the CUDA occupancy calculator (cuda_occupancy.h): registers are allocated per
// warp in `registers.alloc_granularity` units and separately in each sub-core; shared memory per
// block (static + dynamic + the driver's reservation) is rounded up to
// `shared.alloc_granularity_bytes`; the default carve-out preference offers the largest shared
// size for occupancy, and the carve-out actually chosen is the smallest that holds the resident
// blocks (the rest of the unified array stays L1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "sim/gpu_config.h"

namespace gpusim::sim {

struct KernelResources {
  int threads_per_block = 0;
  int registers_per_thread = 0;    // from ptxas for the config's sm_arch
  int static_shared_bytes = 0;     // .shared variables in the PTX
  int dynamic_shared_bytes = 0;    // the launch's dynamic shared memory
};

enum class OccupancyLimiter { Threads, Warps, CtaSlots, Registers, SharedMemory };
inline constexpr int kOccupancyLimiterCount = 5;
const char* limiter_name(OccupancyLimiter limiter);  // "threads", "warps", "CTA slots", ...

struct Occupancy {
  int ctas_per_sm = 0;             // 0: the block cannot run on this GPU at all
  OccupancyLimiter limiter = OccupancyLimiter::Threads;  // the first resource (in enum order) at the minimum
  // CTAs per SM each resource alone would allow (INT32_MAX when it does not limit).
  std::array<int, kOccupancyLimiterCount> limit_by{};
  int warps_per_cta = 0;
  int active_warps_per_sm = 0;
  double occupancy = 0.0;          // active warps / max warps per SM
  int registers_per_cta = 0;       // as allocated (granularity applied)
  int shared_per_cta_bytes = 0;    // as allocated (reservation and granularity applied)
  int shared_carveout_bytes = 0;   // shared part of the unified L1/shared array the SM uses

  int limit(OccupancyLimiter which) const { return limit_by[static_cast<int>(which)]; }
};

Occupancy compute_occupancy(const GpuConfig& config, const KernelResources& kernel);

// One line per limit, e.g. "registers: 2 CTAs/SM (64 regs x 32 threads = 2048 per warp)".
std::string describe(const Occupancy& occupancy);

using LaunchDims = std::array<uint32_t, 3>;

// Checks a launch as the CUDA runtime would before running it. Returns the first problem as a
// message ("block of 1025 threads exceeds the limit of 1024", ...), or nothing when it can run.
// `kernel.threads_per_block` is ignored; it comes from `block`.
std::optional<std::string> validate_launch(const GpuConfig& config, const LaunchDims& grid, const LaunchDims& block,
                                           const KernelResources& kernel);

}  // namespace gpusim::sim
