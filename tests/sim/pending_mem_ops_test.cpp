// The in-slot list of a warp's memory operations (sim/pending_mem_ops.h) against a std::vector
// driven by the same calls (push_back; removal by moving the last element into the hole, as the
// sub-core did with its vector): the same operations in the same order, in place, spilled past
// kInline and back in place once emptied.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "sim/pending_mem_ops.h"

namespace gpusim::sim {
namespace {

PendingMemOp op(uint64_t token) {
  PendingMemOp p;
  p.token = token;
  p.ndst = static_cast<uint16_t>(token % 5);
  p.lg = token % 2 == 1;
  if (token % 3 == 0) p.group_kind = PendingMemOp::kCpAsync, p.group = static_cast<uint32_t>(token / 3);
  return p;
}

void expect_same(const PendingMemOps& list, const std::vector<PendingMemOp>& ref) {
  ASSERT_EQ(list.size(), ref.size());
  ASSERT_EQ(list.empty(), ref.empty());
  size_t i = 0;
  for (const PendingMemOp& p : list) {
    EXPECT_EQ(p.token, ref[i].token) << "position " << i;
    EXPECT_EQ(p.ndst, ref[i].ndst);
    EXPECT_EQ(p.lg, ref[i].lg);
    EXPECT_EQ(p.group_of(PendingMemOp::kCpAsync), ref[i].group_of(PendingMemOp::kCpAsync));
    ++i;
  }
}

TEST(PendingMemOps, GroupOfAnotherKindIsNoGroup) {
  PendingMemOp p;
  EXPECT_EQ(p.group_of(PendingMemOp::kCpAsync), PendingMemOp::kNoGroup);
  p.group_kind = PendingMemOp::kBulk;
  p.group = 7;
  EXPECT_EQ(p.group_of(PendingMemOp::kBulk), 7u);
  EXPECT_EQ(p.group_of(PendingMemOp::kCpAsync), PendingMemOp::kNoGroup);
}

TEST(PendingMemOps, SpillsPastTheInlineOnesInOrderAndComesBack) {
  PendingMemOps list;
  std::vector<PendingMemOp> ref;
  // Fill to kInline + 3 (spilled), remove the second, then empty it from the front.
  for (uint64_t t = 1; t <= PendingMemOps::kInline + 3; ++t) list.push_back(op(t)), ref.push_back(op(t));
  expect_same(list, ref);
  list.erase_unordered(list.begin() + 1);
  ref[1] = ref.back(), ref.pop_back();
  expect_same(list, ref);  // the last one moved into position 1
  while (!ref.empty()) {
    list.erase_unordered(list.begin());
    ref[0] = ref.back(), ref.pop_back();
    expect_same(list, ref);
  }
  // In place again: a new burst starts from the inline storage.
  list.push_back(op(100)), ref.push_back(op(100));
  expect_same(list, ref);
}

TEST(PendingMemOps, RandomCallsMatchAVector) {
  std::mt19937 rng(12345);
  PendingMemOps list;
  std::vector<PendingMemOp> ref;
  uint64_t next = 1;
  for (int step = 0; step < 20000; ++step) {
    // Bias towards growth in bursts so that the list crosses kInline both ways many times.
    const bool grow = ref.empty() || (step / 200) % 2 == 0 ? rng() % 4 != 0 : rng() % 4 == 0;
    if (grow && ref.size() < 40) {
      list.push_back(op(next)), ref.push_back(op(next));
      ++next;
    } else if (!ref.empty()) {
      const size_t i = rng() % ref.size();
      list.erase_unordered(list.begin() + i);
      ref[i] = ref.back(), ref.pop_back();
    }
    expect_same(list, ref);
    if (::testing::Test::HasFailure()) FAIL() << "at step " << step;
  }
  list.clear();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.begin(), list.end());
}

}  // namespace
}  // namespace gpusim::sim
