// `gpusim exec` on a CUDA program that launches no kernel (tests/cuda_programs/no_launch): its
// runtime calls (a stream, an event, a synchronisation) never needed the simulated device, and
// the report at exit used to be skipped for it: no launch table, no --stats file.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

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

// Several CUDA processes of one exec run (a script) share its --stats file: each adds its
// launches (the last to exit replaced the others', so a helper that launched nothing wiped out the
// real program's); a file from an earlier run is replaced.
TEST(ExecNoLaunch, TheProcessesOfOneRunShareTheStatisticsFile) {
  gpusim::runtime::ScratchDir dir("gpusim_no_launch_");
  const std::string stats = dir.file("stats.json");
  const std::string vector_add = std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add";
  const std::string script = "'" + vector_add + "' >/dev/null && '" + kProgram + "' && '" + vector_add + "' >/dev/null";
  auto read = [&] {
    std::ifstream in(stats);
    return nlohmann::json::parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  };
  Outcome o = run_gpusim("exec --quiet --stats '" + stats + "' -- /bin/sh -c \"" + script + "\"");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  nlohmann::json j = read();
  EXPECT_EQ(j["programs"], nlohmann::json::array({"vector_add", "no_launch", "vector_add"})) << j.dump();
  const size_t launches = j["launches"].size();
  EXPECT_GE(launches, 2u) << j.dump();
  EXPECT_EQ(launches % 2, 0u) << "both vector_add runs' launches: " << j.dump();
  // A new run starts the file afresh.
  o = run_gpusim("exec --quiet --stats '" + stats + "' -- '" + vector_add + "'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  j = read();
  EXPECT_EQ(j["programs"], nlohmann::json::array({"vector_add"})) << j.dump();
  EXPECT_EQ(j["launches"].size(), launches / 2) << j.dump();
}

// A process that makes no CUDA call at all (gpusim exec preloads the runtime into it) has no report.
TEST(ExecNoLaunch, AProgramWithoutCudaCallsHasNoReport) {
  const Outcome o = run_gpusim("exec -- /bin/true");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_FALSE(contains(o.output, "kernel launches")) << o.output;
}

}  // namespace
