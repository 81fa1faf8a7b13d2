// The local pool: `jobs` threads, each running one point's child process at a time.
#include <unistd.h>

#include <atomic>
#include <iomanip>
#include <mutex>
#include <ostream>
#include <thread>

#include "sim/interrupt_flag.h"
#include "tools/sweep/sweep_runners.h"

namespace gpusim::cli::sweep {

namespace {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "?";
  return name;
}

std::string describe(const RunnablePoint& p) {
  std::string text;
  for (const std::string& word : p.command) text += (text.empty() ? "" : " ") + word;
  return text.size() > 110 ? text.substr(0, 107) + "..." : text;
}

}  // namespace

RunSummary run_points_locally(PointStore& store, const std::vector<RunnablePoint>& points, const ChildSettings& settings,
                              int jobs, const std::string& slurm_job, std::ostream& progress) {
  const std::string host = host_name();
  std::atomic<size_t> next{0};
  std::mutex lock;  // guards summary, progress and the first error; the store serializes itself
  RunSummary summary;
  size_t done = 0;
  std::exception_ptr first_error;

  auto worker = [&] {
    // After the sweep's own SIGINT/SIGTERM no new point starts; the running ones stop.
    for (size_t i; sim::interrupt_signal() == 0 && (i = next++) < points.size();) {
      const RunnablePoint& point = points[i];
      try {
        const PointResult r = run_point_process(point, settings, [&](pid_t pid) {
          store.mark_running(point.id, host, pid, slurm_job);
        });
        store.record_result(point.id, r);
        std::lock_guard<std::mutex> guard(lock);
        ++done;
        (r.ok ? summary.ok : summary.failed)++;
        progress << "[" << done << "/" << points.size() << "] " << (r.ok ? "ok    " : "FAILED") << " " << point.id << " "
                 << std::fixed << std::setprecision(2) << r.host_seconds << " s  " << describe(point) << "\n";
        if (!r.ok) progress << "    " << error_summary(r.error) << "\n";
        progress.unsetf(std::ios::fixed);
        progress.flush();
      } catch (...) {  // the store or fork failed: stop handing out points, report after the join
        std::lock_guard<std::mutex> guard(lock);
        if (!first_error) first_error = std::current_exception();
        next = points.size();
      }
    }
  };
  const int threads = std::max(1, std::min<int>(jobs, static_cast<int>(points.size())));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);
  return summary;
}

}  // namespace gpusim::cli::sweep
