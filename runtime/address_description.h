// What lies at a device address that holds no allocation, for the messages of calls that refuse
// it ("just past the end of the 4096-byte allocation at 0x...", "inside ... which was freed",
// "not a device address"), as kernel faults already say for a kernel's accesses.
#pragma once

#include <string>

#include "runtime/device.h"

namespace gpusim::runtime {

// The simulator's description of `addr` (runtime/device_memory.h, describe_miss); "" for a device
// that keeps no such record (a real GPU).
std::string describe_unallocated_address(const Device& device, DevPtr addr);

}  // namespace gpusim::runtime
