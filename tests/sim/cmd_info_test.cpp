// `gpusim info` end to end through the built binary: the lecture's V100 figures, overrides,
// occupancy, and error exits.
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

// status = exit code, output = stdout and stderr together.
struct Result {
  int status = -1;
  std::string output;
};

Result run_gpusim(const std::string& arguments) {
  const gpusim::test_support::Outcome o = gpusim::test_support::run_gpusim(arguments);
  return {o.exit_code, o.output};
}

std::string config(const char* name) { return std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name; }

// Lecture (ai-systems-lecture.txt, "Geometry of GPU"): 12.7 TFLOP/s FP32, 102 TFLOP/s FP16
// TensorCore, 5,120 warps, 163,840 threads.
TEST(CmdInfo, V100PrintsLectureFigures) {
  Result r = run_gpusim("info --config " + config("v100.ini"));
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* figure : {"12.7 TFLOP/s", "102 TFLOP/s", "5,120 warps", "163,840 threads", "count = 80"})
    EXPECT_NE(r.output.find(figure), std::string::npos) << figure << "\n" << r.output;
}

TEST(CmdInfo, SetOverridesAndOccupancy) {
  // 40 SMs halve the FP32 peak: 40 x 64 x 2 x 1.245 GHz = 6.37 TFLOP/s.
  Result r = run_gpusim("info --set sm.count=40 --block 256 --regs 64");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("6.37 TFLOP/s"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("4 CTAs/SM (32 warps, 50% occupancy), limited by registers"), std::string::npos) << r.output;
}

TEST(CmdInfo, HelpDocumentsEveryKey) {
  Result r = run_gpusim("info --help");
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* key : {"sm.count", "l2.size_kib", "dram.channels", "clocks.tensor_mhz", "shared.carveouts_kib"})
    EXPECT_NE(r.output.find(key), std::string::npos) << key;
}

TEST(CmdInfo, ErrorsExitNonZeroWithAMessage) {
  Result bad_key = run_gpusim("info --set sm.bogus=1");
  EXPECT_EQ(bad_key.status, 1);
  EXPECT_NE(bad_key.output.find("unknown key 'sm.bogus'"), std::string::npos) << bad_key.output;
  Result inconsistent = run_gpusim("info --set shared.per_block_max_bytes=100000");
  EXPECT_EQ(inconsistent.status, 1);
  EXPECT_NE(inconsistent.output.find("shared.per_sm_max_bytes (98304, default)"), std::string::npos) << inconsistent.output;
  Result bad_launch = run_gpusim("info --block 2048");
  EXPECT_EQ(bad_launch.status, 1);
  EXPECT_NE(bad_launch.output.find("block of 2048 threads exceeds the limit of 1024"), std::string::npos)
      << bad_launch.output;
  EXPECT_EQ(run_gpusim("info --no-such-option").status, 2);
}

}  // namespace
