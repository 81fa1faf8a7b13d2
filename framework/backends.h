// Creating backends by name, as the CLI and the tests do: "cpu" (the reference) or "sim" (the
// device backend on a simulated GPU), optionally in verification mode.
#pragma once

#include "framework/device_backend.h"
#include "runtime/sim_device.h"

namespace gpusim::framework {

struct BackendSpec {
  std::string name = "cpu";             // "cpu" or "sim"
  bool verify = false;                  // re-run every device op on the CPU and compare
  runtime::SimDeviceOptions sim;        // for "sim"
};

// Throws FrameworkError for unknown names (listing the known ones).
BackendPtr make_backend(const BackendSpec& spec);
// The DeviceBackend inside `backend` (looking through verification), or null for the CPU.
DeviceBackend* device_backend_of(const BackendPtr& backend);

}  // namespace gpusim::framework
