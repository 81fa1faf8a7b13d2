// Running one sweep point as a child process (`gpusim run|launch|exec ... --stats FILE`), so a
// point that crashes, faults or is killed cannot take the sweep down: its exit status or signal
// and the tail of its output become the point's error.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "tools/sweep/point_store.h"

namespace gpusim::cli::sweep {

struct ChildSettings {
  std::string gpusim;      // the gpusim executable the points run
  std::string revision;    // recorded with each result
  double timeout_s = 0;    // > 0: SIGTERM a point running longer (SIGKILL 5 s later)
};

// Runs `point` in its workdir and waits for it. When the sweep itself gets SIGINT/SIGTERM
// (sim::interrupt_signal), the point is passed one SIGTERM and recorded failed as interrupted. `started` is called with the child's pid once it
// runs (the store records it). Never throws for what the child does; throws std::runtime_error
// only when no child can be started (fork/pipe failure).
PointResult run_point_process(const RunnablePoint& point, const ChildSettings& settings,
                              const std::function<void(pid_t)>& started);

// Sums of the per-launch statistics document written by --stats: cycles (none when no launch has
// cycles, as in functional mode), simulated seconds, the number of launches. Throws
// nlohmann::json::exception on text that is not such a document.
void summarize_stats(const std::string& stats_json, PointResult& result);

// One line for a failed point's error (PointResult::error): its first line and, when that only
// says how the run ended ("exit status 2; output ends:"), the last non-empty line of the output,
// which is where a gpusim command names what went wrong.
std::string error_summary(const std::string& error);

// The path of the running executable (/proc/self/exe).
std::string self_executable();

}  // namespace gpusim::cli::sweep
