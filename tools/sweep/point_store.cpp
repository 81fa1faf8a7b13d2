#include "tools/sweep/point_store.h"

#include <sqlite3.h>

#include <ctime>

#include <nlohmann/json.hpp>

namespace gpusim::cli::sweep {

namespace {

// 2: `output` (the tail of a point's output, ok points too). A version-1 database gains the column
// when opened for writing; read-only, its points read with no output.
constexpr int kSchemaVersion = 2;
constexpr int kBusyTimeoutMs = 120'000;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
  id           TEXT PRIMARY KEY,
  sweep        TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('workload', 'launch', 'exec')),
  workload     TEXT NOT NULL,
  size         TEXT NOT NULL,
  config       TEXT NOT NULL,
  config_path  TEXT NOT NULL,
  config_hash  TEXT NOT NULL,
  sets         TEXT NOT NULL,
  mode         TEXT NOT NULL,
  seed         INTEGER NOT NULL,
  command      TEXT NOT NULL,
  workdir      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'running', 'ok', 'failed')),
  slurm_task   INTEGER,
  slurm_job    TEXT,
  revision     TEXT,
  cycles       INTEGER,
  seconds      REAL,
  launches     INTEGER,
  stats        TEXT,
  host_seconds REAL,
  exit_code    INTEGER,
  signal       INTEGER,
  error        TEXT,
  output       TEXT,
  attempts     INTEGER NOT NULL DEFAULT 0,
  host         TEXT,
  pid          INTEGER,
  started_at   TEXT,
  finished_at  TEXT
);
CREATE INDEX IF NOT EXISTS points_by_status ON points (status);
CREATE INDEX IF NOT EXISTS points_by_workload ON points (workload, config);
CREATE INDEX IF NOT EXISTS points_by_task ON points (slurm_task);
)sql";

// One prepared statement; binds by position (1-based), steps, reads columns.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw StoreError(std::string("SQL error: ") + sqlite3_errmsg(db) + " in: " + sql);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  template <typename T>
  Statement& bind(int i, const std::optional<T>& v) {
    if (v) return bind(i, static_cast<std::conditional_t<std::is_floating_point_v<T>, double, int64_t>>(*v));
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  bool step() {  // true: a row is ready
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("SQLite: ") + sqlite3_errmsg(db_));
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  std::optional<int64_t> integer(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, col);
  }
  std::optional<double> real(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(stmt_, col);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

RunnablePoint runnable_from(const Statement& s) {  // columns: id, command, workdir
  RunnablePoint p;
  p.id = s.text(0);
  p.command = nlohmann::json::parse(s.text(1)).get<std::vector<std::string>>();
  p.workdir = s.text(2);
  return p;
}

}  // namespace

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

PointStore::PointStore(const std::string& path, bool read_only) : path_(path) {
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw StoreError("cannot open sweep database '" + path + "': " + why);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    bool has_tables = false, has_meta = false;
    {  // finished before the journal mode changes (an open statement holds a read transaction)
      Statement tables(db_, "SELECT count(*), sum(name = 'meta') FROM sqlite_master WHERE type = 'table'");
      tables.step();
      has_tables = tables.integer(0).value_or(0) > 0;
      has_meta = tables.integer(1).value_or(0) > 0;
    }
    if ((has_tables || read_only) && !has_meta)
      throw StoreError(has_tables ? "not a gpusim sweep database (it has other tables and no sweep schema)"
                                  : "not a gpusim sweep database (it is empty)");
    if (read_only) {  // a version-1 database is read as it is, without the output column
      has_output_column_ = reads_output_column();
      return;
    }
    exec("PRAGMA journal_mode=WAL");
    exec("BEGIN IMMEDIATE");
    exec(kSchema);
    std::string found;  // the stored schema version, "" when new
    {
      Statement version(db_, "SELECT value FROM meta WHERE key = 'schema_version'");
      if (version.step()) found = version.text(0);
    }
    if (found == "1") {  // adds the output column; nothing else changed
      exec("ALTER TABLE points ADD COLUMN output TEXT");
      exec("UPDATE meta SET value = '" + std::to_string(kSchemaVersion) + "' WHERE key = 'schema_version'");
    } else if (found.empty()) {
      exec("INSERT INTO meta VALUES ('schema_version', '" + std::to_string(kSchemaVersion) + "')");
    } else if (found != std::to_string(kSchemaVersion)) {
      throw StoreError("'" + path + "' has sweep schema version " + found + "; this gpusim writes version " +
                       std::to_string(kSchemaVersion));
    }
    exec("COMMIT");
  } catch (const StoreError& e) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    throw StoreError("sweep database '" + path + "': " + e.what());
  }
}

PointStore::~PointStore() { sqlite3_close(db_); }

void PointStore::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw StoreError("SQLite: " + why);
  }
}

