// The configuration matched to a measured card: the device's figures land in the right keys,
// the result is a valid configuration, and its peaks follow from the device's numbers.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "sim/gpu_config.h"
#include "tests/validation/sample_identity.h"
#include "validation/matched_config.h"

using namespace gpusim;
using namespace gpusim::validation;

namespace {

GpuIdentity h200_like() { return sample_identity(); }

const std::string kH100 = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";

}  // namespace

TEST(MatchedConfig, DeviceFiguresReplaceTheBaseChipsAndTheResultIsValid) {
  const sim::GpuConfig base = sim::load_gpu_config(kH100);
  const GpuIdentity g = h200_like();
  const sim::GpuConfig m = sim::load_gpu_config(kH100, matched_config_overrides(base, g));
  EXPECT_EQ(m.num_sms, 132);
  EXPECT_EQ(m.core_clock_mhz, 1755);  // the measured clock, not the attribute clock
  EXPECT_EQ(m.dram_clock_mhz, 3201);
  EXPECT_EQ(m.dram_channels * m.dram_bus_width_bits, 6144);
  EXPECT_EQ(m.l2_size_kib, 60 * 1024);
  // Slices per channel stay the base's (160 / 80 = 2): 96 channels, 192 slices; 60 MiB over 192
  // slices of 64 sets of 128-byte lines is 40 ways, the base's associativity.
  EXPECT_EQ(m.l2_slices, 192);
  EXPECT_EQ(m.l2_associativity, 40);
  EXPECT_NE(m.name.find("NVIDIA H200"), std::string::npos);
  EXPECT_EQ(m.name.rfind("H100", 0), 0u);  // keeps the base's chip family for the published figures
  // Unreported microarchitecture stays the base's.
  EXPECT_EQ(m.l1_latency_cycles, base.l1_latency_cycles);
  EXPECT_EQ(m.fp32_lanes_per_sm, base.fp32_lanes_per_sm);
  // The tensor clock keeps its ratio to the core clock: 1830 * 1755 / 1980.
  EXPECT_EQ(m.tensor_clock_mhz, 1622);

  // Peak DRAM bandwidth from the device's own figures: 6144 bit / 8 x 2 (DDR) x 3201 MHz.
  EXPECT_NEAR(sim::compute_peaks(m).dram_bytes_per_s, 6144.0 / 8 * 2 * 3201e6, 1e3);
}

TEST(MatchedConfig, TheBaseChipMatchedToItsOwnFiguresIsUnchangedApartFromTheName) {
  const sim::GpuConfig base = sim::load_gpu_config(kH100);
  GpuIdentity g = h200_like();
  g.measured_sm_clock_mhz = 1980;
  g.memory_clock_mhz = 2619;
  g.memory_bus_bits = 5120;
  g.l2_bytes = 50LL << 20;
  sim::GpuConfig m = sim::load_gpu_config(kH100, matched_config_overrides(base, g));
  m.name = base.name;
  EXPECT_EQ(m, base);
}

TEST(MatchedConfig, AnL2ThatFitsNoExactGeometryIsRoundedToWholeWays) {
  // The H200 measured here reports a 6016-bit bus: 94 channels, 188 slices; 60 MiB is not a whole
  // number of 64-set slices of 188 (47 divides no power of two): 60 MiB / (188 x 64 x 128 B) = 40.85
  // ways -> 41, i.e. 188 x 64 x 41 x 128 B = 61664 KiB.
  GpuIdentity g = h200_like();
  g.memory_bus_bits = 6016;
  const sim::GpuConfig m = sim::load_gpu_config(kH100, matched_config_overrides(sim::load_gpu_config(kH100), g));
  EXPECT_EQ(m.dram_channels, 94);
  EXPECT_EQ(m.l2_slices, 188);
  EXPECT_EQ(m.l2_associativity, 41);
  EXPECT_EQ(m.l2_size_kib, 61664);
  EXPECT_NE(matched_config_ini(kH100, g).find("reports 62914560 bytes of L2; the model holds 63143936"), std::string::npos);
}

TEST(MatchedConfig, AttributeClockIsUsedWhenNoneWasMeasured) {
  GpuIdentity g = h200_like();
  g.measured_sm_clock_mhz = 0;
  const sim::GpuConfig base = sim::load_gpu_config(kH100);
  EXPECT_EQ(sim::load_gpu_config(kH100, matched_config_overrides(base, g)).core_clock_mhz, 1980);
}

TEST(MatchedConfig, IniTextLoadsBackToTheSameConfiguration) {
  const GpuIdentity g = h200_like();
  const std::string ini = matched_config_ini(kH100, g);
  EXPECT_NE(ini.find("NVIDIA H200"), std::string::npos);
  EXPECT_NE(ini.find("580.159.04"), std::string::npos);
  const std::string path = ::testing::TempDir() + "gpusim_matched_test.ini";
  {
    std::ofstream f(path);
    f << ini;
  }
  const sim::GpuConfig base = sim::load_gpu_config(kH100);
  EXPECT_EQ(sim::load_gpu_config(path), sim::load_gpu_config(kH100, matched_config_overrides(base, g)));
  std::remove(path.c_str());
}
