// Thread-block clusters in the timing model, the pure parts: the GPC layout of a configuration,
// cudaOccupancyMaxActiveClusters and the all-or-nothing placement of one cluster. Expected values
// are worked out by hand from configs/h100.ini (132 SMs = 66 TPCs over 8 GPCs).
#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "sim/cluster_dispatch.h"

namespace gpusim::sim {
namespace {

GpuConfig h100() { return load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini"); }

TEST(ClusterDispatch, H100SplitsItsTpcsEvenlyOverEightGpcs) {
  // 66 TPCs / 8 GPCs = 8 rest 2: GPCs 0 and 1 get 9 TPCs (18 SMs), the other six 8 (16 SMs).
  const auto gpcs = gpc_layout(h100());
  ASSERT_EQ(gpcs.size(), 8u);
  const std::vector<size_t> sizes{18, 18, 16, 16, 16, 16, 16, 16};
  int next = 0;
  for (size_t g = 0; g < gpcs.size(); ++g) {
    EXPECT_EQ(gpcs[g].size(), sizes[g]) << "GPC " << g;
    for (int sm : gpcs[g]) EXPECT_EQ(sm, next++);  // SMs numbered GPC after GPC
  }
  EXPECT_EQ(next, 132);
}

TEST(ClusterDispatch, AnOddSmJoinsTheLastGpc) {
  GpuConfig c = h100();
  c.num_sms = 9;
  c.cluster_gpcs = 2;  // 4 TPCs: 2 + 2, and SM 8 without a partner
  const auto gpcs = gpc_layout(c);
  ASSERT_EQ(gpcs.size(), 2u);
  EXPECT_EQ(gpcs[0], (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(gpcs[1], (std::vector<int>{4, 5, 6, 7, 8}));
}

TEST(ClusterDispatch, AChipScaledBelowItsGpcCountGetsOneGpcPerTpc) {
  // h100.ini with --set sm.count=8 (the README's example): 4 TPCs, so 4 GPCs of 2 SMs, not an error.
  GpuConfig c = h100();
  c.num_sms = 8;
  EXPECT_NO_THROW(check_gpu_config(c, "test"));
  const auto gpcs = gpc_layout(c);
  ASSERT_EQ(gpcs.size(), 4u);
  for (size_t g = 0; g < gpcs.size(); ++g)
    EXPECT_EQ(gpcs[g], (std::vector<int>{int(2 * g), int(2 * g + 1)})) << "GPC " << g;
  c.num_sms = 1;  // no TPC at all: one GPC holding the lone SM
  ASSERT_EQ(gpc_layout(c).size(), 1u);
  EXPECT_EQ(gpc_layout(c)[0], (std::vector<int>{0}));
}

TEST(ClusterDispatch, NoGpcsMeansNoClusters) {
  const GpuConfig v100 = default_gpu_config();
  EXPECT_TRUE(gpc_layout(v100).empty());
  EXPECT_EQ(max_active_clusters(v100, 4, 2), 0);
}

TEST(ClusterDispatch, MaxActiveClustersCountsWholeClustersPerGpc) {
  const GpuConfig c = h100();
  EXPECT_EQ(max_active_clusters(c, 1, 2), 66);        // 2 x 9 + 6 x 8
  EXPECT_EQ(max_active_clusters(c, 1, 16), 8);        // one per GPC: 18 / 16 = 16 / 16 = 1
  EXPECT_EQ(max_active_clusters(c, 2, 16), 16);       // 36 / 16 = 2, 32 / 16 = 2
  EXPECT_EQ(max_active_clusters(c, 1, 3), 2 * 6 + 6 * 5);  // 18 / 3 = 6, 16 / 3 = 5
  EXPECT_EQ(max_active_clusters(c, 4, 8), 2 * 9 + 6 * 8);  // 72 / 8 = 9, 64 / 8 = 8
  GpuConfig small = c;
  small.cluster_gpcs = 33;  // 4 SMs per GPC
  EXPECT_EQ(max_active_clusters(small, 1, 8), 0);
  EXPECT_EQ(max_active_clusters(small, 2, 8), 33);
}

TEST(ClusterDispatch, PlacementSpreadsOneCtaPerSmPerPass) {
  EXPECT_EQ(place_cluster({1, 1, 1, 1}, 4, 0), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(place_cluster({1, 0, 2, 1}, 3, 0), (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(place_cluster({1, 0, 2, 1}, 4, 0), (std::vector<int>{0, 2, 3, 2}));  // second pass
  EXPECT_EQ(place_cluster({1, 1, 1, 1}, 2, 3), (std::vector<int>{3, 0}));       // starts at `first`
}

TEST(ClusterDispatch, PlacementIsAllOrNothing) {
  EXPECT_TRUE(place_cluster({1, 1, 0, 1}, 4, 0).empty());
  EXPECT_TRUE(place_cluster({}, 1, 0).empty());
}

}  // namespace
}  // namespace gpusim::sim
