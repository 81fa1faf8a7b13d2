// Creating backends by name, as the CLI and the tests do: "cpu" (the reference), "sim" (the
// device backend on a simulated GPU) or "gpu" (the same kernels on a real GPU through the CUDA
// driver), the device ones optionally in verification mode.
#pragma once

#include "framework/device_backend.h"
#include "runtime/sim_device.h"

namespace gpusim::framework {

struct BackendSpec {
  std::string name = "cpu";             // "cpu", "sim" or "gpu"
  bool verify = false;                  // re-run every device op on the CPU and compare
  runtime::SimDeviceOptions sim;        // for "sim"
  int gpu_ordinal = 0;                  // for "gpu"
};

// Throws FrameworkError for unknown names (listing the known ones).
BackendPtr make_backend(const BackendSpec& spec);
// The DeviceBackend inside `backend` (looking through verification), or null for the CPU.
DeviceBackend* device_backend_of(const BackendPtr& backend);

}  // namespace gpusim::framework
