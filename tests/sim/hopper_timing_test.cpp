// Timing of Hopper's asynchronous units on configs/h100.ini (issue 14): warpgroup MMA at the
// dense tensor rate with wgmma.wait_group as the synchronisation point, and the TMA unit's bulk
// copies, whose mbarrier completion and bulk groups wait for the bytes in model time.
// The kernels read %clock64 (the model's core cycle in timing mode) around the code under test;
// expectations are computed here from the configuration's rates and the PTX ISA's semantics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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


// Runs kernel `k(.param .u64 p_src, .param .u64 p_out)` of one CTA in timing mode on h100.ini;
// returns the first `words` 64-bit words of out.
std::vector<uint64_t> run(const std::string& body, unsigned threads, size_t words, size_t src_bytes = 1 << 20,
                          const std::vector<std::string>& overrides = {}) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.config_path = kH100;
  o.overrides = overrides;
  o.threads = 1;
  auto dev = runtime::make_sim_device(o);
  const std::string ptx = std::string(kHeader) +
                          ".visible .entry k(.param .u64 p_src, .param .u64 p_out)\n{\n"
                          "  .reg .u32 %tx, %r<8>, %sb, %sbar;\n  .reg .u64 %src, %out, %a<4>, %t<8>, %da, %db;\n"
                          "  .reg .pred %p, %q, %one;\n  .reg .f32 %d<64>;\n"
                          "  .shared .align 1024 .b8 buf[40960];\n  .shared .align 8 .b64 bar;\n"
                          "  mov.u32 %tx, %tid.x;\n  ld.param.u64 %src, [p_src];\n  ld.param.u64 %out, [p_out];\n"
                          "  mov.u32 %sb, buf;\n  mov.u32 %sbar, bar;\n  setp.eq.u32 %one, %tx, %tx;\n"
                          // wgmma descriptors over buf (no swizzle, LBO 128 B, SBO 256 B): A at buf, B at buf + 2 KiB.
                          "  cvt.u64.u32 %da, %sb;\n  shr.u64 %da, %da, 4;\n  or.b64 %da, %da, 0x0000001000080000;\n"
                          "  add.u64 %db, %da, 128;\n"
                          "  setp.ne.u32 %p, %tx, 0;\n  @%p bra INITED;\n  mbarrier.init.shared::cta.b64 [%sbar], 1;\n"
                          "  fence.proxy.async.shared::cta;\nINITED:\n  bar.sync 0;\n" +
                          body + "  ret;\n}\n";
  const auto mod = dev->load_ptx("hopper_timing_test", ptx);
  const auto d_src = dev->alloc(src_bytes);
  dev->memset(d_src, 1, src_bytes);
  const auto d_out = dev->alloc(words * 8 + 65536);
  dev->memset(d_out, 0, words * 8 + 65536);
  runtime::LaunchConfig cfg;
  cfg.grid = {1, 1, 1};
  cfg.block = {threads, 1, 1};
  dev->launch(mod, "k", cfg, runtime::args(d_src, d_out));
  return dev->download<uint64_t>(d_out, words);
}

// Thread 0 stores register %t<i> at out[i].
std::string store_times(int n) {
  std::string s = "  setp.ne.u32 %p, %tx, 0;\n  @%p bra STORED;\n";
  for (int i = 0; i < n; ++i) s += "  st.global.u64 [%out+" + std::to_string(8 * i) + "], %t" + std::to_string(i) + ";\n";
  return s + "STORED:\n";
}

std::string accumulators() {
  std::string s = "{";
  for (int i = 0; i < 64; ++i) s += (i ? ", %d" : "%d") + std::to_string(i);
  return s + "}";
}

// `groups` wgmma.mma_async m64n128k16 (f16 in, f32 out, A and B from shared memory), each
// committed as its own group.
std::string wgmma_groups(int groups) {
  std::string s = "  wgmma.fence.sync.aligned;\n";
  for (int g = 0; g < groups; ++g)
    s += "  wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 " + accumulators() +
         ", %da, %db, %one, 1, 1, 0, 0;\n  wgmma.commit_group.sync.aligned;\n";
  return s;
}

// Core cycles of one m64n128k16 at the dense rate: each warp's 16 x 128 x 16 FMAs on a sub-core's
// quarter of the SM's FLOPs per tensor clock, converted to core clocks.
double wgmma_cycles(const sim::GpuConfig& c) {
  const double flops_per_warp = 2.0 * 16 * 128 * 16;
  const double tensor_cycles = flops_per_warp / (double(c.wgmma_flops_per_clock()) / c.subcores_per_sm);
  return tensor_cycles * c.core_clock_mhz / c.tensor_clock_mhz;
}

