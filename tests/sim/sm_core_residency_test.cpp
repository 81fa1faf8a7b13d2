// One SmCore driven cycle by cycle: how many CTAs stay resident, barriers, a memory kernel's
// results and determinism, %clock/%smid, and every committed nvcc fixture kernel against the
// functional executor. Expected values come from the configuration by hand or from the
// independent functional executor, not from earlier runs of the model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/sim/sm_run.h"

namespace gpusim::sim {
namespace {

using testing::ffma_kernel;
using testing::Issue;
using testing::kernel;
using testing::SmRun;
using testing::kGlobalBase;
using testing::kMemoryBytes;


TEST(SmCore, ResidencyIsLimitedPerLaunch) {
  const GpuConfig c = default_gpu_config();
  SmRun run(ffma_kernel(8, true), c);
  run.launch.grid = {4, 1, 1};
  run.launch.block = {64, 1, 1};
  run.sm->begin_launch(&run.launch, 2, 0);
  EXPECT_TRUE(run.sm->can_accept_cta());
  run.sm->add_cta(std::make_unique<isa::CtaState>(run.launch, isa::Dim3{0, 0, 0}), 0);
  run.sm->add_cta(std::make_unique<isa::CtaState>(run.launch, isa::Dim3{1, 0, 0}), 0);
  EXPECT_FALSE(run.sm->can_accept_cta());
  EXPECT_THROW(run.sm->add_cta(std::make_unique<isa::CtaState>(run.launch, isa::Dim3{2, 0, 0}), 0), std::logic_error);
  uint64_t cycle = 0;
  for (; run.sm->resident_ctas() == 2 && cycle < 10000; ++cycle) {
    run.sm->tick(cycle, 0);
    run.sm->commit(cycle, 0);
  }
  EXPECT_TRUE(run.sm->can_accept_cta());
  EXPECT_EQ(run.sm->stats().ctas_completed, 2u);  // both CTAs run the same code side by side
}

TEST(SmCore, WarpSlotsLimitResidency) {
  const GpuConfig c = default_gpu_config();  // 64 warp slots per SM
  SmRun run(ffma_kernel(4, true), c);
  run.launch.grid = {3, 1, 1};
  run.launch.block = {1024, 1, 1};  // 32 warps per CTA
  run.sm->begin_launch(&run.launch, 3, 0);
  run.sm->add_cta(std::make_unique<isa::CtaState>(run.launch, isa::Dim3{0, 0, 0}), 0);
  run.sm->add_cta(std::make_unique<isa::CtaState>(run.launch, isa::Dim3{1, 0, 0}), 0);
  EXPECT_FALSE(run.sm->can_accept_cta());
}

TEST(SmCore, RunsCtasInWavesUpToTheLimit) {
  const GpuConfig c = default_gpu_config();
  SmRun one(ffma_kernel(32, true), c), waves(ffma_kernel(32, true), c);
  const uint64_t single = one.go(1, 32);
  // 4 CTAs, 2 resident: two waves of the same length (the two CTAs of a wave do not compete:
  // different sub-cores).
  const uint64_t four = waves.go(4, 32, 2);
  EXPECT_EQ(waves.sm->stats().ctas_completed, 4u);
  EXPECT_GE(four, 2 * single - 2);
  EXPECT_LE(four, 2 * single + 2);
}

// Warp 1 runs a dependent chain before the barrier; warp 0 arrives early and waits.
TEST(SmCore, BarrierHoldsEarlyWarpUntilLastArrival) {
  const GpuConfig c = default_gpu_config();
  const std::string body =
      ".reg .pred %p<2>;\n.reg .b32 %r<4>;\n.reg .f32 %f<4>;\n"
      "mov.u32 %r1, %tid.x;\n"
      "setp.lt.u32 %p1, %r1, 32;\n"
      "@%p1 bra SKIP;\n"
      "fma.rn.f32 %f1, %f1, %f2, %f2;\nfma.rn.f32 %f1, %f1, %f2, %f2;\nfma.rn.f32 %f1, %f1, %f2, %f2;\n"
      "fma.rn.f32 %f1, %f1, %f2, %f2;\nfma.rn.f32 %f1, %f1, %f2, %f2;\nfma.rn.f32 %f1, %f1, %f2, %f2;\n"
      "SKIP:\n"
      "bar.sync 0;\n"
      "add.s32 %r2, %r1, 1;\n"
      "ret;\n";
  SmRun run(kernel("bar", "", body), c);
  run.go(1, 64);
  const auto w0 = run.recorder.of_warp(0), w1 = run.recorder.of_warp(1);
  auto cycle_of = [](const std::vector<Issue>& v, isa::Opcode op) {
    for (const Issue& i : v)
      if (i.op == op) return i.cycle;
    ADD_FAILURE() << "opcode not issued";
    return uint64_t(0);
  };
  const uint64_t bar0 = cycle_of(w0, isa::Opcode::Bar), bar1 = cycle_of(w1, isa::Opcode::Bar);
  ASSERT_LT(bar0, bar1);
  // Released in the cycle warp 1 arrives; warp 0 issues its next instruction the cycle after.
  EXPECT_EQ(cycle_of(w0, isa::Opcode::Add), bar1 + 1);
  EXPECT_EQ(run.stall(StallReason::Barrier), bar1 - bar0);
}

TEST(SmCore, BarrierThatCannotCompleteIsReported) {
  const GpuConfig c = default_gpu_config();
  // Warp 1 exits; warp 0 waits at a barrier counting 64 threads, which can never be reached.
  const std::string body =
      ".reg .pred %p<2>;\n.reg .b32 %r<4>;\n"
      "mov.u32 %r1, %tid.x;\n"
      "setp.ge.u32 %p1, %r1, 32;\n"
      "@%p1 exit;\n"
      "bar.sync 0, 64;\n"
      "ret;\n";
  SmRun run(kernel("dead", "", body), c);
  try {
    run.go(1, 64);
    FAIL() << "expected a barrier deadlock";
  } catch (const isa::ExecError& e) {
    EXPECT_NE(std::string(e.what()).find("barrier can never complete"), std::string::npos) << e.what();
  }
}

const std::string kScaleKernel = kernel(
    "scale", ".param .u64 scale_param_0, .param .u64 scale_param_1",
    ".reg .b32 %r<5>;\n.reg .f32 %f<3>;\n.reg .b64 %rd<8>;\n"
    "ld.param.u64 %rd1, [scale_param_0];\n"
    "ld.param.u64 %rd2, [scale_param_1];\n"
    "cvta.to.global.u64 %rd3, %rd1;\n"
    "cvta.to.global.u64 %rd4, %rd2;\n"
    "mov.u32 %r1, %ctaid.x;\nmov.u32 %r2, %ntid.x;\nmov.u32 %r3, %tid.x;\n"
    "mad.lo.s32 %r4, %r1, %r2, %r3;\n"
    "mul.wide.s32 %rd5, %r4, 4;\n"
    "add.s64 %rd6, %rd3, %rd5;\n"
    "ld.global.f32 %f1, [%rd6];\n"
    "fma.rn.f32 %f2, %f1, 0f40000000, 0f3F800000;\n"
    "add.s64 %rd7, %rd4, %rd5;\n"
    "st.global.f32 [%rd7], %f2;\n"
    "ret;\n");

struct ScaleResult {
  uint64_t cycles;
  SmStats stats;
  std::vector<float> out;
};

ScaleResult run_scale(unsigned ctas, unsigned threads) {
  const GpuConfig c = default_gpu_config();
  SmRun run(kScaleKernel, c);
  const unsigned n = ctas * threads;
  for (unsigned i = 0; i < n; ++i) {
    const float v = static_cast<float>(i) * 0.5f;
    std::memcpy(run.memory.bytes().data() + 4 * i, &v, 4);
  }
  run.set_param(0, kGlobalBase);
  run.set_param(1, kGlobalBase + 4 * n);
  ScaleResult r;
  r.cycles = run.go(ctas, threads, 4);
  r.stats = run.sm->stats();
  r.out.resize(n);
  std::memcpy(r.out.data(), run.memory.bytes().data() + 4 * n, 4 * n);
  return r;
}

TEST(SmCore, MemoryKernelComputesCorrectlyAndWaitsForDram) {
  const GpuConfig c = default_gpu_config();
  const ScaleResult r = run_scale(8, 128);
  for (size_t i = 0; i < r.out.size(); ++i) ASSERT_EQ(r.out[i], static_cast<float>(i) * 0.5f * 2.0f + 1.0f) << i;
  EXPECT_EQ(r.stats.ctas_completed, 8u);
  // The first load misses L1 and L2: it cannot return before the three latencies have passed.
  EXPECT_GT(r.cycles, static_cast<uint64_t>(c.l1_latency_cycles + c.l2_latency_cycles + c.dram_latency_cycles));
  EXPECT_GT(r.stats.stall_warp_cycles[static_cast<size_t>(StallReason::LongScoreboard)], 0u);
}

TEST(SmCore, SameRunTwiceGivesTheSameCycles) {
  const ScaleResult a = run_scale(12, 96), b = run_scale(12, 96);
  EXPECT_EQ(a.cycles, b.cycles);
  EXPECT_EQ(a.stats.stall_warp_cycles, b.stats.stall_warp_cycles);
  EXPECT_EQ(a.stats.issued, b.stats.issued);
  EXPECT_EQ(a.out, b.out);
}

TEST(SmCore, ClockAndSmidAreTheSimulatedOnes) {
  const GpuConfig c = default_gpu_config();
  SmRun run(kernel("clk", ".param .u64 clk_param_0",
                 ".reg .b32 %r<4>;\n.reg .b64 %rd<4>;\n"
                 "ld.param.u64 %rd1, [clk_param_0];\n"
                 "cvta.to.global.u64 %rd2, %rd1;\n"
                 "mov.u32 %r1, %clock;\n"
                 "mov.u32 %r2, %smid;\n"
                 "st.global.v2.u32 [%rd2], {%r1, %r2};\n"
                 "ret;\n"),
          c, /*sm_id=*/7);
  run.set_param(0, kGlobalBase);
  run.go(1, 32);
  uint32_t clock = 0, smid = 0;
  std::memcpy(&clock, run.memory.bytes().data(), 4);
  std::memcpy(&smid, run.memory.bytes().data() + 4, 4);
  EXPECT_EQ(smid, 7u);
  const auto issues = run.recorder.of_warp(0);
  ASSERT_GE(issues.size(), 3u);
  EXPECT_EQ(clock, issues[2].cycle);  // the third instruction read %clock
}

// Every kernel of the committed nvcc fixtures runs under the timing model and under the
// functional executor (an independent scheduler: CTAs one by one, warps in fixed slices) on the
// same inputs; device memory must end up identical. Left out: kernels whose result depends on the
// order of atomics or on %clock, eval_poly (written for one warp: with more, threads i and i+32
// race on out[i+32]), vec128 (written for 64 threads), grid_sync (needs a cooperative launch;
// otherwise it traps in whichever warp comes first), thrust_transform.ptx (its struct parameters
// cannot take the generic values), the file of deliberate faults and endless_loop_barrier.ptx (a
// kernel that never ends, for the reports of endless loops). The tensor fixtures index by lane and
// are written for one warp per block, so they run with 32 threads; the rest with four warps.
TEST(SmCore, FixtureKernelsMatchTheFunctionalExecutor) {
  const GpuConfig c = default_gpu_config();
  const std::vector<std::string> skip{"atomic_mix", "clock_monotonic", "eval_poly", "runtime_faults.ptx",
                                      "vec128", "grid_sync", "thrust_transform.ptx", "endless_loop_barrier.ptx"};
  int kernels = 0;
  for (const auto& entry : std::filesystem::directory_iterator(GPUSIM_FIXTURES)) {
    if (entry.path().extension() != ".ptx") continue;
    const std::string file = entry.path().filename().string();
    if (std::find(skip.begin(), skip.end(), file) != skip.end()) continue;
    std::ifstream in(entry.path());
    const std::string ptx((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const isa::Module probe = isa::parse_ptx(ptx, file);
    for (const isa::Function& fn : probe.functions) {
      if (!fn.is_entry || std::find(skip.begin(), skip.end(), fn.name) != skip.end()) continue;
      SCOPED_TRACE(file + ": " + fn.name);
      SmRun timed(ptx, c, 0, fn.name), functional(ptx, c, 0, fn.name);
      for (SmRun* run : {&timed, &functional}) {
        // Small positive integers everywhere: valid counts, indices and (tiny) floats alike.
        for (size_t w = 0; w < (kMemoryBytes - 0x10000) / 4; ++w) {
          const uint32_t v = static_cast<uint32_t>(w % 13 + 1);
          std::memcpy(run->memory.bytes().data() + 4 * w, &v, 4);
        }
        for (unsigned p = 0; p < fn.params.size(); ++p) {
          const isa::Symbol& sym = run->module.symbols.at(fn.params[p]);
          run->set_param(p, sym.size == 8 ? kGlobalBase + 0x10000 * (p + 1) : 48);
        }
        run->launch.grid = {2, 1, 1};
        run->launch.block = {file.rfind("tensor_", 0) == 0 ? 32u : 128u, 1, 1};
        run->launch.dynamic_shared_bytes = 2048;
      }
      std::string timed_error, functional_error;
      try {
        timed.go_launch(2);
      } catch (const isa::ExecError& e) {
        timed_error = e.what();
      }
      try {
        functional.launch.dynamic_shared_base = (functional.launch.kernel->static_shared_bytes + 15) / 16 * 16;
        isa::run_grid_functional(functional.launch);
      } catch (const isa::ExecError& e) {
        functional_error = e.what();
      }
      EXPECT_EQ(timed_error, functional_error);
      EXPECT_TRUE(timed.memory.bytes() == functional.memory.bytes());
      if (timed_error.empty()) {
        const SmStats& st = timed.sm->stats();
        EXPECT_EQ(st.ctas_completed, 2u);
        // Every resident warp is in exactly one state each active cycle; one issue per slot used.
        uint64_t classified = 0;
        for (uint64_t v : st.stall_warp_cycles) classified += v;
        EXPECT_EQ(classified, st.resident_warp_cycles);
        EXPECT_EQ(st.stall_warp_cycles[static_cast<size_t>(StallReason::Selected)], st.issued);
        EXPECT_EQ(st.issued, st.warp_instructions);
        EXPECT_EQ(st.issue_slots, st.active_cycles * static_cast<uint64_t>(c.subcores_per_sm));
        EXPECT_LE(st.issued, st.issue_slots);
      }
      ++kernels;
    }
  }
  EXPECT_GE(kernels, 20);
}

}  // namespace
}  // namespace gpusim::sim
