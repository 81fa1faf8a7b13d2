// The pool's threads block asynchronous signals (isa/signal_blocked_thread.h): a process-directed
// signal then runs the program's handler on one of its own threads, never on a pool thread that may
// hold what the handler waits for. The calling thread's mask is left as it was.
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "isa/signal_blocked_thread.h"
#include "isa/worker_pool.h"

namespace gpusim::isa {
namespace {

bool blocks(int signal) {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, signal) == 1;
}

TEST(WorkerPoolSignals, PoolThreadsBlockAsynchronousSignalsAndTheCallerKeepsItsMask) {
  ASSERT_FALSE(blocks(SIGALRM));
  WorkerPool pool(3);
  EXPECT_FALSE(blocks(SIGALRM)) << "creating the pool changed the caller's mask";
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> on_workers{0}, unblocked{0}, fault_blocked{0};
  // Items that take a while, so that the pool's threads (asleep at first) wake up and claim some.
  for (int round = 0; round < 100 && on_workers.load() == 0; ++round) {
    pool.for_each(64, [&](size_t) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      if (std::this_thread::get_id() == caller) return;
      on_workers += 1;
      if (!blocks(SIGALRM) || !blocks(SIGTERM) || !blocks(SIGINT) || !blocks(SIGUSR1)) unblocked += 1;
      if (blocks(SIGSEGV)) fault_blocked += 1;
    });
  }
  ASSERT_GT(on_workers.load(), 0) << "no iteration ran on a pool thread";
  EXPECT_EQ(unblocked.load(), 0);
  EXPECT_EQ(fault_blocked.load(), 0) << "a fault a thread causes must stay deliverable to it";
}

TEST(WorkerPoolSignals, ASignalBlockedThreadStartsBlocked) {
  bool alarm_blocked = false;
  start_signal_blocked_thread([&] { alarm_blocked = blocks(SIGALRM); }).join();
  EXPECT_TRUE(alarm_blocked);
  EXPECT_FALSE(blocks(SIGALRM));
}

}  // namespace
}  // namespace gpusim::isa
