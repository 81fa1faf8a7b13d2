// WorkerPool::for_each_affine: every iteration (and every block's head) runs exactly once per round
// whatever the thread count (also with more threads than cores, where owners are preempted and
// others take their blocks), rounds of both kinds interleave, and a thread that has started on its
// block keeps it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "isa/worker_pool.h"

namespace gpusim::isa {
namespace {

TEST(WorkerPoolAffine, RunsEveryIterationOnceOnAnyThreadCount) {
  for (unsigned t : {1u, 2u, 3u, 8u}) {
    WorkerPool pool(t);
    for (size_t n : {size_t(0), size_t(1), size_t(2), size_t(7), size_t(1000)}) {
      std::vector<int> hits(n, 0);
      for (int round = 0; round < 50; ++round) {
        // Affine and dynamic rounds alternate, as the timing model's tick and commit rounds do
        // with functional-mode launches on the same pool.
        if (round % 3 == 2) pool.for_each(n, [&](size_t i) { hits[i] += 1; });
        else pool.for_each_affine(n, [&](size_t i) { hits[i] += 1; });
      }
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i], 50) << t << " threads, " << n << " iterations, index " << i;
    }
  }
}

TEST(WorkerPoolAffine, RunsEveryHeadAndItemOnceAlsoWithoutItems) {
  for (unsigned t : {1u, 2u, 3u, 8u}) {
    WorkerPool pool(t);
    for (size_t n : {size_t(0), size_t(1), size_t(5), size_t(1000)}) {
      std::vector<int> items(n, 0);
      std::vector<std::atomic<int>> heads(t);
      std::atomic<int> bad_head{0};
      for (int round = 0; round < 30; ++round) {
        pool.for_each_affine(
            n, [&](size_t i) { items[i] += 1; },
            [&](unsigned b) {
              if (b < t) heads[b].fetch_add(1);
              else bad_head.fetch_add(1);
            });
        if (round % 4 == 3) pool.for_each(n, [&](size_t i) { items[i] += 1; });  // a dynamic round between
      }
      const int dynamic_rounds = 30 / 4;
      for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(items[i], 30 + dynamic_rounds) << t << " threads, " << n << " items, item " << i;
      for (unsigned b = 0; b < t; ++b) ASSERT_EQ(heads[b].load(), 30) << t << " threads, " << n << " items, head " << b;
      ASSERT_EQ(bad_head.load(), 0) << t << " threads: a head index past the last thread";
    }
  }
}

TEST(WorkerPoolAffine, AWorkingOwnerKeepsTheRestOfItsBlock) {
  // Two threads, four iterations: block 0 = {0, 1} is the calling thread's, block 1 = {2, 3} the
  // worker's. Iteration 2 holds its thread until 0 and 1 are done, so the calling thread is free
  // while 3 is still unclaimed: a dynamic hand-out gives 3 to it, the affine one leaves 3 to the
  // worker, which has started on its block. Rounds repeat until the worker was awake in time to
  // run iteration 2 itself (a new thread can take milliseconds to first run on a VM).
  WorkerPool pool(2);
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id ran_on[4];
  std::atomic<int> early_done{0};
  auto body = [&](size_t i) {
    ran_on[i] = std::this_thread::get_id();
    if (i == 2) {
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (early_done.load() < 2 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    }
    if (i < 2) early_done.fetch_add(1);
  };
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    early_done = 0;
    pool.for_each_affine(4, body);
  } while (ran_on[2] == caller && std::chrono::steady_clock::now() < give_up);
  ASSERT_NE(ran_on[2], caller) << "the worker thread never ran its block's first iteration in 20 s";
  EXPECT_EQ(ran_on[0], caller);
  EXPECT_EQ(ran_on[1], caller);
  EXPECT_EQ(ran_on[3], ran_on[2]) << "the calling thread took iteration 3 from the worker's block";
}

}  // namespace
}  // namespace gpusim::isa
