// Where gpusim's own output goes inside a CUDA program: the stderr the program started with, even
// after the program closed fd 2 and opened a file of its own there (tests/cuda_programs/
// stderr_reopened).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "runtime/scratch_dir.h"
#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

TEST(ExecOutputStreams, MessagesStayOffAFileTheProgramOpenedAsFd2) {
  gpusim::runtime::ScratchDir dir("gpusim_fd2_");
  const std::string data = dir.file("data.txt");
  const Outcome o = run_gpusim("exec -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/stderr_reopened' '" + data + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "stderr_reopened OK")) << o.output;
  // Both of gpusim's messages reached the original stderr ...
  EXPECT_TRUE(contains(o.output, "gpusim: 1 kernel launch on")) << o.output;
  EXPECT_TRUE(contains(o.output, "cudaMalloc")) << o.output;
  // ... and the program's file holds what the program wrote, nothing else.
  std::ifstream in(data);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "USER DATA ONLY\n");
}

}  // namespace
