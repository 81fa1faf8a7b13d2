#include "validation/calibration_rules.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "sim/gpu_config_options.h"
#include "validation/calibration.h"
#include "workloads/ubench_suite.h"

namespace gpusim::validation {

double simulate_benchmark(const CalibrationState& state, const std::string& benchmark) {
  const sim::GpuConfig config = sim::load_gpu_config(state.config_path, state.overrides);
  runtime::SimDeviceOptions options;
  options.config_path = state.config_path;
  options.overrides = state.overrides;
  options.mode = runtime::SimMode::Timing;
  std::unique_ptr<runtime::Device> sim = runtime::make_sim_device(options);
  workloads::ubench::SuiteOptions suite;
  suite.only = {benchmark};
  const std::vector<workloads::ubench::SuiteRow> rows = workloads::ubench::run_suite(*sim, config, suite);
  if (rows.size() != 1) throw std::runtime_error("calibration: the ubench suite has no benchmark '" + benchmark + "'");
  return rows[0].simulated;
}

namespace {

int current_value(const CalibrationState& s, const std::string& key) {
  const sim::GpuConfig config = sim::load_gpu_config(s.config_path, s.overrides);
  const sim::GpuConfigField* field = sim::find_gpu_config_field(key);
  if (!field) throw std::logic_error("calibration rule for unknown key '" + key + "'");
  return std::stoi(field->value_text(config));
}

const sim::GpuConfigField& field_of(const std::string& key) {
  const sim::GpuConfigField* field = sim::find_gpu_config_field(key);
  if (!field) throw std::logic_error("calibration rule for unknown key '" + key + "'");
  return *field;
}

CalibrationState with(const CalibrationState& s, const std::string& key, long long value) {
  CalibrationState t = s;
  t.overrides.push_back(key + "=" + std::to_string(value));
  return t;
}

long long clamp_to_field(const std::string& key, double value) {
  const sim::GpuConfigField& f = field_of(key);
  return std::clamp<long long>(std::llround(value), f.min_value, f.max_value);
}

// Iterates value <- step(value, simulated) from the current value until the simulated figure is
// within 1 % of the measurement, the value stops changing, or 4 corrections have been made.
template <typename Step>
FittedParameter iterate(const CalibrationState& s, const std::string& key, const std::string& benchmark,
                        double measured, Step step) {
  FittedParameter p;
  p.key = key;
  p.benchmark = benchmark;
  p.measured = measured;
  long long value = current_value(s, key);
  p.simulated_before = p.simulated_after = simulate_benchmark(s, benchmark);
  for (int i = 0; i < 4 && std::fabs(p.simulated_after - measured) > 0.01 * measured; ++i) {
    const long long next = clamp_to_field(key, step(double(value), p.simulated_after));
    if (next == value) break;
    value = next;
    p.simulated_after = simulate_benchmark(with(s, key, value), benchmark);
  }
  p.value = std::to_string(value);
  return p;
}

// A latency the benchmark contains once per step: shift it by the difference.
CalibrationRule additive(const std::string& key, const std::string& benchmark) {
  return {key, benchmark, "value += measured - simulated (the p-chase contains the latency once per load)",
          [key, benchmark](const CalibrationState& s, double measured) {
            return iterate(s, key, benchmark, measured,
                           [measured](double v, double simulated) { return v + (measured - simulated); });
          }};
}

// A rate the benchmark is proportional to: scale it by measured / simulated.
CalibrationRule proportional(const std::string& key, const std::string& benchmark) {
  return {key, benchmark, "value *= measured / simulated (the benchmark runs at this rate)",
          [key, benchmark](const CalibrationState& s, double measured) {
            return iterate(s, key, benchmark, measured,
                           [measured](double v, double simulated) { return v * measured / simulated; });
          }};
}

// The empty kernel's event time is the launch path plus the (tiny) simulated empty kernel; event
// timing only fixes their sum, so launch.completion_ns keeps its configured value.
CalibrationRule launch_path() {
  const std::string key = "launch.to_first_cta_ns", benchmark = workloads::ubench::kEmptyKernelBenchmark;
  return {key, benchmark, "value = measured event time - simulated kernel time - launch.completion_ns",
          [key, benchmark](const CalibrationState& s, double measured_us) {
            FittedParameter p;
            p.key = key;
            p.benchmark = benchmark;
            p.measured = measured_us;
            p.simulated_before = simulate_benchmark(s, benchmark);
            const double outside_us = p.simulated_before - current_value(s, key) * 1e-3;  // kernel + completion
            const long long value = clamp_to_field(key, (measured_us - outside_us) * 1e3);
            p.value = std::to_string(value);
            p.simulated_after = simulate_benchmark(with(s, key, value), benchmark);
            return p;
          }};
}

CalibrationRule dram_efficiency() {
  return {"dram.efficiency_pct", "DRAM streaming copy", "bracketed interpolation, best simulated value kept (validation/monotone_fit.h)",
          [](const CalibrationState& s, double measured) {
            const DramCalibration c = calibrate_dram_efficiency(s.config_path, s.overrides, measured);
            FittedParameter p;
            p.key = "dram.efficiency_pct";
            p.value = std::to_string(c.efficiency_pct);
            p.benchmark = "DRAM streaming copy";
            p.measured = measured;
            p.simulated_before = c.simulated_gbs_at_100;
            p.simulated_after = c.simulated_gbs;
            return p;
          }};
}

}  // namespace

const std::vector<CalibrationRule>& calibration_rules() {
  // Built once; immutable afterwards.
  static const std::vector<CalibrationRule> rules = {
      additive("shared.latency_cycles", "shared latency (p-chase)"),
      additive("l1.latency_cycles", "L1 hit latency (p-chase)"),
      additive("l2.latency_cycles", "L2 hit latency (p-chase)"),
      additive("dram.latency_cycles", "DRAM latency (p-chase)"),
      proportional("tensor.mma_sync_pct", "TensorCore FP16 (wmma 16x16x16)"),
      dram_efficiency(),
      additive("launch.cta_dispatch_interval_cycles", workloads::ubench::kCtaDispatchBenchmark),
      launch_path(),
  };
  return rules;
}

std::vector<std::string> CalibrationResult::overrides() const {
  std::vector<std::string> out;
  for (const FittedParameter& p : fitted) out.push_back(p.override_text());
  return out;
}

CalibrationResult calibrate(const std::string& config_path, const std::vector<std::string>& overrides,
                            const std::vector<MeasuredUbench>& measured) {
  CalibrationResult result;
  CalibrationState state{config_path, overrides};
  for (const CalibrationRule& rule : calibration_rules()) {
    const auto m = std::find_if(measured.begin(), measured.end(),
                                [&](const MeasuredUbench& u) { return u.benchmark == rule.benchmark && u.value > 0; });
    if (m == measured.end()) {
      result.skipped.push_back(rule.key + ": the recording has no '" + rule.benchmark + "'");
      continue;
    }
    FittedParameter p = rule.fit(state, m->value);
    p.unit = m->unit;
    state.overrides.push_back(p.override_text());
    result.fitted.push_back(p);
  }
  return result;
}

}  // namespace gpusim::validation
