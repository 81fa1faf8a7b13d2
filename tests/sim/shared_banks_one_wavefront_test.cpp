// SharedBanks::one_wavefront, the shortcut the memory pipeline takes before pricing a shared
// instruction with cost(): hand-derived cases (32 banks x 4 B), and agreement with cost() on
// random traces (true must mean exactly one wavefront; false only sends the op to cost()).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "sim/shared_banks.h"

namespace gpusim::sim {
namespace {

const SharedBanks kBanks(32, 4);

std::vector<isa::MemAccess> trace(uint64_t (*address_of)(int lane), uint8_t size, int lanes = 32) {
  std::vector<isa::MemAccess> t;
  for (int lane = 0; lane < lanes; ++lane)
    t.push_back(isa::MemAccess{isa::StateSpace::Shared, address_of(lane), size, false, false, uint8_t(lane)});
  return t;
}

TEST(SharedBanksOneWavefront, RowAccessAndBroadcastAreOnePass) {
  EXPECT_TRUE(kBanks.one_wavefront(trace([](int lane) { return uint64_t(lane) * 4; }, 4)));
  EXPECT_TRUE(kBanks.one_wavefront(trace([](int) { return uint64_t(64); }, 4)));           // one word for all
  EXPECT_TRUE(kBanks.one_wavefront(trace([](int lane) { return uint64_t(lane / 4) * 4; }, 4)));  // 4 lanes a word
  EXPECT_TRUE(kBanks.one_wavefront(trace([](int lane) { return uint64_t(lane) * 2; }, 2)));  // halves: 2 lanes a word
  EXPECT_TRUE(kBanks.one_wavefront(trace([](int lane) { return uint64_t(lane * 33) * 4; }, 4)));  // padded column
  EXPECT_TRUE(kBanks.one_wavefront({}));  // a shuffle: no access, one pass
}

TEST(SharedBanksOneWavefront, ConflictsAndWideAccessesAreLeftToCost) {
  EXPECT_FALSE(kBanks.one_wavefront(trace([](int lane) { return uint64_t(lane) * 8; }, 4)));   // stride 2: 2-way
  EXPECT_FALSE(kBanks.one_wavefront(trace([](int lane) { return uint64_t(lane) * 128; }, 4)));  // column: 32-way
  EXPECT_FALSE(kBanks.one_wavefront(trace([](int lane) { return uint64_t(lane) * 8; }, 8)));   // 8 B: two phases
  EXPECT_FALSE(kBanks.one_wavefront(trace([](int lane) { return uint64_t(lane) * 4 + 2; }, 4)));  // straddles words
  auto v2 = trace([](int lane) { return uint64_t(lane) * 8; }, 4);
  for (int lane = 0; lane < 32; ++lane)  // the second element of a v2: the lane appears twice
    v2.push_back(isa::MemAccess{isa::StateSpace::Shared, uint64_t(lane) * 8 + 4, 4, false, false, uint8_t(lane)});
  EXPECT_FALSE(kBanks.one_wavefront(v2));
  EXPECT_FALSE(SharedBanks(16, 4).one_wavefront(trace([](int lane) { return uint64_t(lane) * 4; }, 4)));  // 2 phases
}

TEST(SharedBanksOneWavefront, AgreesWithCostOnRandomTraces) {
  std::mt19937_64 rng(7);
  int shortcuts = 0;
  for (int round = 0; round < 4000; ++round) {
    const uint8_t size = uint8_t(1u << (rng() % 3));  // 1, 2 or 4 bytes
    const uint64_t span = 1 + rng() % 512;            // small spans make broadcasts and conflicts likely
    std::vector<isa::MemAccess> t;
    WarpAccess w;
    for (int lane = 0; lane < 32; ++lane) {
      if (rng() % 4 == 0) continue;  // inactive lane
      const uint64_t addr = (rng() % span) / size * size;
      t.push_back(isa::MemAccess{isa::StateSpace::Shared, addr, size, false, false, uint8_t(lane)});
      w[lane] = LaneAccess{true, addr, size};
    }
    const int wavefronts = std::max(kBanks.cost(w).wavefronts, 1);  // the pipeline's floor of one pass
    if (kBanks.one_wavefront(t)) {
      ++shortcuts;
      EXPECT_EQ(wavefronts, 1) << "round " << round;
    } else {
      EXPECT_GT(wavefronts, 1) << "round " << round << ": a one-pass access the shortcut should have taken";
    }
  }
  EXPECT_GT(shortcuts, 100);
}

}  // namespace
}  // namespace gpusim::sim
