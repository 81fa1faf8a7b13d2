// A warp memory instruction summarised as one isa::AffineAccess (base + lane * stride) must be
// priced exactly as its per-lane records are: AffineAccess::summarize against hand-written traces,
// and SharedBanks::cost_affine / Coalescer::coalesce_affine against cost() / coalesce() on the
// same lanes written out (hand-derived cases and random patterns, both signs of stride, partial
// masks, all sizes).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "isa/affine_access.h"
#include "sim/coalescer.h"
#include "sim/shared_banks.h"

namespace gpusim::sim {
namespace {

using isa::AffineAccess;
using isa::MemAccess;
using isa::StateSpace;

// The records a ld/st of `elements` x `size` bytes per lane writes: lanes ascending, elements ascending.
std::vector<MemAccess> records(uint32_t lanes, uint64_t (*lane_address)(int), uint8_t size, int elements = 1,
                               bool write = false) {
  std::vector<MemAccess> r;
  for (int lane = 0; lane < 32; ++lane)
    if (lanes >> lane & 1)
      for (int i = 0; i < elements; ++i)
        r.emplace_back(StateSpace::Shared, lane_address(lane) + uint64_t(i) * size, size, write, false, uint8_t(lane));
  return r;
}

std::vector<MemAccess> expand(const AffineAccess& a) {
  std::vector<MemAccess> r;
  a.append_records(r);
  return r;
}

bool same(const std::vector<MemAccess>& x, const std::vector<MemAccess>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i].addr != y[i].addr || x[i].space != y[i].space || x[i].size != y[i].size || x[i].write != y[i].write ||
        x[i].atomic != y[i].atomic || x[i].lane != y[i].lane)
      return false;
  return true;
}

TEST(AffineAccess, SummarisesBroadcastDenseVectorAndNegativeStrides) {
  struct Case {
    uint32_t lanes;
    uint64_t (*address)(int);
    uint8_t size;
    int elements;
    uint64_t base;
    int64_t stride;
  };
  const Case cases[] = {
      {~0u, [](int) { return uint64_t(256); }, 4, 1, 256, 0},                         // broadcast
      {~0u, [](int l) { return uint64_t(1024 + 4 * l); }, 4, 1, 1024, 4},             // dense floats
      {0xF0F0F0F0u, [](int l) { return uint64_t(1024 + 4 * l); }, 4, 1, 1024, 4},     // partial mask
      {0xFFFF0000u, [](int l) { return uint64_t(4096 - 8 * l); }, 8, 1, 4096, -8},     // descending
      {~0u, [](int l) { return uint64_t(16 * l); }, 4, 4, 0, 16},                      // v4.f32
      {~0u, [](int l) { return uint64_t(512 + 64 * (l % 1)); }, 8, 2, 512, 0},         // v2.f64, all one block
      {1u << 5, [](int) { return uint64_t(40); }, 8, 1, 40, 0},                        // one lane
  };
  for (const Case& c : cases) {
    const std::vector<MemAccess> r = records(c.lanes, c.address, c.size, c.elements);
    AffineAccess a;
    ASSERT_TRUE(AffineAccess::summarize(r.data(), unsigned(r.size()), a)) << "lanes " << std::hex << c.lanes;
    EXPECT_EQ(a.base, c.base);
    EXPECT_EQ(a.stride, c.stride);
    EXPECT_EQ(a.lanes, c.lanes);
    EXPECT_EQ(a.elem_size, c.size);
    EXPECT_EQ(a.elements, c.elements);
    EXPECT_TRUE(same(expand(a), r));  // the records written out are the ones summarised
  }
}

TEST(AffineAccess, SummarisesRowsOfA2DThreadBlock) {
  // A 16x16 block's warp: lanes 0-15 row ty, lanes 16-31 row ty + 1 (As[ty][k], B[(t*16+ty)*N + tx]).
  AffineAccess a;
  std::vector<MemAccess> r = records(~0u, [](int l) { return uint64_t(4096 + 64 * (l / 16)); }, 4);
  ASSERT_TRUE(AffineAccess::summarize(r.data(), unsigned(r.size()), a));
  EXPECT_EQ(a.row_shift, 4);
  EXPECT_EQ(a.stride, 0);
  EXPECT_EQ(a.row_stride, 64);
  EXPECT_TRUE(same(expand(a), r));
  r = records(~0u, [](int l) { return uint64_t(8192 + 4 * (l % 8) + 1024 * (l / 8)); }, 4, 1, true);
  ASSERT_TRUE(AffineAccess::summarize(r.data(), unsigned(r.size()), a));
  EXPECT_EQ(a.row_shift, 3);
  EXPECT_EQ(a.stride, 4);
  EXPECT_EQ(a.row_stride, 1024);
  EXPECT_TRUE(a.write);
  EXPECT_TRUE(same(expand(a), r));
  r = records(~0u, [](int l) { return uint64_t(4 * (l % 12) + 1024 * (l / 12)); }, 4);  // rows of 12: no
  EXPECT_FALSE(AffineAccess::summarize(r.data(), unsigned(r.size()), a));
}

