// SIMT divergence/reconvergence, calls, barriers and warp collectives, run on the functional
// simulator and compared with plain C++ evaluations of the same kernels (tests/runtime/kernels/simt.cu).
#include <gtest/gtest.h>

#include "runtime/sim_device.h"
#include "tests/runtime/fixture_util.h"

using namespace gpusim::runtime;

namespace {

class SimtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dev = make_sim_device();
    mod = dev->load_ptx("runtime_simt.ptx", read_fixture("runtime_simt.ptx"));
  }
  LaunchConfig grid(unsigned blocks, unsigned threads) {
    LaunchConfig c;
    c.grid = Dim3{blocks, 1, 1};
    c.block = Dim3{threads, 1, 1};
    return c;
  }
  std::unique_ptr<Device> dev;
  ModuleHandle mod = -1;
};

int nested_if_ref(int i) {
  int v;
  if (i % 2 == 0) v = (i % 4 == 0) ? i * 3 : i + 100;
  else if (i % 3 == 0) v = -i;
  else if (i % 5 == 0) v = i * i;
  else v = 7;
  return v + 1;
}

TEST_F(SimtTest, NestedIfElseMatchesCpu) {
  const int n = 203;  // not a multiple of the block size
  DevPtr out = dev->alloc(n * sizeof(int));
  dev->launch(mod, "nested_if", grid((n + 63) / 64, 64), args(out, n));
  auto got = dev->download<int>(out, n);
  for (int i = 0; i < n; ++i) ASSERT_EQ(got[i], nested_if_ref(i)) << "thread " << i;
}

TEST_F(SimtTest, LoopWithBreakAndContinueMatchesCpu) {
  const int n = 100;
  DevPtr out = dev->alloc(n * 4), trips = dev->alloc(n * 4);
  dev->launch(mod, "loop_break", grid(2, 64), args(out, trips, n));
  auto acc = dev->download<int>(out, n);
  auto k = dev->download<int>(trips, n);
  for (int i = 0; i < n; ++i) {
    int a = 0, kk = 0;
    for (; kk < 1000; ++kk) {
      a += (kk ^ i) & 7;
      if (a > i) break;
      if ((kk & 3) == 3) continue;
      a += 1;
    }
    ASSERT_EQ(acc[i], a) << "thread " << i;
    ASSERT_EQ(k[i], kk) << "thread " << i;
  }
}

TEST_F(SimtTest, EarlyExitLeavesOtherElementsUntouched) {
  const int n = 70;
  std::vector<int> init(n, -5);
  DevPtr out = dev->upload(init);
  dev->launch(mod, "early_exit", grid(3, 32), args(out, n));
  auto got = dev->download<int>(out, n);
  for (int i = 0; i < n; ++i) ASSERT_EQ(got[i], i % 3 == 0 ? -5 : i * 2) << i;
}

TEST_F(SimtTest, DivergentCallsAndRecursion) {
  const int n = 64;
  DevPtr out = dev->alloc(n * 4);
  dev->launch(mod, "calls", grid(1, n), args(out, n));
  auto got = dev->download<int>(out, n);
  for (int i = 0; i < n; ++i) {
    int expect;
    if (i & 1) {
      int x = i + 1, steps = 0;
      while (x != 1 && steps <= 500) {
        x = (x & 1) ? 3 * x + 1 : x >> 1;
        ++steps;
      }
      expect = steps;
    } else {
      int f = 1;
      for (int k = 2; k <= i % 10; ++k) f *= k;
      expect = f + 1000000;
    }
    ASSERT_EQ(got[i], expect) << "thread " << i;
  }
}

