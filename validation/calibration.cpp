#include "validation/calibration.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "validation/monotone_fit.h"
#include "workloads/ubench_suite.h"

namespace gpusim::validation {

double measured_stream_copy_gbs(const std::vector<MeasuredUbench>& rows, const std::string& source) {
  for (const MeasuredUbench& r : rows)
    if (r.benchmark == "DRAM streaming copy" && r.unit == "GB/s" && r.value > 0) return r.value;
  throw std::invalid_argument(source + ": no 'DRAM streaming copy' measurement to calibrate DRAM efficiency from");
}

namespace {

// The suite's copy on config_path + overrides with DRAM efficiency `pct`; GB/s of DRAM traffic.
double simulated_copy_gbs(const std::string& config_path, std::vector<std::string> overrides, int pct) {
  overrides.push_back("dram.efficiency_pct=" + std::to_string(pct));
  const sim::GpuConfig config = sim::load_gpu_config(config_path, overrides);
  runtime::SimDeviceOptions options;
  options.config_path = config_path;
  options.overrides = overrides;
  options.mode = runtime::SimMode::Timing;
  std::unique_ptr<runtime::Device> sim = runtime::make_sim_device(options);
  const double gbs = workloads::ubench::measure_suite_stream_copy(*sim, config).per_second() * 1e-9;
  if (!(gbs > 0)) throw std::runtime_error("DRAM calibration: the simulated copy reported no time");
  return gbs;
}

}  // namespace

DramCalibration calibrate_dram_efficiency(const std::string& config_path, std::vector<std::string> overrides,
                                          double measured_gbs) {
  if (!(measured_gbs > 0)) throw std::invalid_argument("DRAM calibration needs a positive measured bandwidth");
  DramCalibration c;
  c.measured_gbs = measured_gbs;
  // The banked channel's copy rate rises with the efficiency but not proportionally (see
  // monotone_fit.h): bracket and interpolate, and keep the best value actually simulated.
  const MonotoneFit fit = fit_monotone_integer(
      [&](int pct) {
        const double gbs = simulated_copy_gbs(config_path, overrides, pct);
        if (pct == 100) c.simulated_gbs_at_100 = gbs;
        return gbs;
      },
      1, 100, measured_gbs, kDramFitTolerance, kDramFitMaxSimulations);
  c.efficiency_pct = fit.value;
  c.simulated_gbs = fit.simulated;
  return c;
}

}  // namespace gpusim::validation
