// Scoreboard rules, checked against cycle counts worked out by hand from the rules stated in
// sim/scoreboard.h.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "sim/scoreboard.h"

namespace gpusim::sim {
namespace {

TEST(Scoreboard, FixedLatencyBlocksUntilReadyCycle) {
  Scoreboard b;
  b.reset(8);
  b.set_ready_at(3, 14, StallReason::Wait);  // issued at 10 with latency 4
  const std::vector<uint32_t> reads{1, 3};
  for (uint64_t c = 10; c < 14; ++c) {
    const auto blk = b.check(reads, c);
    EXPECT_TRUE(blk.blocked()) << "cycle " << c;
    EXPECT_EQ(blk.reason, StallReason::Wait);
    EXPECT_EQ(blk.until, 14u);
  }
  EXPECT_FALSE(b.check(reads, 14).blocked());
  const std::vector<uint32_t> other{1, 2};
  EXPECT_FALSE(b.check(other, 10).blocked());
}

TEST(Scoreboard, LatestRegisterDecidesReasonAndCycle) {
  Scoreboard b;
  b.reset(4);
  b.set_ready_at(0, 30, StallReason::ShortScoreboard);  // an SFU result
  b.set_ready_at(1, 12, StallReason::Wait);
  const std::vector<uint32_t> both{1, 0};
  const auto blk = b.check(both, 10);
  EXPECT_EQ(blk.reason, StallReason::ShortScoreboard);
  EXPECT_EQ(blk.until, 30u);
}

TEST(Scoreboard, PendingMemoryBlocksUntilCompletion) {
  Scoreboard b;
  b.reset(4);
  b.set_ready_at(1, 12, StallReason::Wait);
  b.set_pending(2, StallReason::LongScoreboard);
  const std::vector<uint32_t> regs{1, 2};
  auto blk = b.check(regs, 11);
  EXPECT_EQ(blk.reason, StallReason::LongScoreboard);
  EXPECT_EQ(blk.until, kNeverCycle);
  EXPECT_FALSE(b.drained(500));
  b.complete(2, 400);
  EXPECT_TRUE(b.check(regs, 399).blocked());
  EXPECT_FALSE(b.check(regs, 400).blocked());
  EXPECT_TRUE(b.drained(400));
}

TEST(Scoreboard, DrainWaitsForEveryResult) {
  Scoreboard b;
  b.reset(4);
  EXPECT_FALSE(b.drain_block(0).blocked());
  b.set_ready_at(0, 9, StallReason::Wait);
  b.set_ready_at(1, 7, StallReason::Wait);
  EXPECT_EQ(b.drain_block(5).until, 9u);
  EXPECT_FALSE(b.drain_block(9).blocked());
  b.set_pending(3, StallReason::ShortScoreboard);
  EXPECT_EQ(b.drain_block(20).reason, StallReason::ShortScoreboard);
}

TEST(Scoreboard, OutOfRangeRegisterIsAnError) {
  Scoreboard b;
  b.reset(2);
  EXPECT_THROW(b.set_ready_at(2, 5, StallReason::Wait), std::out_of_range);
  EXPECT_THROW(b.set_pending(7, StallReason::LongScoreboard), std::out_of_range);
}

// A register found ready and then written again blocks again (the board's per-register "found
// ready" bit must not hide the new result), for registers below and above the 192 it tracks.
TEST(Scoreboard, RegisterWrittenAfterBeingFoundReadyBlocksAgain) {
  for (uint32_t reg : {5u, 191u, 192u, 250u}) {
    Scoreboard b;
    b.reset(256);
    const std::vector<uint32_t> regs{reg};
    b.set_ready_at(reg, 10, StallReason::Wait);  // issued at 6, latency 4
    EXPECT_TRUE(b.check(regs, 9).blocked()) << reg;
    EXPECT_FALSE(b.check(regs, 10).blocked()) << reg;
    EXPECT_FALSE(b.check(regs, 11).blocked()) << reg;
    b.set_ready_at(reg, 20, StallReason::Wait);  // written again at 16
    auto blk = b.check(regs, 16);
    EXPECT_TRUE(blk.blocked()) << reg;
    EXPECT_EQ(blk.until, 20u) << reg;
    EXPECT_FALSE(b.check(regs, 20).blocked()) << reg;
    b.set_pending(reg, StallReason::LongScoreboard);  // then by a load
    blk = b.check(regs, 21);
    EXPECT_EQ(blk.reason, StallReason::LongScoreboard) << reg;
    EXPECT_EQ(blk.until, kNeverCycle) << reg;
    b.complete(reg, 300);
    EXPECT_TRUE(b.check(regs, 299).blocked()) << reg;
    EXPECT_FALSE(b.check(regs, 300).blocked()) << reg;
  }
}

// Entries hold a ready cycle in 56 bits: 2^56 - 2 is the last one (about 2 years of simulated
// time at 1 GHz); beyond it is an error, not a wrapped cycle.
TEST(Scoreboard, ReadyCycleBeyondItsFieldIsAnError) {
  Scoreboard b;
  b.reset(2);
  const uint64_t last = (uint64_t(1) << 56) - 2;
  b.set_ready_at(0, last, StallReason::Wait);
  const std::vector<uint32_t> regs{0};
  EXPECT_EQ(b.check(regs, 0).until, last);
  EXPECT_THROW(b.set_ready_at(1, last + 1, StallReason::Wait), std::out_of_range);
  b.set_pending(1, StallReason::LongScoreboard);
  EXPECT_THROW(b.complete(1, last + 1), std::out_of_range);
}

}  // namespace
}  // namespace gpusim::sim
