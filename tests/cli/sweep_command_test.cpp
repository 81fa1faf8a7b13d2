// `gpusim sweep` end to end, locally and through SLURM: every point of the grid lands in the
// database, a point killed while it runs is recorded as failed with its signal, and running the
// same command again reruns exactly that point.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/cli/sweep_test_support.h"

namespace gpusim::test_support {
namespace {

std::string shell_arg(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// The cycles `gpusim run` reports for one point on its own (the reference for the database).
int64_t direct_run_cycles(const std::filesystem::path& dir, const std::string& args) {
  const std::filesystem::path stats = dir / "direct.json";
  const Outcome o = run_gpusim("run " + args + " --stats " + shell_arg(stats));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  std::ifstream in(stats);
  const nlohmann::json doc = nlohmann::json::parse(in);
  int64_t cycles = 0;
  for (const auto& launch : doc.at("launches")) cycles += launch.at("cycles").get<int64_t>();
  return cycles;
}

void check_kill_and_resume(const std::filesystem::path& dir, const std::string& runner_args) {
  const std::string spec = write_sweep_spec(dir);
  const std::string db = (dir / "sweep.db").string();
  const std::string command = "sweep " + shell_arg(spec) + " --db " + shell_arg(db) + " " + runner_args;
  std::future<Outcome> sweep = run_gpusim_async(command);
  const int killed = kill_slow_point_when_running(db);
  const Outcome first = sweep.get();
  ASSERT_NE(killed, 0) << "the sgemm_tiled sm.count=8 point was never seen running\n" << first.output;
  EXPECT_EQ(first.exit_code, 1) << first.output;

  const std::string select =
      "SELECT workload, size, json_extract(sets, '$.\"sm.count\"'), status, signal, error, attempts, cycles, pid "
      "FROM points ORDER BY workload, size, 3";
  auto rows = query(db, select);
  ASSERT_EQ(rows.size(), static_cast<size_t>(kSweepSpecPoints));
  for (const auto& r : rows) {
    const bool is_killed = r[0] == "sgemm_tiled" && r[2] == "8";
    EXPECT_EQ(r[3], is_killed ? "failed" : "ok") << r[0] << " " << r[1] << " sm.count=" << r[2] << ": " << r[5];
    if (is_killed) {
      EXPECT_EQ(r[4], "9");
      EXPECT_EQ(r[5].rfind("killed by signal 9", 0), 0u) << r[5];
      EXPECT_EQ(r[8], std::to_string(killed));
    }
  }

  // The same command again: only the killed point runs.
  const Outcome second = run_gpusim(command);
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, std::to_string(kSweepSpecPoints) + " points, " +
                                          std::to_string(kSweepSpecPoints - 1) + " already ok")) << second.output;
  rows = query(db, select);
  ASSERT_EQ(rows.size(), static_cast<size_t>(kSweepSpecPoints));
  for (const auto& r : rows) {
    const bool is_killed = r[0] == "sgemm_tiled" && r[2] == "8";
    EXPECT_EQ(r[3], "ok") << r[0] << " " << r[1] << ": " << r[5];
    EXPECT_EQ(r[5], "");  // an ok point keeps no error
    EXPECT_EQ(r[6], is_killed ? "2" : "1");
    EXPECT_GT(std::stoll(r[7]), 0);
  }
  // Each point's cycles are those of the same run on its own.
  const auto vecadd = query(db, "SELECT cycles FROM points WHERE workload = 'vecadd' AND size = '4096' AND "
                                "json_extract(sets, '$.\"sm.count\"') = '4'");
  ASSERT_EQ(vecadd.size(), 1u);
  EXPECT_EQ(std::stoll(vecadd[0][0]), direct_run_cycles(dir, "vecadd --size 4096 --set sm.count=4"));
}

TEST(SweepCommand, LocalPointsLandKilledPointFailsAndReruns) {
  check_kill_and_resume(scratch_dir("sweep_local"), "--jobs 2");
}

// Against the one-node SLURM cluster of scripts/slurm_local.sh, started by the ctest fixture
// (tests/CMakeLists.txt), which passes its slurm.conf in GPUSIM_TEST_SLURM_CONF.
TEST(SweepSlurm, PointsLandThroughAJobArrayKilledPointFailsAndReruns) {
  const char* conf = std::getenv("GPUSIM_TEST_SLURM_CONF");
  if (!conf || !std::filesystem::exists(conf))
    GTEST_SKIP() << "no local SLURM cluster (ctest starts one with scripts/slurm_local.sh; needs root, slurm-wlm, munge)";
  setenv("SLURM_CONF", conf, 1);
  const std::filesystem::path dir = scratch_dir("sweep_slurm");
  check_kill_and_resume(dir, "--slurm --batch 2");
  // Every point ran inside an array task.
  const auto jobs = query((dir / "sweep.db").string(), "SELECT count(*) FROM points WHERE slurm_job LIKE '%\\_%' ESCAPE '\\'");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0][0], std::to_string(kSweepSpecPoints));
  EXPECT_TRUE(std::filesystem::exists(dir / "sweep.db.slurm" / "task.sh"));
}

