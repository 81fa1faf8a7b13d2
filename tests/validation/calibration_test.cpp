// DRAM-efficiency calibration: derating the channels to a measured rate must make the simulated
// streaming copy run at that rate (the model is bandwidth-bound there, so the relation is
// proportional), and a record without a copy figure is refused by name.
#include <gtest/gtest.h>

#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "validation/calibration.h"
#include "workloads/ubench_suite.h"

using namespace gpusim;
using namespace gpusim::validation;

namespace {

const std::string kV100 = std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini";

double simulated_copy_gbs(const std::vector<std::string>& overrides) {
  runtime::SimDeviceOptions o;
  o.config_path = kV100;
  o.overrides = overrides;
  o.mode = runtime::SimMode::Timing;
  auto device = runtime::make_sim_device(o);
  const sim::GpuConfig c = sim::load_gpu_config(kV100, overrides);
  return workloads::ubench::measure_suite_stream_copy(*device, c).per_second() * 1e-9;
}

}  // namespace

// The V100 configuration's copy is DRAM-bound (96 % of the configured peak, docs/PERFORMANCE.md).
TEST(DramCalibration, DeratedChannelsStreamAtTheMeasuredRate) {
  const double full = simulated_copy_gbs({});
  const double target = 0.6 * full;
  const DramCalibration c = calibrate_dram_efficiency(kV100, {}, target);
  EXPECT_DOUBLE_EQ(c.simulated_gbs_at_100, full);  // deterministic, whatever ran before in the process
  EXPECT_GE(c.efficiency_pct, 55);
  EXPECT_LE(c.efficiency_pct, 65);
  const double derated = simulated_copy_gbs({c.override_text()});
  EXPECT_NEAR(derated, target, 0.03 * target) << "100 %: " << full << " GB/s, " << c.override_text();
}

TEST(DramCalibration, ClampsAndRequiresAStreamFigure) {
  EXPECT_EQ(calibrate_dram_efficiency(kV100, {}, 1e6).efficiency_pct, 100);
  EXPECT_THROW(calibrate_dram_efficiency(kV100, {}, 0), std::invalid_argument);
  const std::vector<MeasuredUbench> rows = {{"FFMA throughput", 220, "FLOP/clk/SM"}};
  try {
    measured_stream_copy_gbs(rows, "x.ubench.csv");
    FAIL() << "no error without a copy figure";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("x.ubench.csv"), std::string::npos);
  }
  EXPECT_DOUBLE_EQ(measured_stream_copy_gbs({{"DRAM streaming copy", 3885.4, "GB/s"}}, "y"), 3885.4);
}
