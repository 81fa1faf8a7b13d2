// --racecheck (isa/shared_race_check.h): races between warps on shared memory are reported with
// the variable, both threads and both PTX lines; barriers, named barriers and hand-made flags
// (volatile / atomic accesses) order accesses; the report is the same for every host thread
// count. The races expected are those the kernels are written to have: warp 0 writes buf[lane]
// and warp 1 reads it, with or without a barrier between (32 reads of unordered bytes per CTA).
#include <gtest/gtest.h>

#include <string>

#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

const char* kPtx = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry pair(.param .u32 p_sync)
{
  .reg .u32 %t, %a, %base, %sync, %v;
  .reg .pred %first, %nosync;
  .shared .align 4 .b8 buf[128];
  ld.param.u32 %sync, [p_sync];
  mov.u32 %t, %tid.x;
  and.b32 %a, %t, 31;
  shl.b32 %a, %a, 2;
  mov.u32 %base, buf;
  add.u32 %a, %a, %base;
  setp.lt.u32 %first, %t, 32;
  @%first st.shared.u32 [%a], %t;
  setp.eq.u32 %nosync, %sync, 0;
  @%nosync bra SKIP;
  bar.sync 0;
SKIP:
  @!%first ld.shared.u32 %v, [%a];
  ret;
}
.visible .entry flag(.param .u32 p_same)
{
  .reg .u32 %t, %same, %v;
  .reg .pred %p;
  .shared .align 4 .b8 found[4];
  ld.param.u32 %same, [p_same];
  mov.u32 %t, %tid.x;
  setp.ne.u32 %p, %same, 0;
  selp.u32 %v, 1, %t, %p;
  st.shared.u32 [found], %v;
  ret;
}
.visible .entry producer_consumer()
{
  .reg .u32 %t, %a, %base, %v;
  .reg .pred %producer;
  .shared .align 4 .b8 buf[128];
  mov.u32 %t, %tid.x;
  and.b32 %a, %t, 31;
  shl.b32 %a, %a, 2;
  mov.u32 %base, buf;
  add.u32 %a, %a, %base;
  setp.lt.u32 %producer, %t, 32;
  @!%producer bra CONSUME;
  st.shared.u32 [%a], %t;
  bar.arrive 1, 64;
  ret;
CONSUME:
  bar.sync 1, 64;
  ld.shared.u32 %v, [%a];
  ret;
}
.visible .entry volatile_flag()
{
  .reg .u32 %t, %a, %base, %v, %f;
  .reg .pred %producer, %unset;
  .shared .align 4 .b8 buf[128];
  .shared .align 4 .b8 ready[4];
  mov.u32 %t, %tid.x;
  and.b32 %a, %t, 31;
  shl.b32 %a, %a, 2;
  mov.u32 %base, buf;
  add.u32 %a, %a, %base;
  setp.lt.u32 %producer, %t, 32;
  @!%producer bra CONSUME;
  st.shared.u32 [%a], %t;
  st.volatile.shared.u32 [ready], 1;
  ret;
CONSUME:
  ld.volatile.shared.u32 %f, [ready];
  setp.eq.u32 %unset, %f, 0;
  @%unset bra CONSUME;
  ld.shared.u32 %v, [%a];
  ret;
}
.visible .entry read_then_update()
{
  .reg .u32 %t, %a, %base, %v;
  .reg .pred %first;
  .shared .align 4 .b8 buf[128];
  mov.u32 %t, %tid.x;
  and.b32 %a, %t, 31;
  shl.b32 %a, %a, 2;
  mov.u32 %base, buf;
  add.u32 %a, %a, %base;
  setp.lt.u32 %first, %t, 32;
  @%first st.shared.u32 [%a], %t;
  bar.sync 0;
  ld.shared.u32 %v, [%a];
  @%first bra DONE;
  add.u32 %v, %v, 1;
  st.shared.u32 [%a], %v;
DONE:
  ret;
}
.visible .entry atomic_bins(.param .u32 sync, .param .u32 last)
{
  .reg .u32 %t, %a, %base, %v, %s, %w, %l;
  .reg .pred %reader, %synced;
  .shared .align 4 .b8 bins[32];
  mov.u32 %t, %tid.x;
  and.b32 %a, %t, 7;
  shl.b32 %a, %a, 2;
  mov.u32 %base, bins;
  add.u32 %a, %a, %base;
  atom.shared.add.u32 %v, [%a], 1;
  ld.param.u32 %s, [sync];
  setp.ne.u32 %synced, %s, 0;
  @%synced bar.sync 0;
  shr.u32 %w, %t, 5;
  ld.param.u32 %l, [last];
  setp.eq.u32 %reader, %w, %l;
  @%reader ld.shared.u32 %v, [%a];
  ret;
}
.visible .entry cas_loop()
{
  .reg .u32 %old, %new, %got, %base;
  .reg .pred %retry;
  .shared .align 4 .b8 counter[4];
  mov.u32 %base, counter;
  ld.shared.u32 %old, [%base];
RETRY:
  add.u32 %new, %old, 1;
  atom.shared.cas.b32 %got, [%base], %old, %new;
  setp.ne.u32 %retry, %got, %old;
  mov.u32 %old, %got;
  @%retry bra RETRY;
  ret;
}
)";

