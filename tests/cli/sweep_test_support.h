// What the sweep run tests (local and SLURM) share: a small spec with one slower point, reading
// the database with plain SQL (independent of the tool's own store code), and killing a point's
// child process while the sweep runs.
#pragma once

#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/cli_test_util.h"

namespace gpusim::test_support {

// vecadd at 3 sizes x sm.count 4, 8 = 6 quick points, plus sgemm_tiled 96^3 x sm.count 4, 8 (a
// second or more each in timing mode): the tests kill the sm.count=8 one while it runs. 8 in all.
inline std::string write_sweep_spec(const std::filesystem::path& dir) {
  return write_file(dir / "spec.ini",
                    "# a small grid for the sweep tests\n"
                    "workloads = vecadd sgemm_tiled\n"
                    "sizes.vecadd = 1024 2048 4096\n"
                    "sizes.sgemm_tiled = 96x96x96\n"
                    "set.sm.count = 4 8\n");
}
constexpr int kSweepSpecPoints = 3 * 2 + 1 * 2;

// Rows of `sql` as text ("" for NULL).
inline std::vector<std::vector<std::string>> query(const std::string& db_path, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return rows;
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int n, char** values, char**) {
        std::vector<std::string> row;
        for (int i = 0; i < n; ++i) row.push_back(values[i] ? values[i] : "");
        static_cast<std::vector<std::vector<std::string>>*>(out)->push_back(row);
        return 0;
      },
      &rows, nullptr);
  sqlite3_close(db);
  return rows;
}

// Waits (up to 120 s) until the sgemm_tiled point with sm.count=8 runs, then SIGKILLs its child.
// Returns the pid killed, or 0 when it was never seen running.
inline int kill_slow_point_when_running(const std::string& db_path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(db_path)) {
      const auto rows = query(db_path,
                              "SELECT pid FROM points WHERE workload = 'sgemm_tiled' AND "
                              "json_extract(sets, '$.\"sm.count\"') = '8' AND status = 'running'");
      if (!rows.empty() && !rows[0][0].empty()) {
        const int pid = std::stoi(rows[0][0]);
        if (kill(pid, SIGKILL) == 0) return pid;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

// Runs `gpusim ARGS` in the background.
inline std::future<Outcome> run_gpusim_async(const std::string& arguments) {
  return std::async(std::launch::async, [arguments] { return run_gpusim(arguments); });
}

}  // namespace gpusim::test_support
