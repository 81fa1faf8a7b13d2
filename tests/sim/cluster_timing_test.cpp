// Thread-block clusters in timing mode on configs/h100.ini: where a cluster's CTAs land (one GPC,
// all at once, worked out by hand from the GPC layout), clusters the chip cannot hold, the
// SM-to-SM latency of distributed shared memory measured by a pointer chase, barrier.cluster's
// latency, and the same cycles for every host thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/sim_device.h"

namespace gpusim {
namespace {

const std::string kHeader = ".version 8.0\n.target sm_90a\n.address_size 64\n";

struct Outcome {
  runtime::LaunchStats stats;
  std::vector<uint32_t> out;
  std::string error;
};

struct Launch {
  std::string ptx, kernel;
  runtime::Dim3 grid{1, 1, 1}, block{32, 1, 1}, cluster{1, 1, 1};
  uint32_t dynamic_shared = 0;
  size_t out_words = 1;
  std::string config = "h100.ini";  // empty: the embedded default (V100-like, no clusters)
  std::vector<std::string> overrides;
  unsigned threads = 1;
};

Outcome run(const Launch& l) {
  runtime::SimDeviceOptions options;
  if (!l.config.empty()) options.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/" + l.config;
  options.overrides = l.overrides;
  options.mode = runtime::SimMode::Timing;
  options.threads = l.threads;
  Outcome r;
  try {
    auto dev = runtime::make_sim_device(options);
    const auto mod = dev->load_ptx("cluster_timing", l.ptx);
    const auto out = dev->alloc(l.out_words * 4);
    dev->memset(out, 0, l.out_words * 4);
    runtime::LaunchConfig cfg;
    cfg.grid = l.grid;
    cfg.block = l.block;
    cfg.cluster = l.cluster;
    cfg.dynamic_shared_bytes = l.dynamic_shared;
    r.stats = dev->launch(mod, l.kernel, cfg, runtime::args(out));
    r.out = dev->download<uint32_t>(out, l.out_words);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

// Thread 0 of each CTA stores {%smid, %cluster_ctarank, clock before, clock after} a
// barrier.cluster round at out[4 * ctaid.x].
const std::string kPlacement = kHeader + R"(
.visible .entry place(.param .u64 p_out)
{
  .reg .u32 %lt, %r<6>;
  .reg .u64 %out, %a, %c0, %c1;
  .reg .pred %p;
  mov.u32 %lt, %tid.x;
  mov.u64 %c0, %clock64;
  barrier.cluster.arrive;
  barrier.cluster.wait;
  mov.u64 %c1, %clock64;
  setp.ne.u32 %p, %lt, 0;
  @%p bra DONE;
  ld.param.u64 %out, [p_out];
  mov.u32 %r0, %ctaid.x;
  mov.u32 %r1, %smid;
  mov.u32 %r2, %cluster_ctarank;
  cvt.u32.u64 %r3, %c0;
  cvt.u32.u64 %r4, %c1;
  mul.wide.u32 %a, %r0, 16;
  add.u64 %a, %out, %a;
  st.global.v4.u32 [%a], {%r1, %r2, %r3, %r4};
DONE:
  ret;
}
)";

Launch placement(uint32_t clusters, uint32_t size) {
  Launch l;
  l.ptx = kPlacement;
  l.kernel = "place";
  l.grid = {clusters * size, 1, 1};
  l.cluster = {size, 1, 1};
  l.dynamic_shared = 120 * 1024;  // two need 242 KB with the 1 KB reservations: one CTA per SM
  l.out_words = 4 * clusters * size;
  return l;
}

TEST(ClusterTiming, ClustersLandWholeOnOneGpcEach) {
  // 9 clusters of 16 CTAs, one CTA per SM. GPCs (cluster_dispatch_test): SMs 0-17, 18-35, then
  // 16 each from 36. Clusters 0-7 start at once, cluster k on the first 16 SMs of GPC k, rank r
  // on SM base_k + r. Cluster 8 fits nowhere until one retires; GPC 0 frees first (same work,
  // lowest SMs) and its placement resumes after SM 15: ranks 0, 1 on SMs 16, 17, then 0-13.
  const Outcome r = run(placement(9, 16));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const uint32_t base[8] = {0, 18, 36, 52, 68, 84, 100, 116};
  uint32_t cluster0_end = 0;
  for (uint32_t k = 0; k < 9; ++k) {
    uint32_t latest_start = 0, earliest_end = UINT32_MAX;
    for (uint32_t rank = 0; rank < 16; ++rank) {
      const uint32_t* e = &r.out[4 * (16 * k + rank)];
      SCOPED_TRACE("cluster " + std::to_string(k) + " rank " + std::to_string(rank));
      EXPECT_EQ(e[1], rank);
      EXPECT_EQ(e[0], k < 8 ? base[k] + rank : (16 + rank) % 18);
      latest_start = std::max(latest_start, e[2]);
      earliest_end = std::min(earliest_end, e[3]);
      if (k == 0) cluster0_end = std::max(cluster0_end, e[3]);
    }
    EXPECT_LT(latest_start, earliest_end) << "cluster " << k << "'s CTAs were not resident together";
    if (k == 8) {
      EXPECT_GT(latest_start, cluster0_end) << "cluster 8 started before a GPC was free";
    }
  }
}

TEST(ClusterTiming, ClustersAreRefusedOnChipsWithoutThem) {
  Launch l = placement(2, 2);
  l.config.clear();  // the embedded V100-like default
  l.dynamic_shared = 0;
  const Outcome r = run(l);
  EXPECT_NE(r.error.find("'place'"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("V100-like"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("no thread-block clusters (cluster.gpcs = 0"), std::string::npos) << r.error;
}

TEST(ClusterTiming, AClusterLargerThanAGpcCanHoldIsRefused) {
  Launch l = placement(1, 8);
  l.overrides = {"cluster.gpcs=33"};  // 66 TPCs / 33: 4 SMs per GPC, one CTA each
  const Outcome r = run(l);
  EXPECT_NE(r.error.find("'place'"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("a cluster of 8 CTAs cannot be resident on one GPC"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("largest GPC has 4 SMs x 1 CTA(s) per SM (limited by shared memory)"), std::string::npos)
      << r.error;
  Launch big = placement(1, 16);
  big.overrides = {"cluster.max_ctas=8"};
  const Outcome b = run(big);
  EXPECT_NE(b.error.find("has 16 CTAs, more than the 8"), std::string::npos) << b.error;
}

// Pointer chase through a peer's shared memory: CTA rank 1 fills buf[i] = 4 * ((i + 1) % 64);
// after barrier.cluster, thread 0 of rank 0 follows the chain kChase times through the
// shared::cluster window of CTA `target` and stores {cycles, final offset}.
constexpr int kChase = 32;
std::string chase_ptx(int target) {
  std::string chain;
  for (int i = 0; i < kChase; ++i) chain += "  add.u32 %a, %peer, %off;\n  ld.shared::cluster.u32 %off, [%a];\n";
  return kHeader + R"(
.visible .entry chase(.param .u64 p_out)
{
  .reg .u32 %lt, %rank, %sb, %peer, %off, %a, %r<4>;
  .reg .u64 %out, %g, %c0, %c1;
  .reg .pred %p;
  .shared .align 16 .b32 buf[64];
  mov.u32 %lt, %tid.x;
  mov.u32 %rank, %cluster_ctarank;
  mov.u32 %sb, buf;
  add.u32 %r0, %lt, 1;
  and.b32 %r0, %r0, 63;
  shl.b32 %r0, %r0, 2;
  shl.b32 %r1, %lt, 2;
  add.u32 %r1, %sb, %r1;
  st.shared.u32 [%r1], %r0;
  barrier.cluster.arrive;
  barrier.cluster.wait;
  setp.ne.u32 %p, %lt, 0;
  setp.ne.or.u32 %p, %rank, 0, %p;
  @%p bra DONE;
  mapa.shared::cluster.u32 %peer, %sb, )" + std::to_string(target) + R"(;
  mov.u32 %off, 0;
  mov.u64 %c0, %clock64;
)" + chain + R"(  add.u32 %a, %peer, %off;
  mov.u64 %c1, %clock64;
  sub.u64 %c1, %c1, %c0;
  cvt.u32.u64 %r2, %c1;
  ld.param.u64 %out, [p_out];
  st.global.v2.u32 [%out], {%r2, %off};
DONE:
  barrier.cluster.arrive;
  barrier.cluster.wait;
  ret;
}
)";
}

Outcome chase(int target, std::vector<std::string> overrides = {}) {
  Launch l;
  l.ptx = chase_ptx(target);
  l.kernel = "chase";
  l.grid = {2, 1, 1};
  l.cluster = {2, 1, 1};
  l.block = {64, 1, 1};
  l.out_words = 2;
  l.overrides = std::move(overrides);
  return run(l);
}

TEST(ClusterTiming, RemoteSharedLoadsTakeTheConfiguredSmToSmLatency) {
  // The two chases run the same instructions; only the mapa rank differs. Each step is a load
  // whose address depends on the previous one, so the remote chase is slower by exactly
  // dsmem_latency (200) - shared latency (30) per load.
  const Outcome local = chase(0), remote = chase(1);
  ASSERT_TRUE(local.error.empty()) << local.error;
  ASSERT_TRUE(remote.error.empty()) << remote.error;
  EXPECT_EQ(local.out[1], 4u * kChase);  // the chain was followed (offset 4 per step)
  EXPECT_EQ(remote.out[1], 4u * kChase);
  EXPECT_EQ(int64_t(remote.out[0]) - int64_t(local.out[0]), int64_t(kChase) * (200 - 30))
      << "local " << local.out[0] << ", remote " << remote.out[0];
  // Per step: the load latency plus the dependent add (4 cycles) and its issue.
  EXPECT_GE(remote.out[0], uint32_t(kChase * (200 + 4)));
  EXPECT_LE(remote.out[0], uint32_t(kChase * (200 + 8)));
  // The latency is the configuration's.
  const Outcome slower = chase(1, {"cluster.dsmem_latency_cycles=350"});
  ASSERT_TRUE(slower.error.empty()) << slower.error;
  EXPECT_EQ(int64_t(slower.out[0]) - int64_t(remote.out[0]), int64_t(kChase) * 150);
}

// Bandwidth: 1024 threads of CTA rank 0 each load kLoads independent 16-byte vectors from the
// shared memory of CTA `target` (all loads in flight together), between two bar.syncs; thread 0
// stores the cycles between them. 1024 x 8 x 16 B = 128 KiB.
constexpr int kLoads = 8;
std::string stream_ptx(int target) {
  std::string loads;
  for (int i = 0; i < kLoads; ++i)
    loads += "  ld.shared::cluster.v4.u32 {%v0, %v1, %v2, %v3}, [%a];\n  add.u32 %s, %s, %v0;\n"
             "  add.u32 %a, %a, 16384;\n";
  return kHeader + R"(
.visible .entry stream(.param .u64 p_out)
{
  .reg .u32 %lt, %rank, %sb, %a, %s, %v<4>, %r0;
  .reg .u64 %out, %c0, %c1;
  .reg .pred %p;
  .shared .align 16 .b8 buf[131072];
  mov.u32 %lt, %tid.x;
  mov.u32 %rank, %cluster_ctarank;
  mov.u32 %sb, buf;
  barrier.cluster.arrive;
  barrier.cluster.wait;
  setp.ne.u32 %p, %rank, 0;
  @%p bra DONE;
  mapa.shared::cluster.u32 %a, %sb, )" + std::to_string(target) + R"(;
  shl.b32 %r0, %lt, 4;
  add.u32 %a, %a, %r0;
  mov.u32 %s, 0;
  bar.sync 0;
  mov.u64 %c0, %clock64;
)" + loads + R"(  bar.sync 0;
  mov.u64 %c1, %clock64;
  setp.ne.u32 %p, %lt, 0;
  @%p bra DONE;
  sub.u64 %c1, %c1, %c0;
  cvt.u32.u64 %r0, %c1;
  ld.param.u64 %out, [p_out];
  st.global.v2.u32 [%out], {%r0, %s};
DONE:
  barrier.cluster.arrive;
  barrier.cluster.wait;
  ret;
}
)";
}

TEST(ClusterTiming, RemoteSharedBandwidthIsTheConfiguredPortWidth) {
  // 131072 B through a 32 B/clk port: 4096 cycles, plus one latency (200) for the last data and
  // the issue of the loads. Locally the 32 banks x 4 B move 128 B/clk: 1024 cycles + 30.
  auto measure = [](int target) {
    Launch l;
    l.ptx = stream_ptx(target);
    l.kernel = "stream";
    l.grid = {2, 1, 1};
    l.cluster = {2, 1, 1};
    l.block = {1024, 1, 1};
    l.out_words = 2;
    return run(l);
  };
  const Outcome remote = measure(1), local = measure(0);
  ASSERT_TRUE(remote.error.empty()) << remote.error;
  ASSERT_TRUE(local.error.empty()) << local.error;
  EXPECT_GE(remote.out[0], 4096u + 200u);
  EXPECT_LE(remote.out[0], 4096u + 200u + 200u);
  EXPECT_GE(local.out[0], 1024u + 30u);
  EXPECT_LE(local.out[0], 1024u + 30u + 200u);
  std::printf("[ measured ] 128 KiB: remote %u cycles (%.1f B/clk), local %u cycles\n", remote.out[0],
              131072.0 / remote.out[0], local.out[0]);
}

// Every thread runs `rounds` barrier.cluster rounds between two clock reads; thread 0 of each
// CTA stores the difference at out[ctaid.x].
std::string barrier_ptx(int rounds) {
  std::string body;
  for (int i = 0; i < rounds; ++i) body += "  barrier.cluster.arrive;\n  barrier.cluster.wait;\n";
  return kHeader + R"(
.visible .entry rounds(.param .u64 p_out)
{
  .reg .u32 %lt, %r0;
  .reg .u64 %out, %a, %c0, %c1;
  .reg .pred %p;
  mov.u32 %lt, %tid.x;
  mov.u64 %c0, %clock64;
)" + body + R"(  mov.u64 %c1, %clock64;
  setp.ne.u32 %p, %lt, 0;
  @%p bra DONE;
  sub.u64 %c1, %c1, %c0;
  cvt.u32.u64 %r0, %c1;
  ld.param.u64 %out, [p_out];
  mov.u32 %lt, %ctaid.x;
  mul.wide.u32 %a, %lt, 4;
  add.u64 %out, %out, %a;
  st.global.u32 [%out], %r0;
DONE:
  ret;
}
)";
}

Outcome barrier_rounds(int rounds, int latency) {
  Launch l;
  l.ptx = barrier_ptx(rounds);
  l.kernel = "rounds";
  l.grid = {4, 1, 1};
  l.cluster = {4, 1, 1};
  l.block = {128, 1, 1};
  l.out_words = 4;
  l.overrides = {"cluster.barrier_latency_cycles=" + std::to_string(latency)};
  return run(l);
}

TEST(ClusterTiming, ClusterBarrierReleasesWaitersAfterTheConfiguredLatency) {
  // Each round waits from its last arrive to the release: the barrier latency, plus the issue of
  // the arrive and the wait. Raising the latency by 100 lengthens every round by exactly 100.
  const Outcome a = barrier_rounds(3, 200), b = barrier_rounds(3, 300), one = barrier_rounds(1, 200);
  ASSERT_TRUE(a.error.empty()) << a.error;
  ASSERT_TRUE(b.error.empty()) << b.error;
  ASSERT_TRUE(one.error.empty()) << one.error;
  for (int cta = 0; cta < 4; ++cta) {
    SCOPED_TRACE("CTA " + std::to_string(cta));
    EXPECT_EQ(int64_t(b.out[cta]) - int64_t(a.out[cta]), 3 * 100);
    const int64_t per_round = (int64_t(a.out[cta]) - int64_t(one.out[cta])) / 2;
    EXPECT_GE(per_round, 200);
    EXPECT_LE(per_round, 200 + 12);
  }
}

// Rank 0's first warp waits at bar.sync for its second warp, which waits at barrier.cluster for
// the first: nobody can go on. The timing model reports it instead of running forever.
const std::string kDeadlock = kHeader + R"(
.visible .entry stuck(.param .u64 p_out)
{
  .reg .u32 %lt, %rank, %w;
  .reg .pred %p, %q;
  mov.u32 %lt, %tid.x;
  mov.u32 %rank, %cluster_ctarank;
  shr.u32 %w, %lt, 5;
  setp.eq.u32 %p, %rank, 0;
  setp.eq.and.u32 %q, %w, 0, %p;
  @%q bra HOLD;
  barrier.cluster.arrive;
  barrier.cluster.wait;
HOLD:
  @%p bar.sync 0, 64;
  ret;
}
)";

TEST(ClusterTiming, AClusterBarrierThatCannotCompleteIsReported) {
  Launch l;
  l.ptx = kDeadlock;
  l.kernel = "stuck";
  l.grid = {2, 1, 1};
  l.cluster = {2, 1, 1};
  l.block = {64, 1, 1};
  const Outcome r = run(l);
  EXPECT_NE(r.error.find("kernel 'stuck': no warp has issued an instruction for 100000 cycles"), std::string::npos)
      << r.error;
  EXPECT_NE(r.error.find("barrier deadlock"), std::string::npos) << r.error;
}

// A cluster ring exchange: each CTA stores rank + 1 in its shared word, then (after
// barrier.cluster) every thread atomically adds its lane + 1 to the next rank's word; after a
// second barrier thread 0 stores its own word: (rank + 1) + sum(1..64) at out[ctaid.x].
const std::string kRing = kHeader + R"(
.visible .entry ring(.param .u64 p_out)
{
  .reg .u32 %lt, %rank, %n, %sb, %peer, %r<6>;
  .reg .u64 %out, %a;
  .reg .pred %p;
  .shared .align 4 .b32 word;
  mov.u32 %lt, %tid.x;
  mov.u32 %rank, %cluster_ctarank;
  mov.u32 %n, %cluster_nctarank;
  mov.u32 %sb, word;
  setp.ne.u32 %p, %lt, 0;
  add.u32 %r0, %rank, 1;
  @!%p st.shared.u32 [%sb], %r0;
  barrier.cluster.arrive;
  barrier.cluster.wait;
  rem.u32 %r1, %r0, %n;
  mapa.shared::cluster.u32 %peer, %sb, %r1;
  add.u32 %r2, %lt, 1;
  atom.shared::cluster.add.u32 %r3, [%peer], %r2;
  barrier.cluster.arrive;
  barrier.cluster.wait;
  @%p bra DONE;
  ld.shared.u32 %r4, [%sb];
  ld.param.u64 %out, [p_out];
  mov.u32 %r5, %ctaid.x;
  mul.wide.u32 %a, %r5, 4;
  add.u64 %out, %out, %a;
  st.global.u32 [%out], %r4;
DONE:
  ret;
}
)";

TEST(ClusterTiming, SameCyclesForEveryHostThreadCount) {
  // 40 clusters of 4 on 132 SMs: several SMs per GPC at once, and a second wave.
  Launch l;
  l.ptx = kRing;
  l.kernel = "ring";
  l.grid = {160, 1, 1};
  l.cluster = {4, 1, 1};
  l.block = {64, 1, 1};
  l.out_words = 160;
  uint64_t cycles = 0;
  for (unsigned threads = 1; threads <= 4; ++threads) {
    l.threads = threads;
    const Outcome r = run(l);
    ASSERT_TRUE(r.error.empty()) << r.error;
    for (uint32_t cta = 0; cta < 160; ++cta) {
      const uint32_t rank = cta % 4;
      ASSERT_EQ(r.out[cta], rank + 1 + 64 * 65 / 2) << "CTA " << cta;
    }
    if (threads == 1) cycles = r.stats.cycles;
    EXPECT_EQ(r.stats.cycles, cycles) << threads << " threads";
    EXPECT_GT(r.stats.cycles, 2u * 200) << "two cluster barriers and a remote atomic take longer";
  }
}

}  // namespace
}  // namespace gpusim
