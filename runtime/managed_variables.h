// Where a module's __managed__ variables live on the simulated device. CUDA gives such a variable
// one address that host code and kernels share (unified memory): a program passes `&var` to a
// kernel, cudaMemsets it, reads it on the host after a synchronize. The device therefore places
// the variables outside the module's .global block, in host memory it maps (as managed memory from
// cudaMallocManaged is), so every path reaches the same bytes without copies.
#pragma once

#include <cstdint>

#include "isa/ir.h"
#include "runtime/device.h"
#include "runtime/host_mapped_memory.h"

namespace gpusim::runtime {

// Lays out the module-scope managed variables of `m` (each at its alignment) in one host range
// mapped into `device`, sets their Symbol::placed_address and copies their initial values there.
// Returns the range to release with the module (address nullptr when the module has none). The
// range is taken at or after `next_address` (deterministic addresses: the timing model's caches
// see the same lines on every run); throws OutOfMemory / Error as allocate_host_mapped does.
HostMappedRange place_managed_variables(Device& device, isa::Module& m, uint64_t& next_address);

}  // namespace gpusim::runtime
