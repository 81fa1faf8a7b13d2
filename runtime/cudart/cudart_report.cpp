// What a program ran, printed when it exits: one row per launch (kernel, grid, block,
// warp-instructions, cycles, simulated and host time), or per kernel for programs of many
// launches, and totals on stderr, and every launch's statistics as JSON where GPUSIM_STATS names a
// file. The program's own output is untouched.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/diagnostic_stream.h"
#include "isa/kernel_names.h"
#include "runtime/cudart/cudart_context.h"
#include "sim/build_revision.h"
#include "runtime/cudart/stats_file_merge.h"
#include "runtime/fatal_signal_report.h"
#include "runtime/kernel_error_exit.h"
#include "runtime/kernel_table_names.h"
#include "sim/interrupt_flag.h"
#include "sim/output_file.h"

namespace gpusim::cudart {

namespace {

// Kernel names as the user wrote them (isa/kernel_names.h).
std::string demangle(const std::string& name) { return isa::demangled_kernel_name(name); }

// Launches listed one by one at most (faults, sampled predictions, source reports) when the table
// has a row per kernel.
constexpr size_t kListedAtMost = 20;
constexpr size_t kKernelColumn = 40;  // the kernel column's width (names are shortened to fit)

std::string dims(const dim3& d) {
  return std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z);
}

// The name each kernel (by its full name, with its nesting marks) has in the table
// (runtime/kernel_table_names.h: instantiations of one template told apart by the argument that
// differs, numbered where even that is alike).
using TableNames = runtime::KernelTableNames;
TableNames table_names(const Context& ctx) {
  std::vector<std::string> distinct;  // by first launch (a program may make a million launches)
  std::set<std::string> seen;
  for (const LaunchRecord& l : ctx.launches) {
    std::string full = std::string(l.depth, '>') + demangle(l.kernel);
    if (seen.insert(full).second) distinct.push_back(std::move(full));
  }
  for (const runtime::FoldedKernelLaunches& k : ctx.folded_launches.kernels()) {
    std::string full = std::string(k.depth, '>') + demangle(k.kernel);
    if (seen.insert(full).second) distinct.push_back(std::move(full));
  }
  return runtime::kernel_table_names(distinct, kKernelColumn);
}

std::string table_name(const TableNames& names, const std::string& kernel, unsigned depth) {
  return names.shown.at(std::string(depth, '>') + demangle(kernel));
}

// The table's numeric columns for one row (a launch, a kernel's launches or the total).
void print_row(const char* first, const std::string& kernel, const std::string& grid, const std::string& block,
               const std::string& warp_inst, const std::string& cycles, const std::string& sim_time, double host) {
  std::fprintf(gpusim::runtime::diagnostic_stream(), "  %8s  %-40s %-14s %-12s %14s %12s %12s %10.3f\n", first, runtime::shorten_kernel_name(kernel, kKernelColumn).c_str(), grid.c_str(),
               block.c_str(), warp_inst.c_str(), cycles.c_str(), sim_time.c_str(), host);
}

std::string sim_time_text(double seconds) { return std::to_string(seconds * 1e6).substr(0, 9) + " us"; }

std::string shape_text(const runtime::Dim3& d, bool one) {
  return one ? std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) : "various";
}

void print_header(const char* first) {
  std::fprintf(gpusim::runtime::diagnostic_stream(), "  %8s  %-40s %-14s %-12s %14s %12s %12s %10s\n", first, "kernel", "grid", "block", "warp-inst",
               "cycles", "sim time", "host s");
}

// Faulted launches past the kept ones: each kernel's first, by number.
void print_folded_faults(const Context& ctx) {
  for (const runtime::FoldedKernelLaunches& k : ctx.folded_launches.kernels()) {
    if (k.faulted == 0) continue;
    std::fprintf(gpusim::runtime::diagnostic_stream(), "  launch #%llu %s: FAULT", (unsigned long long)k.first_fault, demangle(k.kernel).c_str());
    if (k.faulted > 1) std::fprintf(gpusim::runtime::diagnostic_stream(), " (and %llu later launches of it)", (unsigned long long)(k.faulted - 1));
    std::fprintf(gpusim::runtime::diagnostic_stream(), "\n");
  }
}

