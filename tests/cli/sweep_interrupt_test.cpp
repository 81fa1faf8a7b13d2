// A sweep that is itself stopped: Ctrl-C (or SIGTERM) stops its running points with their output,
// records them failed, removes its scratch files and exits 128 + signal, and a rerun resumes; a
// sweep killed outright (SIGKILL) takes its points with it instead of leaving them simulating.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/cli/sweep_test_support.h"

namespace gpusim::test_support {
namespace {

std::string shell_arg(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// Points long enough to be caught running: timed GEMMs of `sizes` (512^3: seconds each, 1024^3:
// minutes) on 4 and 8 SMs.
std::string write_slow_spec(const std::filesystem::path& dir, const std::string& sizes) {
  return write_file(dir / "slow.ini", "workloads = sgemm_tiled\nsizes.sgemm_tiled = " + sizes + "\nset.sm.count = 4 8\n");
}

struct Background {
  pid_t pid = -1;
  std::string log;
};

// `gpusim sweep ...` in the background with TMPDIR=`tmp` (to see its scratch folders), output in `log`.
Background start_sweep(const std::string& arguments, const std::filesystem::path& tmp, const std::filesystem::path& log) {
  std::filesystem::create_directories(tmp);
  const std::string command = "TMPDIR=" + shell_arg(tmp) + " SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 GPUSIM_PROGRESS=0 exec '" +
                              GPUSIM_BINARY + "' sweep " + arguments + " > " + shell_arg(log) + " 2>&1";
  Background b;
  b.log = log.string();
  b.pid = fork();
  if (b.pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return b;
}

// The pids of the points the database shows running, once `count` of them run (up to 120 s).
std::vector<int> wait_for_running_points(const std::string& db, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(db)) {
      std::vector<int> pids;
      for (const auto& row : query(db, "SELECT pid FROM points WHERE status = 'running' AND pid IS NOT NULL"))
        pids.push_back(std::stoi(row[0]));
      if (pids.size() >= count) return pids;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return {};
}

// Whether process `pid` has ended (gone, or a zombie its new parent has not reaped yet).
bool ended(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;
  const size_t close = text.rfind(')');  // the state follows the command name in parentheses
  return close != std::string::npos && close + 2 < text.size() && (text[close + 2] == 'Z' || text[close + 2] == 'X');
}

bool ends_within(int pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!ended(pid) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return ended(pid);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SweepInterrupt, CtrlCStopsRunningPointsRecordsThemAndRemovesScratchFiles) {
  const auto dir = scratch_dir("sweep_interrupt");
  // Two points run at once; the sweep must not start the other two.
  const std::string spec = write_slow_spec(dir, "512x512x512 480x480x480");
  const std::string db = (dir / "sweep.db").string();
  const auto tmp = dir / "tmp";
  Background sweep = start_sweep(shell_arg(spec) + " --db " + shell_arg(db) + " --jobs 2", tmp, dir / "sweep.log");
  ASSERT_GT(sweep.pid, 0);
  const std::vector<int> points = wait_for_running_points(db, 2);
  ASSERT_EQ(points.size(), 2u) << read_text(sweep.log);
  kill(sweep.pid, SIGINT);
  int status = 0;
  waitpid(sweep.pid, &status, 0);
  const std::string log = read_text(sweep.log);
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 130) << log;
  EXPECT_TRUE(contains(log, "sweep interrupted by SIGINT: 0 ok, 2 failed or stopped, 2 not started")) << log;
  for (const int pid : points) EXPECT_TRUE(ended(pid)) << "point process " << pid << " still runs";

  // The two running points are failed, with gpusim's own account of the stop; the other two never ran.
  const auto rows = query(db, "SELECT status, error, attempts FROM points ORDER BY status, id");
  ASSERT_EQ(rows.size(), 4u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(rows[i][0], "failed");
    EXPECT_TRUE(contains(rows[i][1], "interrupted: its sweep runner got SIGINT")) << rows[i][1];
    EXPECT_TRUE(contains(rows[i][1], "gpusim run: interrupted by SIGTERM")) << rows[i][1];
  }
  for (int i = 2; i < 4; ++i) EXPECT_EQ(rows[i][0], "pending") << rows[i][1];
  // Each point's scratch folder (its --stats file) went with it.
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}

TEST(SweepInterrupt, KilledSweepTakesItsRunningPointsWithIt) {
  const auto dir = scratch_dir("sweep_sigkill");
  // A point that would simulate for minutes after the sweep is gone.
  const std::string spec = write_slow_spec(dir, "1024x1024x1024");
  const std::string db = (dir / "sweep.db").string();
  Background sweep = start_sweep(shell_arg(spec) + " --db " + shell_arg(db) + " --jobs 1", dir / "tmp", dir / "sweep.log");
  ASSERT_GT(sweep.pid, 0);
  const std::vector<int> points = wait_for_running_points(db, 1);
  ASSERT_EQ(points.size(), 1u) << read_text(sweep.log);
  kill(sweep.pid, SIGKILL);
  waitpid(sweep.pid, nullptr, 0);
  // The point gets SIGTERM when its parent dies and stops at its next safe point (every 4,096
  // simulated cycles), not minutes later when the simulation would have finished.
  EXPECT_TRUE(ends_within(points[0], std::chrono::seconds(30))) << "point process " << points[0] << " outlived the sweep";
  if (!ended(points[0])) kill(points[0], SIGKILL);
}

}  // namespace
}  // namespace gpusim::test_support
