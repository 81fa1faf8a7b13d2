// Endless loops proven by a repeating state (isa/repeat_watch.h): a kernel that can never finish
// is stopped soon after the watch starts, naming the loop, instead of after the 2^36
// warp-instruction budget; kernels that would finish are never stopped, also those whose
// registers come back to the same values each iteration while memory keeps changing.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "isa/worker_pool.h"
#include "runtime/device_memory.h"

namespace gpusim::isa {
namespace {

// Every kernel takes (u64 buffer, u32 n); thread 0 of each CTA runs the loop, the others exit.
const char* kLoopsPtx = R"(
.version 9.0
.target sm_80
.address_size 64
.visible .entry spin_on_flag(.param .u64 buf, .param .u32 n)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<2>;
  .reg .pred %p<3>;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u64 %rd1, [buf];
WAIT:
  ld.volatile.global.u32 %r2, [%rd1];
  setp.eq.u32 %p2, %r2, 0;
  @%p2 bra WAIT;
DONE:
  ret;
}
.visible .entry never_advances(.param .u64 buf, .param .u32 n)
{
  .reg .b32 %r<6>;
  .reg .pred %p<3>;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u32 %r2, [n];
  mov.u32 %r3, 0;
  mov.u32 %r5, 0;
LOOP:
  add.u32 %r4, %r3, 7;
  xor.b32 %r5, %r5, %r4;
  setp.lt.u32 %p2, %r3, %r2;
  @%p2 bra LOOP;
DONE:
  ret;
}
.visible .entry counts_up(.param .u64 buf, .param .u32 n)
{
  .reg .b32 %r<6>;
  .reg .b64 %rd<2>;
  .reg .pred %p<3>;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u64 %rd1, [buf];
  ld.param.u32 %r2, [n];
  mov.u32 %r3, 0;
LOOP:
  add.u32 %r3, %r3, 1;
  setp.lt.u32 %p2, %r3, %r2;
  @%p2 bra LOOP;
  st.global.u32 [%rd1], %r3;
DONE:
  ret;
}
.visible .entry stores_the_same(.param .u64 buf, .param .u32 n)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<2>;
  .reg .pred %p<2>;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u64 %rd1, [buf];
  mov.u32 %r2, 5;
LOOP:
  st.global.u32 [%rd1], %r2;
  bra LOOP;
DONE:
  ret;
}
.visible .entry counts_in_memory(.param .u64 buf, .param .u32 n)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<2>;
  .reg .pred %p<3>;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u64 %rd1, [buf];
  ld.param.u32 %r3, [n];
LOOP:
  ld.global.u32 %r2, [%rd1];
  add.u32 %r2, %r2, 1;
  st.global.u32 [%rd1], %r2;
  setp.ge.u32 %p2, %r2, %r3;
  mov.u32 %r2, 0;
  @!%p2 bra LOOP;
DONE:
  ret;
}
.visible .entry counts_in_shared(.param .u64 buf, .param .u32 n)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<2>;
  .reg .pred %p<3>;
  .shared .align 4 .u32 counter;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u64 %rd1, [buf];
  ld.param.u32 %r3, [n];
  st.shared.u32 [counter], 0;
LOOP:
  ld.shared.u32 %r2, [counter];
  add.u32 %r2, %r2, 1;
  st.shared.u32 [counter], %r2;
  setp.ge.u32 %p2, %r2, %r3;
  mov.u32 %r2, 0;
  @!%p2 bra LOOP;
  ld.shared.u32 %r2, [counter];
  st.global.u32 [%rd1], %r2;
DONE:
  ret;
}
.visible .entry two_groups_spin(.param .u64 buf, .param .u32 n)
{
  .reg .b32 %r<6>;
  .reg .pred %p<4>;
  .shared .align 4 .u32 flag;
  mov.u32 %r1, %tid.x;
  setp.ge.u32 %p1, %r1, 32;
  @%p1 bra DONE;
  and.b32 %r2, %r1, 1;
  setp.eq.u32 %p2, %r2, 0;
  @%p2 bra EVEN;
ODD:
  atom.shared.cas.b32 %r3, [flag], 1, 2;
  setp.ne.u32 %p3, %r3, 1;
  @%p3 bra ODD;
  bra DONE;
EVEN:
  atom.shared.cas.b32 %r4, [flag], 3, 4;
  setp.ne.u32 %p3, %r4, 3;
  @%p3 bra EVEN;
DONE:
  ret;
}
)";

struct LoopRun {
  std::string error;
  uint64_t warp_instructions = 0;
  uint32_t word = 0;  // buf[0] afterwards
};

