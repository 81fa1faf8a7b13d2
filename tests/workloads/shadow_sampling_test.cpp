// Shadow-SM sampling (sim/shadow_sampling.h, `--sample --sample-shadow`) against a full simulation
// of the same GEMM on V100 cut to 32 SMs (4 detailed SMs, 28 shadows). What the scheme is for: the
// CTAs' L2 sharing is that of the whole chip, so the DRAM traffic equals the full run's (a
// scaled-machine proxy of this GEMM reads about twice as much per CTA: ProxySampling). The
// prediction is a bracket of the grid's tail (sim/shadow_sampling.h): its printed error must cover
// the full run's cycles; it is wide (10-18 %), hence NOT TRUSTED.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/shadow_sampling.h"
#include "tests/workloads/sampled_workload_run.h"

namespace gpusim {
namespace {

using SimRun = test_support::SampledWorkloadRun;

SimRun run_gemm(bool sample, unsigned threads = 1) {
  return test_support::run_sampled_workload("sgemm_tiled", {256, 256, 256}, sample, threads, 32, /*shadow=*/true);
}

// A, B: 256 x 256 floats each, 256 KiB; every byte of both comes from DRAM once when the L2 (6 MiB)
// keeps the tiles the CTAs share (worked by hand: nothing is evicted, nothing is read twice).
constexpr uint64_t kOnceFromDram = 2 * 256 * 256 * 4;

TEST(ShadowSampling, GemmKeepsTheFullChipsDramTrafficAndOutputs) {
  const SimRun full = run_gemm(false);
  const SimRun sampled = run_gemm(true);
  ASSERT_TRUE(full.result.passed) << full.result.detail;
  EXPECT_TRUE(sampled.result.passed) << sampled.result.detail;
  EXPECT_EQ(sampled.result.max_abs_error, full.result.max_abs_error);  // the same C, bit for bit in its error
  EXPECT_EQ(sampled.result.launches[0].warp_instructions, full.result.launches[0].warp_instructions);
  const nlohmann::json& s = sampled.report["sampling"];
  ASSERT_EQ(s["scheme"], "shadow_sms") << s.dump();
  EXPECT_EQ(s["shadow"]["detailed_sms"], 4);
  EXPECT_EQ(s["shadow"]["detailed_ctas"].get<uint64_t>() + s["shadow"]["shadow_ctas"].get<uint64_t>(), 256u);
  EXPECT_GT(s["shadow"]["shadow_ctas"].get<uint64_t>(), 150u);  // 28 of 32 SMs' share, roughly
  // CTA (0,0) reads A rows 0-15 and 64-B halves of B's 128-B lines; CTA (1,0) the same A rows and
  // the other halves of the same B lines: every line CTA 0 reads, a neighbour reads too.
  EXPECT_DOUBLE_EQ(s["shadow"]["shared_read_fraction"].get<double>(), 1.0);
  EXPECT_EQ(full.report["dram"]["read_bytes"].get<uint64_t>(), kOnceFromDram) << full.report.dump();
  EXPECT_EQ(sampled.report["dram"]["read_bytes"].get<uint64_t>(), kOnceFromDram);
  EXPECT_FALSE(s["trusted"].get<bool>());
  // The printed error covers the full run's cycles (docs/PERFORMANCE.md: 76,218 +/- 13,749 against
  // 80,488 when measured).
  const double full_cycles = double(full.result.launches[0].cycles);
  const double predicted = double(sampled.result.launches[0].cycles);
  EXPECT_LE(std::abs(predicted - full_cycles), s["estimated_error_cycles"].get<double>())
      << predicted << " vs the full run's " << full_cycles;
  // Every CTA was dispatched before the full run ended, and the bracket's upper end (last dispatch
  // + the longest detailed CTA) lies past the full run's end here (its tail CTAs ran 2 per SM).
  const uint64_t last_dispatch = s["shadow"]["last_dispatch_cycles"].get<uint64_t>();
  EXPECT_LT(last_dispatch, full.result.launches[0].cycles);
  EXPECT_GT(last_dispatch + s["shadow"]["longest_cta_cycles"].get<uint64_t>(), full.result.launches[0].cycles);
}

// The bracket worked by hand: simulated end 182,879, last dispatch 134,486 + longest CTA 75,839 =
// 210,325; middle 182,879 + 27,446 / 2 = 196,602; error 13,723 + |182,879 - 182,400| = 479, + 3 %
// of 196,602 = 5,898.06 -> 5,899: 20,101 (sgemm_tiled 512^3's numbers).
TEST(ShadowSampling, TailBracketByHand) {
  const sim::TailBracket t = sim::bracket_tail(182879, 134486, 75839, 182400, 0.03);
  EXPECT_EQ(t.cycles, 196602u);
  EXPECT_EQ(t.error_cycles, 13723u + 479u + 5899u);
  // Either order: a simulated end past the packed bound is the upper end.
  const sim::TailBracket u = sim::bracket_tail(1000, 500, 300, 1000, 0.0);
  EXPECT_EQ(u.cycles, 900u);
  EXPECT_EQ(u.error_cycles, 100u);
}

TEST(ShadowSampling, SameResultForOneAndTwoThreads) {
  const SimRun one = run_gemm(true, 1);
  const SimRun two = run_gemm(true, 2);
  ASSERT_EQ(one.report["sampling"]["scheme"], "shadow_sms");
  EXPECT_EQ(one.result.launches[0].cycles, two.result.launches[0].cycles);
  EXPECT_EQ(one.report["sampling"]["shadow"], two.report["sampling"]["shadow"]);
  EXPECT_EQ(one.report["sampling"]["estimated_error_cycles"], two.report["sampling"]["estimated_error_cycles"]);
}

// reduce_sum's CTAs read disjoint slices: the probe finds no sharing and the proxy runs as without
// --sample-shadow.
TEST(ShadowSampling, DisjointKernelKeepsTheProxy) {
  const SimRun r = test_support::run_sampled_workload("reduce_sum", {1u << 20}, true, 1, 32, /*shadow=*/true);
  EXPECT_EQ(r.report["sampling"]["scheme"], "proxy") << r.report["sampling"].dump();
  EXPECT_TRUE(r.result.passed) << r.result.detail;
}

}  // namespace
}  // namespace gpusim
