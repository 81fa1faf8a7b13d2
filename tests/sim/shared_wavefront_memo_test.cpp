// SharedWavefrontMemo (sim/shared_wavefront_memo.h) may answer a summarised shared access with the
// wavefronts of an earlier access of the same shape whose base differs by a multiple of one row
// of banks. Checked here against the bank model's lane-by-lane count (SharedBanks::cost on the
// lanes written out): that shift never changes the count, and whatever the memo answers for a
// random query is either "unknown" or the query's own count.
#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

#include "isa/affine_access.h"
#include "sim/shared_banks.h"
#include "sim/shared_wavefront_memo.h"

namespace gpusim::sim {
namespace {

using isa::AffineAccess;

AffineAccess affine(uint64_t base, int64_t stride, uint32_t size, uint32_t lanes, uint8_t row_shift, int64_t row_stride) {
  AffineAccess a;
  a.base = base, a.stride = stride, a.lanes = lanes, a.row_shift = row_shift, a.row_stride = row_stride;
  a.space = isa::StateSpace::Shared, a.elem_size = uint8_t(size), a.elements = 1;
  return a;
}

int lane_by_lane(const SharedBanks& banks, const AffineAccess& a) {
  std::vector<LaneAccess> w(32);
  for (unsigned l = 0; l < 32; ++l)
    if (a.lanes >> l & 1) w[l] = LaneAccess{true, a.lane_address(l), a.lane_bytes()};
  return banks.cost(w).wavefronts;
}

// A random access from a small pool of shapes (so that queries meet stored shapes), aligned to
// its size as the summaries the pipeline prices are.
AffineAccess random_access(std::mt19937_64& rng) {
  const int64_t strides[] = {0, 4, 8, 16, 64, 128, 132, -4, -16};
  const uint32_t size = 1u << (rng() % 5);  // 1..16 B
  const int64_t stride = strides[rng() % std::size(strides)] / int64_t(size) * int64_t(size);
  const int64_t row_stride = strides[rng() % std::size(strides)] * 4 / int64_t(size) * int64_t(size);
  const uint32_t lanes = rng() % 3 ? ~0u : 0x0000ffffu << (rng() % 2 * 16);
  const uint8_t row_shift = uint8_t(rng() % 2 ? 5 : 4);
  const uint64_t base = (rng() % 1024) / size * size;
  return affine(base, stride, size, lanes, row_shift, row_stride);
}

TEST(SharedWavefrontMemo, ABankRowShiftKeepsTheCount) {
  std::mt19937_64 rng(7);
  for (const auto& [count, width] : {std::pair{32, 4}, std::pair{16, 4}, std::pair{32, 8}}) {
    const SharedBanks banks(count, width);
    const uint64_t row = uint64_t(count) * uint64_t(width);
    for (int trial = 0; trial < 3000; ++trial) {
      const AffineAccess a = random_access(rng);
      AffineAccess shifted = a;
      shifted.base += row * (1 + rng() % 1000);
      ASSERT_EQ(lane_by_lane(banks, shifted), lane_by_lane(banks, a)) << "base " << a.base << " stride " << a.stride;
    }
  }
}

TEST(SharedWavefrontMemo, AnswersUnknownOrTheTrueCount) {
  std::mt19937_64 rng(11);
  const SharedBanks banks(32, 4);
  SharedWavefrontMemo memo(128);
  // A kernel's handful of shapes: 40 of them, each met at many bases a multiple of 128 B apart.
  std::vector<AffineAccess> shapes;
  for (int i = 0; i < 40; ++i) shapes.push_back(random_access(rng));
  int hits = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    AffineAccess a = shapes[rng() % shapes.size()];
    a.base += 128 * (rng() % 64);
    const int want = lane_by_lane(banks, a);
    const int known = memo.find(a);
    if (known >= 0) {
      ASSERT_EQ(known, want) << "base " << a.base << " stride " << a.stride << " rows " << a.row_stride;
      ++hits;
    } else {
      memo.store(a, want);
      ASSERT_EQ(memo.find(a), want);  // what was stored is found until its slot is taken
    }
  }
  EXPECT_GT(hits, 10000);  // the shapes repeat: the memo is used, not only filled
}

TEST(SharedWavefrontMemo, ADifferentShapeIsNotTakenForAStoredOne) {
  SharedWavefrontMemo memo(128);
  const AffineAccess column = affine(0, 128, 4, ~0u, 5, 0);  // 32 words in one bank
  memo.store(column, 32);
  EXPECT_EQ(memo.find(affine(256, 128, 4, ~0u, 5, 0)), 32);  // two bank rows further: the same
  EXPECT_EQ(memo.find(affine(4, 128, 4, ~0u, 5, 0)), -1);    // another bank
  EXPECT_EQ(memo.find(affine(0, 128, 4, 0xffffu, 5, 0)), -1);  // other lanes
  EXPECT_EQ(memo.find(affine(0, 128, 8, ~0u, 5, 0)), -1);    // another size
  EXPECT_EQ(memo.find(affine(0, 132, 4, ~0u, 5, 0)), -1);    // another stride
}

}  // namespace
}  // namespace gpusim::sim
