// The staged commit of a timing-mode cycle (sim/gpu_model_commit.cpp) against its definition, the
// plain sequential commit (every SM's commit in SM order on one thread).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/sim_device.h"
#include "tests/workloads/recording_device.h"
#include "workloads/workload.h"

namespace gpusim::workloads {
namespace {

// Workloads whose cycles mix global loads with stores (all), atomics (reduce_sum), barriers and
// CTA retirement in many SMs at once: every part the staged commit moves or reorders.
struct Case {
  std::string workload;
  std::vector<uint64_t> size;
};
const Case kStagedCases[] = {
    {"vecadd", {20000}},          {"reduce_sum", {40000}},       {"sgemm_tiled", {64, 96, 48}},
    {"window_sum_shared", {5000}}, {"transpose_padded", {96, 80}}, {"softmax", {24, 300}},
};

TEST(StagedCommit, StagedCommitEqualsTheSequentialCommit) {
  for (const Case& c : kStagedCases) {
    const Outcome reference = run_on(c.workload, c.size, runtime::SimMode::Timing, 1, /*staged_commit=*/false);
    ASSERT_TRUE(reference.passed) << c.workload << " fails its CPU check with the sequential commit";
    for (unsigned threads : {1u, 2u, 3u}) {
      SCOPED_TRACE(c.workload + ", staged commit on " + std::to_string(threads) + " threads");
      const Outcome staged = run_on(c.workload, c.size, runtime::SimMode::Timing, threads, /*staged_commit=*/true);
      EXPECT_TRUE(staged.passed);
      EXPECT_EQ(staged.stats_json, reference.stats_json);
      EXPECT_EQ(staged.cycles, reference.cycles);
      EXPECT_EQ(staged.warp_instructions, reference.warp_instructions);
      EXPECT_EQ(staged.thread_instructions, reference.thread_instructions);
      EXPECT_TRUE(staged.copied_back == reference.copied_back);
    }
  }
}

// Every CTA (one per SM) runs two warps that issue in step, one per sub-core: warp 0 stores 1
// into its SM's flag, warp 1 loads the flag of a neighbouring SM (one lower on even SMs, one
// higher on odd ones), in the same cycle (each warp records %clock right before its access, so
// the test checks that). The timing model orders a cycle's global accesses as a loop over SMs in
// SM order would (docs/ARCHITECTURE.md), so an even SM sees its lower neighbour's store and an
// odd SM does not yet see its higher neighbour's, on any number of threads. Committing all loads
// before the cycle's stores would give 0 everywhere; committing them after, 1 everywhere.
const char* kHandOffPtx = R"(
.version 8.0
.target sm_70
.address_size 64
.visible .entry hand_off(.param .u64 flags, .param .u64 seen) {
  .reg .pred %p<3>;
  .reg .b32 %r<12>;
  .reg .b64 %rd<12>;
  ld.param.u64 %rd1, [flags];
  ld.param.u64 %rd2, [seen];
  mov.u32 %r1, %smid;
  mov.u32 %r2, %tid.x;
  shr.u32 %r3, %r2, 5;
  add.u32 %r4, %r1, 1;
  mul.wide.u32 %rd3, %r4, 4;
  add.s64 %rd4, %rd1, %rd3;
  and.b32 %r9, %r1, 1;
  setp.eq.u32 %p2, %r9, 0;
  selp.b32 %r10, -4, 4, %p2;
  cvt.s64.s32 %rd9, %r10;
  add.s64 %rd10, %rd4, %rd9;
  mul.wide.u32 %rd5, %r1, 12;
  add.s64 %rd6, %rd2, %rd5;
  mov.u32 %r5, 1;
  setp.eq.u32 %p1, %r3, 1;
  @%p1 bra READ;
  mov.u32 %r0, 0;  // keeps warp 0 in step with warp 1, whose taken branch costs more
  mov.u32 %r8, %clock;
  st.global.u32 [%rd4], %r5;
  st.global.u32 [%rd6], %r8;
  ret;
READ:
  mov.u32 %r8, %clock;
  ld.global.u32 %r6, [%rd10];
  st.global.u32 [%rd6+4], %r8;
  st.global.u32 [%rd6+8], %r6;
  ret;
}
)";

// Per SM: the store's clock, the load's clock, the flag the load saw.
std::vector<uint32_t> hand_off(unsigned threads, bool staged, int* sms) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.threads = threads;
  o.staged_commit = staged;
  auto dev = runtime::make_sim_device(o);
  const int n = dev->properties().sm_count;
  *sms = n;
  const runtime::DevPtr flags = dev->alloc(size_t(n + 2) * 4), seen = dev->alloc(size_t(n) * 12);
  dev->memset(flags, 0, size_t(n + 2) * 4);
  dev->memset(seen, 0xff, size_t(n) * 12);
  const runtime::ModuleHandle m = dev->load_ptx("hand_off.ptx", kHandOffPtx);
  runtime::LaunchConfig cfg;
  cfg.grid = runtime::Dim3{unsigned(n), 1, 1};
  cfg.block = runtime::Dim3{64, 1, 1};
  dev->launch(m, "hand_off", cfg, runtime::args(flags, seen));
  std::vector<uint32_t> out(size_t(n) * 3);
  dev->copy_to_host(out.data(), seen, out.size() * 4);
  return out;
}