// One row per launch, in launch order.
void print_launch_rows(const Context& ctx, const TableNames& names, bool timing) {
  print_header("#");
  for (size_t i = 0; i < ctx.launches.size(); ++i) {
    const LaunchRecord& l = ctx.launches[i];
    print_row(std::to_string(i + 1).c_str(), table_name(names, l.kernel, l.depth), dims(l.grid), dims(l.block),
              // A faulted launch returns no statistics (and which CTAs ran before the fault was seen
              // depends on the host threads): "-", not a count of 0.
              l.faulted ? "-" : std::to_string(l.stats.warp_instructions),
              l.faulted ? "FAULT" : timing ? std::to_string(l.stats.cycles) : "-",
              timing ? sim_time_text(l.stats.seconds) : "-", l.stats.host_seconds);
  }
  if (ctx.folded_launches.empty()) return;
  std::fprintf(gpusim::runtime::diagnostic_stream(), "  the %llu launches after #%zu, one row per kernel (exec --launch-records: how many are kept whole):\n",
               (unsigned long long)ctx.folded_launches.launches(), ctx.launches.size());
  print_header("launches");
  for (const runtime::FoldedKernelLaunches& k : ctx.folded_launches.kernels())
    // Every one faulted: no figures, as a faulted launch's row.
    print_row(std::to_string(k.launches).c_str(), table_name(names, k.kernel, k.depth), shape_text(k.grid, k.one_grid),
              shape_text(k.block, k.one_block), k.faulted == k.launches ? "-" : std::to_string(k.warp_instructions),
              k.faulted == k.launches ? "FAULT" : timing ? std::to_string(k.cycles) : "-",
              timing ? sim_time_text(k.seconds) : "-", k.host_seconds);
  print_folded_faults(ctx);
}


// One row per kernel (table_names: a template's instantiations have rows of their own, numbered
// where their arguments do not fit the column), with nesting depth; the largest first (simulated
// cycles in timing mode, warp-instructions in functional mode; ties in order of first launch);
// grid and block where all its launches agree. Faulted launches are listed by number below.
void print_kernel_rows(const Context& ctx, const TableNames& names, bool timing) {
  struct Row {
    std::string kernel;
    size_t launches = 0;
    std::string grid, block;
    uint64_t warp_inst = 0, cycles = 0;
    double seconds = 0, host = 0;
  };
  std::vector<Row> rows;
  std::map<std::string, size_t> index;
  std::vector<size_t> faulted;
  for (size_t i = 0; i < ctx.launches.size(); ++i) {
    const LaunchRecord& l = ctx.launches[i];
    const std::string shown = table_name(names, l.kernel, l.depth);
    auto [it, fresh] = index.emplace(shown, rows.size());
    if (fresh) rows.push_back({shown, 0, dims(l.grid), dims(l.block)});
    Row& r = rows[it->second];
    ++r.launches;
    if (r.grid != dims(l.grid)) r.grid = "various";
    if (r.block != dims(l.block)) r.block = "various";
    r.warp_inst += l.stats.warp_instructions;
    r.cycles += l.stats.cycles;
    r.seconds += l.stats.seconds;
    r.host += l.stats.host_seconds;
    if (l.faulted) faulted.push_back(i);
  }
  for (const runtime::FoldedKernelLaunches& k : ctx.folded_launches.kernels()) {
    const std::string shown = table_name(names, k.kernel, k.depth);
    auto [it, fresh] = index.emplace(shown, rows.size());
    if (fresh) rows.push_back({shown, 0, shape_text(k.grid, k.one_grid), shape_text(k.block, k.one_block)});
    Row& r = rows[it->second];
    r.launches += k.launches;
    if (r.grid != shape_text(k.grid, k.one_grid)) r.grid = "various";
    if (r.block != shape_text(k.block, k.one_block)) r.block = "various";
    r.warp_inst += k.warp_instructions;
    r.cycles += k.cycles;
    r.seconds += k.seconds;
    r.host += k.host_seconds;
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    return timing ? a.cycles > b.cycles : a.warp_inst > b.warp_inst;
  });
  std::fprintf(gpusim::runtime::diagnostic_stream(), "  one row per kernel, largest first (GPUSIM_LAUNCH_TABLE=launches or exec --launch-table launches: one "
                       "per launch)\n");
  print_header("launches");
  for (const Row& r : rows)
    print_row(std::to_string(r.launches).c_str(), r.kernel, r.grid, r.block, std::to_string(r.warp_inst),
              timing ? std::to_string(r.cycles) : "-", timing ? sim_time_text(r.seconds) : "-", r.host);
  for (size_t k = 0; k < faulted.size() && k < kListedAtMost; ++k)
    std::fprintf(gpusim::runtime::diagnostic_stream(), "  launch #%zu %s: FAULT\n", faulted[k] + 1, demangle(ctx.launches[faulted[k]].kernel).c_str());
  if (faulted.size() > kListedAtMost)
    std::fprintf(gpusim::runtime::diagnostic_stream(), "  ... and %zu more faulted launches\n", faulted.size() - kListedAtMost);
  print_folded_faults(ctx);
}

