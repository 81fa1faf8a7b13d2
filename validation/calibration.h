// Calibrating the model to a measured card where the model deliberately abstracts: DRAM
// efficiency. Banks, rows, turnarounds and refresh are modelled (sim/dram_channel.h), but a real
// card may still stream below what those rules give by a margin the model cannot derive; the
// measured streaming copy of the microbenchmarks sets dram.efficiency_pct so the simulated copy
// runs at the measured rate. The workloads, different kernels, then test the calibrated model.
#pragma once

#include <string>
#include <vector>

#include "validation/measured_record.h"

namespace gpusim::validation {

struct DramCalibration {
  int efficiency_pct = 100;
  double simulated_gbs_at_100 = 0;  // the copy on the uncalibrated model
  double simulated_gbs = 0;         // the copy at efficiency_pct (the last one simulated)
  double measured_gbs = 0;
  std::string override_text() const { return "dram.efficiency_pct=" + std::to_string(efficiency_pct); }
};

// The measured "DRAM streaming copy" figure of a microbenchmark record. Throws std::invalid_argument
// naming the record when it has none.
double measured_stream_copy_gbs(const std::vector<MeasuredUbench>& rows, const std::string& source);

// Simulates the streaming copy (as `gpusim ubench` does) on config_path + overrides with DRAM
// efficiency 100 %, then fits the efficiency (1..100) to the measured rate with
// fit_monotone_integer (validation/monotone_fit.h: the rate is monotone in the efficiency but not
// proportional to it): at most kDramFitMaxSimulations copies, stopping within kDramFitTolerance.
// Returns the best efficiency simulated and its simulated rate.
inline constexpr double kDramFitTolerance = 0.01;
inline constexpr int kDramFitMaxSimulations = 6;
DramCalibration calibrate_dram_efficiency(const std::string& config_path, std::vector<std::string> overrides,
                                          double measured_gbs);

}  // namespace gpusim::validation
