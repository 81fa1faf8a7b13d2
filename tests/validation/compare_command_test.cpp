// `gpusim compare` as a user runs it: the recorded-measurement report without a GPU (its error
// figures recomputed here from the CSV it writes), bad recordings, and the unavailable backend.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/cuda_device.h"
#include "tests/run_gpusim.h"
#include "tests/validation/sample_identity.h"
#include "validation/csv.h"
#include "validation/measured_record.h"

using namespace gpusim;
using namespace gpusim::validation;
using gpusim::test_support::contains;
using gpusim::test_support::run_gpusim;

namespace {

std::string temp_stem(const std::string& name) {
  return ::testing::TempDir() + "gpusim_" + std::to_string(::getpid()) + "_" + name;
}

GpuIdentity card() {
  GpuIdentity g = sample_identity();
  g.name = "Recorded Test Card";
  g.sm_count = 2;
  return g;
}

// A recording of two workloads, with the teaching chip as its matched configuration.
std::string write_recording(const std::string& name) {
  const std::string stem = temp_stem(name);
  KernelRecord r{card(), {}};
  r.kernels.push_back({"vecadd", "3000", 1, 0, "vecadd", 12, 2, 10, 10.0, 9.0, 12.0, 2.0, true});
  r.kernels.push_back({"transpose_padded", "64x96", 2, 0, "transpose_padded", 6, 2, 10, 4.0, 3.5, 5.0, 2.0, true});
  write_kernel_record(stem + ".kernels.csv", r);
  std::ifstream src(std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini");
  std::ofstream(stem + ".ini") << src.rdbuf();
  return stem;
}

}  // namespace

TEST(CompareCommand, RecordedReportRecomputesFromTheWrittenCsv) {
  const std::string stem = write_recording("rec");
  const gpusim::test_support::Outcome o = run_gpusim("compare --recorded '" + stem + ".kernels.csv' --csv '" + stem + ".out.csv' --json '" +
                               stem + ".out.json'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "Recorded Test Card")) << o.output;
  EXPECT_TRUE(contains(o.output, "MAPE")) << o.output;
  EXPECT_TRUE(contains(o.output, "teaching")) << o.output;

  const CsvTable t = read_csv(stem + ".out.csv", {"workload", "predicted_us", "measured_us", "error_pct"});
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].text("workload"), "vecadd");
  EXPECT_DOUBLE_EQ(t.rows[0].number("measured_us"), 10.0);  // the recording's median
  EXPECT_DOUBLE_EQ(t.rows[1].number("measured_us"), 4.0);
  double sum_abs = 0;
  std::vector<double> predicted;
  for (const CsvRow& r : t.rows) {
    const double p = r.number("predicted_us"), m = r.number("measured_us");
    EXPECT_GT(p, 0);
    EXPECT_NEAR(r.number("error_pct"), 100 * (p - m) / m, 1e-4);
    EXPECT_EQ(r.text("sim_verified"), "yes");
    // Each prediction carries a signed error interval from the committed residuals (low < high).
    EXPECT_LT(r.number("expected_error_low_pct"), r.number("expected_error_high_pct"));
    EXPECT_LT(r.number("expected_kernel_error_low_pct"), r.number("expected_kernel_error_high_pct"));
    sum_abs += std::fabs(100 * (p - m) / m);
    predicted.push_back(p);
  }
  std::ifstream jf(stem + ".out.json");
  const nlohmann::json j = nlohmann::json::parse(jf);
  EXPECT_NEAR(j["summary"]["mape_pct"].get<double>(), sum_abs / 2, 1e-4);
  // Two kernels: the rank correlation is +1 if the simulator orders them as measured (10 > 4), else -1.
  EXPECT_DOUBLE_EQ(j["summary"]["spearman"].get<double>(), predicted[0] > predicted[1] ? 1.0 : -1.0);
  EXPECT_EQ(j["gpu"]["name"], "Recorded Test Card");
  EXPECT_DOUBLE_EQ(j["kernels"][0]["expected_error_pct"]["low"].get<double>(), t.rows[0].number("expected_error_low_pct"));
  EXPECT_TRUE(contains(o.output, "card us (bar)")) << o.output;
  for (const char* ext : {".kernels.csv", ".ini", ".out.csv", ".out.json"}) std::remove((stem + ext).c_str());
}

