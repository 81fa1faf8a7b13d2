// Fidelity of the TMA timing on configs/h100.ini (issue 14, tma-fidelity): mbarrier readiness per
// phase, multicast delivery to every destination CTA of a cluster, and TMA writes occupying the
// shared-memory banks. Kernels read %clock64 (the model's core cycle in timing mode) around the
// code under test; expectations are computed here from h100.ini's rates.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "tests/sim/h100_tma_test_support.h"

namespace gpusim {
namespace {

using h100_tma_test::h100;
using h100_tma_test::kH100;
using h100_tma_test::kHeader;
using h100_tma_test::streaming_rate;
using h100_tma_test::tma_wait;



// Runs kernel `k(.param .u64 p_src, .param .u64 p_out)` in timing mode on h100.ini with `ctas`
// CTAs in clusters of `cluster`; returns the first `words` 64-bit words of out. The body sees
// %tx (tid.x), %src, %out, %sb (a 40 KiB shared buffer), %sbar (an mbarrier, initialised with
// one arrival by thread 0 and fenced for the async proxy and the cluster).
std::vector<uint64_t> run(const std::string& body, unsigned threads, size_t words, unsigned ctas = 1,
                          unsigned cluster = 1, const std::vector<std::string>& overrides = {}) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.config_path = kH100;
  o.overrides = overrides;
  o.threads = 1;
  auto dev = runtime::make_sim_device(o);
  const std::string ptx = std::string(kHeader) +
                          ".visible .entry k(.param .u64 p_src, .param .u64 p_out)\n{\n"
                          "  .reg .u32 %tx, %rank, %r<8>, %sb, %sbar;\n  .reg .u64 %src, %out, %a<4>, %t<8>;\n"
                          "  .reg .pred %p, %q;\n  .reg .b16 %mask;\n"
                          "  .shared .align 1024 .b8 buf[40960];\n  .shared .align 8 .b64 bar;\n"
                          "  mov.u32 %tx, %tid.x;\n  mov.u32 %rank, %cluster_ctarank;\n"
                          "  ld.param.u64 %src, [p_src];\n  ld.param.u64 %out, [p_out];\n"
                          "  mov.u32 %sb, buf;\n  mov.u32 %sbar, bar;\n"
                          "  setp.ne.u32 %p, %tx, 0;\n  @%p bra INITED;\n  mbarrier.init.shared::cta.b64 [%sbar], 1;\n"
                          "  fence.mbarrier_init.release.cluster;\n  fence.proxy.async.shared::cta;\nINITED:\n"
                          "  barrier.cluster.arrive;\n  barrier.cluster.wait;\n" +
                          body + "  ret;\n}\n";
  const auto mod = dev->load_ptx("tma_fidelity_test", ptx);
  const size_t src_bytes = 1 << 20;
  const auto d_src = dev->alloc(src_bytes);
  dev->memset(d_src, 1, src_bytes);
  const auto d_out = dev->alloc(words * 8);
  dev->memset(d_out, 0, words * 8);
  runtime::LaunchConfig cfg;
  cfg.grid = {ctas, 1, 1};
  cfg.block = {threads, 1, 1};
  cfg.cluster = {cluster, 1, 1};
  dev->launch(mod, "k", cfg, runtime::args(d_src, d_out));
  return dev->download<uint64_t>(d_out, words);
}

// Thread 0 (of each CTA) expects `bytes` on the barrier and copies them from src + src_offset to
// buf + dst_offset.
std::string load(unsigned bytes, unsigned src_offset, unsigned dst_offset) {
  const std::string b = std::to_string(bytes);
  return "  mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%sbar], " + b + ";\n"
         "  add.u64 %a0, %src, " + std::to_string(src_offset) + ";\n  add.u32 %r0, %sb, " + std::to_string(dst_offset) +
         ";\n  cp.async.bulk.shared::cta.global.mbarrier::complete_tx::bytes [%r0], [%a0], " + b + ", [%sbar];\n";
}

TEST(TmaFidelity, TryWaitWaitsOnlyForItsPhasesBytes) {
  // After a warm-up copy (phase 0) brings the source into the L2, thread 0 copies 1 KiB into
  // phase 1 (which completes it), then starts phase 2: expects 17 KiB and copies the first 16 KiB.
  // try_wait.parity 1 (phase 1, complete) must wait only for phase 1's 1 KiB, not for phase 2's
  // 16 KiB in flight behind it (the model before tma-fidelity tracked readiness per barrier and
  // made it wait for both). Then the last 1 KiB of phase 2 is copied and parity 0 waited on.
  // The TMA serves copies in order at the streaming rate r (32 B/clk on h100.ini): phase 1 is in
  // ~1024 / r cycles after the L2 round trip, phase 2 (16384 + 1024) / r cycles after that.
  const sim::GpuConfig c = h100();
  const double r = streaming_rate(c);
  const std::string phase2_start =
      "  mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%sbar], 17408;\n"
      "  add.u64 %a0, %src, 8192;\n  add.u32 %r0, %sb, 16384;\n"
      "  cp.async.bulk.shared::cta.global.mbarrier::complete_tx::bytes [%r0], [%a0], 16384, [%sbar];\n";
  const std::string phase2_end =
      "  add.u64 %a0, %src, 24576;\n  add.u32 %r0, %sb, 32768;\n"
      "  cp.async.bulk.shared::cta.global.mbarrier::complete_tx::bytes [%r0], [%a0], 1024, [%sbar];\n";
  const std::string body = "  @%p bra DONE;\n" + load(32768, 0, 0) + tma_wait(0, "w") + "  mov.u64 %t0, %clock64;\n" +
                           load(1024, 0, 0) + phase2_start + tma_wait(1, "a") + "  mov.u64 %t1, %clock64;\n" +
                           phase2_end + tma_wait(0, "b") + "  mov.u64 %t2, %clock64;\n"
                           "  sub.u64 %t1, %t1, %t0;\n  sub.u64 %t2, %t2, %t0;\n"
                           "  st.global.u64 [%out], %t1;\n  st.global.u64 [%out+8], %t2;\nDONE:\n";
  const std::vector<uint64_t> t = run(body, 32, 2);
  std::printf("phase 1 (1 KiB) ready after %llu cycles, phase 2 (17 KiB more) after %llu (rate %.0f B/clk)\n",
              static_cast<unsigned long long>(t[0]), static_cast<unsigned long long>(t[1]), r);
  // Phase 1's wait: its 1024 / r cycles of streaming plus the L2 hit round trip (h100.ini's
  // l2.latency_cycles, two interconnect hops, the L1 tag stage), well before phase 2's 16 KiB.
  const double l2_round_trip = c.l2_latency_cycles + 2.0 * c.icnt_latency_cycles + c.l1_latency_cycles;
  EXPECT_LE(double(t[0]), 1024 / r + c.tma_issue_latency_cycles + l2_round_trip + 100);
  // Phase 2's bytes stream behind phase 1's: 17 KiB / r cycles later (544 on h100.ini).
  EXPECT_GE(double(t[1] - t[0]), 0.95 * 17408 / r);
  EXPECT_LE(double(t[1] - t[0]), 17408 / r + 50);
}

TEST(TmaFidelity, MulticastCompletesOnEveryDestinationCtasBarrier) {
  // A cluster of 2: each CTA's thread 0 expects 16 KiB on its own barrier; rank 0 issues one
  // multicast copy (ctaMask 0b11) into both. Each CTA waits on its barrier's phase 0. The bytes
  // cannot be in either CTA before a cold 16 KiB read (16384 / r cycles of streaming after the
  // L2 round trip), and the L2's answers reach both SMs together, so both waits end in the same
  // cycle (the model before tma-fidelity timed only the issuer's barrier: rank 1 went on at once).
  const sim::GpuConfig c = h100();
  const double r = streaming_rate(c);
  const std::string body =
      "  @%p bra DONE;\n  mov.u64 %t0, %clock64;\n"
      "  mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%sbar], 16384;\n"
      "  setp.ne.u32 %q, %rank, 0;\n  @%q bra ISSUED;\n  mov.b16 %mask, 3;\n"
      "  cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [%sb], [%src], 16384, "
      "[%sbar], %mask;\nISSUED:\n" +
      tma_wait(0, "m") +
      "  mov.u64 %t1, %clock64;\n  mul.wide.u32 %a1, %rank, 16;\n  add.u64 %a1, %out, %a1;\n"
      "  st.global.u64 [%a1], %t0;\n  st.global.u64 [%a1+8], %t1;\nDONE:\n"
      "  barrier.cluster.arrive;\n  barrier.cluster.wait;\n";
  const std::vector<uint64_t> t = run(body, 32, 4, 2, 2);
  std::printf("multicast 16 KiB: rank 0 waited %llu cycles, rank 1 %llu (ends %llu / %llu)\n",
              static_cast<unsigned long long>(t[1] - t[0]), static_cast<unsigned long long>(t[3] - t[2]),
              static_cast<unsigned long long>(t[1]), static_cast<unsigned long long>(t[3]));
  const double floor = 16384 / r + c.l2_latency_cycles;
  EXPECT_GE(double(t[1] - t[0]), floor);
  EXPECT_GE(double(t[3] - t[2]), floor) << "the peer CTA's barrier must wait for the multicast bytes";
  EXPECT_LE(std::max(t[1], t[3]) - std::min(t[1], t[3]), 4u) << "both destinations receive the answers together";
}

// `n` conflict-free st.shared.v4.b32 per warp (16 B per lane: 512 B = 4 bank wavefronts each).
std::string shared_stores(int n) {
  std::string s = "  mul.lo.u32 %r1, %tx, 16;\n  add.u32 %r1, %r1, %sb;\n  mov.b32 %r2, 7;\n";
  for (int i = 0; i < n; ++i) s += "  st.shared.v4.b32 [%r1], {%r2, %r2, %r2, %r2};\n";
  return s;
}

TEST(TmaFidelity, TmaWritesOccupyTheSharedMemoryBanks) {
  // Four warps store 4 x 160 x 512 B through the banks: 2560 wavefronts of 128 B (32 banks x
  // 4 B), one per cycle. With a cold 32 KiB TMA load landing in shared memory meanwhile (its
  // answers arrive within ~1,800 cycles, inside the stores' window), the banks also take its
  // 32768 / 128 = 256 wavefronts, so the stores finish 256 cycles later.
  const sim::GpuConfig c = h100();
  const int per_wavefront = c.shared_banks * c.shared_bank_width_bytes;
  ASSERT_EQ(per_wavefront, 128);
  auto elapsed = [&](bool with_tma) {
    std::string body = "  bar.sync 0;\n  mov.u64 %t0, %clock64;\n";
    if (with_tma) body += "  @%p bra ISSUED;\n" + load(32768, 0, 8192) + "ISSUED:\n";
    body += shared_stores(160) + "  bar.sync 0;\n  mov.u64 %t1, %clock64;\n";
    if (with_tma) body += "  @%p bra WAITED;\n" + tma_wait(0, "t") + "WAITED:\n";
    body += "  sub.u64 %t1, %t1, %t0;\n  @%p bra DONE;\n  st.global.u64 [%out], %t1;\nDONE:\n";
    return run(body, 128, 1)[0];
  };
  const uint64_t alone = elapsed(false), with_tma = elapsed(true);
  std::printf("2560 wavefronts of STS: %llu cycles alone, %llu with a 32 KiB TMA load landing\n",
              static_cast<unsigned long long>(alone), static_cast<unsigned long long>(with_tma));
  EXPECT_NEAR(double(alone), 2560.0, 0.05 * 2560);
  const double extra = 32768.0 / per_wavefront;  // 256
  EXPECT_NEAR(double(with_tma) - double(alone), extra, 0.1 * extra);
}

}  // namespace
}  // namespace gpusim
