// The SLURM path: one job array, `sbatch --wait`, then the bookkeeping for tasks that died.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <stdexcept>

#include "tools/sweep/sweep_runners.h"
#include "sim/output_file.h"

extern char** environ;

namespace gpusim::cli::sweep {

namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs argv[0] from PATH with stdout captured (stderr passes through); returns the exit status
// (128 + signal when killed) and the output.
int run_capturing(const std::vector<std::string>& args, std::string& output) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot run '" + args[0] + "': " + std::strerror(rc) +
                             (rc == ENOENT ? " (is SLURM installed and on PATH?)" : ""));
  }
  char buffer[4096];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string write_task_script(const fs::path& dir, const std::string& db_path, const ChildSettings& settings,
                              const SlurmSettings& slurm) {
  const fs::path script = dir / "task.sh";
  std::ofstream f(script);
  f << "#!/bin/sh\n# Written by gpusim sweep --slurm: one array task runs its batch of points into the database.\n"
    << "exec " << shell_quote(settings.gpusim) << " sweep --run-points " << shell_quote(db_path)
    << " --task-index \"$SLURM_ARRAY_TASK_ID\" --jobs " << slurm.jobs_per_task;
  if (settings.timeout_s > 0) f << " --timeout " << settings.timeout_s;
  f << "\n";
  sim::close_or_throw(f, script.string());
  fs::permissions(script, fs::perms::owner_all, fs::perm_options::add);
  return script.string();
}

}  // namespace

std::string slurm_task_label() {
  const char* job = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
  if (job && task) return std::string(job) + "_" + task;
  const char* plain = std::getenv("SLURM_JOB_ID");
  return plain ? plain : "";
}

RunSummary run_points_on_slurm(PointStore& store, const std::string& db_path, const std::vector<RunnablePoint>& points,
                               const ChildSettings& settings, const SlurmSettings& slurm, std::ostream& progress) {
  RunSummary summary;
  if (points.empty()) return summary;
  const int tasks = store.assign_tasks(points, slurm.batch);
  const fs::path log_dir = fs::absolute(db_path + ".slurm");
  fs::create_directories(log_dir);
  const std::string script = write_task_script(log_dir, fs::absolute(db_path).string(), settings, slurm);

  std::vector<std::string> args = {slurm.sbatch, "--parsable", "--wait", "--array=0-" + std::to_string(tasks - 1),
                                   "--job-name=gpusim-sweep", "--output=" + (log_dir / "task-%A_%a.out").string(),
                                   "--cpus-per-task=" + std::to_string(slurm.jobs_per_task)};
  args.insert(args.end(), slurm.sbatch_args.begin(), slurm.sbatch_args.end());
  args.push_back(script);
  progress << "submitting " << points.size() << " points as " << tasks << " SLURM array tasks (" << slurm.batch
           << " per task); logs in " << log_dir.string() << "\n";
  progress.flush();
  std::string output;
  const int status = run_capturing(args, output);
  const std::string job = output.substr(0, output.find_first_of(";\n"));
  if (job.empty())  // nothing was submitted
    throw std::runtime_error("sbatch failed (exit status " + std::to_string(status) + "; its messages are above)" +
                             (output.empty() ? "" : ": " + output));
  progress << "SLURM job " << job << " ended (sbatch exit status " << status << ")\n";

  // Points a task never finished: their runner died with it.
  int failed_here = 0;
  for (int task = 0; task < tasks; ++task) {
    std::vector<std::string> ids;
    for (size_t i = task * static_cast<size_t>(slurm.batch); i < points.size() && i < (task + 1) * static_cast<size_t>(slurm.batch); ++i)
      ids.push_back(points[i].id);
    const std::string log = (log_dir / ("task-" + job + "_" + std::to_string(task) + ".out")).string();
    failed_here += store.fail_unfinished(ids, "SLURM array task " + job + "_" + std::to_string(task) +
                                                  " ended before the point finished (cancelled, time limit or node failure?); task log: " + log);
  }
  if (failed_here > 0) progress << failed_here << " points were left unfinished by their SLURM tasks: marked failed\n";

  std::set<std::string> ids;
  for (const RunnablePoint& p : points) ids.insert(p.id);
  for (const StoredPoint& p : store.all_points()) {
    if (!ids.count(p.id)) continue;
    (p.status == "ok" ? summary.ok : summary.failed)++;
  }
  return summary;
}

}  // namespace gpusim::cli::sweep
