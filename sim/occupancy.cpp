// Occupancy and launch validation (rules described in occupancy.h).
#include "sim/occupancy.h"

#include <algorithm>
#include <climits>
#include <sstream>

namespace gpusim::sim {

namespace {

constexpr int kUnlimited = INT_MAX;
// CUDA's block and grid dimension limits, the same on every architecture since cc 3.0.
constexpr LaunchDims kMaxBlockDims = {1024, 1024, 64};
constexpr LaunchDims kMaxGridDims = {2147483647u, 65535u, 65535u};

long long round_up(long long value, long long granularity) {
  return (value + granularity - 1) / granularity * granularity;
}

int registers_per_warp(const GpuConfig& c, int registers_per_thread) {
  return int(round_up(1LL * registers_per_thread * kWarpSize, c.register_alloc_granularity));
}

int shared_per_cta(const GpuConfig& c, const KernelResources& k) {
  long long total = 1LL * k.static_shared_bytes + k.dynamic_shared_bytes + c.shared_reserved_per_block_bytes;
  return int(round_up(total, c.shared_alloc_granularity_bytes));
}

// Registers the hardware's per-block check assumes: the CTA's warps rounded up to a multiple of
// the sub-core count, because it assumes every sub-core allocates at once.
long long registers_checked_per_cta(const GpuConfig& c, int registers_per_thread, int warps_per_cta) {
  return 1LL * registers_per_warp(c, registers_per_thread) * round_up(warps_per_cta, c.subcores_per_sm);
}

std::string dims_text(const LaunchDims& d) {
  return std::to_string(d[0]) + " x " + std::to_string(d[1]) + " x " + std::to_string(d[2]);
}

}  // namespace

const char* limiter_name(OccupancyLimiter limiter) {
  switch (limiter) {
    case OccupancyLimiter::Threads: return "threads";
    case OccupancyLimiter::Warps: return "warps";
    case OccupancyLimiter::CtaSlots: return "CTA slots";
    case OccupancyLimiter::Registers: return "registers";
    case OccupancyLimiter::SharedMemory: return "shared memory";
  }
  return "?";
}

Occupancy compute_occupancy(const GpuConfig& c, const KernelResources& k) {
  Occupancy o;
  if (k.threads_per_block <= 0) return o;
  o.warps_per_cta = (k.threads_per_block + kWarpSize - 1) / kWarpSize;
  auto set = [&](OccupancyLimiter which, int ctas) { o.limit_by[static_cast<int>(which)] = ctas; };

  bool block_fits = k.threads_per_block <= c.max_threads_per_block;
  // Threads are handed out a whole warp at a time.
  set(OccupancyLimiter::Threads, block_fits ? c.max_threads_per_sm / (o.warps_per_cta * kWarpSize) : 0);
  set(OccupancyLimiter::Warps, block_fits ? c.max_warps_per_sm() / o.warps_per_cta : 0);
  set(OccupancyLimiter::CtaSlots, c.max_ctas_per_sm);

  int per_warp = registers_per_warp(c, k.registers_per_thread);
  o.registers_per_cta = per_warp * o.warps_per_cta;
  if (k.registers_per_thread > c.max_registers_per_thread || o.registers_per_cta > c.registers_per_block_max ||
      registers_checked_per_cta(c, k.registers_per_thread, o.warps_per_cta) > c.registers_per_block_max) {
    set(OccupancyLimiter::Registers, 0);
  } else if (per_warp == 0) {
    set(OccupancyLimiter::Registers, kUnlimited);
  } else {
    // Each sub-core has its own slice of the register file; a warp's registers live in one.
    int warps_per_subcore = c.registers_per_sm / c.subcores_per_sm / per_warp;
    set(OccupancyLimiter::Registers, warps_per_subcore * c.subcores_per_sm / o.warps_per_cta);
  }

  o.shared_per_cta_bytes = shared_per_cta(c, k);
  if (1LL * k.static_shared_bytes + k.dynamic_shared_bytes > c.shared_per_block_max_bytes)
    set(OccupancyLimiter::SharedMemory, 0);
  else if (o.shared_per_cta_bytes == 0)
    set(OccupancyLimiter::SharedMemory, kUnlimited);
  else
    set(OccupancyLimiter::SharedMemory, c.shared_per_sm_max_bytes / o.shared_per_cta_bytes);

  auto smallest = std::min_element(o.limit_by.begin(), o.limit_by.end());
  o.ctas_per_sm = *smallest;
  o.limiter = static_cast<OccupancyLimiter>(smallest - o.limit_by.begin());
  o.active_warps_per_sm = o.ctas_per_sm * o.warps_per_cta;
  o.occupancy = double(o.active_warps_per_sm) / c.resident_warps_per_sm();
  o.shared_carveout_bytes = o.ctas_per_sm > 0 ? c.carveout_for(o.ctas_per_sm * o.shared_per_cta_bytes) : 0;
  return o;
}

std::string describe(const Occupancy& o) {
  std::ostringstream out;
  out << o.ctas_per_sm << " CTAs/SM (" << o.active_warps_per_sm << " warps, " << int(o.occupancy * 100 + 0.5)
      << "% occupancy), limited by " << limiter_name(o.limiter) << "\n";
  for (int i = 0; i < kOccupancyLimiterCount; ++i) {
    out << "  " << limiter_name(static_cast<OccupancyLimiter>(i)) << ": ";
    if (o.limit_by[i] == kUnlimited) out << "no limit\n";
    else out << o.limit_by[i] << " CTAs/SM\n";
  }
  out << "  registers per CTA: " << o.registers_per_cta << ", shared per CTA: " << o.shared_per_cta_bytes
      << " B, shared carve-out: " << o.shared_carveout_bytes << " B\n";
  return out.str();
}

std::optional<std::string> validate_launch(const GpuConfig& c, const LaunchDims& grid, const LaunchDims& block,
                                           const KernelResources& kernel) {
  const char* axis = "xyz";
  for (int i = 0; i < 3; ++i)
    if (grid[i] == 0) return "zero grid dimension (grid = " + dims_text(grid) + ")";
  for (int i = 0; i < 3; ++i)
    if (block[i] == 0) return "zero block dimension (block = " + dims_text(block) + ")";
  unsigned long long threads = 1ULL * block[0] * block[1] * block[2];
  if (threads > unsigned(c.max_threads_per_block))
    return "block of " + std::to_string(threads) + " threads exceeds the limit of " +
           std::to_string(c.max_threads_per_block) + " on " + c.name;
  for (int i = 0; i < 3; ++i) {
    if (grid[i] > kMaxGridDims[i])
      return "grid dimension " + std::string(1, axis[i]) + " = " + std::to_string(grid[i]) + " exceeds the limit of " +
             std::to_string(kMaxGridDims[i]);
    if (block[i] > kMaxBlockDims[i])
      return "block dimension " + std::string(1, axis[i]) + " = " + std::to_string(block[i]) +
             " exceeds the limit of " + std::to_string(kMaxBlockDims[i]);
  }
  if (kernel.registers_per_thread < 0)
    return "negative register count " + std::to_string(kernel.registers_per_thread);
  if (kernel.registers_per_thread > c.max_registers_per_thread)
    return "kernel needs " + std::to_string(kernel.registers_per_thread) + " registers per thread, more than " +
           std::to_string(c.max_registers_per_thread);
  if (kernel.dynamic_shared_bytes < 0 || kernel.static_shared_bytes < 0)
    return "negative shared memory size (static " + std::to_string(kernel.static_shared_bytes) + " B, dynamic " +
           std::to_string(kernel.dynamic_shared_bytes) + " B)";
  if (1LL * kernel.dynamic_shared_bytes + kernel.static_shared_bytes > c.shared_per_block_max_bytes)
    return "dynamic shared memory " + std::to_string(kernel.dynamic_shared_bytes) + " B + static " +
           std::to_string(kernel.static_shared_bytes) + " B exceeds the per-block limit of " +
           std::to_string(c.shared_per_block_max_bytes) + " B on " + c.name;

  KernelResources k = kernel;
  k.threads_per_block = int(threads);
  Occupancy o = compute_occupancy(c, k);
  int warps = o.warps_per_cta;
  long long checked = registers_checked_per_cta(c, k.registers_per_thread, warps);
  if (o.limit(OccupancyLimiter::Registers) == 0)
    return "too many resources requested for launch: " + std::to_string(threads) + " threads x " +
           std::to_string(k.registers_per_thread) + " registers need " + std::to_string(checked) +
           " registers (allocated per warp in units of " + std::to_string(c.register_alloc_granularity) +
           "), more than the per-block limit of " + std::to_string(c.registers_per_block_max) + " on " + c.name;
  if (o.ctas_per_sm == 0)
    return "too many resources requested for launch: the block cannot fit on one SM (limited by " +
           std::string(limiter_name(o.limiter)) + ") on " + c.name;
  return std::nullopt;
}

}  // namespace gpusim::sim
