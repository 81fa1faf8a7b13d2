// One SmCore driven cycle by cycle on small hand-written PTX kernels. Expected cycle counts come
// from the configuration's latencies and lane counts by hand (N x issue interval for independent
// FFMAs, N x latency for a dependent chain, ...), not from earlier runs of the model.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "tests/sim/sm_run.h"

namespace gpusim::sim {
namespace {

using testing::ffma_kernel;
using testing::Issue;
using testing::kernel;
using testing::SmRun;

TEST(SmCore, IndependentFfmasIssueAtTheFp32Interval) {
  const GpuConfig c = default_gpu_config();
  const uint64_t interval = 32 / (c.fp32_lanes_per_sm / c.subcores_per_sm);  // 16 lanes -> 2 cycles
  SmRun short_run(ffma_kernel(16, false), c), long_run(ffma_kernel(48, false), c);
  const uint64_t a = short_run.go(1, 32), b = long_run.go(1, 32);
  EXPECT_EQ(b - a, 32 * interval);
  EXPECT_EQ(long_run.sm->stats().register_bank_conflicts, 0u);
  // Between two FFMAs the warp waits one cycle for the FP32 pipe.
  EXPECT_EQ(long_run.stall(StallReason::MathPipeThrottle) - short_run.stall(StallReason::MathPipeThrottle), 32 * (interval - 1));
  EXPECT_EQ(long_run.sm->stats().warp_instructions - short_run.sm->stats().warp_instructions, 32u);
  EXPECT_EQ(long_run.sm->stats().thread_instructions - short_run.sm->stats().thread_instructions, 32u * 32u);
}

TEST(SmCore, CountsFlopsPerActiveLane) {
  const GpuConfig c = default_gpu_config();
  // 16 FFMAs = 2 FLOPs each per lane; 20 threads leave 12 lanes of the warp inactive.
  SmRun ffma(ffma_kernel(16, false), c);
  ffma.go(1, 20);
  EXPECT_EQ(ffma.sm->stats().fp32_flops, 16u * 2u * 20u);
  EXPECT_EQ(ffma.sm->stats().fp64_flops, 0u);
  // add + mul + fma in FP64 = 1 + 1 + 2 FLOPs per lane; the movs and the conversion count none.
  SmRun fp64(kernel("dmath", "",
                    ".reg .f64 %d<5>;\n.reg .f32 %f1;\nmov.f64 %d1, 0d3FF0000000000000;\nadd.f64 %d2, %d1, %d1;\n"
                    "mul.f64 %d3, %d2, %d1;\nfma.rn.f64 %d4, %d3, %d2, %d1;\ncvt.rn.f32.f64 %f1, %d4;\nret;\n"),
             c);
  fp64.go(1, 32);
  EXPECT_EQ(fp64.sm->stats().fp64_flops, 4u * 32u);
  EXPECT_EQ(fp64.sm->stats().fp32_flops, 0u);
}

TEST(SmCore, DependentFfmaChainIssuesAtTheFp32Latency) {
  const GpuConfig c = default_gpu_config();
  SmRun short_run(ffma_kernel(16, true), c), long_run(ffma_kernel(48, true), c);
  const uint64_t a = short_run.go(1, 32), b = long_run.go(1, 32);
  EXPECT_EQ(b - a, 32u * c.fp32_latency_cycles);
  EXPECT_EQ(long_run.sm->stats().register_bank_conflicts, 0u);
  // Each FFMA of the chain: one issue cycle, latency - 1 cycles waiting on the previous result.
  EXPECT_EQ(long_run.stall(StallReason::Wait) - short_run.stall(StallReason::Wait), 32u * (c.fp32_latency_cycles - 1));
  EXPECT_EQ(long_run.stall(StallReason::Selected) - short_run.stall(StallReason::Selected), 32u);
  // One warp for the whole run: every active cycle has exactly one classified warp... until it exits.
  uint64_t classified = 0;
  for (uint64_t v : long_run.sm->stats().stall_warp_cycles) classified += v;
  EXPECT_EQ(classified, long_run.sm->stats().resident_warp_cycles);
}

// The dependent instruction issues exactly `latency` cycles after its producer.
void expect_dependent_gap(const std::string& decls, const std::string& producer, const std::string& consumer,
                          int latency) {
  const GpuConfig c = default_gpu_config();
  SmRun run(kernel("dep", "", decls + producer + "\n" + consumer + "\nret;\n"), c);
  run.go(1, 32);
  const auto issues = run.recorder.of_warp(0);
  ASSERT_GE(issues.size(), 2u);
  EXPECT_EQ(issues[1].cycle - issues[0].cycle, static_cast<uint64_t>(latency)) << producer << " -> " << consumer;
}

TEST(SmCore, ScoreboardBlocksExactlyTheUnitLatency) {
  const GpuConfig c = default_gpu_config();
  expect_dependent_gap(".reg .b32 %r<4>;\n", "add.s32 %r2, %r1, 1;", "add.s32 %r3, %r2, 1;", c.int_latency_cycles);
  expect_dependent_gap(".reg .f64 %fd<4>;\n", "fma.rn.f64 %fd2, %fd1, %fd1, %fd1;", "add.f64 %fd3, %fd2, %fd1;",
                       c.fp64_latency_cycles);
  // The .ftz form is one MUFU.EX2 (without .ftz ptxas scales denormals around it: 4 instructions,
  // sim/instruction_expansion.h).
  expect_dependent_gap(".reg .f32 %f<4>;\n", "ex2.approx.ftz.f32 %f2, %f1;", "add.f32 %f3, %f2, %f1;", c.sfu_latency_cycles);
  expect_dependent_gap(".reg .b16 %h<4>;\n", "add.f16 %h2, %h1, %h1;", "add.f16 %h3, %h2, %h1;", c.fp16_latency_cycles);
}

TEST(SmCore, SfuWaitIsAShortScoreboardStall) {
  const GpuConfig c = default_gpu_config();
  SmRun run(kernel("sfu", "", ".reg .f32 %f<4>;\nex2.approx.ftz.f32 %f2, %f1;\nadd.f32 %f3, %f2, %f1;\nret;\n"), c);
  run.go(1, 32);
  EXPECT_EQ(run.stall(StallReason::ShortScoreboard), static_cast<uint64_t>(c.sfu_latency_cycles - 1));
}

// A __constant__ read waiting for the memory pipe behind shared-memory loads waits on the MIO
// side (LDC is an MIO instruction): mio_throttle, never lg_throttle, in a kernel that touches no
// global or local memory (an outside DSP user's FIR was charged lg_throttle on such a line).
TEST(SmCore, ConstantReadsBehindSharedLoadsAreMioThrottle) {
  const GpuConfig c = default_gpu_config();
  std::ostringstream body;
  body << ".reg .f32 %f<40>;\n.shared .align 4 .b8 buf[256];\n";
  for (int k = 0; k < 16; ++k)
    body << "ld.shared.f32 %f" << k << ", [buf+" << 4 * k << "];\nld.const.f32 %f" << 16 + k << ", [taps+" << 4 * k << "];\n";
  body << "ret;\n";
  SmRun run(".version 9.0\n.target sm_75\n.address_size 64\n.const .align 4 .b8 taps[64];\n\n.visible .entry mix()\n{\n" +
                body.str() + "}\n",
            c);
  run.go(1, 256);
  EXPECT_EQ(run.stall(StallReason::LgThrottle), 0u);
  EXPECT_GT(run.stall(StallReason::MioThrottle), 0u);
}

TEST(SmCore, RegisterBankConflictDelaysDispatch) {
  // One bank serves two reads a cycle, so an FFMA of three distinct sources waits one extra cycle
  // for its operands; two banks let the allocation spread them.
  GpuConfig one_bank = default_gpu_config();
  one_bank.register_banks_per_subcore = 1;
  const std::string code = ".reg .f32 %f<8>;\nfma.rn.f32 %f6, %f1, %f3, %f5;\nfma.rn.f32 %f7, %f1, %f3, %f5;\nret;\n";
  SmRun clean(kernel("k", "", code), default_gpu_config());
  SmRun conflict(kernel("k", "", code), one_bank);
  clean.go(1, 32);
  conflict.go(1, 32);
  EXPECT_EQ(clean.sm->stats().register_bank_conflicts, 0u);
  EXPECT_EQ(conflict.sm->stats().register_bank_conflicts, 2u);
  const auto a = clean.recorder.of_warp(0), b = conflict.recorder.of_warp(0);
  ASSERT_GE(a.size(), 2u);
  ASSERT_GE(b.size(), 2u);
  // Clean: the second FFMA waits for the FP32 interval (2). Conflicted: the first dispatch takes
  // one extra cycle, so the pipe frees one cycle later (3).
  EXPECT_EQ(a[1].cycle - a[0].cycle, 2u);
  EXPECT_EQ(b[1].cycle - b[0].cycle, 3u);
}

// PTX registers are virtual: kernels that differ only in their registers' names run alike (an
// outside user's FFMA microbenchmark ran 49 % slower with its multiplicands named %f20/%f22 than
// with %f21/%f23 when banks were the PTX numbers' parity).
TEST(SmCore, RegisterNamesDoNotChangeTiming) {
  auto chains = [](const char* m1, const char* m2) {
    std::string body = ".reg .f32 %f<24>;\n";
    for (int rep = 0; rep < 8; ++rep)
      for (int c = 0; c < 16; c += 2)
        body += "fma.rn.f32 %f" + std::to_string(c) + ", %f" + m1 + ", %f" + m2 + ", %f" + std::to_string(c) + ";\n";
    return body + "ret;\n";
  };
  const GpuConfig c = default_gpu_config();
  SmRun even(kernel("k", "", chains("20", "22")), c);
  SmRun odd(kernel("k", "", chains("21", "23")), c);
  even.go(1, 128);
  odd.go(1, 128);
  EXPECT_EQ(even.sm->stats().register_bank_conflicts, 0u);
  EXPECT_EQ(odd.sm->stats().register_bank_conflicts, 0u);
  const auto a = even.recorder.of_warp(0), b = odd.recorder.of_warp(0);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].cycle, b[i].cycle) << "instruction " << i;
}

