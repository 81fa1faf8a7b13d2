// `gpusim exec` on a CUDA program that launches no kernel (tests/cuda_programs/no_launch): its
// runtime calls (a stream, an event, a synchronisation) never needed the simulated device, and
// the report at exit used to be skipped for it: no launch table, no --stats file.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "runtime/scratch_dir.h"
#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

const std::string kProgram = std::string(GPUSIM_CUDA_PROGRAMS) + "/no_launch";

TEST(ExecNoLaunch, ReportsZeroLaunchesAndWritesTheStatistics) {
  gpusim::runtime::ScratchDir dir("gpusim_no_launch_");
  const std::string stats = dir.file("stats.json");
  const Outcome o = run_gpusim("exec --stats '" + stats + "' -- '" + kProgram + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "no_launch: done")) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: 0 kernel launches on")) << o.output;
  std::ifstream in(stats);
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(json, "\"launches\": []")) << json;
}

// A process that makes no CUDA call at all (gpusim exec preloads the runtime into it) has no report.
TEST(ExecNoLaunch, AProgramWithoutCudaCallsHasNoReport) {
  const Outcome o = run_gpusim("exec -- /bin/true");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_FALSE(contains(o.output, "kernel launches")) << o.output;
}

}  // namespace