TEST(HopperTiming, H100WgmmaRateIsTheDenseTensorPeak) {
  // 989.4 TFLOP/s dense FP16 (H100 SXM) over 132 SMs at 1.83 GHz: 4096 FLOP per SM per clock.
  const sim::GpuConfig c = h100();
  EXPECT_EQ(c.wgmma_flops_per_clock(), 4096);
  EXPECT_NEAR(double(c.wgmma_flops_per_clock()) * c.num_sms * c.tensor_clock_mhz * 1e6, 989.4e12, 0.01 * 989.4e12);
}

TEST(HopperTiming, WgmmaChainReachesTheConfiguredRate) {
  const sim::GpuConfig c = h100();
  // Steady state: the difference between 48 and 16 back-to-back groups is 32 wgmmas of pure
  // tensor-core time (issue, fence, latency and the final wait cancel out).
  auto elapsed = [&](int groups) {
    const std::string body = "  mov.u64 %t0, %clock64;\n" + wgmma_groups(groups) +
                             "  wgmma.wait_group.sync.aligned 0;\n  mov.u64 %t1, %clock64;\n  sub.u64 %t0, %t1, %t0;\n" +
                             store_times(1);
    return run(body, 128, 1)[0];
  };
  const double per_wgmma = double(elapsed(48) - elapsed(16)) / 32;
  const double expected = wgmma_cycles(c);  // 69.25 core cycles on h100.ini
  std::printf("wgmma m64n128k16: %.2f core cycles each (ideal %.2f), %.0f FLOP/SM/tensor clock\n", per_wgmma, expected,
              2.0 * 64 * 128 * 16 / per_wgmma * c.core_clock_mhz / c.tensor_clock_mhz);
  EXPECT_NEAR(per_wgmma, expected, 0.03 * expected) << "achieved "
      << 2.0 * 64 * 128 * 16 / per_wgmma * c.core_clock_mhz / c.tensor_clock_mhz << " FLOP per SM per tensor clock";
}

// mma.sync m16n8k16 (the shape CUTLASS and FlashAttention-2 issue on sm_80+): 2048 FMAs on a
// sub-core's 512 per tensor clock = 4 tensor cycles = 4.33 core cycles at 1980 / 1830 MHz. Each
// was rounded up to 5, so a chain ran at 4/5 of the configured rate (an outside LLM engineer
// measured 85 % of peak); the fractions now carry from one MMA to the next.
TEST(HopperTiming, MmaSyncChainReachesTheConfiguredRate) {
  const sim::GpuConfig c = h100();
  auto elapsed = [&](int mmas) {
    std::string body = "  .reg .b32 %h<6>;\n  mov.u64 %t0, %clock64;\n";
    for (int i = 0; i < mmas; ++i) {  // eight accumulator sets in turn: no dependence between them
      const int d = 4 * (i % 8);
      body += "  mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%d" + std::to_string(d) + ", %d" +
              std::to_string(d + 1) + ", %d" + std::to_string(d + 2) + ", %d" + std::to_string(d + 3) +
              "}, {%h0, %h1, %h2, %h3}, {%h4, %h5}, {%d60, %d61, %d62, %d63};\n";
    }
    body += "  mov.u64 %t1, %clock64;\n  sub.u64 %t0, %t1, %t0;\n" + store_times(1);
    return run(body, 32, 1)[0];
  };
  const double per_mma = double(elapsed(48) - elapsed(16)) / 32;
  const double expected = 4.0 * c.core_clock_mhz / c.tensor_clock_mhz * 100 / c.tensor_mma_sync_pct;
  std::printf("mma.sync m16n8k16: %.3f core cycles each (configured %.3f)\n", per_mma, expected);
  EXPECT_NEAR(per_mma, expected, 1.0 / 32) << "the rate is the configured one, not each MMA rounded up";
}

