// Which roof a simulated launch ran against: the utilisation of each throughput limit (DRAM, L2,
// shared-memory wavefronts, the FP32 and tensor pipes) over the launch, and the kernel's class —
// the busiest of them, or "latency" when none is busy enough to be the limit. Predictions carry
// an expected error per class and size (sim/prediction_error.h), since the model's error differs
// by what bounds a kernel.
#pragma once

#include <string>

#include "sim/gpu_config.h"
#include "sim/gpu_model.h"

namespace gpusim::sim {

enum class BoundClass { Dram, L2, Shared, Fp32, Tensor, Latency };
const char* bound_class_name(BoundClass b);  // "dram", "l2", "shared", "fp32", "tensor", "latency"
// Throws std::invalid_argument on an unknown name.
BoundClass parse_bound_class(const std::string& name);

struct BoundUtilization {
  double dram = 0, l2 = 0, shared = 0, fp32 = 0, tensor = 0;  // 0..1 of each limit, whole launch
};

// Below this utilisation of its busiest limit a kernel is latency-bound (waiting, not streaming).
inline constexpr double kLatencyBoundBelow = 0.4;

BoundUtilization bound_utilization(const GpuConfig& config, const LaunchTiming& t);
BoundClass classify_bound(const BoundUtilization& u);

// Size bucket of a prediction by its kernel time: "small" kernels (below 10 us) are dominated by
// the launch path and CTA ramp-up, "large" ones by their steady state.
inline constexpr double kSmallKernelBelowSeconds = 10e-6;
const char* size_class_name(double kernel_seconds);

}  // namespace gpusim::sim
