// One SmCore driven cycle by cycle on small hand-written PTX kernels. Expected cycle counts come
// from the configuration's latencies and lane counts by hand (N x issue interval for independent
// FFMAs, N x latency for a dependent chain, ...), not from earlier runs of the model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "sim/gpu_config.h"
#include "sim/memory_partitions.h"
#include "sim/sm_core.h"
#include "tests/sim/flat_memory.h"

namespace gpusim::sim {
namespace {

constexpr uint64_t kGlobalBase = 0x10000;
constexpr size_t kMemoryBytes = 1 << 20;
constexpr uint64_t kModuleGlobals = kGlobalBase + kMemoryBytes - 0x10000;  // the module's .global variables

using testing::FlatMemory;

struct Issue {
  uint64_t cycle;
  int subcore, warp;
  uint32_t pc;
  isa::Opcode op;
};

class Recorder : public SimObserver {
 public:
  void on_issue(uint64_t cycle, int, int subcore, int warp, uint32_t pc, const isa::Instruction& inst, uint32_t) override {
    issues.push_back({cycle, subcore, warp, pc, inst.op});
  }
  std::vector<Issue> issues;
  std::vector<Issue> of_warp(int warp) const {
    std::vector<Issue> out;
    for (const Issue& i : issues)
      if (i.warp == warp) out.push_back(i);
    return out;
  }
};

std::string kernel(const std::string& name, const std::string& params, const std::string& body) {
  return ".version 9.0\n.target sm_75\n.address_size 64\n\n.visible .entry " + name + "(" + params + ")\n{\n" + body +
         "}\n";
}

// An SM, the memory side and a launch of `ptx`'s kernel, run to completion.
struct SmRun {
  GpuConfig config;
  isa::Module module;
  FlatMemory memory{kGlobalBase, kMemoryBytes};
  Recorder recorder;
  std::unique_ptr<MemoryPartitions> partitions;
  std::unique_ptr<SmCore> sm;
  isa::LaunchState launch;
  uint64_t cycles = 0;

  std::vector<uint8_t> const_bank;

  SmRun(const std::string& ptx, const GpuConfig& cfg, int sm_id = 0, const std::string& kernel_name = "")
      : config(cfg), module(isa::parse_ptx(ptx, "test.ptx")) {
    partitions = std::make_unique<MemoryPartitions>(config, nullptr);
    sm = std::make_unique<SmCore>(sm_id, config, *partitions, &recorder);
    launch.module = &module;
    launch.kernel = kernel_name.empty() ? &module.functions.at(0) : module.find_function(kernel_name);
    if (!launch.kernel) throw std::invalid_argument("no kernel " + kernel_name);
    // Module variables: .global ones at kModuleGlobals, .const ones in the constant bank.
    launch.module_global_base = kModuleGlobals;
    const_bank.assign(module.const_bytes, 0);
    launch.const_bank = &const_bank;
    for (const isa::Symbol& sym : module.symbols) {
      if (sym.owner != -1 || sym.init.empty()) continue;
      if (sym.space == isa::StateSpace::Global)
        std::copy(sym.init.begin(), sym.init.end(), memory.bytes().begin() + long(kModuleGlobals - kGlobalBase + sym.offset));
      if (sym.space == isa::StateSpace::Const)
        std::copy(sym.init.begin(), sym.init.end(), const_bank.begin() + long(sym.offset));
    }
    launch.global = &memory;
    launch.nsmid = static_cast<uint32_t>(config.num_sms);
    launch.params.assign(launch.kernel->param_bytes, 0);
  }
  void set_param(unsigned index, uint64_t value) {
    const isa::Symbol& s = module.symbols.at(launch.kernel->params.at(index));
    std::memcpy(launch.params.data() + s.offset, &value, std::min<size_t>(s.size, sizeof value));
  }

  // Runs `ctas` CTAs of `threads` threads, at most `resident` at once. Returns the cycles taken.
  uint64_t go(unsigned ctas, unsigned threads, int resident = 1) {
    launch.grid = {ctas, 1, 1};
    launch.block = {threads, 1, 1};
    return go_launch(resident);
  }
  uint64_t go_launch(int resident) {
    const unsigned ctas = static_cast<unsigned>(launch.grid.count());
    launch.dynamic_shared_base = (launch.kernel->static_shared_bytes + 15) / 16 * 16;
    sm->begin_launch(&launch, resident, 16 * 1024);
    const uint64_t core_ps = 1000000 / config.core_clock_mhz, dram_ps = 1000000 / config.dram_clock_mhz;
    uint64_t next_dram = 0;
    unsigned started = 0;
    uint64_t cycle = 0;
    for (; cycle < 2000000; ++cycle) {
      const uint64_t now = cycle * core_ps;
      while (started < ctas && sm->can_accept_cta())
        sm->add_cta(std::make_unique<isa::CtaState>(
                        launch, isa::Dim3{started % launch.grid.x, started / launch.grid.x % launch.grid.y,
                                          started / (launch.grid.x * launch.grid.y)}),
                    cycle),
            ++started;
      if (started == ctas && sm->idle() && partitions->idle()) break;
      sm->tick(cycle, now);
      sm->commit(cycle, now);
      partitions->tick_l2(now);  // the L2 runs at the core clock in the default config
      for (; next_dram <= now; next_dram += dram_ps) partitions->tick_dram(next_dram);
    }
    EXPECT_LT(cycle, 2000000u) << "the launch did not finish";
    cycles = cycle;
    return cycle;
  }
  uint64_t stall(StallReason r) const { return sm->stats().stall_warp_cycles[static_cast<size_t>(r)]; }
};

std::string ffma_kernel(int n, bool dependent) {
  std::ostringstream body;
  body << ".reg .f32 %f<" << n + 4 << ">;\n";
  body << "mov.f32 %f1, 0f3F800000;\nmov.f32 %f2, 0f40000000;\nmov.f32 %f3, 0f00000000;\n";
  for (int i = 0; i < n; ++i) {
    if (dependent) body << "fma.rn.f32 %f3, %f3, %f2, %f1;\n";
    else body << "fma.rn.f32 %f" << 4 + i << ", %f1, %f2, %f1;\n";
  }
  body << "ret;\n";
  return kernel("ffma", "", body.str());
}

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
// cannot take the generic values) and the file of deliberate faults. The tensor fixtures index by lane and
// are written for one warp per block, so they run with 32 threads; the rest with four warps.
TEST(SmCore, FixtureKernelsMatchTheFunctionalExecutor) {
  const GpuConfig c = default_gpu_config();
  const std::vector<std::string> skip{"atomic_mix", "clock_monotonic", "eval_poly", "runtime_faults.ptx",
                                      "vec128", "grid_sync", "thrust_transform.ptx"};
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