TEST(HopperTiming, WaitGroupWaitsForTheAccumulatorsInModelTime) {
  // One wgmma, then wait_group 0: its tensor-core time plus tensor.wgmma_latency_cycles. Raising
  // the latency by 100 cycles moves the wait by exactly 100.
  const std::string body = "  mov.u64 %t0, %clock64;\n" + wgmma_groups(1) +
                           "  wgmma.wait_group.sync.aligned 0;\n  mov.u64 %t1, %clock64;\n  sub.u64 %t0, %t1, %t0;\n" +
                           store_times(1);
  const sim::GpuConfig c = h100();
  const uint64_t base = run(body, 128, 1)[0];
  const uint64_t slow = run(body, 128, 1, 1 << 20, {"tensor.wgmma_latency_cycles=" + std::to_string(c.tensor_wgmma_latency_cycles + 100)})[0];
  EXPECT_EQ(slow - base, 100u);
  EXPECT_GE(double(base), std::ceil(wgmma_cycles(c)) + c.tensor_wgmma_latency_cycles);
  EXPECT_LE(double(base), std::ceil(wgmma_cycles(c)) + c.tensor_wgmma_latency_cycles + 12);  // + fence/commit/wait issue
  // wait_group 1 after two groups returns when the first completes: one wgmma time earlier.
  const std::string two = "  mov.u64 %t0, %clock64;\n" + wgmma_groups(2) +
                          "  wgmma.wait_group.sync.aligned 1;\n  mov.u64 %t1, %clock64;\n"
                          "  wgmma.wait_group.sync.aligned 0;\n  mov.u64 %t2, %clock64;\n"
                          "  sub.u64 %t0, %t1, %t0;\n  sub.u64 %t1, %t2, %t1;\n" + store_times(2);
  const std::vector<uint64_t> t = run(two, 128, 2);
  EXPECT_NEAR(double(t[1]), std::ceil(wgmma_cycles(c)), 3.0) << "the second group completes one wgmma later";
}


// N back-to-back wgmma.mma_async m64n128k16 into the same accumulators, one group. Returns, for
// warp 0: the cycles from before the first wgmma to after the last one's issue, and to the
// wait_group 0 that returns when all have completed. Each warp of the warpgroup is alone on its
// sub-core, so its sub-core's tensor cores take its wgmmas one after the other.
struct ChainTimes {
  uint64_t issued, completed;
};
ChainTimes wgmma_chain(int n, const std::vector<std::string>& overrides) {
  std::string body = "  wgmma.fence.sync.aligned;\n  mov.u64 %t0, %clock64;\n";
  for (int i = 0; i < n; ++i)
    body += "  wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 " + accumulators() + ", %da, %db, %one, 1, 1, 0, 0;\n";
  body += "  mov.u64 %t1, %clock64;\n  wgmma.commit_group.sync.aligned;\n  wgmma.wait_group.sync.aligned 0;\n"
          "  mov.u64 %t2, %clock64;\n  sub.u64 %t1, %t1, %t0;\n  sub.u64 %t0, %t2, %t0;\n" + store_times(2);
  const std::vector<uint64_t> t = run(body, 128, 2, 1 << 20, overrides);
  return {t[1], t[0]};
}