bool rows_per_launch(const Context& ctx) {
  switch (ctx.environment().launch_table) {
    case runtime::LaunchTableRows::Launches: return true;
    case runtime::LaunchTableRows::Kernels: return false;
    case runtime::LaunchTableRows::Auto: break;
  }
  return ctx.launch_count() <= runtime::kLaunchTableRows;
}

void print_table(const Context& ctx, bool timing) {
  std::fprintf(gpusim::runtime::diagnostic_stream(), "\ngpusim: %llu kernel launch%s on %s (%s mode)\n",
               (unsigned long long)ctx.launch_count(), ctx.launch_count() == 1 ? "" : "es", ctx.device_name.c_str(),
               timing ? "timing" : "functional");
  if (ctx.launch_count() == 0) return;
  const TableNames names = table_names(ctx);
  if (rows_per_launch(ctx)) print_launch_rows(ctx, names, timing);
  else print_kernel_rows(ctx, names, timing);

  uint64_t warp_inst = 0, cycles = 0;
  double seconds = 0, host = 0;
  for (const LaunchRecord& l : ctx.launches) {
    warp_inst += l.stats.warp_instructions;
    cycles += l.stats.cycles;
    seconds += l.stats.seconds;
    host += l.stats.host_seconds;
  }
  bool device_launched = false;
  for (const runtime::FoldedKernelLaunches& k : ctx.folded_launches.kernels()) {
    warp_inst += k.warp_instructions;
    cycles += k.cycles;
    seconds += k.seconds;
    host += k.host_seconds;
    device_launched = device_launched || k.depth > 0;
  }
  for (const LaunchRecord& l : ctx.launches) device_launched = device_launched || l.depth > 0;
  if (device_launched)
    std::fprintf(gpusim::runtime::diagnostic_stream(), "  (>NAME: a grid launched from the device, one '>' per nesting level; it ran after the "
                         "grid that launched it)\n");
  print_row("", "total", "", "", std::to_string(warp_inst), timing ? std::to_string(cycles) : "-", timing ? sim_time_text(seconds) : "-", host);
  if (names.numbered)
    std::fprintf(gpusim::runtime::diagnostic_stream(), "  (NAME #k: instantiations of one template whose arguments do not fit the column; "
                         "--stats / GPUSIM_STATS names them in full)\n");
  // A configuration without a launch path ([launch] to_first_cta_ns and completion_ns 0, as the
  // shipped v100/h100 ones) times kernels alone: say so, since events around a loop of small
  // launches then read faster than a GPU can go (an outside ML engineer's finding).
  bool launch_path = false;
  for (const LaunchRecord& l : ctx.launches) launch_path = launch_path || l.stats.launch_seconds > 0;
  for (const runtime::FoldedKernelLaunches& k : ctx.folded_launches.kernels()) launch_path = launch_path || k.launch_seconds > 0;
  if (timing && !launch_path)
    std::fprintf(gpusim::runtime::diagnostic_stream(), "  (sim time is kernel time alone: this configuration models no launch overhead, [launch] "
                         "to_first_cta_ns = completion_ns = 0, so cudaEvent timings of back-to-back small launches "
                         "read faster than a GPU, which adds microseconds per launch; configs/measured/*.calibrated.ini "
                         "carry measured values)\n");
  if (!ctx.folded_launches.empty())
    std::fprintf(gpusim::runtime::diagnostic_stream(), "  (launches after #%zu are summed per kernel, in the table and in --stats, to bound the memory a long "
                         "program needs; their sampled predictions and source reports are not kept; exec --launch-records N|all "
                         "or GPUSIM_LAUNCH_RECORDS keeps more)\n", ctx.launches.size());
}