LoopRun run_loop(const char* kernel, uint32_t n, unsigned ctas = 1, WorkerPool* pool = nullptr,
                 uint64_t check_after = 10000, uint64_t budget = uint64_t(1) << 28) {
  const Module module = parse_ptx(kLoopsPtx, "loops.ptx");
  runtime::DeviceMemory memory;
  const uint64_t buf = memory.allocate(64);
  memory.fill(buf, 0, 64);
  LaunchState ls;
  ls.module = &module;
  ls.kernel = module.find_function(kernel);
  ls.dynamic_shared_base = (ls.kernel->static_shared_bytes + 15) / 16 * 16;
  ls.grid = Dim3{ctas, 1, 1};
  ls.block = Dim3{64, 1, 1};
  ls.params.resize(12);
  std::memcpy(ls.params.data(), &buf, 8);
  std::memcpy(ls.params.data() + 8, &n, 4);
  ls.global = &memory;
  FunctionalLimits limits;
  limits.max_warp_instructions = budget;  // 2^28: a loop the watch misses costs the tests time, not forever
  limits.repeat_check_after = check_after;
  LoopRun r;
  try {
    run_grid_functional(ls, limits, pool);
  } catch (const ExecError& e) {
    r.error = e.what();
    EXPECT_EQ(e.kind(), FaultKind::Runaway) << r.error;
  }
  r.warp_instructions = ls.warp_instructions;
  memory.copy_out(&r.word, buf, 4);
  return r;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(RepeatWatch, SpinOnAFlagNothingSetsIsStoppedNamingTheLoop) {
  const LoopRun r = run_loop("spin_on_flag", 0);
  ASSERT_FALSE(r.error.empty());
  EXPECT_TRUE(contains(r.error, "kernel 'spin_on_flag', CTA (0,0,0)")) << r.error;
  EXPECT_TRUE(contains(r.error, "can never finish")) << r.error;
  EXPECT_TRUE(contains(r.error, "ld.volatile.global.u32 %r2, [%rd1]") || contains(r.error, "setp.eq.u32") ||
              contains(r.error, "@%p2 bra WAIT"))
      << r.error;
  EXPECT_TRUE(contains(r.error, "loops.ptx:")) << r.error;
  // Found within a few intervals of starting to look, far below the budget.
  EXPECT_LT(r.warp_instructions, 100000u) << r.error;
}

TEST(RepeatWatch, LoopThatNeverAdvancesIsStoppedOnEveryThreadCount) {
  // n = 0xffffffff: %r3 stays 0 < n forever (the loop forgets its increment).
  const LoopRun one = run_loop("never_advances", 0xffffffffu, 4);
  WorkerPool pool(3);
  const LoopRun three = run_loop("never_advances", 0xffffffffu, 4, &pool);
  for (const LoopRun* r : {&one, &three}) {
    EXPECT_TRUE(contains(r->error, "kernel 'never_advances', CTA (0,0,0)")) << r->error;
    EXPECT_TRUE(contains(r->error, "function 'never_advances' at PC")) << r->error;
  }
  EXPECT_EQ(one.error, three.error);
}

// Two groups of a warp's lanes polling for ever (failing compare-and-swaps on a flag nothing sets:
// a probe loop over a full hash table) hand the warp to each other every few iterations. Each
// hand-over left a dead entry on the SIMT stack, so the state grew and never repeated: the watch
// ran on, ever slower, until the budget (an outside user's kernel looked hung for ten minutes).
TEST(RepeatWatch, LanesSpinningInTurnForeverAreStopped) {
  const LoopRun r = run_loop("two_groups_spin", 0, 1, nullptr, 10000, uint64_t(1) << 24);
  EXPECT_TRUE(contains(r.error, "can never finish")) << r.error;
  EXPECT_LT(r.warp_instructions, 1000000u) << r.error;
}

TEST(RepeatWatch, StoringTheSameValueForeverIsStopped) {
  const LoopRun r = run_loop("stores_the_same", 0);
  EXPECT_TRUE(contains(r.error, "can never finish")) << r.error;
  EXPECT_EQ(r.word, 5u);
}

TEST(RepeatWatch, RegistersThatRepeatWhileMemoryCountsAreNotAnEndlessLoop) {
  // At every iteration's end the registers are the same (%r2 reset to 0, %p2 false) and only the
  // word in global memory has moved on: the logged writes differ, so no proof, and it finishes.
  const uint32_t n = 300000;
  const LoopRun r = run_loop("counts_in_memory", n, 1, nullptr, 1000);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.word, n);
  // The same with the counter in shared memory, which is part of the compared state.
  const LoopRun s = run_loop("counts_in_shared", n, 1, nullptr, 1000);
  EXPECT_EQ(s.error, "");
  EXPECT_EQ(s.word, n);
}

TEST(RepeatWatch, LongFiniteLoopRunsToItsEnd) {
  // 2,000,000 iterations with the watch looking almost from the start: the counter changes the state.
  const LoopRun r = run_loop("counts_up", 2000000, 2, nullptr, 1000);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.word, 2000000u);
}

TEST(RepeatWatch, OffMeansOnlyTheBudgetStopsALoop) {
  const LoopRun r = run_loop("stores_the_same", 0, 1, nullptr, 0, 200000);
  EXPECT_TRUE(contains(r.error, "more than 200000 warp-instructions")) << r.error;
  EXPECT_FALSE(contains(r.error, "can never finish")) << r.error;
}

}  // namespace
}  // namespace gpusim::isa
