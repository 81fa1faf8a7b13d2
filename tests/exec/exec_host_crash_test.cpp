// A CUDA program that dies of a signal in its own host code under `gpusim exec`: its exit
// handlers never run, so the launch table and --stats file come from the fatal-signal report
// (runtime/fatal_signal_report.h), and the program still dies of the same signal.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

#if defined(GPUSIM_ADDRESS_SANITIZER)
constexpr bool kSanitizerHandlesSegv = true;  // AddressSanitizer reports the fault and exits 1
#else
constexpr bool kSanitizerHandlesSegv = false;
#endif

struct Crash {
  Outcome outcome;
  int shell_status = -1;  // what the shell saw: 128 + the signal when the program died of it
  nlohmann::json stats;
};

Crash run_crashing(const std::string& mode, const std::string& options) {
  const std::filesystem::path stats = std::filesystem::path(testing::TempDir()) / ("host_crash_" + mode + ".json");
  std::filesystem::remove(stats);
  Crash c;
  // Not the shell's last command (which it may exec): the status line shows how the program ended.
  c.outcome = run_gpusim("exec " + options + " --stats '" + stats.string() + "' -- '" + GPUSIM_CUDA_PROGRAMS +
                         "/host_crash' " + mode + " 2>&1; echo \"shell status $?\"");
  const size_t at = c.outcome.output.rfind("shell status ");
  if (at != std::string::npos) c.shell_status = std::stoi(c.outcome.output.substr(at + 13));
  std::ifstream f(stats);
  std::stringstream text;
  text << f.rdbuf();
  c.stats = nlohmann::json::parse(text.str(), nullptr, false);  // discarded (not an object) when missing or cut
  return c;
}

void expect_report_of_one_launch(const Crash& c, const std::string& signal_name) {
  EXPECT_TRUE(contains(c.outcome.output, "host_crash: launched")) << c.outcome.output;
  EXPECT_FALSE(contains(c.outcome.output, "still alive")) << c.outcome.output;
  ASSERT_TRUE(c.stats.is_object()) << c.outcome.output;
  ASSERT_EQ(c.stats["launches"].size(), 1u) << c.stats.dump().substr(0, 400);
  EXPECT_EQ(c.stats["launches"][0].value("kernel", ""), "add_one(int*, int)");
  EXPECT_EQ(c.stats.value("killed_by_signal", ""), signal_name);
}


TEST(ExecHostCrash, NullPointerInHostCodeStillReportsTheLaunches) {
  // AddressSanitizer handles SIGSEGV itself (and reports it): gpusim leaves a handled signal alone.
  if (kSanitizerHandlesSegv) GTEST_SKIP() << "AddressSanitizer owns SIGSEGV in this build";
  const Crash c = run_crashing("segv", "");
  expect_report_of_one_launch(c, "SIGSEGV");
  EXPECT_TRUE(contains(c.outcome.output, "gpusim: the program is ending on SIGSEGV (its exit handlers will not run)"))
      << c.outcome.output;
  EXPECT_TRUE(contains(c.outcome.output, "1 kernel launch on")) << c.outcome.output;  // the table
  EXPECT_EQ(c.shell_status, 128 + SIGSEGV) << c.outcome.output;
}

TEST(ExecHostCrash, AbortAndUncaughtExceptionEndWithSigabrtAfterTheReport) {
  for (const std::string mode : {"abort", "throw"}) {
    SCOPED_TRACE(mode);
    const Crash c = run_crashing(mode, "--mode timing --quiet");
    expect_report_of_one_launch(c, "SIGABRT");
    EXPECT_EQ(c.shell_status, 128 + SIGABRT) << c.outcome.output;
    EXPECT_FALSE(contains(c.outcome.output, "kernel launch")) << c.outcome.output;  // --quiet
    ASSERT_TRUE(c.stats.is_object());
    EXPECT_GT(c.stats["launches"][0].value("cycles", 0), 0) << c.stats.dump().substr(0, 400);
  }
}

// A signal sent rather than raised by a fault (raise(), kill) is sent again after the report.
TEST(ExecHostCrash, ARaisedSignalEndsTheProgramAfterTheReport) {
  // AddressSanitizer handles SIGBUS too (handle_sigbus): gpusim leaves a handled signal alone.
  if (kSanitizerHandlesSegv) GTEST_SKIP() << "AddressSanitizer owns SIGBUS in this build";
  const Crash c = run_crashing("raise", "");
  expect_report_of_one_launch(c, "SIGBUS");
  EXPECT_EQ(c.shell_status, 128 + SIGBUS) << c.outcome.output;
}

// quick_exit() runs the at_quick_exit handlers only: the report is one of them.
TEST(ExecHostCrash, QuickExitStillReportsTheLaunches) {
  const Crash c = run_crashing("quick_exit", "");
  EXPECT_EQ(c.shell_status, 4) << c.outcome.output;
  EXPECT_TRUE(contains(c.outcome.output, "1 kernel launch on")) << c.outcome.output;
  ASSERT_TRUE(c.stats.is_object()) << c.outcome.output;
  EXPECT_EQ(c.stats["launches"].size(), 1u);
  EXPECT_FALSE(c.stats.contains("killed_by_signal"));
}

// raise(SIGTERM) by the program ends it at the call with status 143, the results written (the code
// after raise() used to go on running until gpusim's watcher thread exited the process).
TEST(ExecHostCrash, RaisedSigtermEndsTheProgramAtTheCall) {
  const Crash c = run_crashing("sigterm", "");
  EXPECT_EQ(c.shell_status, 128 + SIGTERM) << c.outcome.output;
  EXPECT_TRUE(contains(c.outcome.output, "host_crash: launched")) << c.outcome.output;
  EXPECT_FALSE(contains(c.outcome.output, "still alive")) << c.outcome.output;
  ASSERT_TRUE(c.stats.is_object()) << c.outcome.output;
  EXPECT_EQ(c.stats["launches"].size(), 1u);
  EXPECT_EQ(c.stats.value("interrupted", false), true);
}

}  // namespace
