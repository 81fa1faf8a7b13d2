// Lanes of one warp that sleep while waiting for a lock another lane of the same warp holds
// (libcu++'s semaphores back off with nanosleep). With independent thread scheduling the holder
// runs while they sleep, and each sleeper sleeps its full time: 32 lanes taking a lock one after
// another, the 31 losers of each round sleeping 20 us, take 30-31 rounds of 20 us (the round a
// winner runs while the losers sleep costs the same; one round may find the lock free). The
// reconvergence stack alone let the holder run only after 16 polling iterations of the losers,
// each a sleep of the whole warp (~10 ms); letting the holder run but dropping the sleepers' time
// would take microseconds. The counter the critical section increments checks the lock worked.
#include <gtest/gtest.h>

#include <string>

#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

const char* kPtx = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry sleepy_lock(.param .u64 lock, .param .u64 counter)
{
  .reg .u32 %old, %v;
  .reg .u64 %l, %c;
  .reg .pred %p;
  ld.param.u64 %l, [lock];
  ld.param.u64 %c, [counter];
RETRY:
  atom.global.cas.b32 %old, [%l], 0, 1;
  setp.eq.u32 %p, %old, 0;
  @%p bra TAKEN;
  nanosleep.u32 20000;
  bra RETRY;
TAKEN:
  ld.volatile.global.u32 %v, [%c];
  add.u32 %v, %v, 1;
  st.volatile.global.u32 [%c], %v;
  membar.gl;
  atom.global.exch.b32 %old, [%l], 0;
  ret;
}
)";

struct Outcome {
  uint32_t counter;
  double seconds;
};

Outcome run(SimMode mode) {
  SimDeviceOptions o;
  o.mode = mode;
  auto dev = make_sim_device(o);
  const ModuleHandle m = dev->load_ptx("sleepy.ptx", kPtx);
  const DevPtr lock = dev->alloc(4), counter = dev->alloc(4);
  dev->memset(lock, 0, 4);
  dev->memset(counter, 0, 4);
  LaunchConfig c;
  c.grid = Dim3{1, 1, 1};
  c.block = Dim3{32, 1, 1};
  const LaunchStats s = dev->launch(m, "sleepy_lock", c, args(lock, counter));
  Outcome out{0, s.seconds};
  dev->copy_to_host(&out.counter, counter, 4);
  return out;
}

TEST(NanosleepYield, SleepingLanesLetTheLockHolderOfTheirWarpRunAndStillSleep) {
  EXPECT_EQ(run(SimMode::Functional).counter, 32u);
  const Outcome timed = run(SimMode::Timing);
  EXPECT_EQ(timed.counter, 32u);
  EXPECT_GE(timed.seconds, 30 * 20e-6 * 0.98) << "the sleepers' time was dropped";
  EXPECT_LE(timed.seconds, 31 * 20e-6 * 1.15) << "the holder waited for its warp-mates' sleep";
}

}  // namespace