std::string regs(const char* prefix, int first, int count) {
  std::string out = "{";
  for (int i = 0; i < count; ++i) out += (i ? ", %" : "%") + std::string(prefix) + std::to_string(first + i);
  return out + "}";
}

// Two wmma.mma 16x16x16: the second takes the first's D as its C (dependent) or not.
std::string two_mma_kernel(bool dependent) {
  const std::string mma = "wmma.mma.sync.aligned.row.col.m16n16k16.f32.f32 ";
  const std::string body = ".reg .b32 %r<17>;\n.reg .f32 %f<25>;\n" + mma + regs("f", 1, 8) + ", " + regs("r", 1, 8) +
                           ", " + regs("r", 9, 8) + ", " + regs("f", 9, 8) + ";\n" + mma + regs("f", 17, 8) + ", " +
                           regs("r", 1, 8) + ", " + regs("r", 9, 8) + ", " + regs("f", dependent ? 1 : 9, 8) +
                           ";\nret;\n";
  return kernel("mma", "", body);
}

std::vector<Issue> two_mmas(const GpuConfig& c, bool dependent) {
  SmRun run(two_mma_kernel(dependent), c);
  run.go(1, 32);
  return run.recorder.of_warp(0);
}

TEST(SmCore, CountsTensorFlopsPerWarpMma) {
  SmRun run(two_mma_kernel(false), default_gpu_config());
  run.go(1, 32);
  // Each warp-wide 16x16x16 MMA is 16 x 16 x 16 multiply-adds = 8192 FLOPs.
  EXPECT_EQ(run.sm->stats().tensor_flops, 2u * 2u * 16u * 16u * 16u);
  EXPECT_EQ(run.sm->stats().fp32_flops, 0u);
}