// The per-launch notes after the table (sampled predictions, source reports): every one when the
// table lists launches, else the first kListedAtMost.
template <typename Has, typename Print>
void print_launch_notes(const Context& ctx, Has&& has, Print&& print) {
  const bool all = rows_per_launch(ctx);
  size_t shown = 0, skipped = 0;
  for (size_t i = 0; i < ctx.launches.size(); ++i) {
    if (!has(ctx.launches[i])) continue;
    if (!all && shown == kListedAtMost) {
      ++skipped;
      continue;
    }
    ++shown;
    print(i, ctx.launches[i]);
  }
  if (skipped)
    std::fprintf(gpusim::runtime::diagnostic_stream(), "  ... and %zu more launches (GPUSIM_LAUNCH_TABLE=launches, GPUSIM_STATS or exec --stats: all)\n",
                 skipped);
}

void write_stats(const Context& ctx, const std::string& path, const std::string& session, bool timing) {
  // Each launch's object becomes its text at once: the document of every launch as JSON values
  // took ~33 KB per timing-mode launch (2 GB for 62,500).
  std::vector<std::string> launches;
  launches.reserve(ctx.launches.size());
  for (const LaunchRecord& l : ctx.launches) {
    nlohmann::json j = {{"kernel", demangle(l.kernel)},
                        {"mangled", l.kernel},
                        {"grid", {l.grid.x, l.grid.y, l.grid.z}},
                        {"block", {l.block.x, l.block.y, l.block.z}},
                        {"dynamic_shared_bytes", l.shared},
                        {"warp_instructions", l.stats.warp_instructions},
                        {"thread_instructions", l.stats.thread_instructions},
                        {"cycles", l.stats.cycles},
                        {"seconds", l.stats.seconds},
                        {"host_seconds", l.stats.host_seconds},
                        {"faulted", l.faulted}};
    // --racecheck: racing shared-memory accesses the launch had (present when the check ran).
    if (ctx.environment().device.race_check) j["race_hazards"] = l.stats.race_hazards;
    if (!l.stream.empty()) j["stream"] = l.stream;
    if (l.depth > 0) {  // launched from the device (dynamic parallelism)
      j["device_launch_depth"] = l.depth;
      j["launched_by"] = l.launched_by;
    }
    if (!l.stats.report_json.empty()) j["timing"] = nlohmann::json::parse(l.stats.report_json, nullptr, false);
    // The per-line counters (GPUSIM_SOURCE_REPORT) sit beside "timing", where `gpusim run --stats`
    // has them in its launch objects.
    if (j.contains("timing") && j["timing"].is_object() && j["timing"].contains("source")) {
      j["source"] = std::move(j["timing"]["source"]);
      j["timing"].erase("source");
    }
    launches.push_back(launch_text(j));
  }
  nlohmann::json out = {{"program", ctx.program_name}, {"device", ctx.device_name},
                        {"mode", timing ? "timing" : "functional"}, {"gpusim_revision", sim::build_revision()},
                        {"cache_control", ctx.environment().device.cold_l2_per_launch ? "all" : "none"}};
  // Launches past the kept ones (runtime/folded_launches.h): one object per kernel.
  if (!ctx.folded_launches.empty()) {
    nlohmann::json folded = nlohmann::json::array();
    for (const runtime::FoldedKernelLaunches& k : ctx.folded_launches.kernels())
      folded.push_back(runtime::folded_launches_json(k, ctx.environment().device.race_check));
    out["folded_launches"] = std::move(folded);
    out["launch_count"] = ctx.launch_count();
  }
  // Ctrl-C / SIGTERM ended the program at a safe point (runtime/interrupt_signals.h): the launches
  // listed finished, the program did not.
  if (sim::interrupt_signal() != 0) out["interrupted"] = true;
  // The program died of a signal after these launches (a fault in its host code, abort()).
  if (ctx.fatal_signal != 0) out["killed_by_signal"] = runtime::fatal_signal_name(ctx.fatal_signal);
  try {
    write_or_merge_stats(path, std::move(out), std::move(launches), session);
  } catch (const std::exception& e) {
    std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: the statistics (GPUSIM_STATS): %s\n", e.what());
  }
}

}  // namespace

