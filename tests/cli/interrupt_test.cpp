// Ctrl-C and SIGTERM during `gpusim run` / `gpusim launch`: the simulation stops at a safe point,
// --stats holds the finished launches marked "interrupted", the --trace file is complete JSON,
// one line on stderr says so, and the exit status is 128 + the signal.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"
#include "tests/run_gpusim_signalled.h"

namespace gpusim::test_support {
namespace {

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return nlohmann::json::parse(s.str());  // throws (failing the test) on a truncated file
}

// sgemm 1024^3 on the timing model takes minutes on a CI machine: the signal always lands in it.
const std::string kLongRun = "run sgemm_tiled --mode timing --size 1024x1024x1024 --threads 1";

TEST(Interrupt, CtrlCKeepsStatsAndTrace) {
  const std::filesystem::path dir = scratch_dir("interrupt_sigint");
  const std::filesystem::path stats = dir / "s.json", trace = dir / "t.json";
  const Outcome o = run_gpusim_signalled(kLongRun + " --stats '" + stats.string() + "' --trace '" + trace.string() + "'",
                                         SIGINT, (dir / "log").string(), trace.string());
  ASSERT_EQ(o.exit_code, 130) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim run: interrupted by SIGINT; statistics of the 0 finished launches in " +
                                     stats.string() + ", trace up to here in " + trace.string()))
      << o.output;
  const nlohmann::json s = read_json(stats);
  EXPECT_EQ(s.value("interrupted", false), true) << s.dump();
  EXPECT_TRUE(s["launches"].is_array());
  const nlohmann::json t = read_json(trace);
  EXPECT_TRUE(t["traceEvents"].is_array());
}

TEST(Interrupt, SigtermExits143) {
  const std::filesystem::path dir = scratch_dir("interrupt_sigterm");
  const std::filesystem::path trace = dir / "t.json";
  const Outcome o = run_gpusim_signalled(kLongRun + " --trace '" + trace.string() + "'", SIGTERM, (dir / "log").string(),
                                         trace.string());
  ASSERT_EQ(o.exit_code, 143) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim run: interrupted by SIGTERM")) << o.output;
}

}  // namespace
}  // namespace gpusim::test_support
