#include "sim/sampled_detail.h"

#include <ctime>

namespace gpusim::sim {

double process_cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

double run_ctas_functionally(isa::LaunchState& launch, const isa::FunctionalLimits& limits, uint64_t first,
                             uint64_t end) {
  const double t0 = process_cpu_seconds();
  const isa::Dim3& g = launch.grid;
  for (uint64_t id = first; id < end; ++id) {
    const isa::Dim3 ctaid{static_cast<uint32_t>(id % g.x), static_cast<uint32_t>(id / g.x % g.y),
                          static_cast<uint32_t>(id / (uint64_t(g.x) * g.y))};
    isa::CtaState cta(launch, ctaid);
    isa::run_cta_functional(cta, launch, limits);
  }
  return process_cpu_seconds() - t0;
}

}  // namespace gpusim::sim