// A warp sum over the threads of a block of 40: the second warp has 8 lanes, so lanes 0-7 read
// lanes 8-23 that do not exist (16, 8 of them at offsets 16, 8; with p_clamp the shuffle's clamp
// is the last lane that exists, and none of them is read).
const char* kShufflePtx = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry warp_sum(.param .u32 p_clamp)
{
  .reg .u32 %t, %v, %c, %clamp;
  .reg .pred %p1;
  ld.param.u32 %clamp, [p_clamp];
  mov.u32 %t, %tid.x;
  mov.u32 %v, 1;
  mov.u32 %c, 31;
  setp.ne.u32 %p1, %clamp, 0;
  @%p1 mov.u32 %c, 7;
  shfl.sync.down.b32 %v, %v, 16, %c, -1;
  shfl.sync.down.b32 %v, %v, 8, %c, -1;
  ret;
}
)";

LaunchConfig cfg(unsigned ctas, unsigned threads) {
  LaunchConfig c;
  c.grid = Dim3{ctas, 1, 1};
  c.block = Dim3{threads, 1, 1};
  return c;
}

struct Checked {
  LaunchStats stats;
  std::string report;
};

Checked run(const std::string& kernel, const LaunchConfig& c, const KernelArgs& a, SimMode mode = SimMode::Functional,
            unsigned threads = 1) {
  Checked out;
  SimDeviceOptions o;
  o.mode = mode;
  o.threads = threads;
  o.race_check = true;
  o.race_sink = [&](const std::string& text) { out.report += text; };
  auto dev = make_sim_device(o);
  const ModuleHandle m = dev->load_ptx("races.ptx", kPtx);
  out.stats = dev->launch(m, kernel, c, a);
  return out;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// A program that launches a kernel many times learns which launch raced (an outside DSP user's
// FFT dropped its barrier in the third of three launches; the report named only the kernel).
TEST(RaceCheck, TheReportSaysWhichLaunchOfTheKernelRaced) {
  std::vector<std::string> reports;
  SimDeviceOptions o;
  o.race_check = true;
  o.race_sink = [&](const std::string& text) { reports.push_back(text); };
  auto dev = make_sim_device(o);
  const ModuleHandle m = dev->load_ptx("races.ptx", kPtx);
  dev->launch(m, "pair", cfg(1, 64), args(uint32_t(1)));  // with its barrier: no report
  dev->launch(m, "pair", cfg(1, 64), args(uint32_t(1)));
  dev->launch(m, "pair", cfg(1, 64), args(uint32_t(0)));  // the third launch races
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(has(reports[0], "racecheck: kernel 'pair' (launch 2 of it, counting from 0): ")) << reports[0];
}

TEST(RaceCheck, AMissingBarrierBetweenWarpsIsReportedNamingBothSides) {
  const Checked racy = run("pair", cfg(1, 64), args(uint32_t(0)));
  EXPECT_EQ(racy.stats.race_hazards, 32u) << racy.report;
  EXPECT_TRUE(has(racy.report, "racecheck: kernel 'pair' (launch 0 of it, counting from 0): 32 racing shared-memory accesses at 1 pair"))
      << racy.report;
  EXPECT_TRUE(has(racy.report, "at 1 pair of PTX lines")) << racy.report;  // no .loc in this PTX
  EXPECT_TRUE(has(racy.report, "build with nvcc -lineinfo")) << racy.report;
  EXPECT_TRUE(has(racy.report, "read after write on 'buf' (byte 0 of 128)")) << racy.report;
  EXPECT_TRUE(has(racy.report, "thread (0,0,0) of warp 0 wrote it at PTX line 16")) << racy.report;
  EXPECT_TRUE(has(racy.report, "thread (32,0,0) of warp 1 read it at PTX line 21")) << racy.report;
  const Checked ordered = run("pair", cfg(1, 64), args(uint32_t(1)));
  EXPECT_EQ(ordered.stats.race_hazards, 0u) << ordered.report;
  EXPECT_TRUE(ordered.report.empty()) << ordered.report;
}

// Both warps read buf[lane] after the barrier and warp 1 then writes it (a reduction step whose
// loop lacks its __syncthreads()). Whichever warp runs first, warp 0's read and warp 1's write are
// unordered: 32 hazards. Functional mode ran warp 0 first, and warp 1's own read of the byte
// replaced warp 0's as the one remembered, so the race went unreported (an outside user's lab).
TEST(RaceCheck, AReadRacingWithAWriteIsFoundWhenTheWriterReadTheByteToo) {
  for (SimMode mode : {SimMode::Functional, SimMode::Timing}) {
    const Checked racy = run("read_then_update", cfg(1, 64), {}, mode);
    EXPECT_EQ(racy.stats.race_hazards, 32u) << racy.report;
    EXPECT_TRUE(has(racy.report, "on 'buf'")) << racy.report;
  }
}

TEST(RaceCheck, TwoWarpsWritingTheSameValueAreNoRaceDifferentValuesAre) {
  const Checked same = run("flag", cfg(1, 64), args(uint32_t(1)));
  EXPECT_EQ(same.stats.race_hazards, 0u) << same.report;
  const Checked differ = run("flag", cfg(1, 64), args(uint32_t(0)));
  // Lane 0 of warp 1 overwrites what warp 0 left; its later lanes follow their own warp's write.
  EXPECT_EQ(differ.stats.race_hazards, 1u) << differ.report;
  EXPECT_TRUE(has(differ.report, "write after write on 'found'")) << differ.report;
}

TEST(RaceCheck, NamedBarriersAndVolatileFlagsOrderAccesses) {
  EXPECT_EQ(run("producer_consumer", cfg(1, 64), {}).stats.race_hazards, 0u);
  EXPECT_EQ(run("volatile_flag", cfg(1, 64), {}).stats.race_hazards, 0u);
}

// A strong access (atomic, volatile) races with plain accesses of other warps that nothing orders:
// a histogram's shared atomicAdds and warp 0 reading the bins without the __syncthreads() between
// (an outside user's histogram read 32 of 256 counts and racecheck said nothing). Strong accesses
// do not race with each other, and the plain first read of a CAS loop is exempt.
TEST(RaceCheck, AtomicsRaceWithUnorderedPlainAccessesButNotWithEachOther) {
  const Checked racy = run("atomic_bins", cfg(1, 64), args(uint32_t(0), uint32_t(0)));
  EXPECT_GT(racy.stats.race_hazards, 0u) << racy.report;
  EXPECT_TRUE(has(racy.report, "on 'bins'")) << racy.report;
  EXPECT_TRUE(has(racy.report, "write after read")) << racy.report;
  const Checked synced = run("atomic_bins", cfg(1, 64), args(uint32_t(1), uint32_t(0)));
  EXPECT_EQ(synced.stats.race_hazards, 0u) << synced.report;
  // The reader is the warp that adds last: its own atomicAdd on a bin neither orders it after warp
  // 0's adds (a relaxed RMW acquires nothing) nor hides them (they stay remembered beside it); both
  // hid the race in functional mode (an outside user's textbook histogram).
  for (SimMode mode : {SimMode::Functional, SimMode::Timing}) {
    const Checked last = run("atomic_bins", cfg(1, 64), args(uint32_t(0), uint32_t(1)), mode);
    EXPECT_GT(last.stats.race_hazards, 0u) << last.report;
    EXPECT_TRUE(has(last.report, "read after write on 'bins'")) << last.report;
    EXPECT_EQ(run("atomic_bins", cfg(1, 64), args(uint32_t(1), uint32_t(1)), mode).stats.race_hazards, 0u);
  }
  const Checked cas = run("cas_loop", cfg(1, 128), {});
  EXPECT_EQ(cas.stats.race_hazards, 0u) << cas.report;
}

TEST(RaceCheck, TheReportIsTheSameForEveryThreadCountAndCountsEveryCta) {
  const Checked one = run("pair", cfg(8, 64), args(uint32_t(0)), SimMode::Functional, 1);
  EXPECT_EQ(one.stats.race_hazards, 8u * 32u) << one.report;
  EXPECT_TRUE(has(one.report, "in 8 CTAs")) << one.report;
  for (unsigned threads : {2u, 3u}) {
    const Checked many = run("pair", cfg(8, 64), args(uint32_t(0)), SimMode::Functional, threads);
    EXPECT_EQ(many.report, one.report) << threads << " threads";
  }
}

TEST(RaceCheck, TimingModeFindsTheRaceToo) {
  // The warps interleave by the model's schedule, so which side comes first is the model's; the
  // 32 unordered pairs are found either way.
  const Checked racy = run("pair", cfg(1, 64), args(uint32_t(0)), SimMode::Timing);
  EXPECT_EQ(racy.stats.race_hazards, 32u) << racy.report;
  EXPECT_TRUE(has(racy.report, "on 'buf'")) << racy.report;
  EXPECT_EQ(run("pair", cfg(1, 64), args(uint32_t(1)), SimMode::Timing).stats.race_hazards, 0u);
}

}  // namespace

