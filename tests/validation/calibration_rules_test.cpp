// gpusim compare --calibrate on the committed H200 recording: fitting every registered parameter
// from the recorded microbenchmarks (never from whole kernels) reproduces the committed fitted
// configuration (configs/measured/h200_2026-11-27.calibrated.ini), and the fitted model runs the
// fitted microbenchmarks within 5 % of the card. Re-simulates the microbenchmarks several times
// (minutes: the DRAM copy dominates), so it is a Calibration suite (the sanitizer build skips it, scripts/test.sh).
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "sim/gpu_config.h"
#include "sim/gpu_config_options.h"
#include "validation/calibration_report.h"
#include "validation/calibration_rules.h"
#include "validation/measured_record.h"

using namespace gpusim;
using namespace gpusim::validation;

namespace {
const std::string kStem = std::string(GPUSIM_SOURCE_DIR) + "/configs/measured/h200_2026-11-27";
}  // namespace

TEST(CalibrationRegistryCalibration, ReproducesTheCommittedFittedConfiguration) {
  const UbenchRecord ubench = read_ubench_record(kStem + ".ubench.csv");
  const KernelRecord kernels = read_kernel_record(kStem + ".kernels.csv");
  const CalibrationResult c =
      calibrate(kStem + ".ini", {}, with_empty_kernel(ubench.rows, kernels.kernels.front().launch_overhead_us));
  const sim::GpuConfig committed = sim::load_gpu_config(kStem + ".calibrated.ini");
  std::set<std::string> keys;
  for (const FittedParameter& p : c.fitted) {
    keys.insert(p.key);
    const sim::GpuConfigField* field = sim::find_gpu_config_field(p.key);
    ASSERT_NE(field, nullptr) << p.key;
    EXPECT_EQ(p.value, field->value_text(committed)) << p.key << " fitted to " << p.benchmark;
    // The fitted model reproduces the benchmark it was fitted to (within 5 %; the launch path and
    // the latencies to within a cycle or a nanosecond).
    EXPECT_NEAR(p.simulated_after, p.measured, 0.05 * p.measured) << p.key;
  }
  // Every registered rule whose benchmark the recording has was fitted.
  for (const char* key : {"shared.latency_cycles", "l1.latency_cycles", "l2.latency_cycles", "dram.latency_cycles",
                          "tensor.mma_sync_pct", "dram.efficiency_pct", "launch.to_first_cta_ns"})
    EXPECT_TRUE(keys.count(key)) << key;
  // The larger-size recording is the same card and session day: it is checked with the same fit.
  EXPECT_EQ(sim::load_gpu_config(kStem + "_large.calibrated.ini"), committed);
}

TEST(CalibrationRegistry, EveryRuleNamesAKnownKeyAndBenchmark) {
  std::set<std::string> seen;
  for (const CalibrationRule& r : calibration_rules()) {
    EXPECT_NE(sim::find_gpu_config_field(r.key), nullptr) << r.key;
    EXPECT_FALSE(r.benchmark.empty()) << r.key;
    EXPECT_TRUE(seen.insert(r.key).second) << r.key << " fitted twice";
  }
  // A recording without a benchmark leaves the rule out and says so.
  const CalibrationResult none = calibrate(kStem + ".ini", {}, {});
  EXPECT_TRUE(none.fitted.empty());
  EXPECT_EQ(none.skipped.size(), calibration_rules().size());
}