TEST(AffineAccess, RefusesWhatItCannotStandFor) {
  AffineAccess a;
  auto refuses = [&](std::vector<MemAccess> r) { return !AffineAccess::summarize(r.data(), unsigned(r.size()), a); };
  EXPECT_TRUE(refuses({}));
  EXPECT_TRUE(refuses(records(~0u, [](int l) { return uint64_t(l * l * 4); }, 4)));             // not affine
  EXPECT_TRUE(refuses(records(~0u, [](int l) { return uint64_t(4 * l + 2); }, 4)));             // misaligned
  EXPECT_TRUE(refuses(records(~0u, [](int l) { return uint64_t(6 * l); }, 4)));                 // stride not a block
  std::vector<MemAccess> mixed = records(~0u, [](int l) { return uint64_t(4 * l); }, 4);
  mixed[7].space = StateSpace::Global;
  EXPECT_TRUE(refuses(mixed));
  std::vector<MemAccess> atomic = records(~0u, [](int l) { return uint64_t(4 * l); }, 4);
  for (MemAccess& m : atomic) m.atomic = true;
  EXPECT_TRUE(refuses(atomic));
  std::vector<MemAccess> gap = records(~0u, [](int l) { return uint64_t(16 * l); }, 4, 4);
  gap[5].addr += 4;  // lane 1's second element not contiguous
  EXPECT_TRUE(refuses(gap));
}

// One access of `size` bytes per lane: rows of 1 << row_shift lanes.
AffineAccess affine(uint64_t base, int64_t stride, uint32_t size, uint32_t lanes, uint8_t row_shift = 5,
                    int64_t row_stride = 0) {
  AffineAccess a;
  a.base = base, a.stride = stride, a.lanes = lanes, a.row_shift = row_shift, a.row_stride = row_stride;
  a.space = StateSpace::Shared, a.elem_size = uint8_t(size), a.elements = 1;
  return a;
}

// Written out for cost() / coalesce().
std::vector<LaneAccess> lanes_of(const AffineAccess& a) {
  std::vector<LaneAccess> w(32);
  for (int l = 0; l < 32; ++l)
    if (a.lanes >> l & 1) w[size_t(l)] = LaneAccess{true, a.lane_address(unsigned(l)), a.lane_bytes()};
  return w;
}

TEST(SharedBanksAffine, HandCountsOn32BanksOf4Bytes) {
  const SharedBanks banks(32, 4);
  auto wavefronts = [&](const AffineAccess& a) { return banks.cost_affine(a, 0, a.lane_bytes()).wavefronts; };
  EXPECT_EQ(wavefronts(affine(0, 4, 4, ~0u)), 1);       // one word per bank
  EXPECT_EQ(wavefronts(affine(64, 0, 4, ~0u)), 1);      // broadcast
  EXPECT_EQ(wavefronts(affine(0, 128, 4, ~0u)), 32);    // a column: 32 words in bank 0
  EXPECT_EQ(wavefronts(affine(0, 8, 4, ~0u)), 2);       // stride 2 words: 2-way
  EXPECT_EQ(wavefronts(affine(0, 8, 8, ~0u)), 2);       // 64-bit: two half-warp phases
  EXPECT_EQ(wavefronts(affine(0, 16, 16, ~0u)), 4);     // 128-bit: four quarter-warp phases
  EXPECT_EQ(wavefronts(affine(0, 16, 16, 0x000000FFu)), 1);  // only the first phase active
  EXPECT_EQ(wavefronts(affine(0, -4, 4, ~0u)), 1);      // descending, wrapping below 0
  // A 16x16 tile: As[ty][k] (two broadcast words 16 words apart), Bs[k][tx] (a row read twice).
  EXPECT_EQ(wavefronts(affine(0, 0, 4, ~0u, 4, 64)), 1);
  EXPECT_EQ(wavefronts(affine(0, 4, 4, ~0u, 4, 0)), 1);
  EXPECT_EQ(wavefronts(affine(0, 0, 4, ~0u, 4, 128)), 2);  // rows 32 words apart: same bank, 2-way
}

