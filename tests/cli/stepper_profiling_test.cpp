// The stepper and the profilers watch one run together (GpuModel fans its events out to every
// observer): `gpusim step --trace --source-report` answers the stepper's commands and writes the
// same timeline and per-line counters as the un-stepped run.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/run_gpusim.h"

namespace gpusim::test_support {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The source report's table: from its heading to the result line.
std::string source_table(const std::string& output) {
  const size_t begin = output.find("where the warp-cycles go");
  const size_t end = output.find("result ", begin);
  return begin == std::string::npos ? "" : output.substr(begin, end - begin);
}

TEST(StepperCli, StepsWithTraceAndSourceReport) {
  const std::string dir = ::testing::TempDir();
  const std::string config = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  const std::string stepped_trace = dir + "/stepped_trace.json", plain_trace = dir + "/plain_trace.json";
  const std::string common = "vecadd --size 256 --config '" + config + "' --source-report --trace ";
  const Outcome stepped = run_gpusim("step " + common + "'" + stepped_trace + "' <<'EOF'\nstep 3\ncontinue\nEOF");
  ASSERT_EQ(stepped.exit_code, 0) << stepped.output;
  // The stepper answered: three cycles stepped (each sub-core's first issue shown), then the rest.
  EXPECT_TRUE(contains(stepped.output, "(gpusim step) step 3\n")) << stepped.output;
  EXPECT_TRUE(contains(stepped.output, "sub-core 0 [lrr]: issued w0 pc 0")) << stepped.output;
  EXPECT_TRUE(contains(stepped.output, "launch finished: ")) << stepped.output;
  EXPECT_TRUE(contains(stepped.output, "PASS")) << stepped.output;

  // vecadd on 256 elements: 8 warps of 22 instructions each (the launch line counts them), and
  // the timeline has one issue slice per warp-instruction.
  EXPECT_TRUE(contains(stepped.output, "1 CTAs, 176 warp-instructions")) << stepped.output;
  const std::string trace = slurp(stepped_trace);
  EXPECT_EQ(count(trace, "\"args\":{\"warp\":"), 176u) << trace.substr(0, 2000);

  // The profilers saw the stepped run exactly as an un-stepped one (the stepper changes no cycle).
  const Outcome plain = run_gpusim("run " + common + "'" + plain_trace + "'");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(trace, slurp(plain_trace));
  const std::string table = source_table(stepped.output);
  EXPECT_TRUE(contains(table, "vecadd.cu:4")) << stepped.output;
  EXPECT_EQ(table, source_table(plain.output));
}

// VCD waveforms are sampled by SystemC's time steps, which the stepper does not run.
TEST(StepperCli, RefusesVcdWithAReason) {
  const Outcome o = run_gpusim("step vecadd --size 64 --vcd '" + ::testing::TempDir() + "/x.vcd' </dev/null");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--vcd")) << o.output;
  EXPECT_TRUE(contains(o.output, "SystemC samples the waveforms")) << o.output;
}

}  // namespace
}  // namespace gpusim::test_support
