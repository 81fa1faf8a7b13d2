// Coalescer: hand-derived sector/line counts for the classic access patterns (CUDA
// Programming Guide's global-memory coalescing examples, with 128 B lines of 32 B sectors).
#include <gtest/gtest.h>

#include "sim/coalescer.h"

namespace gpusim::sim {
namespace {

WarpAccess strided(uint64_t base, uint64_t stride_bytes, uint32_t size) {
  WarpAccess w;
  for (int lane = 0; lane < 32; ++lane) w[lane] = LaneAccess{true, base + lane * stride_bytes, size};
  return w;
}

const Coalescer kL1(128, 32);

// 32 lanes x 4 B consecutive from an aligned base = 128 B = one line, all 4 sectors.
TEST(Coalescer, UnitStrideFloatIsOneLineFourSectors) {
  auto r = kL1.coalesce(strided(0x1000, 4, 4));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].line_address, 0x1000u);
  EXPECT_EQ(r[0].sector_mask, 0xFu);
  EXPECT_EQ(r[0].lane_mask, 0xFFFFFFFFu);
  EXPECT_EQ(Coalescer::total_sectors(r), 4);
}

// Misaligned by one float: bytes 0x1004..0x1083 -> line 0x1000 sectors 0-3 and line 0x1080 sector 0.
TEST(Coalescer, MisalignedUnitStrideSpillsIntoNextLine) {
  auto r = kL1.coalesce(strided(0x1004, 4, 4));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].line_address, 0x1000u);
  EXPECT_EQ(r[0].sector_mask, 0xFu);
  EXPECT_EQ(r[1].line_address, 0x1080u);
  EXPECT_EQ(r[1].sector_mask, 0x1u);
  EXPECT_EQ(r[1].lane_mask, 0x80000000u);  // only lane 31 reaches the second line
  EXPECT_EQ(Coalescer::total_sectors(r), 5);
}

// Stride 32 floats = 128 B: every lane its own line, one sector each.
TEST(Coalescer, Stride32FloatsIs32Sectors) {
  auto r = kL1.coalesce(strided(0, 128, 4));
  EXPECT_EQ(r.size(), 32u);
  EXPECT_EQ(Coalescer::total_sectors(r), 32);
  for (int lane = 0; lane < 32; ++lane) {
    EXPECT_EQ(r[lane].line_address, uint64_t(lane) * 128);
    EXPECT_EQ(r[lane].lane_mask, 1u << lane);
  }
}

// Stride 2 floats (8 B): 256 B in two lines, all sectors; 8 B doubles unit-stride: same.
TEST(Coalescer, Stride2AndDoubles) {
  EXPECT_EQ(Coalescer::total_sectors(kL1.coalesce(strided(0, 8, 4))), 8);
  EXPECT_EQ(kL1.coalesce(strided(0, 8, 8)).size(), 2u);
  // float4 per lane: 512 B = 4 lines, 16 sectors.
  EXPECT_EQ(Coalescer::total_sectors(kL1.coalesce(strided(0, 16, 16))), 16);
}

// All lanes read the same word: one sector. Inactive lanes contribute nothing.
TEST(Coalescer, BroadcastAndInactiveLanes) {
  auto r = kL1.coalesce(strided(0x2040, 0, 4));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].sector_mask, 0x4u);  // 0x40 within the line = sector 2
  WarpAccess w = strided(0, 128, 4);
  for (int lane = 1; lane < 32; ++lane) w[lane].active = false;
  EXPECT_EQ(kL1.coalesce(w).size(), 1u);
  WarpAccess none{};
  EXPECT_TRUE(kL1.coalesce(none).empty());
}

// An 8-byte access straddling a sector boundary touches both sectors.
TEST(Coalescer, StraddlingAccessTouchesBothSectors) {
  WarpAccess w{};
  w[0] = LaneAccess{true, 28, 8};
  auto r = kL1.coalesce(w);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].sector_mask, 0x3u);
}

// Lines come out in the order their first lane appears (reverse-order lanes -> reverse lines).
TEST(Coalescer, OrderFollowsFirstTouchingLane) {
  WarpAccess w{};
  for (int lane = 0; lane < 32; ++lane) w[lane] = LaneAccess{true, uint64_t(31 - lane) * 128, 4};
  auto r = kL1.coalesce(w);
  ASSERT_EQ(r.size(), 32u);
  EXPECT_EQ(r.front().line_address, 31u * 128);
  EXPECT_EQ(r.back().line_address, 0u);
}

TEST(Coalescer, RejectsBadGeometry) {
  EXPECT_THROW(Coalescer(96, 32), std::invalid_argument);
  EXPECT_THROW(Coalescer(128, 256), std::invalid_argument);
}

}  // namespace
}  // namespace gpusim::sim
