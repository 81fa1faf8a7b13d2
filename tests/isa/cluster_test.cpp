// Thread-block clusters: cluster special registers, barrier.cluster, distributed shared memory
// through mapa + ld.shared::cluster, and a multicast bulk copy completing on every CTA's
// mbarrier. Expected values follow from the PTX ISA's definitions (rank = x-fastest index of
// the CTA in its cluster) and are computed here.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/isa/sm90_kernel_harness.h"

namespace gpusim {
namespace {

constexpr unsigned kThreads = 64;

using Result = test::KernelRun;

Result launch(const std::string& body, runtime::Dim3 grid, runtime::Dim3 cluster, const std::vector<uint32_t>& src,
              size_t out_words) {
  const std::string ptx = test::src_out_kernel(
      1024, "%rank, %n, %cid, %peer",
      "  mov.u32 %rank, %cluster_ctarank;\n  mov.u32 %n, %cluster_nctarank;\n  mov.u32 %cid, %ctaid.x;\n", body);
  test::Sm90Kernel k(out_words);
  const runtime::DevPtr d_src = k.upload(src);
  runtime::LaunchConfig cfg = test::launch_config(kThreads, grid);
  cfg.cluster = cluster;
  return k.run("cluster_test", ptx, cfg, runtime::args(d_src, k.out()));
}

// out[(ctaid.x * kThreads + tid) * 4 + i] = value i (the CTA's x index keys the slot).
std::string store4(const char* v0, const char* v1, const char* v2, const char* v3) {
  return std::string("  mad.lo.u32 %r7, %cid, ") + std::to_string(kThreads) + ", %tid;\n  shl.b32 %r7, %r7, 4;\n"
         "  cvt.u64.u32 %a3, %r7;\n  add.u64 %a3, %out, %a3;\n"
         "  st.global.v4.u32 [%a3], {" + v0 + ", " + v1 + ", " + v2 + ", " + v3 + "};\n";
}

TEST(Cluster, SpecialRegistersDescribeTheClusterShape) {
  // Grid 6 x 2 CTAs in clusters of 3 x 2: cluster (cx, 0) holds CTAs x = 3cx..3cx+2, y = 0..1.
  const std::string body =
      "  mov.u32 %r0, %cluster_ctaid.x;\n  mov.u32 %r1, %cluster_ctaid.y;\n  mov.u32 %r2, %clusterid.x;\n"
      "  mov.u32 %r3, %nclusterid.x;\n  mov.u32 %r4, %is_explicit_cluster;\n  mov.u32 %r5, %ctaid.y;\n"
      "  mad.lo.u32 %cid, %r5, 6, %cid;\n" +  // linear CTA index keys the slot
      store4("%rank", "%n", "%r0", "%r1") +
      "  add.u32 %cid, %cid, 12;\n" + store4("%r2", "%r3", "%r4", "%r5");
  const Result r = launch(body, {6, 2, 1}, {3, 2, 1}, {}, 24 * kThreads * 4);
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned y = 0; y < 2; ++y)
    for (unsigned x = 0; x < 6; ++x) {
      const unsigned cta = y * 6 + x, t = 5;  // any thread
      const uint32_t* a = &r.out[(cta * kThreads + t) * 4];
      const uint32_t* b = &r.out[((cta + 12) * kThreads + t) * 4];
      SCOPED_TRACE("CTA (" + std::to_string(x) + "," + std::to_string(y) + ")");
      EXPECT_EQ(a[0], x % 3 + 3 * y);  // %cluster_ctarank: x fastest within the 3 x 2 cluster
      EXPECT_EQ(a[1], 6u);             // %cluster_nctarank
      EXPECT_EQ(a[2], x % 3);
      EXPECT_EQ(a[3], y);
      EXPECT_EQ(b[0], x / 3);          // %clusterid.x
      EXPECT_EQ(b[1], 2u);             // %nclusterid.x
      EXPECT_EQ(b[2], 1u);             // %is_explicit_cluster
    }
}

TEST(Cluster, DistributedSharedMemoryThroughMapa) {
  // Each CTA fills buf[tid] = 1000 * ctaid.x + tid, then (after barrier.cluster) reads the
  // next rank's buf[tid] through mapa and ld.shared::cluster.
  const std::string body =
      "  mad.lo.u32 %r0, %cid, 1000, %tid;\n  shl.b32 %r1, %tid, 2;\n  add.u32 %r2, %sb, %r1;\n"
      "  st.shared.u32 [%r2], %r0;\n"
      "  barrier.cluster.arrive.aligned;\n  barrier.cluster.wait.aligned;\n"
      "  add.u32 %peer, %rank, 1;\n  rem.u32 %peer, %peer, %n;\n"
      "  mapa.shared::cluster.u32 %r3, %r2, %peer;\n  ld.shared::cluster.u32 %r4, [%r3];\n"
      "  barrier.cluster.arrive.release.aligned;\n  barrier.cluster.wait.acquire.aligned;\n" +
      store4("%r4", "%peer", "%rank", "%r0");
  const Result r = launch(body, {8, 1, 1}, {4, 1, 1}, {}, 8 * kThreads * 4);
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned cta = 0; cta < 8; ++cta)
    for (unsigned t = 0; t < kThreads; ++t) {
      const unsigned peer_cta = cta / 4 * 4 + (cta % 4 + 1) % 4;
      EXPECT_EQ(r.out[(cta * kThreads + t) * 4], 1000 * peer_cta + t) << "CTA " << cta << " thread " << t;
    }
}

