#include "sim/sampled_detail.h"

#include <ctime>

namespace gpusim::sim {

double process_cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

double run_ctas_functionally(isa::LaunchState& launch, const isa::FunctionalLimits& limits, uint64_t first,
                             uint64_t end, isa::WorkerPool* pool) {
  const double t0 = process_cpu_seconds();
  isa::run_ctas_functional(launch, limits, first, end, pool);
  return process_cpu_seconds() - t0;
}

}  // namespace gpusim::sim
