#include "sim/bound_class.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace gpusim::sim {

const char* bound_class_name(BoundClass b) {
  switch (b) {
    case BoundClass::Dram: return "dram";
    case BoundClass::L2: return "l2";
    case BoundClass::Shared: return "shared";
    case BoundClass::Fp32: return "fp32";
    case BoundClass::Tensor: return "tensor";
    case BoundClass::Latency: return "latency";
  }
  return "?";
}

BoundClass parse_bound_class(const std::string& name) {
  for (BoundClass b : {BoundClass::Dram, BoundClass::L2, BoundClass::Shared, BoundClass::Fp32, BoundClass::Tensor,
                       BoundClass::Latency})
    if (name == bound_class_name(b)) return b;
  throw std::invalid_argument("'" + name + "' is not a bound class (dram, l2, shared, fp32, tensor, latency)");
}

namespace {
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
}  // namespace

BoundUtilization bound_utilization(const GpuConfig& c, const LaunchTiming& t) {
  BoundUtilization u;
  if (t.seconds <= 0 || t.cycles == 0) return u;
  const double dram_peak = double(c.dram_channels) * c.dram_bus_width_bits / 8.0 * c.dram_transfers_per_clock *
                           c.dram_clock_mhz * 1e6 * c.dram_efficiency_pct / 100.0;
  u.dram = ratio(double(t.memory.dram_read_bytes + t.memory.dram_write_bytes) / t.seconds, dram_peak);
  const double l2_sectors = double(t.memory.l2_read_sector_hits + t.memory.l2_read_sector_misses +
                                   t.memory.l2_write_sectors + t.memory.l2_atomics);
  const double l2_peak = double(c.l2_slices) * c.l2_bytes_per_clock_per_slice * c.l2_clock_mhz * 1e6;
  u.l2 = ratio(l2_sectors * c.l2_sector_bytes / t.seconds, l2_peak);
  // Every SM's shared memory serves one wavefront per cycle; the pipes count busy sub-core cycles.
  const double sm_cycles = double(t.cycles) * std::max(1, t.sms_used);
  u.shared = ratio(double(t.sm_memory.shared_wavefronts), sm_cycles);
  u.fp32 = ratio(double(t.sm.pipe_busy_cycles[static_cast<size_t>(Pipe::Fp32)]), sm_cycles * c.subcores_per_sm);
  u.tensor = ratio(double(t.sm.pipe_busy_cycles[static_cast<size_t>(Pipe::Tensor)]), sm_cycles * c.subcores_per_sm);
  return u;
}

BoundClass classify_bound(const BoundUtilization& u) {
  const std::pair<double, BoundClass> limits[] = {{u.dram, BoundClass::Dram},
                                                  {u.l2, BoundClass::L2},
                                                  {u.shared, BoundClass::Shared},
                                                  {u.fp32, BoundClass::Fp32},
                                                  {u.tensor, BoundClass::Tensor}};
  const auto* busiest = std::max_element(std::begin(limits), std::end(limits),
                                         [](const auto& a, const auto& b) { return a.first < b.first; });
  return busiest->first < kLatencyBoundBelow ? BoundClass::Latency : busiest->second;
}

const char* size_class_name(double kernel_seconds) {
  return kernel_seconds < kSmallKernelBelowSeconds ? "small" : "large";
}

}  // namespace gpusim::sim
