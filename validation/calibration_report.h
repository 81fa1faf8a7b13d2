// What `gpusim compare --calibrate` shows and writes: the fitted parameters beside the
// microbenchmark each came from, and the fitted configuration as an INI file.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "validation/calibration_rules.h"

namespace gpusim::validation {

void print_calibration(std::ostream& os, const CalibrationResult& result);

// config_path + overrides (which include the fitted values) as INI text, headed by a comment
// naming the recording the values were fitted to and each fitted key's benchmark.
std::string fitted_config_ini(const std::string& config_path, const std::vector<std::string>& overrides,
                              const CalibrationResult& result, const std::string& fitted_from);

// The recording's microbenchmarks plus its empty-kernel time (the kernels file's
// launch_overhead_us) as the launch-path benchmark, where the ubench file has none.
std::vector<MeasuredUbench> with_empty_kernel(std::vector<MeasuredUbench> rows, double launch_overhead_us);

}  // namespace gpusim::validation
