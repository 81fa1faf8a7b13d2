// Host memory the simulated device reaches at the host's own address: what both CUDA libraries
// give out as page-locked (pinned, mapped) and managed memory. Each allocation is a fresh range
// of its own, reserved lazily (MAP_NORESERVE) at page granularity and placed far from the
// device's addresses, then mapped into the device (Device::map_host_memory), so host code and
// kernels read and write the same bytes without copies.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/device.h"

namespace gpusim::runtime {

struct HostMappedRange {
  void* address = nullptr;
  size_t span = 0;  // bytes reserved (what release_host_mapped unmaps)
};

// Reserves `bytes` (at least one page) at the first free address at or after `next_address`,
// which moves past it and a guard gap, and maps it into `device`. Throws OutOfMemory when no
// range can be had, or Error when the device refuses the mapping.
HostMappedRange allocate_host_mapped(Device& device, size_t bytes, uint64_t& next_address);

// Unmaps the range from `device` and returns its pages to the system.
void release_host_mapped(Device& device, const HostMappedRange& range);

}  // namespace gpusim::runtime
