// The simulated H100 (configs/h100.ini) the sm_90a workload tests run on, in either mode.
#pragma once

#include <memory>
#include <string>

#include "runtime/sim_device.h"

namespace gpusim::workloads {

inline std::unique_ptr<runtime::Device> h100(runtime::SimMode mode) {
  runtime::SimDeviceOptions o;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
  o.mode = mode;
  return runtime::make_sim_device(o);
}

}  // namespace gpusim::workloads
