// Proven endless loops through the device API, in both modes (isa/repeat_watch.h for functional
// mode, sim/endless_loop_watch.h for timing mode): a warp waiting for a flag nothing sets stops
// the launch as a runaway that says it can never finish, long before the budget; a warp waiting
// for a flag that another CTA sets only after a long computation (its own state repeating the
// whole time) is not stopped, and the launch completes.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

// spin(flag, n): thread 0 of CTA 0 waits until *flag != 0; thread 0 of CTA 1 (if any) first counts
// to n (registers only: nothing another warp can see) and then sets *flag; flag[1] = what CTA 1
// counted, written by CTA 0 once it has seen the flag.
const char* kPtx = R"(.version 9.0
.target sm_80
.address_size 64
.visible .entry spin(.param .u64 flag, .param .u32 n)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<3>;
  .reg .pred %p<4>;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u64 %rd1, [flag];
  mov.u32 %r2, %ctaid.x;
  setp.ne.u32 %p2, %r2, 0;
  @%p2 bra PRODUCE;
WAIT:
  ld.volatile.global.u32 %r3, [%rd1];
  setp.eq.u32 %p3, %r3, 0;
  @%p3 bra WAIT;
  st.global.u32 [%rd1+4], %r3;
  bra DONE;
PRODUCE:
  ld.param.u32 %r4, [n];
  mov.u32 %r5, 0;
COUNT:
  add.u32 %r5, %r5, 1;
  setp.lt.u32 %p3, %r5, %r4;
  @%p3 bra COUNT;
  st.volatile.global.u32 [%rd1], %r5;
DONE:
  ret;
}
)";

class EndlessLoopTest : public ::testing::TestWithParam<SimMode> {
 protected:
  void SetUp() override {
    dev = new_device();
    module = dev->load_ptx("spin.ptx", kPtx);
    flag = dev->alloc(8);
    dev->memset(flag, 0, 8);
  }
  std::unique_ptr<Device> new_device() const {
    SimDeviceOptions o;
    o.mode = GetParam();
    o.threads = 2;
    o.repeat_check_after = 20000;  // functional mode: soon; timing mode watches from 65,536 cycles
    return make_sim_device(o);
  }
  LaunchConfig ctas(unsigned n) {
    LaunchConfig c;
    c.grid = Dim3{n, 1, 1};
    c.block = Dim3{64, 1, 1};
    return c;
  }
  std::unique_ptr<Device> dev;
  ModuleHandle module = -1;
  DevPtr flag = 0;
};

TEST_P(EndlessLoopTest, AWaitNothingEndsIsStoppedAsEndless) {
  try {
    dev->launch(module, "spin", ctas(1), args(flag, uint32_t(0)));
    FAIL() << "the endless wait finished";
  } catch (const KernelFault& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.kind(), FaultKind::Runaway) << what;
    EXPECT_NE(what.find("can never finish"), std::string::npos) << what;
    EXPECT_NE(what.find("kernel 'spin', CTA (0,0,0)"), std::string::npos) << what;
    EXPECT_NE(what.find("spin.ptx:"), std::string::npos) << what;
    EXPECT_EQ(what.find("raise the budget"), std::string::npos) << what;  // a proof, not a guess
  }
}

TEST_P(EndlessLoopTest, AWaitAnotherCtaEndsLateIsNotStopped) {
  // CTA 1 counts for 100,000 iterations (hundreds of thousands of cycles in timing mode, far longer than the
  // watch's intervals) while CTA 0's waiting warp comes back to the same state again and again.
  const uint32_t n = 100000;
  dev->launch(module, "spin", ctas(2), args(flag, n));
  uint32_t words[2] = {0, 0};
  dev->copy_to_host(words, flag, sizeof words);
  EXPECT_EQ(words[0], n);
  EXPECT_EQ(words[1], n);  // CTA 0 saw the flag CTA 1 set
}

// lock(flag, n): thread 0 of CTAs 0 and 1 take a spin lock with atomicCAS; CTA 0 then counts to n
// and releases it only when n != 0 (the forgotten unlock of an outside user's kernel), CTA 1
// writes 7 and releases it. A failed CAS changes no memory, so while nothing else does, it fails
// again forever: timing mode ran such a hang toward the 2^36 budget (about 80 hours).
const char* kLockPtx = R"(.version 9.0
.target sm_80
.address_size 64
.visible .entry lock(.param .u64 flag, .param .u32 n)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<3>;
  .reg .pred %p<4>;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u64 %rd1, [flag];
TAKE:
  atom.global.cas.b32 %r3, [%rd1], 0, 1;
  setp.ne.u32 %p3, %r3, 0;
  @%p3 bra TAKE;
  mov.u32 %r2, %ctaid.x;
  setp.ne.u32 %p2, %r2, 0;
  @%p2 bra WRITE;
  ld.param.u32 %r4, [n];
  setp.eq.u32 %p3, %r4, 0;
  @%p3 bra DONE;
  mov.u32 %r5, 0;