TEST(StagedCommit, SameCycleFlagHandOffIsSeenInSmOrder) {
  for (bool staged : {false, true}) {
    for (unsigned threads : {1u, 2u, 3u, 4u}) {
      if (!staged && threads > 1) continue;
      SCOPED_TRACE(std::string(staged ? "staged" : "sequential") + " commit, " + std::to_string(threads) + " threads");
      int sms = 0;
      const std::vector<uint32_t> seen = hand_off(threads, staged, &sms);
      ASSERT_GE(sms, 4);
      for (int sm = 0; sm < sms; ++sm) {
        const uint32_t* r = &seen[size_t(sm) * 3];
        ASSERT_EQ(r[0], r[1]) << "SM " << sm << ": the store and the load must issue in the same cycle";
        // SM 0 reads the padding below the flags, the highest odd SM the padding above them.
        const bool lower = sm % 2 == 0;
        EXPECT_EQ(r[2], lower && sm > 0 ? 1u : 0u) << "SM " << sm << " reading SM " << (lower ? sm - 1 : sm + 1);
      }
    }
  }
}

// Every warp of every SM, over and over: stores a value naming its SM and iteration into one
// of eight shared words and loads another of them into an order-sensitive hash; then each thread
// stores its hash into a word of its own. Many SMs store and load the same words in the same
// cycles, so the staged commit must run those accesses in SM order (sim/commit_order.h) while the
// disjoint stores at the end run on the SMs' own threads: the words, the hashes and the cycles
// must equal the sequential commit's on any number of threads.
const char* kContendedPtx = R"(
.version 8.0
.target sm_70
.address_size 64
.visible .entry contend(.param .u64 words, .param .u64 sums, .param .u32 iters) {
  .reg .pred %p<2>;
  .reg .b32 %r<16>;
  .reg .b64 %rd<10>;
  ld.param.u64 %rd1, [words];
  ld.param.u64 %rd2, [sums];
  ld.param.u32 %r1, [iters];
  mov.u32 %r2, %smid;
  mov.u32 %r3, %tid.x;
  mov.u32 %r4, %ctaid.x;
  mov.u32 %r5, %ntid.x;
  mad.lo.u32 %r6, %r4, %r5, %r3;
  shr.u32 %r12, %r3, 5;
  mov.u32 %r7, 0;
  mov.u32 %r8, 0;
LOOP:
  add.u32 %r9, %r7, %r4;
  and.b32 %r9, %r9, 7;
  mul.wide.u32 %rd3, %r9, 4;
  add.s64 %rd4, %rd1, %rd3;
  shl.b32 %r10, %r2, 16;
  add.u32 %r10, %r10, %r7;
  st.global.u32 [%rd4], %r10;
  mad.lo.u32 %r11, %r7, 3, %r12;
  and.b32 %r11, %r11, 7;
  mul.wide.u32 %rd5, %r11, 4;
  add.s64 %rd6, %rd1, %rd5;
  ld.global.u32 %r13, [%rd6];
  mad.lo.u32 %r8, %r8, 31, %r13;
  add.u32 %r7, %r7, 1;
  setp.lt.u32 %p1, %r7, %r1;
  @%p1 bra LOOP;
  mul.wide.u32 %rd7, %r6, 4;
  add.s64 %rd8, %rd2, %rd7;
  st.global.u32 [%rd8], %r8;
  ret;
}
)";

struct Contended {
  std::vector<uint32_t> words, sums;
  uint64_t cycles = 0;
};

// The kernel as above, its accesses through generic addresses (as nvcc emits for pointers it
// cannot prove global) when `generic`.
std::string contended_ptx(bool generic) {
  std::string ptx = kContendedPtx;
  if (!generic) return ptx;
  for (const std::string from : {"st.global.u32", "ld.global.u32"})
    for (size_t at = ptx.find(from); at != std::string::npos; at = ptx.find(from, at))
      ptx.replace(at, from.size(), from.substr(0, 2) + ".u32");
  return ptx;
}

Contended contend(unsigned threads, bool staged, bool generic) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.threads = threads;
  o.staged_commit = staged;
  auto dev = runtime::make_sim_device(o);
  const unsigned ctas = 2 * unsigned(dev->properties().sm_count), block = 128, iters = 24;
  const runtime::DevPtr words = dev->alloc(8 * 4), sums = dev->alloc(size_t(ctas) * block * 4);
  dev->memset(words, 0, 8 * 4);
  const runtime::ModuleHandle m = dev->load_ptx("contend.ptx", contended_ptx(generic));
  runtime::LaunchConfig cfg;
  cfg.grid = runtime::Dim3{ctas, 1, 1};
  cfg.block = runtime::Dim3{block, 1, 1};
  Contended out;
  out.cycles = dev->launch(m, "contend", cfg, runtime::args(words, sums, iters)).cycles;
  out.words.resize(8);
  out.sums.resize(size_t(ctas) * block);
  dev->copy_to_host(out.words.data(), words, out.words.size() * 4);
  dev->copy_to_host(out.sums.data(), sums, out.sums.size() * 4);
  return out;
}

TEST(StagedCommit, ContendedWordsEndAsInSmOrder) {
  for (bool generic : {false, true}) {
    SCOPED_TRACE(generic ? "generic addresses" : ".global addresses");
    const Contended reference = contend(1, /*staged=*/false, generic);
    ASSERT_GT(reference.cycles, 0u);
    // The words hold values of more than one SM (the test contends), and the hashes differ.
    std::vector<uint32_t> sms;
    for (uint32_t w : reference.words) sms.push_back(w >> 16);
    std::sort(sms.begin(), sms.end());
    EXPECT_GT(std::unique(sms.begin(), sms.end()) - sms.begin(), 1);
    for (unsigned threads : {1u, 2u, 3u, 4u}) {
      SCOPED_TRACE("staged commit on " + std::to_string(threads) + " threads");
      const Contended staged = contend(threads, /*staged=*/true, generic);
      EXPECT_EQ(staged.words, reference.words);
      EXPECT_EQ(staged.sums, reference.sums);
      EXPECT_EQ(staged.cycles, reference.cycles);
    }
  }
}

}  // namespace
}  // namespace gpusim::workloads