TEST_F(SimtTest, DivergentShufflesAndBallot) {
  const int blocks = 2, threads = 64;
  DevPtr out = dev->alloc(blocks * threads * 4);
  dev->launch(mod, "divergent_shuffle", grid(blocks, threads), args(out));
  auto got = dev->download<int>(out, blocks * threads);
  for (int b = 0; b < blocks; ++b)
    for (int w = 0; w < threads / 32; ++w) {
      int v[32], nv[32];
      for (int l = 0; l < 32; ++l) v[l] = l * 10 + b;
      // Lower half: shfl.down by 1 within a 16-lane segment (width 16); out-of-range keeps own.
      for (int l = 0; l < 16; ++l) nv[l] = v[l] + (l + 1 < 16 ? v[l + 1] : v[l]);
      for (int l = 16; l < 32; ++l) nv[l] = v[l] + v[l ^ 2];
      unsigned ballot = 0;
      for (int l = 16; l < 32; ++l) ballot |= unsigned((nv[l] & 4) != 0) << l;
      for (int l = 16; l < 32; ++l) nv[l] += __builtin_popcount(ballot);
      for (int l = 0; l < 32; ++l)
        ASSERT_EQ(got[b * threads + w * 32 + l], nv[l] * 1000 + (nv[31] & 0xff)) << "block " << b << " lane " << l;
    }
}

TEST_F(SimtTest, SharedMemoryBarrierReversesBlock) {
  const int n = 500;
  std::vector<int> in(n);
  for (int i = 0; i < n; ++i) in[i] = i * 7 + 1;
  DevPtr din = dev->upload(in), dout = dev->alloc(n * 4);
  dev->memset(dout, 0, n * 4);
  dev->launch(mod, "reverse_block", grid(2, 256), args(din, dout, n));
  auto got = dev->download<int>(dout, n);
  for (int i = 0; i < n; ++i) {
    const int blk = i / 256, t = i % 256, src = blk * 256 + (255 - t);
    ASSERT_EQ(got[i], src < n ? in[src] : 0) << i;
  }
}

TEST_F(SimtTest, ExitedWarpsDoNotHoldUpTheBarrier) {
  DevPtr out = dev->alloc(64 * 4);
  dev->launch(mod, "barrier_after_exit", grid(1, 128), args(out));
  auto got = dev->download<int>(out, 64);
  for (int t = 0; t < 64; ++t) ASSERT_EQ(got[t], 63 - t);
}

TEST_F(SimtTest, BarrierThatCanNeverCompleteIsReportedNotHung) {
  DevPtr out = dev->alloc(64 * 4);
  try {
    dev->launch(mod, "barrier_deadlock", grid(1, 64), args(out));
    FAIL() << "expected a KernelFault";
  } catch (const KernelFault& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("barrier_deadlock"), std::string::npos) << msg;
    EXPECT_NE(msg.find("CTA (0,0,0)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("never complete"), std::string::npos) << msg;
    // Where each waiting warp waits: the barrier instruction's PC and PTX line.
    EXPECT_NE(msg.find("(waiting: warp 0 at PC "), std::string::npos) << msg;
    EXPECT_NE(msg.find("runtime_simt.ptx:"), std::string::npos) << msg;
  }
}

TEST_F(SimtTest, DivergentBarrierIsReported) {
  DevPtr out = dev->alloc(64 * 4);
  EXPECT_THROW(dev->launch(mod, "divergent_barrier", grid(1, 64), args(out)), KernelFault);
}

// Lane 0 of warp 0 spins on a flag warp 1 sets, while lanes 1-31 reach a plain barrier.sync: PTX
// allows the lanes to arrive at different times. In the kernel itself the spinning lane runs on
// and the barrier completes. Inside a called function (a -G build of cooperative groups'
// grid.sync(), whose __barrier_sync is not inlined) the lanes that went ahead used to enter the
// call alone and fault there, since gpusim runs a warp's lanes in one call frame at a time; they
// now wait in front of a call that reaches a barrier (Function::reaches_cta_barrier) until the
// spinning lane joins them, and the warp enters it together.
TEST_F(SimtTest, PlainBarrierReachedAtDifferentTimes) {
  const std::string ptx = R"(.version 8.0
.target sm_75
.address_size 64
.func bar_fn(.param .b32 id)
{
  .reg .b32 %r<2>;
  ld.param.b32 %r1, [id];
  barrier.sync %r1;
  ret;
}
.visible .entry spin_then_barrier(.param .u64 flag, .param .u32 in_function)
{
  .reg .pred %p<4>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<3>;
  ld.param.u64 %rd1, [flag];
  cvta.to.global.u64 %rd2, %rd1;
  ld.param.u32 %r5, [in_function];
  mov.u32 %r1, %tid.x;
  setp.ne.s32 %p1, %r1, 32;
  @%p1 bra NOT_SETTER;
  st.volatile.global.u32 [%rd2], 1;
NOT_SETTER:
  setp.ne.s32 %p2, %r1, 0;
  @%p2 bra JOIN;
SPIN:
  ld.volatile.global.u32 %r2, [%rd2];
  setp.eq.s32 %p3, %r2, 0;
  @%p3 bra SPIN;
JOIN:
  setp.eq.s32 %p1, %r5, 0;
  @%p1 bra INLINE;
  {
  .param .b32 a;
  st.param.b32 [a], 0;
  call bar_fn, (a);
  }
  bra DONE;
INLINE:
  mov.u32 %r3, 0;
  barrier.sync %r3;
DONE:
  ret;
}
)";
  const ModuleHandle m = dev->load_ptx("spin_then_barrier.ptx", ptx);
  DevPtr flag = dev->alloc(4);
  dev->memset(flag, 0, 4);
  for (uint32_t in_function : {0u, 1u}) {
    dev->memset(flag, 0, 4);
    EXPECT_NO_THROW(dev->launch(m, "spin_then_barrier", grid(1, 64), args(flag, in_function))) << in_function;
  }
}

