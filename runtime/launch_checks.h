// Launch-configuration checks, with the messages a CUDA user expects
// (cudaErrorInvalidConfiguration and friends), against the simulated GPU's limits.
#pragma once

#include "isa/ir.h"
#include "runtime/device.h"
#include "sim/gpu_config.h"

namespace gpusim::runtime {

// Throws Error when the launch can never run on `config`.
void check_launch(const sim::GpuConfig& config, const isa::Function& kernel, const LaunchConfig& launch);

}  // namespace gpusim::runtime
