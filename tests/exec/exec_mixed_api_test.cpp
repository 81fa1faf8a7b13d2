// A program that uses both the runtime API and the driver API (an NVRTC kernel launched with
// cuLaunchKernel beside a <<<>>> launch, tests/cuda_programs/nvrtc_mixed_api.cu) gets one launch
// table and one GPUSIM_STATS file holding the launches of both: each library used to write its
// own file at exit, the later one overwriting the other's.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

TEST(ExecMixedApi, OneStatsFileAndOneTableHoldBothApisLaunches) {
  const std::string path = ::testing::TempDir() + "/exec_mixed_api_stats.json";
  std::remove(path.c_str());
  const Outcome o = run_gpusim("exec --mode timing --stats '" + path + "' -- '" + std::string(GPUSIM_CUDA_PROGRAMS) +
                               "/nvrtc_mixed_api'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  // The runtime's table lists the driver-API launch too; libcuda prints no table of its own.
  EXPECT_TRUE(contains(o.output, "2 kernel launches")) << o.output;
  EXPECT_TRUE(contains(o.output, "cube_plus")) << o.output;
  EXPECT_FALSE(contains(o.output, "gpusim libcuda:")) << o.output;
  std::ifstream f(path);
  ASSERT_TRUE(f) << path;
  const nlohmann::json stats = nlohmann::json::parse(f);
  ASSERT_TRUE(stats.contains("launches")) << stats.dump();
  ASSERT_EQ(stats["launches"].size(), 2u) << stats.dump();
  EXPECT_EQ(stats["launches"][0]["kernel"], "cube_plus");
  EXPECT_EQ(stats["launches"][1]["kernel"], "negate(long long*, int)");
  for (const auto& launch : stats["launches"]) EXPECT_GT(launch["cycles"].get<uint64_t>(), 0u) << launch.dump();
}

}  // namespace