// A task cancelled with scancel while its point runs: the point is recorded as failed (its task
// never finished it), the others of the sweep are unaffected, and the same command reruns it.
TEST(SweepSlurm, CancelledTaskLeavesItsPointFailedAndTheRerunCompletesIt) {
  const char* conf = std::getenv("GPUSIM_TEST_SLURM_CONF");
  if (!conf || !std::filesystem::exists(conf))
    GTEST_SKIP() << "no local SLURM cluster (ctest starts one with scripts/slurm_local.sh; needs root, slurm-wlm, munge)";
  setenv("SLURM_CONF", conf, 1);
  const std::filesystem::path dir = scratch_dir("sweep_scancel");
  const std::string spec = write_file(dir / "spec.ini",
                                      "workloads = sgemm_tiled vecadd\nsizes.sgemm_tiled = 96x96x96\nsizes.vecadd = 1024\n");
  const std::string db = (dir / "sweep.db").string();
  const std::string command = "sweep " + shell_arg(spec) + " --db " + shell_arg(db) + " --slurm";
  std::future<Outcome> sweep = run_gpusim_async(command);
  bool cancelled = false;
  for (int i = 0; i < 6000 && !cancelled; ++i) {  // up to 120 s for the sgemm point to start
    const auto rows = query(db, "SELECT slurm_job FROM points WHERE workload = 'sgemm_tiled' AND status = 'running'");
    if (!rows.empty() && !rows[0][0].empty())
      cancelled = std::system(("scancel " + rows[0][0] + " 2>&1").c_str()) == 0;
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const Outcome first = sweep.get();
  ASSERT_TRUE(cancelled) << first.output;
  EXPECT_EQ(first.exit_code, 1) << first.output;
  auto rows = query(db, "SELECT workload, status, error FROM points ORDER BY workload");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "sgemm_tiled");
  EXPECT_EQ(rows[0][1], "failed");
  // The task's runner gets scancel's SIGTERM and stops its point (which keeps its output) and
  // records it; should the runner die first, the sweep records the task's end, or the point's
  // own signal when the runner outlived it.
  EXPECT_TRUE(rows[0][2].rfind("interrupted: its sweep runner got SIGTERM", 0) == 0 ||
              rows[0][2].rfind("SLURM array task ", 0) == 0 || rows[0][2].rfind("killed by signal", 0) == 0)
      << rows[0][2];
  EXPECT_EQ(rows[1][1], "ok") << rows[1][2];

  const Outcome second = run_gpusim(command);
  EXPECT_EQ(second.exit_code, 0) << second.output;
  rows = query(db, "SELECT workload, status, attempts FROM points ORDER BY workload");
  EXPECT_EQ(rows[0], (std::vector<std::string>{"sgemm_tiled", "ok", "2"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"vecadd", "ok", "1"}));
}

// Points of the other two kinds: a kernel of a PTX file (gpusim launch) and a CUDA program
// (gpusim exec), each at two sizes through {size}.
TEST(SweepCommand, LaunchAndExecPointsRunAndRecordTheirLaunch) {
  const auto dir = scratch_dir("sweep_launch_exec");
  const std::string zeros = " --arg zeros:f32:{size}";
  const std::string spec = write_file(
      dir / "spec.ini", "launch.saxpy = " GPUSIM_FIXTURES "/launch_kernels.ptx --kernel saxpy --grid 4 --block 256 "
                        "--arg u32:{size} --arg f32:2" + zeros + zeros + zeros + zeros + "\nsizes.saxpy = 512 1024\n"
                        "exec.vector_add = " GPUSIM_CUDA_PROGRAMS "/vector_add {size}\nsizes.vector_add = 1000 4000\n");
  const std::string db = (dir / "sweep.db").string();
  const Outcome o = run_gpusim("sweep " + shell_arg(spec) + " --db " + shell_arg(db));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  const auto rows = query(db, "SELECT kind, workload, size, status, launches, cycles, error FROM points ORDER BY kind, size");
  ASSERT_EQ(rows.size(), 4u) << o.output;
  const std::vector<std::vector<std::string>> expected_keys = {
      {"exec", "vector_add", "1000"}, {"exec", "vector_add", "4000"}, {"launch", "saxpy", "1024"}, {"launch", "saxpy", "512"}};
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(std::vector<std::string>(rows[i].begin(), rows[i].begin() + 3), expected_keys[i]);
    EXPECT_EQ(rows[i][3], "ok") << rows[i][6];
    EXPECT_EQ(rows[i][4], "1");  // one kernel launch each
    EXPECT_GT(std::stoll(rows[i][5].empty() ? "0" : rows[i][5]), 0);
  }
  // Each point's output is kept, ok points too: a program's own figures (a microbenchmark's
  // clock64 readings) were lost once its point succeeded (an outside researcher's finding).
  const auto outputs = query(db, "SELECT output FROM points WHERE kind = 'exec'");
  ASSERT_EQ(outputs.size(), 2u);
  for (const auto& row : outputs) EXPECT_TRUE(contains(row[0], "elements: OK (")) << row[0];
}

