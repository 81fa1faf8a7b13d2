// The sub-cores add the per-reason warp-cycle counts lazily (when a count changes, settled when
// the stats are read) and skip cycles in which no warp is due for re-examination. These tests
// check that against the direct count: an observer is told every resident warp's reason every
// cycle (on_stall, and on_issue for the warp that issued), which is the definition of the stat.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "isa/ptx_parser.h"
#include "sim/gpu_config.h"
#include "sim/memory_partitions.h"
#include "sim/sm_core.h"
#include "tests/sim/flat_memory.h"

namespace gpusim::sim {
namespace {

constexpr uint64_t kGlobalBase = 0x10000;
constexpr size_t kMemoryBytes = 1 << 16;
constexpr size_t kReasons = static_cast<size_t>(StallReason::Count);

using testing::FlatMemory;

// Counts every warp's reason in every cycle, as the observer hooks report them.
class ReasonCounter : public SimObserver {
 public:
  void on_issue(uint64_t, int, int, int, uint32_t, const isa::Instruction&, uint32_t) override {
    counts[static_cast<size_t>(StallReason::Selected)] += 1;
  }
  void on_stall(uint64_t, int, int, int, StallReason reason) override { counts[static_cast<size_t>(reason)] += 1; }
  std::array<uint64_t, kReasons> counts{};
};

// Global loads (long scoreboard, LG queue), shared stores and loads from many warps (MIO queue
// throttling, short scoreboard), barriers, dependent and independent FFMAs (wait, math pipe).
const char* kKernel = R"(.version 9.0
.target sm_75
.address_size 64

.visible .entry mix(.param .u64 in)
{
  .reg .pred %p;
  .reg .b32 %r<8>;
  .reg .b64 %rd<4>;
  .reg .f32 %f<8>;
  .shared .align 4 .b8 tile[1024];
  ld.param.u64 %rd1, [in];
  mov.u32 %r1, %tid.x;
  and.b32 %r2, %r1, 255;
  shl.b32 %r3, %r2, 2;
  cvt.u64.u32 %rd2, %r3;
  add.u64 %rd3, %rd1, %rd2;
  mov.u32 %r4, tile;
  add.u32 %r5, %r4, %r3;
  mov.f32 %f1, 0f3F800000;
  mov.u32 %r6, 0;
LOOP:
  ld.global.f32 %f2, [%rd3];
  st.shared.f32 [%r5], %f2;
  bar.sync 0;
  ld.shared.f32 %f3, [%r4];
  ld.shared.f32 %f4, [%r5];
  fma.rn.f32 %f1, %f3, %f4, %f1;
  fma.rn.f32 %f5, %f3, %f3, %f4;
  fma.rn.f32 %f1, %f1, %f5, %f1;
  bar.sync 0;
  add.u32 %r6, %r6, 1;
  setp.lt.u32 %p, %r6, 6;
  @%p bra LOOP;
  ret;
}
)";

struct Result {
  uint64_t cycles = 0;
  SmStats stats;
};

// Runs 6 CTAs of 256 threads (at most 2 resident) on one SM. `observer` sees every cycle;
// `read_every_cycle` reads the stats (which settles the lazy counts) after every cycle.
Result run(SimObserver* observer, bool read_every_cycle) {
  const GpuConfig config = default_gpu_config();
  isa::Module module = isa::parse_ptx(kKernel, "mix.ptx");
  FlatMemory memory{kGlobalBase, kMemoryBytes};
  MemoryPartitions partitions(config, nullptr);
  SmCore sm(0, config, partitions, observer);
  isa::LaunchState launch;
  launch.module = &module;
  launch.kernel = &module.functions.at(0);
  launch.global = &memory;
  launch.nsmid = static_cast<uint32_t>(config.num_sms);
  launch.params.assign(launch.kernel->param_bytes, 0);
  std::memcpy(launch.params.data(), &kGlobalBase, sizeof kGlobalBase);
  launch.grid = {6, 1, 1};
  launch.block = {256, 1, 1};
  launch.dynamic_shared_base = (launch.kernel->static_shared_bytes + 15) / 16 * 16;
  sm.begin_launch(&launch, 2, 16 * 1024);
  const uint64_t core_ps = 1000000 / config.core_clock_mhz, dram_ps = 1000000 / config.dram_clock_mhz;
  uint64_t next_dram = 0;
  unsigned started = 0;
  uint64_t cycle = 0;
  for (; cycle < 1000000; ++cycle) {
    const uint64_t now = cycle * core_ps;
    // CTAs arrive a few hundred cycles apart, so some sub-cores sit idle between them.
    while (started < launch.grid.x && sm.can_accept_cta() && cycle >= 300u * started)
      sm.add_cta(std::make_unique<isa::CtaState>(launch, isa::Dim3{started, 0, 0}), cycle), ++started;
    if (started == launch.grid.x && sm.idle() && partitions.idle()) break;
    sm.tick(cycle, now);
    sm.commit(cycle, now);
    partitions.tick_l2(now);
    for (; next_dram <= now; next_dram += dram_ps) partitions.tick_dram(next_dram);
    if (read_every_cycle) {
      const SmStats& s = sm.stats();
      uint64_t classified = 0;
      for (uint64_t v : s.stall_warp_cycles) classified += v;
      if (classified != s.resident_warp_cycles) {
        ADD_FAILURE() << "cycle " << cycle << ": " << classified << " classified warp-cycles, "
                      << s.resident_warp_cycles << " resident";
        break;
      }
    }
  }
  EXPECT_LT(cycle, 1000000u) << "the launch did not finish";
  return {cycle, sm.stats()};
}

TEST(StallAccounting, LazyCountsEqualThePerCycleReasonsOfEveryWarp) {
  ReasonCounter counter;
  const Result watched = run(&counter, false);
  const Result plain = run(nullptr, false);
  ASSERT_GT(watched.stats.issued, 6u * 8u * 6u * 12u) << "the kernel did not run its loop";
  // The kernel exercises the reasons this test is about.
  for (StallReason r : {StallReason::LongScoreboard, StallReason::Barrier, StallReason::Wait, StallReason::NotSelected,
                        StallReason::MathPipeThrottle})
    EXPECT_GT(counter.counts[static_cast<size_t>(r)], 0u) << "reason " << static_cast<int>(r);
  for (size_t r = 0; r < kReasons; ++r) {
    EXPECT_EQ(watched.stats.stall_warp_cycles[r], counter.counts[r]) << "reason " << r << " (observed run)";
    // Without an observer the sub-cores skip the cycles in which no warp is due: same counts.
    EXPECT_EQ(plain.stats.stall_warp_cycles[r], counter.counts[r]) << "reason " << r << " (plain run)";
  }
  EXPECT_EQ(plain.cycles, watched.cycles);
  EXPECT_EQ(plain.stats.issued, watched.stats.issued);
}

TEST(StallAccounting, ReadingTheStatsMidRunChangesNothing) {
  const Result once = run(nullptr, false);
  const Result every = run(nullptr, true);  // also checks classified == resident after every cycle
  EXPECT_EQ(every.cycles, once.cycles);
  EXPECT_EQ(every.stats.stall_warp_cycles, once.stats.stall_warp_cycles);
  EXPECT_EQ(every.stats.resident_warp_cycles, once.stats.resident_warp_cycles);
}

}  // namespace
}  // namespace gpusim::sim
