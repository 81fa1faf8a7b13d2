// The tail schedule of progress-rate sampling (sim/tail_schedule.h) against schedules worked out by
// hand: a full machine, a tail that leaves slots idle, queued CTAs taking the first free slot.
#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/tail_schedule.h"

namespace gpusim::sim {
namespace {

TEST(TailSchedule, ResidentOnlyEndsWithTheLongestCta) {
  // 3 CTAs with 100, 300, 200 instructions left at 2 per cycle: the 300 ends last, at 150.
  EXPECT_DOUBLE_EQ(schedule_remaining_work(4, {100, 300, 200}, {}, 2.0), 150.0);
}

TEST(TailSchedule, QueuedCtasTakeTheFirstFreeSlot) {
  // 2 slots, resident 10 and 40 left, queued 30, 30 at rate 1: the first queued CTA takes slot A at
  // 10 (ends 40), the second takes the first to free of A (40) and B (40) at 40 and ends at 70.
  EXPECT_DOUBLE_EQ(schedule_remaining_work(2, {10, 40}, {30, 30}, 1.0), 70.0);
}

TEST(TailSchedule, PartialLastWaveLeavesSlotsIdle) {
  // 4 slots, 5 equal CTAs of 100 at rate 1, none resident: a full wave to 100, then one CTA alone
  // on the machine to 200 (the tail runs at a quarter of the full machine's rate).
  EXPECT_DOUBLE_EQ(schedule_remaining_work(4, {}, {100, 100, 100, 100, 100}, 1.0), 200.0);
}

TEST(TailSchedule, FreeSlotsStartQueuedCtasAtOnce) {
  // 3 slots, 1 resident with 50 left, queued 20 and 20: both start at 0 on the idle slots.
  EXPECT_DOUBLE_EQ(schedule_remaining_work(3, {50}, {20, 20}, 1.0), 50.0);
}

TEST(TailSchedule, RejectsImpossibleInputs) {
  EXPECT_THROW(schedule_remaining_work(0, {}, {1}, 1.0), std::invalid_argument);
  EXPECT_THROW(schedule_remaining_work(1, {1, 1}, {}, 1.0), std::invalid_argument);
  EXPECT_THROW(schedule_remaining_work(1, {1}, {}, 0.0), std::invalid_argument);
}

}  // namespace
}  // namespace gpusim::sim

namespace gpusim::sim {
namespace {

// Per-SM rates (a grid that does not divide evenly among the SMs): SM 0 holds 4 CTAs of 120
// instructions at 0.75 per CTA and cycle (an SM retiring 3 per cycle, shared by 4), SM 1 holds 3
// at 1.0 (the same SM rate, shared by 3): SM 1 is done at 120, SM 0 at 160. One machine-wide
// per-CTA rate (21 / 7 CTAs = 0.857) would end both at 140.
TEST(TailSchedule, TheFullerSmEndsLastWithItsOwnRate) {
  const std::vector<SmTail> sms = {{4, 0.75}, {4, 1.0}};
  std::vector<ResidentCta> resident;
  for (int i = 0; i < 4; ++i) resident.push_back({0, 120});
  for (int i = 0; i < 3; ++i) resident.push_back({1, 120});
  EXPECT_DOUBLE_EQ(schedule_remaining_work_by_sm(sms, resident, {}), 160.0);
  // A queued CTA of 30 takes SM 1's free slot at once (1.0: ends at 30), then another of 150 the
  // first slot to free: SM 1's at 30, ending at 180.
  EXPECT_DOUBLE_EQ(schedule_remaining_work_by_sm(sms, resident, {30, 150}), 180.0);
  // With equal rates it is the machine-wide schedule.
  EXPECT_DOUBLE_EQ(schedule_remaining_work_by_sm({{2, 1.0}, {2, 1.0}}, {{0, 10}, {1, 40}}, {30, 30}),
                   schedule_remaining_work(4, {10, 40}, {30, 30}, 1.0));
  EXPECT_THROW(schedule_remaining_work_by_sm({{1, 1.0}}, {{0, 1}, {0, 1}}, {}), std::invalid_argument);
  EXPECT_THROW(schedule_remaining_work_by_sm({{1, 1.0}}, {{1, 1}}, {}), std::invalid_argument);
  EXPECT_THROW(schedule_remaining_work_by_sm({{1, 0.0}}, {}, {1}), std::invalid_argument);
}

}  // namespace
}  // namespace gpusim::sim
