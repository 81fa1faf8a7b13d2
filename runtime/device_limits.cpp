// Device limits: names, and the default for devices that cannot change them.
#include "runtime/device.h"

namespace gpusim::runtime {

const char* device_limit_name(DeviceLimit limit) {
  switch (limit) {
    case DeviceLimit::StackSize: return "stack size";
    case DeviceLimit::PrintfFifoSize: return "printf FIFO size";
    case DeviceLimit::MallocHeapSize: return "malloc heap size";
    case DeviceLimit::DevRuntimePendingLaunchCount: return "device runtime pending launch count";
  }
  return "unknown limit";
}

void Device::set_limit(DeviceLimit limit, uint64_t) {
  throw Error(name() + ": setting the " + std::string(device_limit_name(limit)) + " is not supported");
}

uint64_t Device::get_limit(DeviceLimit limit) {
  throw Error(name() + ": reading the " + std::string(device_limit_name(limit)) + " is not supported");
}

}  // namespace gpusim::runtime
