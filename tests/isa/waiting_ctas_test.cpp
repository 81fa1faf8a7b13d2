// CTAs that wait for later CTAs (isa/functional_executor.h, FunctionalLimits::patience): a kernel
// whose CTA i spins until CTA i + 1 has set its flag completes in functional mode, as it does on a
// GPU that holds all its CTAs at once, where running CTAs strictly one after another would spin
// forever; CTAs that finish promptly still run strictly in grid order; and the cap on resident CTAs
// ends a wait that cannot be met in the runaway error, not in a hang.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "runtime/device_memory.h"

namespace gpusim::isa {
namespace {

// Thread 0 of CTA i: unless `wait` is 0, spins until flags[i + 1] != 0 (the last CTA waits for
// nothing); then takes a ticket (the order CTAs got here), stores it in order[i] and sets flags[i].
const char* kChainPtx = R"(
.version 9.0
.target sm_80
.address_size 64
.visible .entry chain(.param .u64 flags, .param .u64 order, .param .u64 ticket, .param .u32 wait)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<5>;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u64 %rd1, [flags];
  ld.param.u64 %rd2, [order];
  ld.param.u64 %rd3, [ticket];
  ld.param.u32 %r8, [wait];
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %nctaid.x;
  add.u32 %r4, %r2, 1;
  setp.ge.u32 %p2, %r4, %r3;
  setp.eq.u32 %p4, %r8, 0;
  or.pred %p2, %p2, %p4;
  @%p2 bra GO;
  mul.wide.u32 %rd4, %r4, 4;
  add.u64 %rd5, %rd1, %rd4;
WAIT:
  ld.volatile.global.u32 %r5, [%rd5];
  setp.eq.u32 %p3, %r5, 0;
  @%p3 bra WAIT;
GO:
  atom.global.add.u32 %r6, [%rd3], 1;
  mul.wide.u32 %rd6, %r2, 4;
  add.u64 %rd7, %rd2, %rd6;
  st.global.u32 [%rd7], %r6;
  add.u64 %rd8, %rd1, %rd6;
  mov.u32 %r7, 1;
  st.volatile.global.u32 [%rd8], %r7;
DONE:
  ret;
}
)";

struct ChainRun {
  std::vector<uint32_t> order;
  std::string error;
};

// `poll`: the instruction that reads the flag into %r5 (a volatile load in kChainPtx).
ChainRun run_chain(unsigned ctas, uint32_t wait, const FunctionalLimits& limits, const std::string& poll = "") {
  std::string ptx = kChainPtx;
  if (!poll.empty()) {
    const std::string volatile_load = "ld.volatile.global.u32 %r5, [%rd5];";
    ptx.replace(ptx.find(volatile_load), volatile_load.size(), poll);
  }
  const Module module = parse_ptx(ptx, "chain.ptx");
  runtime::DeviceMemory memory;
  const uint64_t flags = memory.allocate(ctas * 4), order = memory.allocate(ctas * 4), ticket = memory.allocate(4);
  memory.fill(flags, 0, ctas * 4);
  memory.fill(order, 0xff, ctas * 4);
  memory.fill(ticket, 0, 4);
  LaunchState ls;
  ls.module = &module;
  ls.kernel = module.find_function("chain");
  ls.grid = Dim3{ctas, 1, 1};
  ls.block = Dim3{64, 1, 1};
  ls.params.resize(28);
  std::memcpy(ls.params.data(), &flags, 8);
  std::memcpy(ls.params.data() + 8, &order, 8);
  std::memcpy(ls.params.data() + 16, &ticket, 8);
  std::memcpy(ls.params.data() + 24, &wait, 4);
  ls.global = &memory;
  ChainRun r;
  try {
    run_grid_functional(ls, limits);
  } catch (const ExecError& e) {
    r.error = e.what();
  }
  r.order.resize(ctas);
  memory.copy_out(r.order.data(), order, ctas * 4);
  return r;
}

