// `gpusim list` and `gpusim run` as a user runs them: output, exit codes, error messages.
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;

Outcome gpusim(const std::string& arguments) { return gpusim::test_support::run_gpusim(arguments); }

TEST(RunCommand, ListShowsWorkloadsWithSizes) {
  const Outcome o = gpusim("list");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  for (const char* name : {"vecadd", "sgemm_tiled", "wmma_gemm", "transpose_unpadded", "softmax"})
    EXPECT_TRUE(contains(o.output, name)) << name;
  EXPECT_TRUE(contains(o.output, "MxNxK"));
}

TEST(RunCommand, ListKernelsShowsResources) {
  const Outcome o = gpusim("list --kernels");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "sgemm_tiled")) << o.output;
  EXPECT_TRUE(contains(o.output, "sm_75"));
  EXPECT_TRUE(contains(o.output, "2048"));  // sgemm_tiled's static shared memory
}

TEST(RunCommand, RunsAWorkloadAndReportsThePass) {
  const Outcome o = gpusim("run sgemm_tiled --size 40x24x33 --seed 3");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "PASS")) << o.output;
  EXPECT_TRUE(contains(o.output, "40x24x33")) << o.output;
  EXPECT_TRUE(contains(o.output, "6 CTAs")) << o.output;  // ceil(24/16) * ceil(40/16)
  EXPECT_TRUE(contains(o.output, "warp-instructions")) << o.output;
}

TEST(RunCommand, UnknownWorkloadListsValidNames) {
  const Outcome o = gpusim("run sgemm_tiledd");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "unknown workload 'sgemm_tiledd'")) << o.output;
  EXPECT_TRUE(contains(o.output, "vecadd")) << o.output;
}

TEST(RunCommand, BadArgumentsGiveClearMessages) {
  Outcome o = gpusim("run vecadd --size 12xq");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "'q' is not a positive integer")) << o.output;
  o = gpusim("run sgemm_naive --size 16x16");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "MxNxK")) << o.output;
  o = gpusim("run vecadd --mode fast");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "'functional' or 'timing'")) << o.output;
  o = gpusim("run vecadd --no-such-option");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  o = gpusim("run vecadd --size 100 --config /nonexistent/gpu.ini");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "/nonexistent/gpu.ini")) << o.output;
}

TEST(RunCommand, HelpDescribesOptions) {
  const Outcome o = gpusim("run --help");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  for (const char* option : {"--size", "--config", "--set", "--mode", "--seed"})
    EXPECT_TRUE(contains(o.output, option)) << option;
}

}  // namespace