TEST(CompareCommand, OnlySelectsWorkloadsAndRejectsUnknownOnes) {
  const std::string stem = write_recording("only");
  const gpusim::test_support::Outcome o = run_gpusim("compare --recorded '" + stem + ".kernels.csv' --only transpose_padded");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "transpose_padded"));
  EXPECT_FALSE(contains(o.output, "simulating vecadd"));
  EXPECT_EQ(run_gpusim("compare --recorded '" + stem + ".kernels.csv' --only nosuch").exit_code, 2);
  for (const char* ext : {".kernels.csv", ".ini"}) std::remove((stem + ext).c_str());
}

// --threads sets the host threads of the re-simulation; predictions are the same for any count.
TEST(CompareCommand, ThreadsChangeNoPredictionAndBadCountsAreRefused) {
  const std::string stem = write_recording("threads");
  std::vector<std::string> predicted;
  for (const char* threads : {"1", "3"}) {
    const std::string csv = stem + "." + threads + ".csv";
    const gpusim::test_support::Outcome o =
        run_gpusim("compare --recorded '" + stem + ".kernels.csv' --threads " + threads + " --csv '" + csv + "'");
    ASSERT_EQ(o.exit_code, 0) << o.output;
    const CsvTable t = read_csv(csv, {"workload", "predicted_us"});
    ASSERT_EQ(t.rows.size(), 2u);
    predicted.push_back(t.rows[0].text("predicted_us") + "," + t.rows[1].text("predicted_us"));
    std::remove(csv.c_str());
  }
  EXPECT_EQ(predicted[0], predicted[1]);
  const gpusim::test_support::Outcome bad = run_gpusim("compare --recorded '" + stem + ".kernels.csv' --threads 0");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.output, "--threads='0'")) << bad.output;
  EXPECT_EQ(run_gpusim("ubench --threads many").exit_code, 2);
  for (const char* ext : {".kernels.csv", ".ini"}) std::remove((stem + ext).c_str());
}

TEST(CompareCommand, BrokenRecordingsNameTheFileAndLine) {
  const std::string stem = write_recording("broken");
  {
    std::ofstream f(stem + ".kernels.csv", std::ios::app);
    f << "oops,only,three\n";
  }
  // An unreadable recording is a file error (exit 1, as roofline and report give), not bad usage.
  gpusim::test_support::Outcome o = run_gpusim("compare --recorded '" + stem + ".kernels.csv'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, stem + ".kernels.csv:4")) << o.output;

  std::remove((stem + ".ini").c_str());
  write_recording("noini");
  std::remove((temp_stem("noini") + ".ini").c_str());
  o = run_gpusim("compare --recorded '" + temp_stem("noini") + ".kernels.csv'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "no --config given")) << o.output;

  o = run_gpusim("compare --recorded /nonexistent/x.kernels.csv");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "/nonexistent/x.kernels.csv: cannot open")) << o.output;
  for (const std::string& s : {stem, temp_stem("noini")}) std::remove((s + ".kernels.csv").c_str());
}

TEST(CompareCommand, WithoutAGpuTheLiveModeSaysWhyAndPointsToRecordings) {
  const runtime::CudaAvailability a = runtime::probe_cuda();
  if (a.available) GTEST_SKIP() << "a GPU is usable here; the unavailable path cannot be exercised";
  const gpusim::test_support::Outcome o = run_gpusim("compare vecadd --config " + std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "unavailable")) << o.output;
  EXPECT_TRUE(contains(o.output, a.reason.substr(0, 20))) << o.output;
  EXPECT_TRUE(contains(o.output, "--recorded")) << o.output;
  for (const char* cmd : {"run vecadd --backend cuda", "run vecadd --backend both", "ubench --backend cuda"}) {
    const gpusim::test_support::Outcome r = run_gpusim(cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "unavailable")) << cmd << "\n" << r.output;
  }
}

TEST(CompareCommand, UsageErrors) {
  EXPECT_EQ(run_gpusim("compare").exit_code, 2);
  EXPECT_EQ(run_gpusim("compare nosuch_workload").exit_code, 2);
  EXPECT_EQ(run_gpusim("compare vecadd --reps 0").exit_code, 2);
  EXPECT_EQ(run_gpusim("compare vecadd --recorded x.kernels.csv").exit_code, 2);
  EXPECT_EQ(run_gpusim("run vecadd --backend gpu").exit_code, 2);
  const gpusim::test_support::Outcome h = run_gpusim("compare --help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_TRUE(contains(h.output, "--recorded"));
}
