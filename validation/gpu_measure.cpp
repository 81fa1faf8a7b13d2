#include "validation/gpu_measure.h"

#include <algorithm>
#include <stdexcept>

#include "validation/timed_launch_device.h"
#include "workloads/workload_support.h"

namespace gpusim::validation {
namespace {

// Twice the L2, so a write pass over it leaves none of a workload's lines behind.
size_t flush_bytes_for(long long l2_bytes) { return size_t(std::max<long long>(l2_bytes, 1 << 20)) * 2; }

}  // namespace

double measure_launch_overhead_us(runtime::Device& gpu, int repetitions) {
  const runtime::ModuleHandle m = workloads::load_embedded_module(gpu, "gpu_probe");
  TimedLaunchDevice timed(gpu, {5, repetitions, 0});
  const runtime::LaunchStats s = timed.launch(m, "probe_empty", {{1, 1, 1}, {32, 1, 1}, 0}, {});
  return s.seconds * 1e6;
}

double measure_sm_clock_mhz(runtime::Device& gpu, double spin_ms) {
  const runtime::ModuleHandle m = workloads::load_embedded_module(gpu, "gpu_probe");
  workloads::DeviceBuffer out(gpu, 2 * sizeof(uint64_t));
  const uint64_t spin_ns = uint64_t(spin_ms * 1e6);
  std::vector<double> mhz;
  for (int i = 0; i < 3; ++i) {
    gpu.launch(m, "probe_sm_clock", {{1, 1, 1}, {1, 1, 1}, 0}, runtime::args(out.ptr(), spin_ns));
    const std::vector<uint64_t> r = out.download<uint64_t>();
    if (r[0] < spin_ns || r[1] == 0)
      throw std::runtime_error("probe_sm_clock: the spin measured " + std::to_string(r[0]) + " ns and " +
                               std::to_string(r[1]) + " cycles for a " + std::to_string(spin_ns) + " ns spin");
    mhz.push_back(double(r[1]) * 1e3 / double(r[0]));
  }
  return median(mhz);
}

GpuIdentity identify_gpu(const runtime::CudaDeviceInfo& info, double measured_sm_clock_mhz) {
  GpuIdentity g;
  g.name = info.name;
  g.compute_capability = info.compute_capability();
  g.sm_count = info.sm_count;
  g.sm_clock_mhz = info.core_clock_khz / 1000;
  g.measured_sm_clock_mhz = measured_sm_clock_mhz;
  g.memory_clock_mhz = info.memory_clock_khz / 1000;
  g.memory_bus_bits = info.memory_bus_width_bits;
  g.l2_bytes = info.l2_bytes;
  g.driver = nvidia_kernel_module_version();
  g.cuda_version = info.driver_version_text();
  g.date = utc_timestamp();
  return g;
}

WorkloadMeasurement measure_workload(runtime::Device& gpu, long long l2_bytes, const workloads::Workload& workload,
                                     const workloads::WorkloadParams& params, const MeasureOptions& options,
                                     double launch_overhead_us) {
  if (options.warmup < 0 || options.repetitions < 1)
    throw std::invalid_argument("measurement needs warm-up >= 0 and repetitions >= 1");
  TimedLaunchDevice timed(gpu, {0, 1, flush_bytes_for(l2_bytes)});
  WorkloadMeasurement m;
  m.verified = true;
  std::vector<runtime::LaunchStats> first_launches;
  std::vector<std::vector<double>> seconds;  // [launch][timed run]
  for (int run = 0; run < options.warmup + options.repetitions; ++run) {
    const workloads::WorkloadResult r = workload.run(timed, params);
    if (!r.passed && m.verified) {
      m.verified = false;
      m.detail = "run " + std::to_string(run + 1) + ": " + r.detail;
    }
    if (run == 0) {
      first_launches = r.launches;
      seconds.resize(r.launches.size());
      if (m.verified) m.detail = r.detail;
    } else if (r.launches.size() != first_launches.size()) {
      throw std::runtime_error(workload.name() + ": run " + std::to_string(run + 1) + " made " +
                               std::to_string(r.launches.size()) + " launches, the first run " +
                               std::to_string(first_launches.size()));
    }
    if (run < options.warmup) continue;
    for (size_t i = 0; i < r.launches.size(); ++i) seconds[i].push_back(r.launches[i].seconds);
  }
  const std::vector<uint64_t> size = params.size.empty() ? workload.default_size() : params.size;
  for (size_t i = 0; i < first_launches.size(); ++i) {
    MeasuredKernel k;
    k.workload = workload.name();
    k.size = workloads::format_size(size);
    k.seed = params.seed;
    k.launch = int(i);
    k.kernel = first_launches[i].kernel;
    k.ctas = first_launches[i].ctas;
    k.warmup = options.warmup;
    k.repetitions = options.repetitions;
    k.median_us = median(seconds[i]) * 1e6;
    k.min_us = *std::min_element(seconds[i].begin(), seconds[i].end()) * 1e6;
    k.max_us = *std::max_element(seconds[i].begin(), seconds[i].end()) * 1e6;
    k.launch_overhead_us = launch_overhead_us;
    k.verified = m.verified;
    m.kernels.push_back(k);
  }
  return m;
}

}  // namespace gpusim::validation