TEST(Cluster, MulticastBulkCopyCompletesOnEveryCtasMbarrier) {
  // Every CTA arms its own mbarrier for 256 bytes; rank 0 multicasts 256 bytes to ranks 0 and 1
  // (ctaMask 0b11), rank 2 receives its own copy issued by itself; all then read buf[tid].
  std::vector<uint32_t> src(64);
  for (unsigned i = 0; i < 64; ++i) src[i] = 7000 + i;
  const std::string body =
      "  setp.ne.u32 %p, %tid, 0;\n  @%p bra ARMED;\n  mbarrier.init.shared::cta.b64 [%sbar], 1;\n"
      "  mbarrier.arrive.expect_tx.shared::cta.b64 _, [%sbar], 256;\nARMED:\n"
      "  barrier.cluster.arrive.aligned;\n  barrier.cluster.wait.aligned;\n"
      "  @%p bra ISSUED;\n  setp.eq.u32 %q, %rank, 1;\n  @%q bra ISSUED;\n  setp.eq.u32 %q, %rank, 2;\n  @%q bra OWN;\n"
      "  cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [%sb], [%src], 256, [%sbar], 3;\n"
      "  bra ISSUED;\nOWN:\n"
      "  cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%sb], [%src], 256, [%sbar];\n"
      "ISSUED:\n  mbarrier.try_wait.parity.shared::cta.b64 %q, [%sbar], 0;\n  @!%q bra ISSUED;\n"
      "  shl.b32 %r1, %tid, 2;\n  add.u32 %r2, %sb, %r1;\n  ld.shared.u32 %r0, [%r2];\n" +
      store4("%r0", "%rank", "%n", "%tid");
  const Result r = launch(body, {3, 1, 1}, {3, 1, 1}, src, 3 * kThreads * 4);
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned cta = 0; cta < 3; ++cta)
    for (unsigned t = 0; t < kThreads; ++t) EXPECT_EQ(r.out[(cta * kThreads + t) * 4], 7000 + t) << cta << "/" << t;
}

// A warp held at barrier.cluster.wait issues nothing until the phase completes, as on a GPU: the
// launch counts each wait once, so its warp-instructions are those of the same kernel without the
// barrier plus one arrive and one wait per warp, in both modes, and a budget just above that count
// is not mistaken for an endless loop (it was: every retry of the wait counted, 10x in a CUTLASS-
// style kernel). Rank 1 loops 300 times before it arrives, so rank 0's warps wait that long.
TEST(Cluster, AWarpWaitingAtTheClusterBarrierIssuesNothing) {
  auto kernel = [](bool barrier) {
    return std::string(test::kSm90PtxHeader) +
           ".visible .entry k(.param .u64 p_out)\n{\n  .reg .u32 %rank, %i, %t;\n  .reg .u64 %out, %a;\n"
           "  .reg .pred %p, %q;\n  mov.u32 %rank, %cluster_ctarank;\n  mov.u32 %i, 0;\n"
           "  setp.eq.u32 %p, %rank, 0;\n  @%p bra ARRIVE;\nLOOP:\n  add.u32 %i, %i, 1;\n"
           "  setp.lt.u32 %q, %i, 300;\n  @%q bra LOOP;\nARRIVE:\n" +
           (barrier ? "  barrier.cluster.arrive.aligned;\n  barrier.cluster.wait.aligned;\n" : "") +
           "  ld.param.u64 %out, [p_out];\n  mov.u32 %t, %tid.x;\n  mad.lo.u32 %t, %rank, 64, %t;\n"
           "  mul.wide.u32 %a, %t, 4;\n  add.u64 %a, %out, %a;\n  st.global.u32 [%a], %i;\n  ret;\n}\n";
  };
  auto count = [&](bool barrier, runtime::SimMode mode, uint64_t budget) {
    runtime::SimDeviceOptions o;
    o.mode = mode;
    o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";  // with clusters
    o.max_warp_instructions = budget;
    auto dev = runtime::make_sim_device(o);
    const runtime::DevPtr out = dev->alloc(2 * kThreads * 4);
    runtime::LaunchConfig cfg = test::launch_config(kThreads, {2, 1, 1});
    cfg.cluster = {2, 1, 1};
    const auto stats = dev->launch(dev->load_ptx("cluster_wait", kernel(barrier)), "k", cfg, runtime::args(out));
    const std::vector<uint32_t> got = dev->download<uint32_t>(out, 2 * kThreads);
    EXPECT_EQ(got[0], 0u);               // rank 0 went straight to the barrier
    EXPECT_EQ(got[kThreads + 5], 300u);  // rank 1 looped first
    return stats.warp_instructions;
  };
  const uint64_t warps = 2 * kThreads / 32;
  const uint64_t plain = count(false, runtime::SimMode::Functional, uint64_t(1) << 36);
  ASSERT_GT(plain, 300 * 3 * warps / 2);  // rank 1's loop ran
  for (const runtime::SimMode mode : {runtime::SimMode::Functional, runtime::SimMode::Timing}) {
    SCOPED_TRACE(mode == runtime::SimMode::Functional ? "functional" : "timing");
    EXPECT_EQ(count(true, mode, uint64_t(1) << 36), plain + 2 * warps);
    EXPECT_NO_THROW(count(true, mode, plain + 2 * warps + 1));
  }
}

