// The SQLite database of a sweep (schema in docs/SWEEPS.md): one row per point with its
// parameters, status and result. Several processes (the local pool, SLURM array tasks) write it at
// once: WAL journal and a 120 s busy timeout, each write its own short transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/sweep/sweep_spec.h"

struct sqlite3;

namespace gpusim::cli::sweep {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a runner needs to run a point.
struct RunnablePoint {
  std::string id;
  std::vector<std::string> command;  // gpusim's argv after the binary, without --stats
  std::string workdir;
};

// How a point ended.
struct PointResult {
  bool ok = false;
  std::string revision;
  std::optional<int64_t> cycles;     // summed over launches; none in functional mode
  std::optional<double> seconds;     // simulated seconds, summed over launches
  int64_t launches = 0;
  std::string stats;                 // the --stats JSON document ("" if none was written)
  double host_seconds = 0;           // wall time of the child
  std::optional<int> exit_code, signal;
  std::string error;                 // failed points: why, with the tail of the output
  std::string output;                // the last 64 KiB of the point's stdout and stderr, ok or not
};

// A row for `gpusim sweep --report` and the tests.
struct StoredPoint {
  std::string id, sweep, kind, workload, size, config, config_hash, sets_json, mode, status, revision, stats, error, output;
  std::optional<int64_t> cycles;
  std::optional<double> seconds, host_seconds;
  int64_t attempts = 0;
};

class PointStore {
 public:
  // Creates the file and schema when missing (`read_only`: the file must exist and be a sweep
  // database; nothing is written). A database with other tables and no sweep schema is refused:
  // a wrong path must not gain gpusim's tables.
  explicit PointStore(const std::string& path, bool read_only = false);
  ~PointStore();
  PointStore(const PointStore&) = delete;
  PointStore& operator=(const PointStore&) = delete;

  // Inserts the points not yet present (status 'pending'); existing rows keep their results.
  void add_points(const std::vector<SweepPoint>& points, const std::string& sweep);
  // Of `ids`, those to run: status other than 'ok' (all of them with rerun_all).
  std::vector<RunnablePoint> to_run(const std::vector<std::string>& ids, bool rerun_all);
  // SLURM: numbers `points` into array tasks (batch per task) and marks them pending; returns the
  // number of tasks. Rows outside `points` lose any task number.
  int assign_tasks(const std::vector<RunnablePoint>& points, int batch);
  // The points of one array task that are not yet ok.
  std::vector<RunnablePoint> task_points(int task);

  void mark_running(const std::string& id, const std::string& host, int64_t pid, const std::string& slurm_job);
  void record_result(const std::string& id, const PointResult& result);
  // Points of `ids` still pending or running (their runner died): failed with `error`. Returns how many.
  int fail_unfinished(const std::vector<std::string>& ids, const std::string& error);

  std::vector<StoredPoint> all_points();
  int64_t count_with_status(const std::string& status);

 private:
  void exec(const std::string& sql);
  bool reads_output_column();  // asked once, at a read-only open
  sqlite3* db_ = nullptr;
  bool has_output_column_ = true;  // false: a version-1 database opened read-only
  std::string path_;
};

std::string utc_now_iso8601();

}  // namespace gpusim::cli::sweep
