#include "validation/calibration_report.h"

#include <algorithm>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "sim/gpu_config.h"
#include "workloads/ubench_suite.h"

namespace gpusim::validation {

void print_calibration(std::ostream& os, const CalibrationResult& result) {
  os << "# calibrated from microbenchmarks only (whole kernels are the check, never a target)\n";
  os << std::left << std::setw(38) << "# parameter = value" << std::setw(36) << "microbenchmark" << std::right
     << std::setw(11) << "measured" << std::setw(11) << "before" << std::setw(11) << "after" << "  unit\n";
  for (const FittedParameter& p : result.fitted) {
    os << std::left << std::setw(38) << ("# " + p.override_text()) << std::setw(36) << p.benchmark << std::right
       << std::fixed << std::setprecision(2) << std::setw(11) << p.measured << std::setw(11) << p.simulated_before
       << std::setw(11) << p.simulated_after << "  " << p.unit << "\n";
  }
  os.unsetf(std::ios::fixed);
  for (const std::string& s : result.skipped) os << "# not calibrated: " << s << "\n";
}

std::string fitted_config_ini(const std::string& config_path, const std::vector<std::string>& overrides,
                              const CalibrationResult& result, const std::string& fitted_from) {
  std::ostringstream os;
  os << "# Fitted by gpusim compare --calibrate from the microbenchmarks of " << fitted_from << "\n"
     << "# (validation/calibration_rules.h; base configuration " << config_path << "):\n";
  for (const FittedParameter& p : result.fitted)
    os << "#   " << p.override_text() << "  <- " << p.benchmark << " (" << p.measured << " " << p.unit << ")\n";
  for (const std::string& s : result.skipped) os << "#   not calibrated: " << s << "\n";
  os << sim::describe(sim::load_gpu_config(config_path, overrides));
  return os.str();
}

std::vector<MeasuredUbench> with_empty_kernel(std::vector<MeasuredUbench> rows, double launch_overhead_us) {
  const bool has = std::any_of(rows.begin(), rows.end(), [](const MeasuredUbench& r) {
    return r.benchmark == workloads::ubench::kEmptyKernelBenchmark;
  });
  if (!has && launch_overhead_us > 0) rows.push_back({workloads::ubench::kEmptyKernelBenchmark, launch_overhead_us, "us"});
  return rows;
}

}  // namespace gpusim::validation