// Warps of one CTA waiting for each other across the two barriers (warp 0 at bar.sync, warp 1 at
// the cluster barrier that warp 0 must arrive at first): nothing can run, and the launch ends at
// once with both barriers named instead of retrying the wait until the instruction budget.
TEST(Cluster, AClusterBarrierThatCanNeverCompleteIsNamed) {
  const std::string ptx = std::string(test::kSm90PtxHeader) +
                          ".visible .entry k(.param .u64 p_out)\n{\n  .reg .u32 %w;\n  .reg .pred %p;\n"
                          "  mov.u32 %w, %tid.x;\n  setp.lt.u32 %p, %w, 32;\n  @%p bra FIRST;\n"
                          "  barrier.cluster.arrive.aligned;\n  barrier.cluster.wait.aligned;\nFIRST:\n"
                          "  bar.sync 0;\n  ret;\n}\n";
  runtime::SimDeviceOptions o;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
  auto dev = runtime::make_sim_device(o);
  const runtime::DevPtr out = dev->alloc(4);
  runtime::LaunchConfig cfg = test::launch_config(64, {2, 1, 1});
  cfg.cluster = {2, 1, 1};
  std::string error;
  try {
    dev->launch(dev->load_ptx("cluster_deadlock", ptx), "k", cfg, runtime::args(out));
  } catch (const std::exception& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("barrier can never complete"), std::string::npos) << error;
  EXPECT_NE(error.find("barrier.cluster.wait at PC"), std::string::npos) << error;
}

TEST(Cluster, BadShapesAndRanksAreClearErrors) {
  Result r = launch("", {5, 1, 1}, {2, 1, 1}, {}, 4);
  EXPECT_NE(r.error.find("not a whole number of clusters"), std::string::npos) << r.error;
  r = launch("", {32, 1, 1}, {32, 1, 1}, {}, 4);
  EXPECT_NE(r.error.find("at most 16"), std::string::npos) << r.error;
  r = launch("  mapa.shared::cluster.u32 %r0, %sb, 2;\n", {2, 1, 1}, {2, 1, 1}, {}, 4);
  EXPECT_NE(r.error.find("mapa: CTA rank 2 is outside the cluster of 2 CTAs"), std::string::npos) << r.error;
}

// st.async / red.async forms the PTX ISA does not have are refused at load, naming the rule.
TEST(Cluster, AsyncRemoteFormsOutsideTheIsaAreRefused) {
  const std::pair<const char*, const char*> cases[] = {
      {"  red.async.relaxed.cluster.shared::cluster.mbarrier::complete_tx::bytes.add.s64 [%sb], %a3, [%sbar];\n",
       "red.async forms:"},
      {"  red.async.relaxed.cluster.shared::cluster.mbarrier::complete_tx::bytes.inc.s32 [%sb], %r0, [%sbar];\n",
       "red.async forms:"},
      {"  st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.b64 [%sb], {%a3, %a3, %a3, %a3}, [%sbar];\n",
       "st.async moves at most 16 bytes"},
      {"  st.async.shared::cluster.b32 [%sb], %r0, [%sbar];\n", "st.async requires a completion mechanism"},
      {"  st.async.global.mbarrier::complete_tx::bytes.b32 [%sb], %r0, [%sbar];\n", "shared memory of a cluster CTA"},
  };
  for (const auto& [body, message] : cases) {
    std::string error;
    try {
      error = launch(body, {2, 1, 1}, {2, 1, 1}, {}, 4).error;
    } catch (const std::exception& e) {
      error = e.what();
    }
    EXPECT_NE(error.find(message), std::string::npos) << body << error;
  }
}

}  // namespace
}  // namespace gpusim
