// `gpusim compare --calibrate`: every calibrated configuration key, the microbenchmark it is fitted
// to and the rule that fits it, in one ordered registry. Only microbenchmarks are fitting targets;
// whole kernels stay the check. Rules run in order on one growing set of overrides, so a rule sees
// the values fitted before it (the L2 p-chase includes the fitted L1 latency, the empty kernel's
// launch path is what remains after the fitted kernel time).
//
// Adding a parameter: append a CalibrationRule to calibration_rules() in calibration_rules.cpp
// with the key, the SuiteRow benchmark name (workloads/ubench_suite.cpp; add the microbenchmark
// there if it is new, so the GPU side measures and records it too) and a fit function; the
// generic fits below (additive for latencies, proportional for rates) cover most keys.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "validation/measured_record.h"

namespace gpusim::validation {

// What a rule works on: the configuration so far and the recording's microbenchmarks.
struct CalibrationState {
  std::string config_path;
  std::vector<std::string> overrides;  // grows as rules fit ("key=value")
};

struct FittedParameter {
  std::string key, value;   // the fitted configuration value
  std::string benchmark, unit;
  double measured = 0;      // the card's figure
  double simulated_before = 0, simulated_after = 0;  // the model's figure before and after the fit
  std::string override_text() const { return key + "=" + value; }
};

struct CalibrationRule {
  std::string key;        // configuration key, e.g. "l1.latency_cycles"
  std::string benchmark;  // the ubench SuiteRow name it is fitted to
  std::string rule;       // one line: how
  std::function<FittedParameter(const CalibrationState&, double measured)> fit;
};

// The registry, in the order the rules run.
const std::vector<CalibrationRule>& calibration_rules();

// The suite's `benchmark` simulated on state's configuration (timing mode). Throws naming it.
double simulate_benchmark(const CalibrationState& state, const std::string& benchmark);

struct CalibrationResult {
  std::vector<FittedParameter> fitted;
  std::vector<std::string> skipped;  // "key: why" for rules whose benchmark the recording lacks
  std::vector<std::string> overrides() const;
};

// Runs every rule whose benchmark `measured` holds (source names the recording in messages).
CalibrationResult calibrate(const std::string& config_path, const std::vector<std::string>& overrides,
                            const std::vector<MeasuredUbench>& measured);

}  // namespace gpusim::validation
