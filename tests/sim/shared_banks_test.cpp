// Shared-memory bank conflicts: hand-derived wavefront counts (32 banks x 4 B).
#include <gtest/gtest.h>

#include "sim/shared_banks.h"

namespace gpusim::sim {
namespace {

const SharedBanks kBanks(32, 4);

WarpAccess lanes(uint64_t (*address_of)(int lane), uint32_t size) {
  WarpAccess w;
  for (int lane = 0; lane < 32; ++lane) w[lane] = LaneAccess{true, address_of(lane), size};
  return w;
}

// float tile[32][32]: row access tile[r][lane] is word r*32+lane -> 32 distinct banks.
TEST(SharedBanks, RowAccessIsConflictFree) {
  auto c = kBanks.cost(lanes([](int lane) { return uint64_t(5 * 32 + lane) * 4; }, 4));
  EXPECT_EQ(c.wavefronts, 1);
  EXPECT_EQ(c.replays(), 0);
}

// Transpose read tile[lane][c] without padding: word lane*32+c -> every lane in bank c: 32-way.
TEST(SharedBanks, TransposeColumnWithoutPaddingIs32Way) {
  auto c = kBanks.cost(lanes([](int lane) { return uint64_t(lane * 32 + 3) * 4; }, 4));
  EXPECT_EQ(c.wavefronts, 32);
  EXPECT_EQ(c.worst_ways, 32);
  EXPECT_EQ(c.replays(), 31);
}

// Padded float tile[32][33]: word lane*33+c -> bank (lane + c) % 32, all distinct.
TEST(SharedBanks, TransposeColumnWithPaddingIsConflictFree) {
  auto c = kBanks.cost(lanes([](int lane) { return uint64_t(lane * 33 + 3) * 4; }, 4));
  EXPECT_EQ(c.wavefronts, 1);
}

// Stride 2 words: lanes l and l+16 share bank 2l % 32 with different words: 2-way.
TEST(SharedBanks, Stride2IsTwoWay) {
  EXPECT_EQ(kBanks.cost(lanes([](int lane) { return uint64_t(lane) * 8; }, 4)).wavefronts, 2);
  // Odd stride (3 words) is conflict-free.
  EXPECT_EQ(kBanks.cost(lanes([](int lane) { return uint64_t(lane) * 12; }, 4)).wavefronts, 1);
}

// Same word from every lane (broadcast), and byte accesses within one word: 1 wavefront.
TEST(SharedBanks, SameWordBroadcasts) {
  EXPECT_EQ(kBanks.cost(lanes([](int) { return uint64_t(64); }, 4)).wavefronts, 1);
  EXPECT_EQ(kBanks.cost(lanes([](int lane) { return uint64_t(lane / 4) * 4 + lane % 4; }, 1)).wavefronts, 1);
  // Half the lanes on word 0, half on word 32 (same bank 0, different words): 2-way.
  EXPECT_EQ(kBanks.cost(lanes([](int lane) { return uint64_t(lane % 2) * 128; }, 4)).wavefronts, 2);
}

// 64-bit unit stride: two half-warp phases of 16 lanes x 8 B = 128 B, each conflict-free.
// 128-bit unit stride: four quarter-warp phases of 8 x 16 B.
TEST(SharedBanks, WideAccessesRunInPhases) {
  auto d = kBanks.cost(lanes([](int lane) { return uint64_t(lane) * 8; }, 8));
  EXPECT_EQ(d.phases, 2);
  EXPECT_EQ(d.wavefronts, 2);
  EXPECT_EQ(d.replays(), 0);
  auto q = kBanks.cost(lanes([](int lane) { return uint64_t(lane) * 16; }, 16));
  EXPECT_EQ(q.phases, 4);
  EXPECT_EQ(q.wavefronts, 4);
  // double at stride 2 doubles (16 B): in a half-warp, lanes l and l+8 hit the same banks with
  // different words -> 2 wavefronts per phase, 4 in all.
  EXPECT_EQ(kBanks.cost(lanes([](int lane) { return uint64_t(lane) * 16; }, 8)).wavefronts, 4);
  // A double column of a [32][32] double tile (stride 256 B): 16 lanes per phase all in banks
  // 0-1 -> 16-way per phase, 32 wavefronts.
  EXPECT_EQ(kBanks.cost(lanes([](int lane) { return uint64_t(lane) * 256; }, 8)).wavefronts, 32);
}

// Only lanes 16-31 active with 8 B accesses: the first half-warp phase costs nothing.
TEST(SharedBanks, InactivePhasesAreFree) {
  WarpAccess w = lanes([](int lane) { return uint64_t(lane) * 8; }, 8);
  for (int lane = 0; lane < 16; ++lane) w[lane].active = false;
  auto c = kBanks.cost(w);
  EXPECT_EQ(c.phases, 1);
  EXPECT_EQ(c.wavefronts, 1);
  EXPECT_EQ(kBanks.cost(WarpAccess{}).wavefronts, 0);
}

TEST(SharedBanks, RejectsBadGeometry) {
  EXPECT_THROW(SharedBanks(24, 4), std::invalid_argument);
  EXPECT_THROW(SharedBanks(32, 3), std::invalid_argument);
}

}  // namespace
}  // namespace gpusim::sim