namespace {

// A shuffle reading lanes a partial warp lacks gets an undefined value on a GPU (0 here, which a
// sum hides): --racecheck notes it, naming the thread, the lane read and why, without counting it
// as a race (code may discard such a value); a clamped shuffle reads none.
TEST(RaceCheck, ShuffleReadsOfLanesThatAreNotThereAreNoted) {
  auto run_shuffle = [](uint32_t clamp, LaunchStats* stats) {
    std::string report;
    SimDeviceOptions o;
    o.race_check = true;
    o.race_sink = [&](const std::string& text) { report += text; };
    auto dev = make_sim_device(o);
    const ModuleHandle m = dev->load_ptx("shuffle.ptx", kShufflePtx);
    *stats = dev->launch(m, "warp_sum", cfg(1, 40), args(clamp));
    return report;
  };
  LaunchStats stats;
  const std::string report = run_shuffle(0, &stats);
  EXPECT_EQ(stats.race_hazards, 0u) << report;
  EXPECT_TRUE(has(report, "racecheck: note: kernel 'warp_sum': 16 shuffle reads of lanes that take no part, at 2 instructions"))
      << report;
  EXPECT_TRUE(has(report, "thread (32,0,0) of warp 1 of CTA (0,0,0) read lane 16 at PTX line 14, which lies outside the "
                          "block (a partial last warp) (8 such reads)"))
      << report;
  EXPECT_TRUE(has(report, "read lane 8 at PTX line 15, which lies outside the block")) << report;
  EXPECT_EQ(run_shuffle(1, &stats), "");
}

}  // namespace
