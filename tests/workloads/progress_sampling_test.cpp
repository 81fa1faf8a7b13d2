// Progress-rate sampling (sim/progress_sampling.h) against full simulation of the same launch, on
// grids of a few waves (too short for the wave sampler) on V100 cut down to 8 SMs: the prediction
// must fall within its own printed error of the full run's cycles, with the cycle-level model
// stopped part-way; the outputs must pass the CPU reference exactly as the full run's do (and equal
// them byte for byte); the result must be the same for 1 and 2 threads; cluster launches must be
// refused (simulated in full).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/workloads/sampled_workload_run.h"
#include "workloads/embedded_ptx.h"

namespace gpusim {
namespace {

// V100 cut down to 8 SMs.
using SimRun = test_support::SampledWorkloadRun;

SimRun run_workload(const std::string& name, std::vector<uint64_t> size, bool sample, unsigned threads = 1) {
  return test_support::run_sampled_workload(name, std::move(size), sample, threads, 8);
}

// The prediction lies within its printed error of the full run, the model ran only part of the
// launch, and the outputs check against the CPU reference exactly as the full run's do.
void expect_covered(const std::string& name, const std::vector<uint64_t>& size) {
  const SimRun full = run_workload(name, size, false);
  const SimRun sampled = run_workload(name, size, true);
  ASSERT_TRUE(full.result.passed) << full.result.detail;
  EXPECT_TRUE(sampled.result.passed) << sampled.result.detail;
  EXPECT_EQ(sampled.result.max_abs_error, full.result.max_abs_error);
  const nlohmann::json& s = sampled.report["sampling"];
  ASSERT_EQ(s["scheme"], "progress_rate") << s.dump();
  const double full_cycles = double(full.result.launches[0].cycles);
  const double predicted = double(sampled.result.launches[0].cycles);
  const double error = s["estimated_error_cycles"].get<double>();
  EXPECT_LE(std::fabs(predicted - full_cycles), error)
      << name << ": predicted " << predicted << " full " << full_cycles << " +/- " << error;
  EXPECT_LT(s["detailed_cycles"].get<double>(), 0.75 * full_cycles);
  EXPECT_GT(s["progress"]["remaining_warp_instructions"].get<uint64_t>(), 0u);
  // Every warp-instruction of the launch was executed once, in detail or functionally.
  EXPECT_EQ(sampled.result.launches[0].warp_instructions, full.result.launches[0].warp_instructions);
}

TEST(ProgressSampling, SgemmTiledWithinItsErrorOfTheFullRun) { expect_covered("sgemm_tiled", {256, 256, 256}); }

TEST(ProgressSampling, ReduceSumWithinItsErrorOfTheFullRun) { expect_covered("reduce_sum", {1u << 20}); }

// Held out: not one of the three runs the 4 % error floor was set on (docs/PERFORMANCE.md).
TEST(ProgressSampling, HeldOutSoftmaxWithinItsErrorOfTheFullRun) { expect_covered("softmax", {1024, 512}); }

TEST(ProgressSampling, SameResultForOneAndTwoThreads) {
  const SimRun one = run_workload("sgemm_tiled", {256, 256, 256}, true, 1);
  const SimRun two = run_workload("sgemm_tiled", {256, 256, 256}, true, 2);
  EXPECT_EQ(one.result.launches[0].cycles, two.result.launches[0].cycles);
  EXPECT_EQ(one.report["sampling"]["detailed_cycles"], two.report["sampling"]["detailed_cycles"]);
  EXPECT_EQ(one.report["sampling"]["estimated_error_cycles"], two.report["sampling"]["estimated_error_cycles"]);
  EXPECT_EQ(one.report["sampling"]["scheme"], "progress_rate");
}

// sgemm_tiled's C, byte for byte, from a full and a sampled run (the CPU reference check above
// allows a tolerance; this does not).
std::vector<uint8_t> sgemm_output(bool sample) {
  auto dev = runtime::make_sim_device(test_support::cut_v100(sample, 1, 8));
  const runtime::ModuleHandle m = dev->load_ptx("sgemm", workloads::find_embedded_ptx("sgemm").ptx);
  const int n = 192;
  std::vector<float> a(n * n), b(n * n);
  for (int i = 0; i < n * n; ++i) a[i] = float(i % 17) * 0.125f - 1.0f, b[i] = float(i % 13) * 0.25f - 1.5f;
  const size_t bytes = a.size() * sizeof(float);
  const runtime::DevPtr da = dev->alloc(bytes), db = dev->alloc(bytes), dc = dev->alloc(bytes);
  dev->copy_to_device(da, a.data(), bytes);
  dev->copy_to_device(db, b.data(), bytes);
  dev->memset(dc, 0xab, bytes);
  const runtime::LaunchStats st =
      dev->launch(m, "sgemm_tiled", {{n / 16, n / 16, 1}, {16, 16, 1}}, runtime::args(da, db, dc, n, n, n));
  if (sample) {
    EXPECT_EQ(nlohmann::json::parse(st.report_json)["sampling"]["scheme"], "progress_rate");
  }
  std::vector<uint8_t> out(bytes);
  dev->copy_to_host(out.data(), dc, bytes);
  return out;
}

TEST(ProgressSampling, OutputsEqualTheFullRunByteForByte) { EXPECT_TRUE(sgemm_output(false) == sgemm_output(true)); }

// A cluster's CTAs must be resident together, so a clustered launch is never stopped part-way: it
// is simulated in full and says why, and every CTA still writes its word.
TEST(ProgressSampling, ClusterLaunchesAreSimulatedInFull) {
  const std::string ptx = R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry mark(.param .u64 p_out)
{
  .reg .u32 %r<3>;
  .reg .u64 %out, %a;
  ld.param.u64 %out, [p_out];
  mov.u32 %r0, %ctaid.x;
  mov.u32 %r1, %ntid.x;
  mov.u32 %r2, %tid.x;
  mad.lo.u32 %r0, %r0, %r1, %r2;
  mul.wide.u32 %a, %r0, 4;
  add.u64 %a, %out, %a;
  add.u32 %r0, %r0, 1;
  st.global.u32 [%a], %r0;
  ret;
}
)";
  runtime::SimDeviceOptions o;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
  o.overrides = {"sm.count=8"};
  o.mode = runtime::SimMode::Timing;
  o.sample = true;
  o.threads = 1;
  auto dev = runtime::make_sim_device(o);
  const auto mod = dev->load_ptx("mark", ptx);
  const uint32_t ctas = 64, block = 128;
  const auto out = dev->alloc(ctas * block * 4);
  dev->memset(out, 0, ctas * block * 4);
  runtime::LaunchConfig cfg;
  cfg.grid = {ctas, 1, 1};
  cfg.block = {block, 1, 1};
  cfg.cluster = {2, 1, 1};
  const runtime::LaunchStats st = dev->launch(mod, "mark", cfg, runtime::args(out));
  const nlohmann::json s = nlohmann::json::parse(st.report_json)["sampling"];
  EXPECT_EQ(s["scheme"], "full");
  EXPECT_NE(s["fallback_reason"].get<std::string>().find("clusters"), std::string::npos) << s.dump();
  const std::vector<uint32_t> words = dev->download<uint32_t>(out, ctas * block);
  for (uint32_t i = 0; i < ctas * block; ++i) ASSERT_EQ(words[i], i + 1) << i;
}

}  // namespace
}  // namespace gpusim
