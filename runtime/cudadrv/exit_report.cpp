// What the driver reports when the program exits: a per-kernel summary of the launches on
// stderr (unless GPUSIM_QUIET=1) and every launch's statistics as JSON in GPUSIM_STATS.
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "runtime/cudadrv/driver_state.h"
#include "runtime/fatal_signal_report.h"
#include "runtime/kernel_error_exit.h"
#include "sim/output_file.h"

namespace gpusim::cudadrv {

namespace {

struct KernelTotals {
  size_t launches = 0;
  uint64_t warp_instructions = 0;
  uint64_t cycles = 0;
  double seconds = 0;
  double host_seconds = 0;
};

void print_summary(const DriverState& s, bool timing) {
  std::map<std::string, KernelTotals> kernels;
  for (const LaunchRecord& l : s.launches) {
    KernelTotals& t = kernels[l.stats.kernel];
    ++t.launches;
    t.warp_instructions += l.stats.warp_instructions;
    t.cycles += l.stats.cycles;
    t.seconds += l.stats.seconds;
    t.host_seconds += l.stats.host_seconds;
  }
  for (const runtime::FoldedKernelLaunches& k : s.folded_launches.kernels()) {
    KernelTotals& t = kernels[k.kernel];
    t.launches += k.launches;
    t.warp_instructions += k.warp_instructions;
    t.cycles += k.cycles;
    t.seconds += k.seconds;
    t.host_seconds += k.host_seconds;
  }
  std::fprintf(stderr, "gpusim libcuda: %llu launches (%s mode)\n",
               (unsigned long long)(s.launches.size() + s.folded_launches.launches()), timing ? "timing" : "functional");
  std::fprintf(stderr, "  %-32s %8s %16s %14s %12s %12s\n", "kernel", "launches", "warp instr", "sim cycles",
               "sim us", "host ms");
  for (const auto& [name, t] : kernels)
    std::fprintf(stderr, "  %-32s %8zu %16llu %14llu %12.2f %12.2f\n", name.c_str(), t.launches,
                 static_cast<unsigned long long>(t.warp_instructions), static_cast<unsigned long long>(t.cycles),
                 t.seconds * 1e6, t.host_seconds * 1e3);
}

void write_stats(const std::string& path, const DriverState& s) {
  nlohmann::json out = nlohmann::json::array();
  for (const LaunchRecord& l : s.launches) {
    nlohmann::json j{{"kernel", l.stats.kernel},
                     {"ctas", l.stats.ctas},
                     {"warp_instructions", l.stats.warp_instructions},
                     {"thread_instructions", l.stats.thread_instructions},
                     {"cycles", l.stats.cycles},
                     {"seconds", l.stats.seconds},
                     {"host_seconds", l.stats.host_seconds}};
    if (!l.stats.report_json.empty()) j["timing"] = nlohmann::json::parse(l.stats.report_json, nullptr, false);
    // GPUSIM_SOURCE_REPORT's per-line counters beside "timing", as libcudart writes them.
    if (j.contains("timing") && j["timing"].is_object() && j["timing"].contains("source")) {
      j["source"] = std::move(j["timing"]["source"]);
      j["timing"].erase("source");
    }
    out.push_back(std::move(j));
  }
  // Launches past the kept ones: one object per kernel, marked "folded", with its "launches" count.
  for (const runtime::FoldedKernelLaunches& k : s.folded_launches.kernels()) {
    nlohmann::json j = runtime::folded_launches_json(k, s.environment.device.race_check);
    j["folded"] = true;
    j["kernel"] = k.kernel;  // the name the whole launches' objects give
    out.push_back(std::move(j));
  }
  try {
    sim::write_file_completely(path, out.dump(1) + "\n");
  } catch (const std::exception& e) {
    report(std::string("GPUSIM_STATS: ") + e.what());
  }
}

void report_locked(DriverState& s) {
  std::fflush(stdout);  // the program's buffered last lines come before the report
  const bool timing = s.environment.device.mode == runtime::SimMode::Timing;
  if (s.device) {  // the GPUSIM_TRACE / GPUSIM_VCD files end here: the device is never destroyed
    try {
      runtime::finish_profiling(*s.device);
    } catch (const std::exception& e) {
      report(e.what());
    }
  }
  if (!s.environment.quiet && !s.launches.empty()) print_summary(s, timing);
  if (!s.environment.quiet)  // a sampled prediction is read with its estimated error
    for (const LaunchRecord& l : s.launches)
      if (!l.stats.sampling_text.empty()) std::fprintf(stderr, "  %s: %s\n", l.stats.kernel.c_str(), l.stats.sampling_text.c_str());
  if (s.environment.device.profiling.source_report > 0)  // asked for by name: under --quiet too
    for (const LaunchRecord& l : s.launches)
      if (l.stats.report_json.find("\"source\"") != std::string::npos)
        std::fprintf(stderr, "\n  %s\n%s", l.stats.kernel.c_str(), l.stats.report_text.c_str());
  // Sharing libcudart's device, the launches are in its report and its GPUSIM_STATS file.
  if (!s.environment.stats_path.empty() && !s.record_in_runtime) write_stats(s.environment.stats_path, s);
  uint64_t races = 0;
  for (const LaunchRecord& l : s.launches) races += l.stats.race_hazards;
  for (const runtime::FoldedKernelLaunches& k : s.folded_launches.kernels()) races += k.race_hazards;
  runtime::mark_kernel_errors(s.faulted_launches, races, s.refused_launches);  // for --error-exitcode (runtime/kernel_error_exit.h)
}

void report_at_exit() {
  DriverState& s = driver_state();
  std::lock_guard<std::mutex> lock(s.mutex);
  report_locked(s);
}

// The program dies of a signal (runtime/fatal_signal_report.h): the same report, unless another
// thread (or the crashed code) is inside the driver and holds its lock.
void report_at_fatal_signal(int signal) {
  DriverState& s = driver_state();
  std::unique_lock<std::mutex> lock(s.mutex, std::try_to_lock);
  if (!lock.owns_lock() || s.record_in_runtime || s.launches.empty()) return;
  if (!s.environment.quiet) {
    runtime::write_stderr_raw("gpusim libcuda: the program is ending on ");
    runtime::write_stderr_raw(runtime::fatal_signal_name(signal));
    runtime::write_stderr_raw(" (its exit handlers will not run); the launches so far:\n");
  }
  report_locked(s);
}

}  // namespace

void register_exit_report() {
  std::atexit(report_at_exit);
  std::at_quick_exit(report_at_exit);  // quick_exit() skips the atexit handlers
  runtime::report_on_fatal_signal(report_at_fatal_signal);
}

}  // namespace gpusim::cudadrv
