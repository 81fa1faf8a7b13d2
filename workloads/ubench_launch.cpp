// Launch-path microbenchmarks: the empty kernel (the event-timed cost of a launch that does
// nothing) and the CTA dispatch rate (many empty CTAs against one). They calibrate the launch.*
// configuration keys (validation/calibration_rules.cpp).
#include "workloads/ubench.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads::ubench {

LaunchPathResult measure_empty_kernel(runtime::Device& dev) {
  const runtime::ModuleHandle module = load_embedded_module(dev, "gpu_probe");
  LaunchPathResult r;
  r.stats = dev.launch(module, "probe_empty", {{1, 1, 1}, {32, 1, 1}, 0}, {});
  r.event_us = (r.stats.seconds + r.stats.launch_seconds) * 1e6;
  return r;
}

DispatchResult measure_cta_dispatch(runtime::Device& dev, uint32_t ctas) {
  const runtime::ModuleHandle module = load_embedded_module(dev, "gpu_probe");
  DispatchResult r;
  r.one = dev.launch(module, "probe_empty", {{1, 1, 1}, {32, 1, 1}, 0}, {});
  r.many = dev.launch(module, "probe_empty", {{ctas, 1, 1}, {32, 1, 1}, 0}, {});
  return r;
}

}  // namespace gpusim::workloads::ubench
