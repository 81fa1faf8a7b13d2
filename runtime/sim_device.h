// The simulated device: runs the PTX in the isa/ executor (functional mode) or, once the timing
// model is attached, on the cycle-level GPU model.
#pragma once

#include <memory>
#include <string>

#include "runtime/device.h"

namespace gpusim::runtime {

enum class SimMode { Functional, Timing };

struct SimDeviceOptions {
  std::string config_path;              // INI file; empty = the embedded default configuration
  std::vector<std::string> overrides;   // "key=value", as --set on the command line
  SimMode mode = SimMode::Functional;
};

std::unique_ptr<Device> make_sim_device(const SimDeviceOptions& options = {});

}  // namespace gpusim::runtime
