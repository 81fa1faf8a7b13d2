// `gpusim l2-fanin`'s measurement (workloads/ubench_fanin.h) on configs/h100.ini against hand
// calculation: k SMs loading the same cold lines fetch each line from DRAM once (the L2 merges
// them), the L2 counts min(k, 4) requests per line as misses (the first and the 3 merged into its
// MSHR; kL2MshrMaxMerged = 4) and the other k - 4 as hits (refused, then served after the fill),
// and other SMs' L2 hits wait behind a refused request only when l2.merge_limit_blocks = 1.
// Also the decision rule that picks the config value from a card's figure.
#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "runtime/sim_device.h"
#include "workloads/ubench_fanin.h"

namespace gpusim {
namespace {

using workloads::ubench::FaninKind;
using workloads::ubench::FaninResult;
using workloads::ubench::measure_l2_fanin;

constexpr uint32_t kLines = 4096;  // 512 KiB: above the L1 (the simulator caches .cg loads there)
constexpr uint32_t kWarps = 8;

FaninResult fanin(uint32_t ctas, FaninKind kind, int merge_limit_blocks) {
  runtime::SimDeviceOptions o;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
  o.overrides = {"l2.merge_limit_blocks=" + std::to_string(merge_limit_blocks)};
  o.mode = runtime::SimMode::Timing;
  auto dev = runtime::make_sim_device(o);
  return measure_l2_fanin(*dev, ctas, kLines, kind, kWarps);
}

TEST(L2Fanin, ConcurrentMissesToOneLineAreFetchedOnceAndCountedByTheMergeLimit) {
  for (uint32_t k : {1u, 4u, 8u}) {
    const FaninResult r = fanin(k, FaninKind::Cold, 0);
    // Each line from DRAM once whatever k (+ 32 B: the rendezvous counter's sector).
    EXPECT_EQ(r.dram_read_bytes, uint64_t(kLines) * 128 + 32) << "k = " << k;
    // 4 sectors per request; min(k, 4) requests a line are misses (1 + 3 merged), the rest hits.
    EXPECT_EQ(r.l2_miss_sectors, uint64_t(kLines) * 4 * std::min(k, 4u)) << "k = " << k;
    EXPECT_EQ(r.l2_hit_sectors, uint64_t(kLines) * 4 * (k - std::min(k, 4u))) << "k = " << k;
    // At least k - 4 refusals a line (plus the rendezvous counter's atomics when k > 4).
    EXPECT_GE(r.merge_limit_stalls, uint64_t(kLines) * (k - std::min(k, 4u))) << "k = " << k;
    EXPECT_LE(r.merge_limit_stalls, uint64_t(kLines) * (k - std::min(k, 4u)) + 4 * k) << "k = " << k;
  }
}

TEST(L2Fanin, OwnLineHitsWaitBehindRefusedFanInOnlyWhenTheMergeLimitBlocks) {
  // k = 1: the 4 own-line warps keep 4 x 8 = 32 L2 hits in flight; an H100 L2 hit takes
  // 38 + 2 x 15 + 192 = 260 cycles (h100.ini), so at best 260 / 32 = 8.1 cycles a line, plus
  // each group's 8 issues and 8 adds (~16 cycles per 8 lines a warp, i.e. /32 a line: +0.5).
  const double alone = fanin(1, FaninKind::Mixed, 0).cycles_per_line;
  EXPECT_GE(alone, 8.1);
  EXPECT_LE(alone, 12.0);
  // k = 8, non-blocking: the fan-in of the other warps does not reach the hits (within 5 %).
  const double parked = fanin(8, FaninKind::Mixed, 0).cycles_per_line;
  EXPECT_NEAR(parked, alone, 0.05 * alone);
  // Blocking: a refused request holds its slice until a fill (a DRAM round trip, ~700 cycles,
  // while a hit takes 260), so the hits queued behind it take far longer.
  const double blocked = fanin(8, FaninKind::Mixed, 1).cycles_per_line;
  EXPECT_GT(blocked, 1.4 * parked);
  std::printf("[ measured ] own-line hits, cycles/line: alone %.1f, k = 8 beside fan-in: %.1f (merge_limit_blocks 0), "
              "%.1f (1)\n", alone, parked, blocked);
}

TEST(L2Fanin, TheCardsFigurePicksTheNearerSetting) {
  using workloads::ubench::nearer_merge_limit_setting;
  EXPECT_EQ(nearer_merge_limit_setting(11.0, 10.8, 18.9), 0);
  EXPECT_EQ(nearer_merge_limit_setting(17.0, 10.8, 18.9), 1);
  // On a log scale the boundary is the geometric mean, sqrt(10.8 x 18.9) = 14.29.
  EXPECT_EQ(nearer_merge_limit_setting(14.2, 10.8, 18.9), 0);
  EXPECT_EQ(nearer_merge_limit_setting(14.4, 10.8, 18.9), 1);
  EXPECT_THROW(nearer_merge_limit_setting(0.0, 10.8, 18.9), std::invalid_argument);
  EXPECT_THROW(nearer_merge_limit_setting(12.0, -1.0, 18.9), std::invalid_argument);
}

TEST(L2Fanin, BadSizesAreRefusedByName) {
  runtime::SimDeviceOptions o;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
  o.mode = runtime::SimMode::Timing;
  auto dev = runtime::make_sim_device(o);
  EXPECT_THROW(measure_l2_fanin(*dev, 0, kLines, FaninKind::Cold), std::invalid_argument);
  EXPECT_THROW(measure_l2_fanin(*dev, 133, kLines, FaninKind::Cold), std::invalid_argument);  // > 132 SMs
  EXPECT_THROW(measure_l2_fanin(*dev, 4, 12, FaninKind::Cold), std::invalid_argument);        // not a multiple of 8
  EXPECT_THROW(measure_l2_fanin(*dev, 4, kLines, FaninKind::Mixed, 3), std::invalid_argument);  // odd warps
}

}  // namespace
}  // namespace gpusim