COUNT:
  add.u32 %r5, %r5, 1;
  setp.lt.u32 %p3, %r5, %r4;
  @%p3 bra COUNT;
  atom.global.exch.b32 %r6, [%rd1], 0;
  bra DONE;
WRITE:
  st.global.u32 [%rd1+4], 7;
  atom.global.exch.b32 %r6, [%rd1], 0;
DONE:
  ret;
}
)";

TEST_P(EndlessLoopTest, ALockNobodyReleasesIsStoppedAndOneReleasedLateIsNot) {
  const ModuleHandle lock = dev->load_ptx("lock.ptx", kLockPtx);
  try {
    dev->launch(lock, "lock", ctas(2), args(flag, uint32_t(0)));
    FAIL() << "the wait for a lock nobody releases finished";
  } catch (const KernelFault& e) {
    EXPECT_EQ(e.kind(), FaultKind::Runaway) << e.what();
    EXPECT_NE(std::string(e.what()).find("can never finish"), std::string::npos) << e.what();
  }
  const std::unique_ptr<Device> released = new_device();
  const ModuleHandle again = released->load_ptx("lock.ptx", kLockPtx);
  const DevPtr word = released->alloc(8);
  released->memset(word, 0, 8);
  released->launch(again, "lock", ctas(2), args(word, uint32_t(100000)));
  uint32_t words[2] = {1, 0};
  released->copy_to_host(words, word, sizeof words);
  EXPECT_EQ(words[0], 0u);  // released
  EXPECT_EQ(words[1], 7u);  // CTA 1 got the lock
}

// hammer(counter, n): every thread adds 1 to one word n times, as nvcc 13 compiles
// `for (int i = 0; i < n; ++i) atomicAdd(c, 1);` (-arch=compute_75): unrolled by four, atom with
// destinations nothing reads, so a warp reaches ret with its atomics in flight.
const char* kHammerPtx = R"(.version 9.0
.target sm_75
.address_size 64
.visible .entry hammer(
 .param .u64 hammer_param_0,
 .param .u32 hammer_param_1
)
{
 .reg .pred  %p<6>;
 .reg .b32  %r<16>;
 .reg .b64  %rd<3>;
 ld.param.u64  %rd2, [hammer_param_0];
 ld.param.u32  %r7, [hammer_param_1];
 cvta.to.global.u64  %rd1, %rd2;
 setp.lt.s32  %p1, %r7, 1;
 @%p1 bra  $L__BB0_6;
 add.s32  %r8, %r7, -1;
 and.b32   %r15, %r7, 3;
 setp.lt.u32  %p2, %r8, 3;
 @%p2 bra  $L__BB0_4;
 sub.s32  %r14, %r7, %r15;
$L__BB0_3:
 atom.global.add.u32  %r9, [%rd1], 1;
 atom.global.add.u32  %r10, [%rd1], 1;
 atom.global.add.u32  %r11, [%rd1], 1;
 atom.global.add.u32  %r12, [%rd1], 1;
 add.s32  %r14, %r14, -4;
 setp.ne.s32  %p3, %r14, 0;
 @%p3 bra  $L__BB0_3;
$L__BB0_4:
 setp.eq.s32  %p4, %r15, 0;
 @%p4 bra  $L__BB0_6;
$L__BB0_5:
 .pragma "nounroll";
 atom.global.add.u32  %r13, [%rd1], 1;
 add.s32  %r15, %r15, -1;
 setp.ne.s32  %p5, %r15, 0;
 @%p5 bra  $L__BB0_5;
$L__BB0_6:
 ret;
}
)";

// 81,920 atomics on one address queue at the L2 (one a cycle) after every warp has issued its last
// instruction: the CTAs stay resident, all warps done, for thousands of cycles while they drain.
// The timing-mode watch took that for warps repeating their states and stopped a correct kernel.
TEST_P(EndlessLoopTest, CtasDrainingContendedAtomicsAreNotStopped) {
  const ModuleHandle hammer = dev->load_ptx("hammer.ptx", kHammerPtx);
  LaunchConfig c;
  c.grid = Dim3{80, 1, 1};
  c.block = Dim3{256, 1, 1};
  dev->launch(hammer, "hammer", c, args(flag, uint32_t(4)));
  uint32_t counter = 0;
  dev->copy_to_host(&counter, flag, sizeof counter);
  EXPECT_EQ(counter, 80u * 256u * 4u);
}

INSTANTIATE_TEST_SUITE_P(Modes, EndlessLoopTest, ::testing::Values(SimMode::Functional, SimMode::Timing),
                         [](const ::testing::TestParamInfo<SimMode>& i) {
                           return i.param == SimMode::Functional ? std::string("functional") : std::string("timing");
                         });

}  // namespace