void PointStore::add_points(const std::vector<SweepPoint>& points, const std::string& sweep) {
  exec("BEGIN IMMEDIATE");
  try {
    Statement insert(db_,
                     "INSERT OR IGNORE INTO points (id, sweep, kind, workload, size, config, config_path, config_hash, "
                     "sets, mode, seed, command, workdir, status) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,'pending')");
    for (const SweepPoint& p : points) {
      nlohmann::ordered_json sets = nlohmann::ordered_json::object();
      for (const auto& [k, v] : p.sets) sets[k] = v;
      insert.bind(1, p.id).bind(2, sweep).bind(3, std::string(point_kind_name(p.kind))).bind(4, p.workload);
      insert.bind(5, p.size).bind(6, p.config_label).bind(7, p.config_path).bind(8, p.config_hash);
      insert.bind(9, sets.dump()).bind(10, p.mode).bind(11, static_cast<int64_t>(p.seed));
      insert.bind(12, nlohmann::json(p.command).dump()).bind(13, p.workdir);
      insert.step();
      insert.reset();
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<RunnablePoint> PointStore::to_run(const std::vector<std::string>& ids, bool rerun_all) {
  std::vector<RunnablePoint> out;
  Statement select(db_, "SELECT id, command, workdir, status FROM points WHERE id = ?1");
  for (const std::string& id : ids) {
    select.bind(1, id);
    if (select.step() && (rerun_all || select.text(3) != "ok")) out.push_back(runnable_from(select));
    select.reset();
  }
  return out;
}

int PointStore::assign_tasks(const std::vector<RunnablePoint>& points, int batch) {
  exec("BEGIN IMMEDIATE");
  try {
    exec("UPDATE points SET slurm_task = NULL");
    Statement update(db_, "UPDATE points SET slurm_task = ?2, status = 'pending' WHERE id = ?1");
    for (size_t i = 0; i < points.size(); ++i) {
      update.bind(1, points[i].id).bind(2, static_cast<int64_t>(i / batch));
      update.step();
      update.reset();
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return static_cast<int>((points.size() + batch - 1) / batch);
}

std::vector<RunnablePoint> PointStore::task_points(int task) {
  std::vector<RunnablePoint> out;
  Statement select(db_, "SELECT id, command, workdir FROM points WHERE slurm_task = ?1 AND status != 'ok' ORDER BY rowid");
  select.bind(1, static_cast<int64_t>(task));
  while (select.step()) out.push_back(runnable_from(select));
  return out;
}

void PointStore::mark_running(const std::string& id, const std::string& host, int64_t pid, const std::string& slurm_job) {
  Statement update(db_,
                   "UPDATE points SET status = 'running', attempts = attempts + 1, host = ?2, pid = ?3, slurm_job = ?4, "
                   "started_at = ?5, finished_at = NULL WHERE id = ?1");
  update.bind(1, id).bind(2, host).bind(3, pid).bind(4, slurm_job).bind(5, utc_now_iso8601());
  update.step();
}

void PointStore::record_result(const std::string& id, const PointResult& r) {
  Statement update(db_,
                   "UPDATE points SET status = ?2, revision = ?3, cycles = ?4, seconds = ?5, launches = ?6, stats = ?7, "
                   "host_seconds = ?8, exit_code = ?9, signal = ?10, error = ?11, finished_at = ?12, output = ?13 "
                   "WHERE id = ?1");
  update.bind(1, id).bind(2, std::string(r.ok ? "ok" : "failed")).bind(3, r.revision).bind(4, r.cycles);
  update.bind(5, r.seconds).bind(6, r.launches).bind(7, r.stats).bind(8, r.host_seconds);
  update.bind(9, r.exit_code).bind(10, r.signal);
  if (r.ok) update.bind(11, std::optional<int64_t>{});  // NULL: an ok point has no error
  else update.bind(11, r.error);
  update.bind(12, utc_now_iso8601());
  update.bind(13, r.output);
  update.step();
}

int PointStore::fail_unfinished(const std::vector<std::string>& ids, const std::string& error) {
  int failed = 0;
  Statement update(db_,
                   "UPDATE points SET status = 'failed', error = ?2, finished_at = ?3 "
                   "WHERE id = ?1 AND status IN ('pending', 'running')");
  for (const std::string& id : ids) {
    update.bind(1, id).bind(2, error).bind(3, utc_now_iso8601());
    update.step();
    failed += sqlite3_changes(db_);
    update.reset();
  }
  return failed;
}

std::vector<StoredPoint> PointStore::all_points() {
  std::vector<StoredPoint> out;
  Statement select(db_,
                   "SELECT id, sweep, kind, workload, size, config, sets, mode, status, revision, stats, error, cycles, "
                   "seconds, host_seconds, attempts, " + std::string(has_output_column_ ? "output" : "NULL") +
                       ", config_hash FROM points ORDER BY rowid");
  while (select.step()) {
    StoredPoint p;
    p.id = select.text(0), p.sweep = select.text(1), p.kind = select.text(2), p.workload = select.text(3);
    p.size = select.text(4), p.config = select.text(5), p.sets_json = select.text(6), p.mode = select.text(7);
    p.status = select.text(8), p.revision = select.text(9), p.stats = select.text(10), p.error = select.text(11);
    p.cycles = select.integer(12), p.seconds = select.real(13), p.host_seconds = select.real(14);
    p.attempts = select.integer(15).value_or(0);
    p.output = select.text(16);
    p.config_hash = select.text(17);
    out.push_back(std::move(p));
  }
  return out;
}

bool PointStore::reads_output_column() {
  Statement columns(db_, "SELECT count(*) FROM pragma_table_info('points') WHERE name = 'output'");
  columns.step();
  return columns.integer(0).value_or(0) > 0;
}

int64_t PointStore::count_with_status(const std::string& status) {
  Statement count(db_, "SELECT count(*) FROM points WHERE status = ?1");
  count.bind(1, status);
  count.step();
  return count.integer(0).value_or(0);
}

}  // namespace gpusim::cli::sweep