TEST(HopperTiming, WgmmaQueueLetsTheWarpIssueAheadOfTheTensorCores) {
  // Hand count (h100.ini): each wgmma holds its warp's sub-core tensor cores w = 69.25
  // core cycles and completes tensor.wgmma_latency_cycles (24) after that. With a queue of depth
  // D, wgmma i (from 0) is accepted once at most D are waiting: at once for i <= D, else when
  // wgmma i - D starts, i.e. (i - D) * w after the first. Without a queue (D = 0) the warp
  // issues wgmma i only when the tensor cores are free: i * w after the first. Completion does not
  // depend on D: N * w + 24 after the first starts.
  const sim::GpuConfig c = h100();
  ASSERT_GE(c.tensor_wgmma_queue_depth, 4) << "configs/h100.ini models the queue";
  // The occupancy in core cycles, a fraction (69.25 on h100.ini) the sub-core carries from one
  // wgmma to the next (sim/subcore.cpp): k wgmmas take floor(k w) or k w rounded up.
  const double w_exact = wgmma_cycles(c);
  const auto w_times = [&](int k) { return static_cast<uint64_t>(std::floor(k * w_exact)); };
  const int n = 5;
  const ChainTimes queued = wgmma_chain(n, {"tensor.wgmma_queue_depth=4"});
  const ChainTimes blocking = wgmma_chain(n, {"tensor.wgmma_queue_depth=0"});
  const ChainTimes shallow = wgmma_chain(n, {"tensor.wgmma_queue_depth=2"});
  std::printf("%d wgmma: issued after %llu (depth 4), %llu (depth 2), %llu (no queue) cycles; completed after %llu / %llu / %llu\n",
              n, static_cast<unsigned long long>(queued.issued), static_cast<unsigned long long>(shallow.issued),
              static_cast<unsigned long long>(blocking.issued), static_cast<unsigned long long>(queued.completed),
              static_cast<unsigned long long>(shallow.completed), static_cast<unsigned long long>(blocking.completed));
  // Depth 4 >= n - 1: the five issue in consecutive issue slots (a few cycles of issue each at most).
  EXPECT_GE(queued.issued, uint64_t(n - 1));
  EXPECT_LE(queued.issued, uint64_t(4 * n));
  // Depth 2: the last (i = 4) waits until wgmma 2 starts, 2 w after the first.
  EXPECT_GE(shallow.issued, w_times(2));
  EXPECT_LE(shallow.issued, w_times(2) + 12);
  // No queue: the last issues when the fourth has finished, 4 w after the first.
  EXPECT_GE(blocking.issued, w_times(n - 1));
  EXPECT_LE(blocking.issued, w_times(n - 1) + 12);
  // The tensor cores' work is the same: completion at n w + 24 (+ a few issue cycles) for every depth.
  EXPECT_EQ(queued.completed, blocking.completed);
  EXPECT_EQ(shallow.completed, blocking.completed);
  EXPECT_GE(blocking.completed, w_times(n) + c.tensor_wgmma_latency_cycles);
  EXPECT_LE(blocking.completed, w_times(n) + c.tensor_wgmma_latency_cycles + 12);
  // h100.ini's own depth behaves as depth 4 here.
  const ChainTimes shipped = wgmma_chain(n, {});
  EXPECT_EQ(shipped.issued, queued.issued);
  EXPECT_EQ(shipped.completed, queued.completed);
}

// Thread 0 loads `bytes` from src + `offset` into buf through the mbarrier; all wait on `parity`.
std::string tma_load(unsigned bytes, unsigned offset, unsigned parity, const std::string& id) {
  const std::string b = std::to_string(bytes);
  return "  setp.ne.u32 %p, %tx, 0;\n  @%p bra ISSUED" + id + ";\n"
         "  mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%sbar], " + b + ";\n"
         "  add.u64 %a0, %src, " + std::to_string(offset) + ";\n"
         "  cp.async.bulk.shared::cta.global.mbarrier::complete_tx::bytes [%sb], [%a0], " + b + ", [%sbar];\n"
         "ISSUED" + id + ":\n";
}

TEST(HopperTiming, TryWaitStallsUntilTheBulkCopyHasArrived) {
  // The functional barrier completes when the copy issues; in model time the bytes need at least
  // the L2 round trip plus size / tma.bytes_per_cycle cycles of requests.
  const sim::GpuConfig c = h100();
  const unsigned bytes = 16384;
  const std::string body = "  mov.u64 %t0, %clock64;\n" + tma_load(bytes, 0, 0, "a") + tma_wait(0, "a") +
                           "  mov.u64 %t1, %clock64;\n  sub.u64 %t0, %t1, %t0;\n" + store_times(1);
  const uint64_t t = run(body, 32, 1)[0];
  const double floor = bytes / streaming_rate(c) + c.tma_issue_latency_cycles + c.l2_latency_cycles;
  EXPECT_GE(double(t), floor);
  EXPECT_LE(double(t), floor + 2000) << "a cold 16 KiB copy is an L2 miss (DRAM latency) at most";
}

// 8 KiB and 32 KiB copies of a region a first copy brought into the L2: the fixed parts (issue,
// L2 latency, the wait) are the same, so the difference is 24 KiB at the streaming rate.
std::string warm_copies() {
  const std::string body = tma_load(32768, 0, 0, "w") + tma_wait(0, "w") + "  mov.u64 %t0, %clock64;\n" +
                           tma_load(8192, 0, 1, "a") + tma_wait(1, "a") + "  mov.u64 %t1, %clock64;\n" +
                           tma_load(32768, 0, 0, "b") + tma_wait(0, "b") +
                           "  mov.u64 %t2, %clock64;\n  sub.u64 %t0, %t1, %t0;\n  sub.u64 %t1, %t2, %t1;\n" +
                           store_times(2);
  return body;
}

