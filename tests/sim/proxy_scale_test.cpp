// The scaled-machine proxy's chip and scale choice (sim/proxy_sampling.h), against values worked
// out by hand from configs/v100.ini: 80 SMs, 64 L2 slices of 96 KiB, 32 DRAM channels.
#include <gtest/gtest.h>

#include <string>

#include "sim/gpu_config.h"
#include "sim/proxy_sampling.h"

namespace gpusim::sim {
namespace {

GpuConfig v100() { return load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini"); }

TEST(ProxyScale, ScaledChipKeepsEveryPerSmShare) {
  const GpuConfig full = v100();
  const GpuConfig c = scale_gpu_config(full, 8);
  EXPECT_EQ(c.num_sms, 10);
  EXPECT_EQ(c.l2_slices, 8);
  EXPECT_EQ(c.l2_size_kib, 768);  // 96 KiB per slice, as before
  EXPECT_EQ(c.dram_channels, 4);
  // Per-SM and per-slice parameters unchanged.
  EXPECT_EQ(c.max_ctas_per_sm, full.max_ctas_per_sm);
  EXPECT_EQ(c.l2_bytes_per_clock_per_slice, full.l2_bytes_per_clock_per_slice);
  EXPECT_EQ(c.icnt_bytes_per_clock_per_sm, full.icnt_bytes_per_clock_per_sm);
  EXPECT_NO_THROW(check_gpu_config(c, "scaled v100"));
}

TEST(ProxyScale, ChoosesTheFirstScaleThatDividesChipAndGrid) {
  const GpuConfig full = v100();
  const ProxyOptions o;  // fine 8 (coarse 16: 5 SMs, 4 slices, 2 channels), else 4
  std::string why;
  EXPECT_EQ(choose_proxy_scale(full, 1024, o, why), 8u) << why;
  // 1000 CTAs: not a multiple of 16; a multiple of 8, so fine 4 / coarse 8.
  EXPECT_EQ(choose_proxy_scale(full, 1000, o, why), 4u) << why;
  // 1004 = 4 x 251: neither 16 nor 8 divides it.
  EXPECT_EQ(choose_proxy_scale(full, 1004, o, why), 0u);
  EXPECT_NE(why.find("1004 CTAs"), std::string::npos) << why;
  // 48 CTAs: 16 divides, but the 1/16 proxy would get 3 CTAs for its 5 SMs; 1/8 gets 6 for 10.
  EXPECT_EQ(choose_proxy_scale(full, 48, o, why), 0u);
}

TEST(ProxyScale, RefusesChipsThatDoNotDivideEvenly) {
  GpuConfig c = v100();
  c.num_sms = 30;  // 30 / 8 and 30 / 16 are not whole
  std::string why;
  EXPECT_EQ(choose_proxy_scale(c, 1024, ProxyOptions{}, why), 0u);
  EXPECT_NE(why.find("30 SMs"), std::string::npos) << why;
  c.num_sms = 16;  // 1/16 and 1/8 leave 1 and 2 SMs, under the 4 the coarse proxy needs
  EXPECT_EQ(choose_proxy_scale(c, 1024, ProxyOptions{}, why), 0u);
  c.num_sms = 32;  // 1/8: 4 SMs, 8 slices, 4 channels
  EXPECT_EQ(choose_proxy_scale(c, 1024, ProxyOptions{}, why), 4u) << why;
}

}  // namespace
}  // namespace gpusim::sim
