// The committed H200 recordings' configurations carry the Hopper timing keys (tensor.wgmma_*,
// [cluster], [tma]) of configs/h100.ini, the base they were matched from: `gpusim compare
// --recorded` must simulate the sm_90a kernels (wgmma, TMA, clusters) with the GH100's figures,
// not with the pre-Hopper defaults (no GPCs: cluster launches refused; wgmma latency 0).
#include <gtest/gtest.h>

#include <string>

#include "sim/gpu_config.h"

using namespace gpusim;

TEST(RecordedHopperKeys, H200ConfigurationsHaveH100sHopperFigures) {
  const std::string dir = std::string(GPUSIM_SOURCE_DIR) + "/configs/";
  const sim::GpuConfig h100 = sim::load_gpu_config(dir + "h100.ini");
  ASSERT_GT(h100.cluster_gpcs, 0);
  for (const char* name : {"h200_2026-11-27.ini", "h200_2026-11-27.calibrated.ini", "h200_2026-11-27_large.ini",
                           "h200_2026-11-27_large.calibrated.ini"}) {
    const sim::GpuConfig c = sim::load_gpu_config(dir + "measured/" + name);
    EXPECT_EQ(c.tensor_wgmma_flops_per_clock, h100.tensor_wgmma_flops_per_clock) << name;
    EXPECT_EQ(c.tensor_wgmma_latency_cycles, h100.tensor_wgmma_latency_cycles) << name;
    EXPECT_EQ(c.tensor_wgmma_queue_depth, h100.tensor_wgmma_queue_depth) << name;
    EXPECT_EQ(c.cluster_gpcs, h100.cluster_gpcs) << name;
    EXPECT_EQ(c.cluster_max_ctas, h100.cluster_max_ctas) << name;
    EXPECT_EQ(c.cluster_dsmem_latency_cycles, h100.cluster_dsmem_latency_cycles) << name;
    EXPECT_EQ(c.cluster_dsmem_bytes_per_clock, h100.cluster_dsmem_bytes_per_clock) << name;
    EXPECT_EQ(c.cluster_barrier_latency_cycles, h100.cluster_barrier_latency_cycles) << name;
    EXPECT_EQ(c.tma_bytes_per_cycle, h100.tma_bytes_per_cycle) << name;
    EXPECT_EQ(c.tma_issue_latency_cycles, h100.tma_issue_latency_cycles) << name;
    EXPECT_EQ(c.sm_arch, h100.sm_arch) << name;
  }
}