uint64_t slope_cycles(const std::vector<std::string>& overrides) {
  const std::vector<uint64_t> t = run(warm_copies(), 32, 2, 1 << 20, overrides);
  return t[1] - t[0];
}

TEST(HopperTiming, BulkCopyStreamsAtTheInterconnectLimitedRate) {
  // h100.ini: the TMA requests 128 B/clk, but the SM's response port moves 32 B per cycle.
  const sim::GpuConfig c = h100();
  const double expected = 24576 / streaming_rate(c);  // 768 cycles on h100.ini
  const uint64_t slope = slope_cycles({});
  std::printf("TMA: 24 KiB more in %llu cycles = %.1f B/clk (expected %.1f)\n", static_cast<unsigned long long>(slope),
              24576.0 / double(slope), streaming_rate(c));
  EXPECT_NEAR(double(slope), expected, 0.05 * expected);
}

TEST(HopperTiming, BulkCopyStreamsAtTheTmaRate) {
  // With a TMA narrower than the port (16 B/clk), the unit's rate is the limit: 24 KiB / 16.
  const sim::GpuConfig c = h100({"tma.bytes_per_cycle=16"});
  ASSERT_EQ(streaming_rate(c), 16.0);
  const double expected = 24576 / 16.0;
  EXPECT_NEAR(double(slope_cycles({"tma.bytes_per_cycle=16"})), expected, 0.03 * expected);
}

TEST(HopperTiming, BulkGroupWaitWaitsForTheStoreToLeave) {
  // cp.async.bulk.wait_group 0 after a 32 KiB shared-to-global copy: at least its requests at
  // the TMA rate (writes complete when sent).
  const sim::GpuConfig c = h100();
  const std::string body =
      "  mov.u64 %t0, %clock64;\n  setp.ne.u32 %p, %tx, 0;\n  @%p bra SKIP;\n  add.u64 %a1, %out, 4096;\n"
      "  cp.async.bulk.global.shared::cta.bulk_group [%a1], [%sb], 32768;\n  cp.async.bulk.commit_group;\n"
      "  cp.async.bulk.wait_group 0;\nSKIP:\n  mov.u64 %t1, %clock64;\n  sub.u64 %t0, %t1, %t0;\n" + store_times(1);
  const uint64_t t = run(body, 32, 1)[0];
  const double floor = 32768 / streaming_rate(c) + c.tma_issue_latency_cycles;  // the writes leave at the port's rate
  EXPECT_GE(double(t), floor);
  EXPECT_LE(double(t), floor + 100);
}

TEST(HopperTiming, TmaLoadsOverlapWithWgmma) {
  // Serial: load, wait, 24 wgmmas, wait. Overlapped: load issued, 24 wgmmas, then both waits.
  // Overlap hides the shorter of the two, so it must take clearly less than the serial sum.
  const std::string load = tma_load(32768, 0, 0, "a");
  const std::string mma = wgmma_groups(24) + "  wgmma.wait_group.sync.aligned 0;\n";
  const std::string end = "  mov.u64 %t1, %clock64;\n  sub.u64 %t0, %t1, %t0;\n" + store_times(1);
  const uint64_t serial = run("  mov.u64 %t0, %clock64;\n" + load + tma_wait(0, "a") + mma + end, 128, 1)[0];
  const uint64_t overlapped = run("  mov.u64 %t0, %clock64;\n" + load + mma + tma_wait(0, "a") + end, 128, 1)[0];
  const uint64_t load_only = run("  mov.u64 %t0, %clock64;\n" + load + tma_wait(0, "a") + end, 128, 1)[0];
  const uint64_t mma_only = run("  mov.u64 %t0, %clock64;\n" + mma + end, 128, 1)[0];
  std::printf("TMA 32 KiB + 24 wgmma: serial %llu, overlapped %llu, load alone %llu, wgmma alone %llu cycles\n",
              static_cast<unsigned long long>(serial), static_cast<unsigned long long>(overlapped),
              static_cast<unsigned long long>(load_only), static_cast<unsigned long long>(mma_only));
  EXPECT_LT(overlapped + std::min(load_only, mma_only) / 2, serial);
  // Warp 0 issues the copy before its wgmmas, so its chain starts a little later than the others'.
  EXPECT_LE(overlapped, std::max(load_only, mma_only) + 100) << "serial " << serial << ", load " << load_only
                                                              << ", wgmma " << mma_only;
  EXPECT_GE(serial + 50, load_only + mma_only);
}

}  // namespace
}  // namespace gpusim
