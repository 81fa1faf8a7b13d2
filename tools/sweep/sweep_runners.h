// Running a sweep's points: locally with a pool of child processes, or on a SLURM cluster as one
// job array whose tasks each run a batch of points (`gpusim sweep --run-points DB --task-index I`)
// and write their results into the same database.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "tools/sweep/point_process.h"
#include "tools/sweep/point_store.h"

namespace gpusim::cli::sweep {

struct RunSummary {
  int ok = 0, failed = 0;
};

// Runs `points` with at most `jobs` children at once, recording each start and result in `store`;
// one progress line per finished point on `progress`. `slurm_job` ("" locally) is recorded too.
RunSummary run_points_locally(PointStore& store, const std::vector<RunnablePoint>& points, const ChildSettings& settings,
                              int jobs, const std::string& slurm_job, std::ostream& progress);

struct SlurmSettings {
  std::vector<std::string> sbatch_args;  // extra sbatch options (partition, time limit, account...)
  int batch = 1;                         // points per array task
  int jobs_per_task = 1;                 // children per task (and --cpus-per-task)
  std::string sbatch = "sbatch";
};

// Numbers `points` into array tasks, submits `sbatch --wait --array=0-N` running this gpusim with
// --run-points on `db_path`, waits for the array, then marks points that no task finished (a task
// killed by scancel, a time limit or a node failure) as failed, naming the task's log file (under
// DB.slurm/). Returns the outcome of the points as recorded in the database.
RunSummary run_points_on_slurm(PointStore& store, const std::string& db_path, const std::vector<RunnablePoint>& points,
                               const ChildSettings& settings, const SlurmSettings& slurm, std::ostream& progress);

// The SLURM job/task this process runs in ("JOB_TASK"), or "" outside SLURM.
std::string slurm_task_label();

}  // namespace gpusim::cli::sweep