FunctionalLimits quick_patience() {
  FunctionalLimits limits;
  limits.patience = 4096;
  limits.max_warp_instructions = uint64_t(1) << 24;  // a wait that is never met ends in seconds
  return limits;
}

TEST(WaitingCtas, ACtaWaitingForALaterOneCompletesAndTheyFinishInReverse) {
  const unsigned ctas = 9;
  const ChainRun r = run_chain(ctas, 1, quick_patience());
  ASSERT_EQ(r.error, "");
  for (unsigned i = 0; i < ctas; ++i) EXPECT_EQ(r.order[i], ctas - 1 - i) << "CTA " << i;
}

TEST(WaitingCtas, CtasThatDoNotWaitStillRunOneAfterAnotherInGridOrder) {
  const unsigned ctas = 40;
  const ChainRun r = run_chain(ctas, 0, quick_patience());
  ASSERT_EQ(r.error, "");
  for (unsigned i = 0; i < ctas; ++i) EXPECT_EQ(r.order[i], i) << "CTA " << i;
}

TEST(WaitingCtas, AWaitBeyondTheResidentCapEndsInTheRunawayError) {
  FunctionalLimits limits = quick_patience();
  limits.max_resident_ctas = 4;  // CTA 0 waits (through 1, 2, 3) for CTA 4, which never joins
  const ChainRun r = run_chain(6, 1, limits);
  EXPECT_NE(r.error.find("probably never terminates"), std::string::npos) << r.error;
  // CTAs 0-3 were resident and waiting, 4 and 5 never ran: none got a ticket.
  for (unsigned i = 0; i < 6; ++i) EXPECT_EQ(r.order[i], 0xffffffffu) << "CTA " << i;
}

TEST(WaitingCtas, TheResidentThreadsBoundTheWindowToo) {
  FunctionalLimits limits = quick_patience();
  limits.max_resident_threads = 4 * 64;  // four CTAs of 64 threads, as the CTA cap above
  const ChainRun bounded = run_chain(6, 1, limits);
  EXPECT_NE(bounded.error.find("probably never terminates"), std::string::npos) << bounded.error;
  limits.max_resident_threads = 6 * 64;
  const ChainRun enough = run_chain(6, 1, limits);
  EXPECT_EQ(enough.error, "");
}

// CTAs that only poll while they wait (no store, atomic or barrier in a round) let the next CTAs
// in without waiting for the patience: with the default patience (2^20 warp-instructions x the
// window per doubling) 100 chained CTAs needed ~2^27 warp-instructions of spinning to all be
// resident and ran out of this budget; now they finish within it (~1.6M), still in reverse.
TEST(WaitingCtas, CtasThatOnlyPollLetMoreInWithoutWaitingForThePatience) {
  FunctionalLimits limits;
  limits.max_warp_instructions = uint64_t(1) << 22;
  const unsigned ctas = 100;
  const ChainRun r = run_chain(ctas, 1, limits);
  ASSERT_EQ(r.error, "");
  for (unsigned i = 0; i < ctas; ++i) EXPECT_EQ(r.order[i], ctas - 1 - i) << "CTA " << i;
  // An atomic that cannot change memory is a poll too (CUDA's coherent-read idioms): a grid of
  // 320 CTAs polling with atomicCAS(p, -1, -1) took an outside user 39 s, waiting out the
  // patience at every doubling, and overran this budget.
  for (const char* poll : {"atom.global.add.u32 %r5, [%rd5], 0;", "atom.global.or.b32 %r5, [%rd5], 0;",
                           "atom.global.cas.b32 %r5, [%rd5], -1, -1;"}) {
    const ChainRun a = run_chain(ctas, 1, limits, poll);
    ASSERT_EQ(a.error, "") << poll;
    for (unsigned i = 0; i < ctas; ++i) EXPECT_EQ(a.order[i], ctas - 1 - i) << poll << ", CTA " << i;
  }
}

}  // namespace
}  // namespace gpusim::isa
