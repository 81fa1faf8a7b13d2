// Ctrl-C and SIGTERM to a CUDA program under `gpusim exec`: the simulated libcudart's launch stops
// at a safe point and the program exits with 128 + the signal through its exit handlers, so
// --stats and --trace (written there) come out complete JSON.
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/run_gpusim_signalled.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim_signalled;

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return nlohmann::json::parse(s.str());  // throws (failing the test) on a missing or truncated file
}

// 16M elements, 65,536 CTAs on the timing model: far longer than the second before the signal.
std::string long_program() { return "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add' 16777216"; }

void expect_complete_files_after(int signal, const std::string& name, int times = 1) {
  const std::filesystem::path dir =
      std::filesystem::path(testing::TempDir()) / ("gpusim_exec_interrupt_" + name + std::to_string(times));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::filesystem::path stats = dir / "s.json", trace = dir / "t.json";
  const Outcome o = run_gpusim_signalled("exec --mode timing --threads 1 --quiet --stats '" + stats.string() +
                                             "' --trace '" + trace.string() + "' -- " + long_program(),
                                         signal, (dir / "log").string(), trace.string(),
                                         std::chrono::milliseconds(1000), std::chrono::seconds(60), times);
  ASSERT_EQ(o.exit_code, 128 + signal) << o.output;
  EXPECT_TRUE(contains(o.output, "(unfinished: not in the launch table) interrupted by " + name +
                                     "; statistics of the finished launches in " +
                                     stats.string() + ", trace up to here in " + trace.string()))
      << o.output;
  const nlohmann::json written = read_json(stats);
  EXPECT_TRUE(written["launches"].is_array());
  EXPECT_EQ(written.value("interrupted", false), true) << written.dump().substr(0, 500);
  EXPECT_TRUE(read_json(trace)["traceEvents"].is_array());
}

TEST(ExecInterrupt, CtrlCWritesStatsAndTrace) { expect_complete_files_after(SIGINT, "SIGINT"); }

TEST(ExecInterrupt, SigtermWritesStatsAndTrace) { expect_complete_files_after(SIGTERM, "SIGTERM"); }

// `timeout` sends its SIGTERM twice, to the process and to its process group: one request, not a
// user insisting (4 of 6 timed-out runs of a reliability engineer left no --stats file).
TEST(ExecInterrupt, TimeoutsDoubleSigtermStillWritesStatsAndTrace) { expect_complete_files_after(SIGTERM, "SIGTERM", 2); }

// One functional-mode launch of hours: the executor polls the flag between CTA rounds, so the
// program exits with 130 at once (it ignored SIGINT and SIGTERM until the launch ended).
TEST(ExecInterrupt, CtrlCStopsALongFunctionalLaunch) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_interrupt_functional";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::filesystem::path ready = dir / "launching", stats = dir / "s.json";
  const Outcome o = run_gpusim_signalled("exec --mode functional --quiet --stats '" + stats.string() + "' -- '" +
                                             std::string(GPUSIM_CUDA_PROGRAMS) + "/long_kernel' '" + ready.string() + "'",
                                         SIGINT, (dir / "log").string(), ready.string(), std::chrono::milliseconds(500),
                                         std::chrono::seconds(60));
  ASSERT_EQ(o.exit_code, 130) << o.output;
  EXPECT_TRUE(contains(o.output, "interrupted by SIGINT")) << o.output;
  // Which launch was running (a CI timeout's log said only "interrupted by SIGTERM").
  EXPECT_TRUE(contains(o.output, "gpusim: launch of 'spin(")) << o.output;
  EXPECT_TRUE(contains(o.output, "(unfinished: not in the launch table) interrupted by SIGINT")) << o.output;
  EXPECT_FALSE(contains(o.output, "long_kernel: finished")) << o.output;
  EXPECT_EQ(read_json(stats).value("interrupted", false), true);
}

// A launch that never reaches its safe point (here: the grace set to 0 s, so the timed launch's
// poll every 4,096 cycles comes too late) must not make the signal useless: the watcher ends the
// process after the grace, saying so, instead of waiting for ever (`timeout` sends one SIGTERM).
TEST(ExecInterrupt, ALaunchStuckPastTheGraceStillEndsTheProgram) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_interrupt_stuck";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::filesystem::path ready = dir / "launching", stats = dir / "s.json";
  setenv("GPUSIM_INTERRUPT_GRACE_SECONDS", "0", 1);
  const Outcome o = run_gpusim_signalled("exec --mode timing --threads 1 --quiet --stats '" + stats.string() + "' -- '" +
                                             std::string(GPUSIM_CUDA_PROGRAMS) + "/long_kernel' '" + ready.string() + "'",
                                         SIGTERM, (dir / "log").string(), ready.string(), std::chrono::milliseconds(500),
                                         std::chrono::seconds(60));
  unsetenv("GPUSIM_INTERRUPT_GRACE_SECONDS");
  ASSERT_EQ(o.exit_code, 143) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: interrupted by SIGTERM, but the running launch did not reach a safe point "
                                 "within 0 s"))
      << o.output;
  EXPECT_FALSE(contains(o.output, "long_kernel: finished")) << o.output;
}

// A grace that is not a number of seconds is named, and the default applies.
TEST(ExecInterrupt, ABadGraceIsNamedAndTheDefaultKept) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_interrupt_bad_grace";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::filesystem::path ready = dir / "launching", stats = dir / "s.json";
  setenv("GPUSIM_INTERRUPT_GRACE_SECONDS", "-3", 1);
  const Outcome o = run_gpusim_signalled("exec --mode functional --quiet --stats '" + stats.string() + "' -- '" +
                                             std::string(GPUSIM_CUDA_PROGRAMS) + "/long_kernel' '" + ready.string() + "'",
                                         SIGINT, (dir / "log").string(), ready.string(), std::chrono::milliseconds(500),
                                         std::chrono::seconds(60));
  unsetenv("GPUSIM_INTERRUPT_GRACE_SECONDS");
  ASSERT_EQ(o.exit_code, 130) << o.output;
  EXPECT_TRUE(contains(o.output, "GPUSIM_INTERRUPT_GRACE_SECONDS='-3' is not a number of seconds >= 0; using 60"))
      << o.output;
  EXPECT_EQ(read_json(stats).value("interrupted", false), true);  // the launch's own safe point, not the watcher's
}

}  // namespace
