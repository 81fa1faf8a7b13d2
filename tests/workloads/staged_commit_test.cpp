// The staged commit of a timing-mode cycle (sim/gpu_model_commit.cpp) against its definition, the
// plain sequential commit (every SM's commit in SM order on one thread).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gpusim::workloads