// The early-return idiom before __syncthreads with n not a multiple of 32: the returning lanes
// wait at the tail nvcc shares between both paths, so they run (and exit) before the barrier.
// It was a "divergent warp" fault.
TEST_F(SimtTest, EarlyReturnBeforeABarrierWhoseTailIsShared) {
  for (int n : {16, 40, 0, 64}) {
    DevPtr out = dev->alloc(64 * 4);
    dev->launch(mod, "early_return_before_barrier", grid(1, 64), args(out, n));
    const auto got = dev->download<int>(out, 64);
    for (int t = 0; t < 64; ++t) ASSERT_EQ(got[t], t < n ? 7 : 1) << "n " << n << " thread " << t;
  }
}

TEST_F(SimtTest, BarrierReductionsCountAndCombine) {
  const int n = 96;
  DevPtr out = dev->alloc(n * 4);
  dev->launch(mod, "block_count", grid(1, n), args(out));
  auto got = dev->download<int>(out, n);
  int count = 0;
  for (int t = 0; t < n; ++t) count += t % 3 == 0;
  for (int t = 0; t < n; ++t) ASSERT_EQ(got[t], count * 100 + 10 + 1) << t;
}

TEST_F(SimtTest, Clock64IsMonotonic) {
  DevPtr out = dev->alloc(32 * 8);
  dev->launch(mod, "clock_monotonic", grid(1, 32), args(out));
  for (long long d : dev->download<long long>(out, 32)) EXPECT_GT(d, 0);
}

TEST_F(SimtTest, SameLaunchTwiceGivesSameCounts) {
  const int n = 203;
  DevPtr out = dev->alloc(n * 4);
  LaunchStats a = dev->launch(mod, "nested_if", grid(4, 64), args(out, n));
  LaunchStats b = dev->launch(mod, "nested_if", grid(4, 64), args(out, n));
  EXPECT_GT(a.warp_instructions, 0u);
  EXPECT_EQ(a.warp_instructions, b.warp_instructions);
  EXPECT_EQ(a.thread_instructions, b.thread_instructions);
  EXPECT_GE(a.thread_instructions, a.warp_instructions);
}

}  // namespace