void Context::report_at_exit() {
  std::lock_guard<std::recursive_mutex> lock(mutex);
  if (forked_child()) return;  // the parent reports its own launches
  flush_device_output();
  if (reported_) return;
  if (!env_read_) {
    // A program that made no runtime call has nothing to report (gpusim exec preloads the runtime
    // into every process it starts). One whose calls never needed the device (only
    // cudaStreamCreate, cudaEventCreate, cudaDeviceSynchronize) still gets its table of 0
    // launches and, when asked, its statistics file.
    if (runtime_calls(false) == 0) return;
    try {
      create_device();
    } catch (const ApiError&) {
      return;  // said on stderr by create_device
    }
  }
  // The device could not start (a bad GPUSIM_MODE, config, ...: said on stderr then): no table of
  // 0 launches on a device without a name.
  if (!device_) return;
  reported_ = true;
  // The program's own last lines, still in stdout's buffer (a pipe or file is fully buffered and
  // flushed only after the exit handlers), come before the report (a user's log had the table
  // above them).
  std::fflush(stdout);
  try {
    runtime::finish_profiling(*device_);
  } catch (const std::exception& e) {
    std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: %s\n", e.what());
  }
  const bool timing = env_.device.mode == runtime::SimMode::Timing;
  if (stepper_) {
    const std::string missed = stepper_->never_stepped();
    if (!missed.empty()) std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: %s\n", missed.c_str());
  }
  if (!env_.quiet) print_table(*this, timing);
  // Refused launches are no rows of the table (they never ran), but a program that ignored the
  // error has wrong results without any fault: said under --quiet too.
  if (refused_launches > 0) {
    std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: %llu kernel launch%s refused before running (the program was "
                 "given the error; its kernel never ran):\n", (unsigned long long)refused_launches,
                 refused_launches == 1 ? " was" : "es were");
    for (const std::string& note : refused_launch_notes) std::fprintf(gpusim::runtime::diagnostic_stream(), "  %s\n", note.c_str());
    if (refused_launches > refused_launch_notes.size())
      std::fprintf(gpusim::runtime::diagnostic_stream(), "  ... and %llu more\n",
                   (unsigned long long)(refused_launches - refused_launch_notes.size()));
  }
  // A sampled prediction is read with its estimated error (and whether it is trusted).
  if (!env_.quiet)
    print_launch_notes(
        *this, [](const LaunchRecord& l) { return !l.stats.sampling_text.empty(); },
        [](size_t i, const LaunchRecord& l) {
          std::fprintf(gpusim::runtime::diagnostic_stream(), "  #%zu %s: %s\n", i + 1, demangle(l.kernel).c_str(), l.stats.sampling_text.c_str());
        });
  // Asked for by name: printed under --quiet too (which leaves out the launch table only).
  if (env_.device.profiling.source_report > 0)
    print_launch_notes(
        *this, [](const LaunchRecord& l) { return l.stats.report_json.find("\"source\"") != std::string::npos; },
        [](size_t i, const LaunchRecord& l) {
          std::fprintf(gpusim::runtime::diagnostic_stream(), "\n  #%zu %s\n%s", i + 1, demangle(l.kernel).c_str(), l.stats.report_text.c_str());
        });
  if (!env_.stats_path.empty()) write_stats(*this, env_.stats_path, env_.stats_session, timing);
  uint64_t faulted = 0, races = 0;
  for (const LaunchRecord& l : launches) {
    faulted += l.faulted ? 1 : 0;
    races += l.stats.race_hazards;
  }
  for (const runtime::FoldedKernelLaunches& k : folded_launches.kernels()) {
    faulted += k.faulted;
    races += k.race_hazards;
  }
  runtime::mark_kernel_errors(faulted, races, refused_launches);  // for --error-exitcode (runtime/kernel_error_exit.h)
}

// Before the program's constructors (libcudart is preloaded, or a library the program needs), so
// the handler runs after every report, the driver's included.
__attribute__((constructor)) static void register_error_exit_status_at_start() {
  if (const char* code = std::getenv(runtime::kErrorExitCodeVariable); code && *code) runtime::register_error_exit_status();
}

}  // namespace gpusim::cudart
