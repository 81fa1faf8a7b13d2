// CommitOrder (sim/commit_order.h): which of a cycle's deferred accesses the staged commit runs in
// SM order. The expectations below follow from the rule stated there, worked out by hand: an
// access runs in order when an access of another SM after it conflicts with it (overlapping
// bytes with a write among the two, or bytes unknown), and with it everything of its SM before it.
#include <gtest/gtest.h>

#include <vector>

#include "sim/commit_order.h"

namespace gpusim::sim {
namespace {

DeferredAccess load(uint64_t lo, uint64_t hi) { return {DeferredAccess::Kind::Read, true, lo, hi}; }
DeferredAccess store(uint64_t lo, uint64_t hi) { return {DeferredAccess::Kind::Write, true, lo, hi}; }
DeferredAccess unknown_load() { return {DeferredAccess::Kind::Read, false, 0, 0}; }
DeferredAccess unknown_write() { return {DeferredAccess::Kind::Write, false, 0, 0}; }

struct At {
  size_t k;
  int subcore;
  DeferredAccess access;
};

std::vector<int> decide(const std::vector<At>& cycle, size_t sms, bool* fell_back = nullptr) {
  CommitOrder order;
  order.clear();
  for (const At& a : cycle) order.add(a.k, a.subcore, a.access);
  std::vector<int> upto;
  order.decide(sms, upto);
  if (fell_back) *fell_back = order.fell_back();
  return upto;
}

TEST(CommitOrder, LoadsAloneNeedNoOrder) {
  EXPECT_EQ(decide({{0, 0, load(0, 128)}, {1, 2, load(0, 128)}, {2, 1, unknown_load()}}, 3), (std::vector<int>{0, 0, 0}));
}

TEST(CommitOrder, DisjointLoadsAndStoresAllRunLocally) {
  // vecadd's shape: loads of a and b, stores of c, every SM its own lines.
  bool fell_back = true;
  const auto upto = decide({{0, 0, load(0, 128)}, {0, 1, store(8192, 8320)}, {1, 0, load(4096, 4224)},
                            {1, 3, store(8320, 8448)}, {2, 2, load(128, 256)}},
                           3, &fell_back);
  EXPECT_FALSE(fell_back);
  EXPECT_EQ(upto, (std::vector<int>{0, 0, 0}));
}

TEST(CommitOrder, ALoadBeforeAnOverlappingStoreOfALaterSmRunsInOrder) {
  // SM 1 sub-core 2 loads what SM 3 stores: the load (and SM 1's sub-cores before it) in order.
  const auto upto = decide({{1, 0, load(0, 64)}, {1, 2, load(1000, 1004)}, {3, 1, store(1002, 1006)}}, 4);
  EXPECT_EQ(upto, (std::vector<int>{0, 3, 0, 0}));
}

TEST(CommitOrder, AStoreBeforeAnOverlappingLoadOfALaterSmRunsInOrder) {
  const auto upto = decide({{0, 3, store(64, 128)}, {2, 0, load(96, 100)}}, 3);
  EXPECT_EQ(upto, (std::vector<int>{4, 0, 0}));
}

TEST(CommitOrder, TwoSmsStoringTheSameBytesOrderTheFirst) {
  const auto upto = decide({{0, 1, store(0, 4)}, {1, 1, store(0, 4)}, {1, 2, load(4, 8)}}, 2);
  EXPECT_EQ(upto, (std::vector<int>{2, 0}));
}

TEST(CommitOrder, AdjacentRangesDoNotOverlap) {
  EXPECT_EQ(decide({{0, 0, store(0, 4)}, {1, 0, store(4, 8)}, {2, 0, load(8, 12)}}, 3), (std::vector<int>{0, 0, 0}));
}

TEST(CommitOrder, OneSmsOwnAccessesKeepTheirOrderLocally) {
  // Store then load of the same word in one SM: its local stage runs them in sub-core order.
  EXPECT_EQ(decide({{0, 0, store(0, 4)}, {0, 1, load(0, 4)}}, 1), (std::vector<int>{0}));
}

TEST(CommitOrder, ALoadOfUnknownBytesOrdersAgainstEveryWriteOfAnotherSm) {
  // Before a store: the load in order. After every store: the stores in order before it.
  EXPECT_EQ(decide({{0, 1, unknown_load()}, {1, 0, store(0, 4)}}, 2), (std::vector<int>{2, 0}));
  EXPECT_EQ(decide({{0, 0, store(0, 4)}, {1, 0, store(100, 104)}, {2, 0, unknown_load()}}, 3),
            (std::vector<int>{1, 1, 0}));
}

TEST(CommitOrder, ANoLaneAccessConflictsWithNothing) {
  EXPECT_EQ(decide({{0, 0, store(0, 0)}, {1, 0, store(0, 4)}, {2, 0, load(0, 0)}}, 3), (std::vector<int>{0, 0, 0}));
}

TEST(CommitOrder, AWriteOfUnknownBytesOrdersEverythingUpToTheLastWrite) {
  bool fell_back = false;
  const auto upto = decide({{0, 2, load(0, 4)}, {1, 1, unknown_write()}, {2, 0, store(64, 68)}, {2, 3, load(200, 204)},
                            {3, 0, load(300, 304)}},
                           4, &fell_back);
  EXPECT_TRUE(fell_back);
  EXPECT_EQ(upto, (std::vector<int>{3, 2, 1, 0}));
}

TEST(CommitOrder, TooManyPairsFallBackToOrderingUpToTheLastWrite) {
  std::vector<At> cycle;
  const size_t sms = 80;
  for (size_t k = 0; k < sms; ++k)
    for (int i = 0; i < 4; ++i) cycle.push_back({k, i, store(k * 4096 + uint64_t(i) * 128, k * 4096 + uint64_t(i) * 128 + 128)});
  bool fell_back = false;
  const auto upto = decide(cycle, sms, &fell_back);
  ASSERT_GT(size_t(320) * 320, CommitOrder::kMaxPairs);
  EXPECT_TRUE(fell_back);
  for (size_t k = 0; k < sms; ++k) EXPECT_EQ(upto[k], 4) << "SM " << k;
}

TEST(CommitOrder, ANewCycleForgetsTheLastOne) {
  CommitOrder order;
  order.clear();
  order.add(0, 0, store(0, 4));
  order.add(1, 0, load(0, 4));
  std::vector<int> upto;
  order.decide(2, upto);
  EXPECT_EQ(upto, (std::vector<int>{1, 0}));
  order.clear();
  order.add(0, 0, load(0, 4));
  order.decide(2, upto);
  EXPECT_EQ(upto, (std::vector<int>{0, 0}));
}

}  // namespace
}  // namespace gpusim::sim
