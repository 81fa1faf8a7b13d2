// Scaled-machine proxy sampling (sim/proxy_sampling.h) against full simulation of the same launch,
// on grids of a few CTA generations on V100 cut to 32 SMs (proxies of 8 and 4 SMs): the
// prediction must fall within its own printed error of the full run's cycles, every CTA must
// execute once (the same warp-instruction count), the outputs must check against the CPU reference
// as the full run's do; a GEMM (CTAs sharing tiles through the L2) flagged NOT TRUSTED; the same
// result for 1 and 2 threads; a chip that does not divide evenly is refused (sampled by progress
// rate as before, or simulated in full).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/workloads/sampled_workload_run.h"

namespace gpusim {
namespace {

using SimRun = test_support::SampledWorkloadRun;

SimRun run_workload(const std::string& name, std::vector<uint64_t> size, bool sample, unsigned threads = 1,
                    int sms = 32) {
  return test_support::run_sampled_workload(name, std::move(size), sample, threads, sms);
}

void expect_covered(const std::string& name, const std::vector<uint64_t>& size) {
  const SimRun full = run_workload(name, size, false);
  const SimRun sampled = run_workload(name, size, true);
  ASSERT_TRUE(full.result.passed) << full.result.detail;
  EXPECT_TRUE(sampled.result.passed) << sampled.result.detail;
  EXPECT_EQ(sampled.result.max_abs_error, full.result.max_abs_error);
  const nlohmann::json& s = sampled.report["sampling"];
  ASSERT_EQ(s["scheme"], "proxy") << s.dump();
  // 32 SMs: fine proxy 1/4 (8 SMs), coarse 1/8 (4 SMs): 3/8 of the CTAs in detail.
  EXPECT_EQ(s["proxy"]["fine_sms"], 8);
  EXPECT_EQ(s["proxy"]["coarse_sms"], 4);
  EXPECT_EQ(s["detailed_ctas"].get<uint64_t>() * 8, s["total_ctas"].get<uint64_t>() * 3);
  const double full_cycles = double(full.result.launches[0].cycles);
  const double predicted = double(sampled.result.launches[0].cycles);
  const double error = s["estimated_error_cycles"].get<double>();
  EXPECT_LE(std::fabs(predicted - full_cycles), error)
      << name << ": predicted " << predicted << " full " << full_cycles << " +/- " << error;
  EXPECT_TRUE(s["trusted"].get<bool>()) << s.dump();
  EXPECT_FALSE(s["proxy"]["shares_data_through_l2"].get<bool>()) << s.dump();
  EXPECT_EQ(sampled.result.launches[0].warp_instructions, full.result.launches[0].warp_instructions);
}

TEST(ProxySampling, ReduceSumWithinItsErrorOfTheFullRun) { expect_covered("reduce_sum", {1u << 20}); }

TEST(ProxySampling, SoftmaxWithinItsErrorOfTheFullRun) { expect_covered("softmax", {1024, 512}); }

// A GEMM's CTAs share A and B tiles through the L2: the coarse chip, holding half as many of them
// at once, reads about twice the DRAM bytes per CTA (sgemm_tiled 256^3 here), so the prediction
// is flagged NOT TRUSTED whatever its estimated error; its outputs are still complete.
TEST(ProxySampling, GemmSharingTilesThroughTheL2IsNotTrusted) {
  const SimRun r = run_workload("sgemm_tiled", {256, 256, 256}, true);
  const nlohmann::json& s = r.report["sampling"];
  ASSERT_EQ(s["scheme"], "proxy") << s.dump();
  EXPECT_TRUE(s["proxy"]["shares_data_through_l2"].get<bool>()) << s.dump();
  EXPECT_GT(s["proxy"]["coarse_dram_read_bytes_per_cta"].get<double>(),
            1.1 * s["proxy"]["fine_dram_read_bytes_per_cta"].get<double>());
  EXPECT_FALSE(s["trusted"].get<bool>());
  EXPECT_TRUE(r.result.passed) << r.result.detail;
}

TEST(ProxySampling, SameResultForOneAndTwoThreads) {
  const SimRun one = run_workload("reduce_sum", {1u << 20}, true, 1);
  const SimRun two = run_workload("reduce_sum", {1u << 20}, true, 2);
  EXPECT_EQ(one.report["sampling"]["scheme"], "proxy");
  EXPECT_EQ(one.result.launches[0].cycles, two.result.launches[0].cycles);
  EXPECT_EQ(one.report["sampling"]["proxy"], two.report["sampling"]["proxy"]);
  EXPECT_EQ(one.report["sampling"]["estimated_error_cycles"], two.report["sampling"]["estimated_error_cycles"]);
}

// 30 SMs divide by neither 8 nor 16: no proxy; the reason is printed with the fallback's.
TEST(ProxySampling, ChipThatDoesNotDivideEvenlyIsRefused) {
  const SimRun r = run_workload("reduce_sum", {1u << 20}, true, 1, 30);
  const nlohmann::json& s = r.report["sampling"];
  EXPECT_NE(s["scheme"], "proxy") << s.dump();
  EXPECT_TRUE(r.result.passed) << r.result.detail;
  if (s["scheme"] == "full") {
    EXPECT_NE(s["fallback_reason"].get<std::string>().find("no scaled-machine proxy"), std::string::npos) << s.dump();
  }
}

}  // namespace
}  // namespace gpusim