TEST(SharedBanksAffine, AgreesWithCostOnRandomPatterns) {
  std::mt19937_64 rng(13);
  const int64_t strides[] = {0, 1, 2, 4, 8, 12, 16, 32, 36, 64, 128, 132, 256, -4, -8, -16, -128};
  for (const SharedBanks& banks : {SharedBanks(32, 4), SharedBanks(16, 4), SharedBanks(64, 4), SharedBanks(32, 8)}) {
    for (int trial = 0; trial < 4000; ++trial) {
      const uint32_t size = 1u << (rng() % 5);  // 1..16 B
      const int64_t stride = strides[rng() % std::size(strides)] * int64_t(1 + rng() % 2);
      const uint32_t mask = trial % 3 == 0 ? ~0u : uint32_t(rng()) | 1u;
      const uint64_t base = (rng() % 4096) / size * size + 65536;
      const uint8_t row_shift = uint8_t(trial % 2 ? 5 : rng() % 6);
      const int64_t row_stride = strides[rng() % std::size(strides)] * 4;
      const AffineAccess a = affine(base, stride, size, mask, row_shift, row_stride);
      const SharedAccessCost want = banks.cost(lanes_of(a));
      const SharedAccessCost got = banks.cost_affine(a, 0, size);
      ASSERT_EQ(got.wavefronts, want.wavefronts)
          << "base " << base << " stride " << stride << " size " << size << " rows " << int(row_shift) << " " << row_stride;
      ASSERT_EQ(got.phases, want.phases);
      ASSERT_EQ(got.worst_ways, want.worst_ways);
    }
  }
}

TEST(CoalescerAffine, HandCountsFor128ByteLinesOf32ByteSectors) {
  const Coalescer c(128, 32);
  std::vector<LineRequest> r;
  c.coalesce_affine(affine(0x1000, 4, 4, ~0u), r);  // dense floats: one line, four sectors
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].line_address, 0x1000u);
  EXPECT_EQ(r[0].sector_mask, 0xFu);
  EXPECT_EQ(r[0].lane_mask, ~0u);
  c.coalesce_affine(affine(0x1000, 128, 4, ~0u), r);  // a column: 32 lines, one sector each
  EXPECT_EQ(r.size(), 32u);
  EXPECT_EQ(Coalescer::total_sectors(r), 32);
  c.coalesce_affine(affine(0x1000, 0, 8, ~0u), r);  // broadcast: one sector
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].sector_mask, 1u);
  c.coalesce_affine(affine(0x1040, 16, 16, ~0u), r);  // v4.f32 from the middle of a line: five lines
  EXPECT_EQ(r.size(), 5u);
  EXPECT_EQ(Coalescer::total_sectors(r), 16);
  c.coalesce_affine(affine(0x1000, 4, 4, ~0u, 4, 1024), r);  // two rows of a 16x16 tile: two lines, 2 sectors each
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].line_address, 0x1400u);
  EXPECT_EQ(r[1].sector_mask, 0x3u);
  EXPECT_EQ(r[1].lane_mask, 0xFFFF0000u);
  c.coalesce_affine(affine(0x1000, 4, 4, ~0u, 3, 0), r);  // four rows reading one row: one line, sector 0
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].sector_mask, 0x1u);
}

TEST(CoalescerAffine, AgreesWithCoalesceOnRandomPatterns) {
  std::mt19937_64 rng(31);
  const Coalescer c(128, 32);
  const int64_t strides[] = {0, 1, 2, 4, 8, 16, 32, 64, 128, 4096, -4, -16, -128, 12, 24};
  std::vector<LineRequest> got;
  for (int trial = 0; trial < 20000; ++trial) {
    const uint32_t size = 1u << (rng() % 6);  // 1..32 B (32 B: the written-out fallback when misaligned)
    const int64_t stride = strides[rng() % std::size(strides)];
    const uint32_t mask = trial % 3 == 0 ? ~0u : uint32_t(rng()) | 1u;
    const uint64_t base = (rng() % 65536) / size * size + (trial % 7 == 0 ? 2 : 0) + (uint64_t(1) << 30);
    const uint8_t row_shift = uint8_t(trial % 2 ? 5 : rng() % 6);
    const int64_t row_stride = strides[rng() % std::size(strides)] * 8;
    const AffineAccess a = affine(base, stride, size, mask, row_shift, row_stride);
    const std::vector<LineRequest> want = c.coalesce(lanes_of(a));
    c.coalesce_affine(a, got);
    ASSERT_EQ(got.size(), want.size()) << "base " << base << " stride " << stride << " size " << size;
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(got[i].line_address, want[i].line_address);
      ASSERT_EQ(got[i].sector_mask, want[i].sector_mask);
      ASSERT_EQ(got[i].lane_mask, want[i].lane_mask);
    }
  }
}

}  // namespace
}  // namespace gpusim::sim
