// Warp scheduler order on hand-built sets of ready warps, against the policies' definitions:
// lrr starts after the last issuer and wraps; gto repeats the last issuer while it is ready,
// otherwise takes the oldest ready warp.
#include <gtest/gtest.h>

#include <vector>

#include "sim/warp_scheduler.h"

namespace gpusim::sim {
namespace {

uint64_t mask_of(std::initializer_list<int> slots) {
  uint64_t m = 0;
  for (int s : slots) m |= uint64_t(1) << s;
  return m;
}

// Issues `n` times from the same ready set, recording the order.
std::vector<int> issue_order(WarpScheduler& s, uint64_t ready, const std::vector<uint64_t>& ages, int n) {
  std::vector<int> order;
  for (int i = 0; i < n; ++i) {
    const int slot = s.select(ready, ages);
    order.push_back(slot);
    s.issued(slot);
  }
  return order;
}

TEST(WarpScheduler, LrrRotatesThroughReadyWarps) {
  WarpScheduler s(WarpSchedulerPolicy::LooseRoundRobin);
  const std::vector<uint64_t> ages(16, 0);
  EXPECT_EQ(issue_order(s, mask_of({1, 3, 5}), ages, 7), (std::vector<int>{1, 3, 5, 1, 3, 5, 1}));
}

TEST(WarpScheduler, LrrSkipsWarpsThatAreNotReady) {
  WarpScheduler s(WarpSchedulerPolicy::LooseRoundRobin);
  const std::vector<uint64_t> ages(16, 0);
  s.issued(3);
  EXPECT_EQ(s.select(mask_of({0, 2, 3}), ages), 0);   // nothing after 3 is ready: wraps to 0
  EXPECT_EQ(s.select(mask_of({0, 2, 3, 9}), ages), 9);
  s.issued(15);
  EXPECT_EQ(s.select(mask_of({15}), ages), 15);       // the only ready warp may repeat
}

TEST(WarpScheduler, GtoStaysGreedyThenTakesOldest) {
  WarpScheduler s(WarpSchedulerPolicy::GreedyThenOldest);
  std::vector<uint64_t> ages(16, 0);
  ages[1] = 30;
  ages[3] = 10;
  ages[5] = 20;
  // Oldest first (slot 3), then greedy on it while it stays ready.
  EXPECT_EQ(issue_order(s, mask_of({1, 3, 5}), ages, 3), (std::vector<int>{3, 3, 3}));
  // Slot 3 stalls: the oldest remaining is 5 (age 20), which then stays greedy.
  EXPECT_EQ(issue_order(s, mask_of({1, 5}), ages, 2), (std::vector<int>{5, 5}));
  // 3 is ready again but 5 still is: greedy keeps 5.
  EXPECT_EQ(s.select(mask_of({1, 3, 5}), ages), 5);
  s.forget(5);  // 5 left the sub-core
  EXPECT_EQ(s.select(mask_of({1, 3}), ages), 3);
}

TEST(WarpScheduler, NothingReadyGivesNone) {
  WarpScheduler lrr(WarpSchedulerPolicy::LooseRoundRobin);
  WarpScheduler gto(WarpSchedulerPolicy::GreedyThenOldest);
  const std::vector<uint64_t> ages(4, 0);
  EXPECT_EQ(lrr.select(0, ages), WarpScheduler::kNone);
  EXPECT_EQ(gto.select(0, ages), WarpScheduler::kNone);
}

}  // namespace
}  // namespace gpusim::sim
