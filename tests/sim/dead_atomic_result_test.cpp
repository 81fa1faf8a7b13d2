// An atomicAdd whose result the program ignores is `atom.global.add.u32 %r, [..], 1` in nvcc's
// PTX with %r never read; ptxas emits it as RED, which returns nothing, so on a GPU the warp does
// not wait for the L2's answer (an outside user's histogram spent 85 % of its warp-cycles waiting
// at `ret` for answers nobody read). The reference is the same kernel written with `red`, which
// the hardware runs the same way; CAS/exchange (no RED form), acquiring atomics and atomics whose
// result is read keep their wait.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "isa/ptx_parser.h"
#include "sim/gpu_config.h"
#include "sim/instruction_timing.h"
#include "tests/sim/profiling_test_support.h"

namespace gpusim::sim {
namespace {

// bins[tid % 16] op= 1 for 4 warps; `body` is the atomic line, the only line that differs.
std::string histogram_kernel(const std::string& body) {
  return R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry hist(.param .u64 bins)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [bins];
  mov.u32 %r1, %tid.x;
  and.b32 %r3, %r1, 15;
  mul.wide.u32 %rd2, %r3, 4;
  add.s64 %rd3, %rd1, %rd2;
  )" + body + R"(
  ret;
}
)";
}

// The atomic is the one instruction that can become a reduction (pc 5).
bool timed_as_reduction(const std::string& body) {
  const isa::Module module = isa::parse_ptx(histogram_kernel(body), "hist.ptx");
  const isa::Function& fn = module.functions.at(0);
  const FunctionTiming timing(fn, GpuConfig{});
  EXPECT_TRUE(fn.code.at(5).op == isa::Opcode::Atom || fn.code.at(5).op == isa::Opcode::Red) << body;
  return timing.at(5).result_unread && timing.destinations(timing.at(5)).empty();
}

TEST(DeadAtomicResult, OnlyAtomsWithARedFormAndNoReaderBecomeReductions) {
  EXPECT_TRUE(timed_as_reduction("atom.global.add.u32 %r2, [%rd3], 1;"));
  EXPECT_TRUE(timed_as_reduction("atom.global.max.s32 %r2, [%rd3], 1;"));
  EXPECT_TRUE(timed_as_reduction("atom.add.f32 %r2, [%rd3], 0f3F800000;"));  // generic address
  EXPECT_TRUE(timed_as_reduction("atom.relaxed.gpu.global.add.u32 %r2, [%rd3], 1;"));
  EXPECT_FALSE(timed_as_reduction("atom.global.exch.b32 %r2, [%rd3], 1;"));
  EXPECT_FALSE(timed_as_reduction("atom.global.cas.b32 %r2, [%rd3], 0, 1;"));
  EXPECT_FALSE(timed_as_reduction("atom.acquire.gpu.global.add.u32 %r2, [%rd3], 1;"));
  EXPECT_FALSE(timed_as_reduction("atom.shared.add.u32 %r2, [%r3], 1;"));
  // The result is read by the next instruction: the warp waits for it.
  EXPECT_FALSE(timed_as_reduction("atom.global.add.u32 %r2, [%rd3], 1;\n  st.global.u32 [%rd3+64], %r2;"));
}

struct Timed {
  uint64_t cycles = 0;
  uint64_t warp_cycles = 0;  // every stall and issue cycle of every warp
};

Timed run(const std::string& body) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.overrides = {"sm.count=1"};
  o.profiling.source_report = 5;
  const runtime::LaunchStats stats = testing::run_profiled(o, histogram_kernel(body), "hist", {1, 1, 1}, {128, 1, 1}, 128);
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  Timed r;
  r.cycles = stats.cycles;
  for (const auto& [reason, n] : report["stall_warp_cycles"].items()) r.warp_cycles += n.get<uint64_t>();
  return r;
}

TEST(DeadAtomicResult, AWarpWaitsNoLongerThanWithRed) {
  const Timed red = run("red.global.add.u32 [%rd3], 1;");
  const Timed dead = run("atom.global.add.u32 %r2, [%rd3], 1;");
  const Timed exch = run("atom.global.exch.b32 %r2, [%rd3], 1;");
  EXPECT_EQ(dead.warp_cycles, red.warp_cycles);
  EXPECT_EQ(dead.cycles, red.cycles);
  // An exchange waits at `ret` for its L2 round trip: a few hundred cycles per warp more.
  EXPECT_GT(exch.warp_cycles, red.warp_cycles + 4 * 100) << exch.warp_cycles << " vs " << red.warp_cycles;
}

}  // namespace
}  // namespace gpusim::sim
