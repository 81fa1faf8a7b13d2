// Output that cannot be written (a full disk: /dev/full) is an error naming the file with a
// non-zero status, never a silent success: --stats, --trace, -o of roofline and report, and
// standard output itself.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "tests/cli/cli_test_util.h"

namespace gpusim::test_support {
namespace {

const std::string kSmallRun = "run vecadd --size 4096 --mode timing --set sm.count=2";

TEST(WriteErrors, StatsOnAFullDisk) {
  const Outcome o = run_gpusim(kSmallRun + " --stats /dev/full");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "cannot write /dev/full: No space left on device")) << o.output;
}

TEST(WriteErrors, TraceOnAFullDisk) {
  const Outcome o = run_gpusim(kSmallRun + " --trace /dev/full");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "cannot write /dev/full: No space left on device")) << o.output;
}

TEST(WriteErrors, RooflineAndReportOutputOnAFullDisk) {
  Outcome o = run_gpusim("roofline --config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini' -o /dev/full");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "cannot write /dev/full: No space left on device")) << o.output;
  o = run_gpusim("report '" + std::string(GPUSIM_FIXTURES) + "/report/source_report_stats.json' -o /dev/full");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "cannot write /dev/full: No space left on device")) << o.output;
}

TEST(WriteErrors, StandardOutputOnAFullDisk) {
  // stdout to /dev/full, stderr to the pipe read here.
  const std::string command = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '") + GPUSIM_BINARY + "' " + kSmallRun +
                              " 2>&1 >/dev/full";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_TRUE(contains(output, "gpusim: cannot write standard output")) << output;
}

}  // namespace
}  // namespace gpusim::test_support