TEST(SmCore, TensorMmaOccupiesTheTensorCoresThenAddsItsLatency) {
  for (const char* name : {"v100.ini", "h100.ini"}) {
    const GpuConfig c = load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name);
    // 16x16x16 = 4096 FMAs on one sub-core's share of the tensor cores, at the tensor clock,
    // expressed in core cycles: 8.66 on h100.ini (1980 / 1830 MHz). The first MMA of a chain holds
    // the tensor cores for the whole cycles; its fraction is carried to the next (sim/subcore.cpp).
    const double per_subcore = double(c.tensor_fp16_fma_per_clock) * c.tensor_cores_per_sm / c.subcores_per_sm;
    const double tensor_cycles = std::ceil(4096.0 / per_subcore);
    const auto occupancy = static_cast<uint64_t>(std::floor(tensor_cycles * c.core_clock_mhz / c.tensor_clock_mhz + 1e-9));
    const auto indep = two_mmas(c, false), dep = two_mmas(c, true);
    ASSERT_GE(indep.size(), 2u);
    ASSERT_GE(dep.size(), 2u);
    EXPECT_EQ(indep[1].cycle - indep[0].cycle, occupancy) << name;
    // A dependent MMA sees the measured issue-to-result latency the config records.
    EXPECT_EQ(dep[1].cycle - dep[0].cycle, static_cast<uint64_t>(c.tensor_mma_latency_cycles)) << name;
  }
}

TEST(SmCore, NanosleepSleepsForTheRequestedTime) {
  const GpuConfig c = default_gpu_config();
  SmRun run(kernel("nap", "", "nanosleep.u32 1000;\nret;\n"), c);
  run.go(1, 32);
  // 1000 ns at the core clock (MHz = cycles per microsecond).
  EXPECT_EQ(run.stall(StallReason::Sleeping), 1000u * c.core_clock_mhz / 1000);
}

// Two warps on sub-core 0 (CTA warps 0 and 4), eight independent integer adds each.
std::vector<int> subcore0_order(WarpSchedulerPolicy policy) {
  GpuConfig c = default_gpu_config();
  c.warp_scheduler = policy;
  std::string body = ".reg .b32 %r<12>;\n";
  for (int i = 0; i < 8; ++i) body += "add.s32 %r" + std::to_string(i + 2) + ", %r1, 1;\n";
  SmRun run(kernel("k", "", body + "ret;\n"), c);
  run.go(1, 5 * 32);
  std::vector<int> order;
  for (const Issue& i : run.recorder.issues)
    if (i.subcore == 0 && order.size() < 4) order.push_back(i.warp);
  return order;
}

TEST(SmCore, LrrAlternatesAndGtoStaysGreedy) {
  // The INT pipe takes a warp-instruction every 2 cycles; each time it frees both warps are ready.
  EXPECT_EQ(subcore0_order(WarpSchedulerPolicy::LooseRoundRobin), (std::vector<int>{0, 4, 0, 4}));
  EXPECT_EQ(subcore0_order(WarpSchedulerPolicy::GreedyThenOldest), (std::vector<int>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace gpusim::sim