// A database of schema version 1 (before `output`) gains the column when a sweep writes to it,
// keeping its points; `--report` reads it before that too.
TEST(SweepCommand, AVersionOneDatabaseIsUpgradedInPlace) {
  const auto dir = scratch_dir("sweep_schema_upgrade");
  const std::string spec = write_file(dir / "spec.ini", "workloads = vecadd\nsizes.vecadd = 1024 2048\n");
  const std::string db = (dir / "sweep.db").string();
  ASSERT_EQ(run_gpusim("sweep " + shell_arg(spec) + " --db " + shell_arg(db)).exit_code, 0);
  {  // what version 1 wrote: no output column
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, "ALTER TABLE points DROP COLUMN output; UPDATE meta SET value = '1' WHERE key = 'schema_version'; "
                              "UPDATE points SET status = 'pending' WHERE size = '2048'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(h);
    sqlite3_close(h);
  }
  const Outcome old_report = run_gpusim("sweep --report " + shell_arg(db));
  EXPECT_EQ(old_report.exit_code, 0) << old_report.output;
  const Outcome resumed = run_gpusim("sweep " + shell_arg(spec) + " --db " + shell_arg(db));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(query(db, "SELECT value FROM meta WHERE key = 'schema_version'"), (std::vector<std::vector<std::string>>{{"2"}}));
  const auto rows = query(db, "SELECT size, status, output IS NULL FROM points ORDER BY size");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1024", "ok", "1"}));  // kept from before, no output then
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2048", "ok", "0"}));  // run after the upgrade
}

// A failed point shows why on the console and in the report (the last line of its output, where
// gpusim names the problem), and a --metric or --against no point has is an error, not a table
// of "-" or a plot with every point at x = 0.
TEST(SweepCommand, FailuresSayWhyAndUnknownMetricsAreRefused) {
  const auto dir = scratch_dir("sweep_failure_reasons");
  const std::string spec = write_file(dir / "spec.ini", "workloads = vecadd hopper_gemm\nsizes.vecadd = 1024\n"
                                                        "sizes.hopper_gemm = 128x256x64\n");
  const std::string db = (dir / "sweep.db").string();
  const Outcome o = run_gpusim("sweep " + shell_arg(spec) + " --db " + shell_arg(db) + " --jobs 1");
  EXPECT_NE(o.exit_code, 0) << o.output;
  const std::string why = "needs an sm_90";
  EXPECT_TRUE(contains(o.output, "exit status 2; output ends: gpusim run: hopper_gemm")) << o.output;
  EXPECT_TRUE(contains(o.output, why)) << o.output;
  const Outcome report = run_gpusim("sweep --report " + shell_arg(db));
  EXPECT_TRUE(contains(report.output, "failed ")) << report.output;
  EXPECT_TRUE(contains(report.output, why)) << report.output;
  const Outcome metric = run_gpusim("sweep --report " + shell_arg(db) + " --metric bogus.metric");
  EXPECT_EQ(metric.exit_code, 2) << metric.output;
  EXPECT_TRUE(contains(metric.output, "--metric 'bogus.metric': none of the finished points has it")) << metric.output;
  const Outcome axis = run_gpusim("sweep --report " + shell_arg(db) + " --against bogus -o " + shell_arg(dir / "p.svg"));
  EXPECT_EQ(axis.exit_code, 2) << axis.output;
  EXPECT_TRUE(contains(axis.output, "--against 'bogus': no point has it")) << axis.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "p.svg"));
  const Outcome axis_alone = run_gpusim("sweep --report " + shell_arg(db) + " --against bogus");  // no plot asked
  EXPECT_EQ(axis_alone.exit_code, 2) << axis_alone.output;
  EXPECT_TRUE(contains(axis_alone.output, "--against 'bogus': no point has it")) << axis_alone.output;
  const Outcome jobs = run_gpusim("sweep " + shell_arg(spec) + " --db " + shell_arg(db) + " --jobs -1");
  EXPECT_EQ(jobs.exit_code, 2) << jobs.output;
  EXPECT_TRUE(contains(jobs.output, "--jobs -1: expected 1 to 4096")) << jobs.output;
  // Options that would be ignored are refused too (a negative --timeout ran without a limit).
  const Outcome timeout = run_gpusim("sweep " + shell_arg(spec) + " --db " + shell_arg(db) + " --timeout -1");
  EXPECT_EQ(timeout.exit_code, 2) << timeout.output;
  EXPECT_TRUE(contains(timeout.output, "--timeout must be 0 (no limit) or a positive number")) << timeout.output;
  const Outcome batch = run_gpusim("sweep " + shell_arg(spec) + " --db " + shell_arg(db) + " --batch 3");
  EXPECT_EQ(batch.exit_code, 2) << batch.output;
  EXPECT_TRUE(contains(batch.output, "--batch and --sbatch-args apply to --slurm runs")) << batch.output;
}

