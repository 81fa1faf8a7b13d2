// sm_90 mbarrier transaction counts and cp.async.bulk: hand-written PTX kernels whose expected
// results follow from the PTX ISA's phase rule (a phase completes when its pending arrivals
// and its transaction count are both zero) and from plain copies computed here.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "tests/isa/sm90_kernel_harness.h"

namespace gpusim {
namespace {

using test::KernelRun;

KernelRun run(const std::string& body, const std::vector<uint32_t>& src, size_t out_words, unsigned threads = 128) {
  const std::string ptx = test::src_out_kernel(4096, "", "", body);
  test::Sm90Kernel k(out_words);
  const runtime::DevPtr d_src = k.upload(src);
  return k.run("bulk_copy_test", ptx, test::launch_config(threads), runtime::args(d_src, k.out()));
}

// Thread 0 loads `bytes` at src + `src_off` into buf through the mbarrier; every thread then
// waits on phase `parity` and stores buf[tid] + 1 at out[`out_word` + tid].
std::string phase(unsigned bytes, unsigned src_off, unsigned parity, unsigned out_word, bool copy_first) {
  const std::string b = std::to_string(bytes), id = std::to_string(parity) + "_" + std::to_string(out_word);
  std::string expect = "  mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%sbar], " + b + ";\n";
  std::string copy = "  add.u64 %a0, %src, " + std::to_string(src_off) + ";\n"
                     "  cp.async.bulk.shared::cta.global.mbarrier::complete_tx::bytes [%sb], [%a0], " + b + ", [%sbar];\n";
  std::string s = "  setp.ne.u32 %p, %tid, 0;\n  @%p bra SKIP" + id + ";\n" + (copy_first ? copy + expect : expect + copy) +
                  "SKIP" + id + ":\n"
                  "WAIT" + id + ":\n  mbarrier.try_wait.parity.shared::cta.b64 %q, [%sbar], " + std::to_string(parity) + ";\n"
                  "  @!%q bra WAIT" + id + ";\n"
                  "  shl.b32 %r1, %tid, 2;\n  add.u32 %r2, %sb, %r1;\n  ld.shared.u32 %r3, [%r2];\n  add.u32 %r3, %r3, 1;\n"
                  "  add.u32 %r1, %r1, " + std::to_string(4 * out_word) + ";\n  cvt.u64.u32 %a1, %r1;\n"
                  "  add.u64 %a1, %out, %a1;\n  st.global.u32 [%a1], %r3;\n  bar.sync 0;\n";
  return s;
}

const std::string kInit =
    "  setp.ne.u32 %p, %tid, 0;\n  @%p bra INITED;\n  mbarrier.init.shared::cta.b64 [%sbar], 1;\n"
    "  fence.proxy.async.shared::cta;\nINITED:\n  bar.sync 0;\n";

TEST(BulkCopy, TwoPhasesThroughAnMbarrierThenBackToGlobal) {
  std::vector<uint32_t> src(512);
  std::iota(src.begin(), src.end(), 1000u);
  // Phase 0: expect_tx before the copy; phase 1: the copy completes before expect_tx (the
  // transaction count goes negative, then arrive.expect_tx balances it).
  std::string body = kInit + phase(512, 0, 0, 0, false) + phase(512, 512, 1, 128, true);
  // Thread 0 writes buf (phase 1's data) to out[256..384) with a bulk-group copy.
  body += "  setp.ne.u32 %p, %tid, 0;\n  @%p bra DONE;\n  add.u64 %a2, %out, 1024;\n"
          "  cp.async.bulk.global.shared::cta.bulk_group [%a2], [%sb], 512;\n"
          "  cp.async.bulk.commit_group;\n  cp.async.bulk.wait_group.read 0;\nDONE:\n";
  const KernelRun r = run(body, src, 384);
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned t = 0; t < 128; ++t) {
    EXPECT_EQ(r.out[t], src[t] + 1) << "phase 0, thread " << t;
    EXPECT_EQ(r.out[128 + t], src[128 + t] + 1) << "phase 1, thread " << t;
    EXPECT_EQ(r.out[256 + t], src[128 + t]) << "bulk copy back, word " << t;
  }
}

TEST(BulkCopy, PhaseWaitsForBothArrivalsAndTransactions) {
  // One arrival expected. Thread 0: expect_tx 64, then arrive (arrivals done, 64 bytes still
  // owed: the phase stays open), complete_tx 32 (still open), complete_tx 32 (completes).
  // After each step it records try_wait.parity 0 (1 = phase 0 complete) and test_wait.parity 1.
  std::string body = kInit + "  setp.ne.u32 %p, %tid, 0;\n  @%p bra DONE;\n";
  auto record = [](unsigned slot) {
    return "  mbarrier.try_wait.parity.shared::cta.b64 %q, [%sbar], 0;\n  selp.u32 %r4, 1, 0, %q;\n"
           "  st.global.u32 [%out+" + std::to_string(8 * slot) + "], %r4;\n"
           "  mbarrier.test_wait.parity.shared::cta.b64 %q, [%sbar], 1;\n  selp.u32 %r4, 1, 0, %q;\n"
           "  st.global.u32 [%out+" + std::to_string(8 * slot + 4) + "], %r4;\n";
  };
  body += "  mbarrier.expect_tx.relaxed.cta.shared::cta.b64 [%sbar], 64;\n" + record(0) +
          "  mbarrier.arrive.shared::cta.b64 %st, [%sbar];\n" + record(1) +
          "  mbarrier.complete_tx.relaxed.cta.shared::cta.b64 [%sbar], 32;\n" + record(2) +
          "  mbarrier.complete_tx.relaxed.cta.shared::cta.b64 [%sbar], 32;\n" + record(3) + "DONE:\n";
  const KernelRun r = run(body, {0}, 8);
  ASSERT_TRUE(r.error.empty()) << r.error;
  // Waiting on parity 1 succeeds until phase 0 completes (the phase before the first counts as
  // complete); waiting on parity 0 succeeds only after the last step.
  const std::vector<uint32_t> want = {0, 1, 0, 1, 0, 1, 1, 0};
  EXPECT_EQ(r.out, want);
}

// mbarrier.arrive.noComplete (libcu++'s cuda::barrier writes it in -G builds): an arrival with a
// count that must leave the phase open. Expected count 4: noComplete 3 leaves it open (waiting on
// parity 0 fails), a plain arrive then completes it; a noComplete arrival of all 4 faults.
TEST(BulkCopy, ArriveNoCompleteCountsButMustNotCompleteThePhase) {
  const std::string init4 =
      "  setp.ne.u32 %p, %tid, 0;\n  @%p bra DONE;\n  mbarrier.init.shared::cta.b64 [%sbar], 4;\n";
  auto record = [](unsigned slot) {
    return "  mbarrier.test_wait.parity.shared::cta.b64 %q, [%sbar], 0;\n  selp.u32 %r4, 1, 0, %q;\n"
           "  st.global.u32 [%out+" + std::to_string(4 * slot) + "], %r4;\n";
  };
  std::string body = init4 + "  mov.u32 %r1, 3;\n  mbarrier.arrive.noComplete.shared::cta.b64 %st, [%sbar], %r1;\n" +
                     record(0) + "  mbarrier.arrive.shared::cta.b64 %st, [%sbar];\n" + record(1) + "DONE:\n";
  KernelRun r = run(body, {0}, 2);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.out, (std::vector<uint32_t>{0, 1}));
  body = init4 + "  mov.u32 %r1, 4;\n  mbarrier.arrive.noComplete.shared::cta.b64 %st, [%sbar], %r1;\nDONE:\n";
  r = run(body, {0}, 2);
  ASSERT_FALSE(r.error.empty()) << "completing the phase with .noComplete should fault";
  EXPECT_NE(r.error.find("mbarrier.arrive.noComplete would complete"), std::string::npos) << r.error;
}

TEST(BulkCopy, MisSizedTransactionFaults) {
  // expect_tx 256 but the copy brings 512 bytes: the phase can never balance.
  std::vector<uint32_t> src(128, 7);
  std::string p = phase(256, 0, 0, 0, false);
  p.replace(p.find("[%a0], 256"), 10, "[%a0], 512");
  const KernelRun r = run(kInit + p, src, 128);
  ASSERT_FALSE(r.error.empty()) << "the launch should fault";
  EXPECT_NE(r.error.find("mis-sized transaction"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("cp.async.bulk"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("256 bytes more"), std::string::npos) << r.error;
}

TEST(BulkCopy, SizeThatIsNotAMultipleOf16Faults) {
  std::vector<uint32_t> src(128, 7);
  std::string p = phase(256, 0, 0, 0, false);
  p.replace(p.find("[%a0], 256"), 10, "[%a0], 250");
  const KernelRun r = run(kInit + p, src, 128);
  ASSERT_FALSE(r.error.empty());
  EXPECT_NE(r.error.find("multiples of 16"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace gpusim
