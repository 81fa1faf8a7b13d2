// `gpusim report` as a user runs it: a page written for the fixture, and every bad input (no
// output, unreadable file, invalid JSON, a missing field, a bad recording) a clear error naming it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/cli/cli_test_util.h"

namespace {

using namespace gpusim::test_support;

const std::string kFixture = std::string(GPUSIM_FIXTURES) + "/report/source_report_stats.json";

TEST(ReportCommand, WritesThePageAndSaysSo) {
  const auto dir = scratch_dir("report_writes");
  const std::string page = (dir / "r.html").string();
  const Outcome o = run_gpusim("report '" + kFixture + "' -o '" + page + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "wrote " + page + " (2 kernels)")) << o.output;
  EXPECT_GT(std::filesystem::file_size(page), 10000u);
}

TEST(ReportCommand, PlacesRecordedKernelsOfTheSameName) {
  const auto dir = scratch_dir("report_recorded");
  const std::string csv = write_file(dir / "rec.kernels.csv",
      "gpu_name,compute_capability,sm_count,sm_clock_mhz,measured_sm_clock_mhz,memory_clock_mhz,memory_bus_bits,"
      "l2_bytes,driver,cuda_version,date,workload,size,seed,launch,kernel,ctas,warmup,repetitions,median_us,min_us,"
      "max_us,launch_overhead_us,verified\n"
      "Test GPU,9.0,4,1000,1000,1000,256,1048576,1,13.0,2026-01-01T00:00:00Z,window_sum_shared,4096,1,0,"
      "window_sum_shared,16,2,10,5.0,4.0,6.0,2.0,yes\n");
  const std::string page = (dir / "r.html").string();
  const Outcome o = run_gpusim("report '" + kFixture + "' --recorded '" + csv + "' -o '" + page + "'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(html, "window_sum_shared (measured on Test GPU, size 4096)"));
}

TEST(ReportCommand, BadInputIsAClearError) {
  const auto dir = scratch_dir("report_bad");
  const std::string page = (dir / "r.html").string();
  Outcome o = run_gpusim("report '" + kFixture + "'");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_TRUE(contains(o.output, "-o report.html")) << o.output;
  o = run_gpusim("report '" + (dir / "absent.json").string() + "' -o '" + page + "'");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(contains(o.output, "cannot read stats file '" + (dir / "absent.json").string() + "'")) << o.output;
  const std::string broken = write_file(dir / "broken.json", "{\"launches\": [");
  o = run_gpusim("report '" + broken + "' -o '" + page + "'");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(contains(o.output, broken + ": not valid JSON")) << o.output;
  const std::string foreign = write_file(dir / "foreign.json", "{\"launches\": [{\"kernel\": \"k\", \"config\": \"c\"}]}");
  o = run_gpusim("report '" + foreign + "' -o '" + page + "'");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(contains(o.output, foreign + ": launch 0 (kernel 'k'): missing 'cycles'")) << o.output;
  o = run_gpusim("report '" + kFixture + "' --recorded '" + broken + "' -o '" + page + "'");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(contains(o.output, broken)) << o.output;
  o = run_gpusim("report '" + kFixture + "' -o '" + (dir / "no" / "dir" / "r.html").string() + "'");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(contains(o.output, "cannot write")) << o.output;
}

}  // namespace