// A point past --timeout is stopped with SIGTERM first, so gpusim's own account of the stop is in
// the stored error (SIGKILL at once left no output: an outside researcher's report).
TEST(SweepCommand, TimedOutPointKeepsItsOutput) {
  const auto dir = scratch_dir("sweep_timeout");
  const std::string spec = write_file(dir / "spec.ini", "workloads = sgemm_tiled\nsizes.sgemm_tiled = 512x512x512\n");
  const std::string db = (dir / "sweep.db").string();
  const Outcome o = run_gpusim("sweep " + shell_arg(spec) + " --db " + shell_arg(db) + " --timeout 0.5");
  EXPECT_NE(o.exit_code, 0) << o.output;
  const auto rows = query(db, "SELECT status, error FROM points");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "failed");
  EXPECT_TRUE(contains(rows[0][1], "timed out after 0.5 s (stopped by SIGTERM)")) << rows[0][1];
  EXPECT_TRUE(contains(rows[0][1], "gpusim run: interrupted by SIGTERM")) << rows[0][1];
}

TEST(SweepCommand, BadSpecIsAUsageErrorNamingTheLine) {
  const auto dir = scratch_dir("sweep_bad_spec");
  const std::string spec = write_file(dir / "bad.ini", "workloads = vecadd\nsizes.vecadd = 12x\n");
  const Outcome o = run_gpusim("sweep " + shell_arg(spec));
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_TRUE(contains(o.output, spec + ":2: size '12x' of vecadd")) << o.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.db"));
  const Outcome report = run_gpusim("sweep --report " + shell_arg(dir / "missing.db"));
  EXPECT_EQ(report.exit_code, 2);
  EXPECT_TRUE(contains(report.output, "no sweep database '" + (dir / "missing.db").string() + "'")) << report.output;
}

// --report reads; a path that is no sweep database is refused and left as it was (the report
// created gpusim's tables in an unrelated database and in an empty file, and printed "0 points").
TEST(SweepCommand, ReportRefusesADatabaseThatIsNoSweepsAndWritesNothing) {
  const auto dir = scratch_dir("sweep_foreign_db");
  const std::string empty = write_file(dir / "empty.db", "");
  const Outcome o = run_gpusim("sweep --report " + shell_arg(empty));
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "not a gpusim sweep database (it is empty)")) << o.output;
  EXPECT_EQ(std::filesystem::file_size(empty), 0u);
  const std::string foreign = (dir / "shop.db").string();
  const std::string make = "python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                           "c.execute(\"CREATE TABLE customers (name TEXT)\"); c.commit()' " + shell_arg(foreign);
  if (std::system(make.c_str()) != 0) GTEST_SKIP() << "python3's sqlite3 module is not available";
  const auto before = std::filesystem::file_size(foreign);
  const Outcome f = run_gpusim("sweep --report " + shell_arg(foreign));
  EXPECT_NE(f.exit_code, 0) << f.output;
  EXPECT_TRUE(contains(f.output, "not a gpusim sweep database (it has other tables and no sweep schema)")) << f.output;
  EXPECT_EQ(std::filesystem::file_size(foreign), before);
  // A sweep run into it is refused the same way.
  const std::string spec = write_file(dir / "s.ini", "workloads = vecadd\nsizes.vecadd = 64\n");
  const Outcome run = run_gpusim("sweep " + shell_arg(spec) + " --db " + shell_arg(foreign));
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "not a gpusim sweep database")) << run.output;
}

}  // namespace
}  // namespace gpusim::test_support
