// What a program ran, printed when it exits: one row per launch (kernel, grid, block,
// warp-instructions, cycles, simulated and host time) and totals on stderr, and every launch's
// statistics as JSON where GPUSIM_STATS names a file. The program's own output is untouched.
#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/cudart/cudart_context.h"

namespace gpusim::cudart {

namespace {

std::string demangle(const std::string& name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && d ? std::string(d.get()) : name;
}

std::string dims(const dim3& d) {
  return std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z);
}

// "void cub::CUB_300001_SM_800::detail::reduce::DeviceReduceKernel<Policy, int*, ...>(int*, ...)"
// -> "DeviceReduceKernel<...>(int*, ...)": the return type, namespaces and template arguments
// go first when a name is too wide for the table (the JSON keeps the whole name).
std::string shorten(std::string s, size_t width) {
  if (s.size() <= width) return s;
  if (s.rfind("void ", 0) == 0) s.erase(0, 5);
  std::string name, params;
  int depth = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '(' && depth == 0) break;
    if (c == '<' && depth++ == 0) name += "<...>";
    else if (c == '>') --depth;
    else if (depth == 0) name += c;
  }
  params = s.substr(i);
  const size_t scope = name.rfind("::");
  if (scope != std::string::npos) name.erase(0, scope + 2);
  if (name.size() + params.size() > width) params = "(...)";
  const std::string out = name + params;
  return out.size() <= width ? out : out.substr(0, width - 3) + "...";
}

void print_table(const Context& ctx, bool timing) {
  std::fprintf(stderr, "\ngpusim: %zu kernel launch%s on %s (%s mode)\n", ctx.launches.size(),
               ctx.launches.size() == 1 ? "" : "es", ctx.device_name.c_str(), timing ? "timing" : "functional");
  if (ctx.launches.empty()) return;
  std::fprintf(stderr, "  %4s  %-40s %-14s %-12s %14s %12s %12s %10s\n", "#", "kernel", "grid", "block", "warp-inst",
               "cycles", "sim time", "host s");
  uint64_t warp_inst = 0, cycles = 0;
  double seconds = 0, host = 0;
  for (size_t i = 0; i < ctx.launches.size(); ++i) {
    const LaunchRecord& l = ctx.launches[i];
    std::fprintf(stderr, "  %4zu  %-40s %-14s %-12s %14llu %12s %12s %10.3f\n", i + 1,
                 shorten(std::string(l.depth, '>') + demangle(l.kernel), 40).c_str(), dims(l.grid).c_str(), dims(l.block).c_str(),
                 static_cast<unsigned long long>(l.stats.warp_instructions),
                 l.faulted ? "FAULT" : timing ? std::to_string(l.stats.cycles).c_str() : "-",
                 timing ? (std::to_string(l.stats.seconds * 1e6).substr(0, 9) + " us").c_str() : "-", l.stats.host_seconds);
    warp_inst += l.stats.warp_instructions;
    cycles += l.stats.cycles;
    seconds += l.stats.seconds;
    host += l.stats.host_seconds;
  }
  for (const LaunchRecord& l : ctx.launches)
    if (l.depth > 0) {
      std::fprintf(stderr, "  (>NAME: a grid launched from the device, one '>' per nesting level; it ran after the "
                           "grid that launched it)\n");
      break;
    }
  std::fprintf(stderr, "  %4s  %-40s %-14s %-12s %14llu %12s %12s %10.3f\n", "", "total", "", "",
               static_cast<unsigned long long>(warp_inst), timing ? std::to_string(cycles).c_str() : "-",
               timing ? (std::to_string(seconds * 1e6).substr(0, 9) + " us").c_str() : "-", host);
}

void write_stats(const Context& ctx, const std::string& path, bool timing) {
  nlohmann::json launches = nlohmann::json::array();
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
    if (l.depth > 0) {  // launched from the device (dynamic parallelism)
      j["device_launch_depth"] = l.depth;
      j["launched_by"] = l.launched_by;
      j["stream"] = l.stream;
    }
    if (!l.stats.report_json.empty()) j["timing"] = nlohmann::json::parse(l.stats.report_json, nullptr, false);
    // The per-line counters (GPUSIM_SOURCE_REPORT) sit beside "timing", where `gpusim run --stats`
    // has them in its launch objects.
    if (j.contains("timing") && j["timing"].is_object() && j["timing"].contains("source")) {
      j["source"] = std::move(j["timing"]["source"]);
      j["timing"].erase("source");
    }
    launches.push_back(std::move(j));
  }
  const nlohmann::json out = {{"program", ctx.program_name}, {"device", ctx.device_name},
                              {"mode", timing ? "timing" : "functional"}, {"launches", launches}};
  std::ofstream f(path);
  f << out.dump(2) << "\n";
  if (!f) std::fprintf(stderr, "gpusim: could not write the statistics to %s\n", path.c_str());
}

}  // namespace

void Context::report_at_exit() {
  std::lock_guard<std::recursive_mutex> lock(mutex);
  if (forked_child()) return;  // the parent reports its own launches
  flush_device_output();
  if (reported_ || !env_read_) return;  // a program that never used the device has nothing to report
  reported_ = true;
  if (device_) {
    try {
      runtime::finish_profiling(*device_);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "gpusim: %s\n", e.what());
    }
  }
  const bool timing = env_.device.mode == runtime::SimMode::Timing;
  if (!env_.quiet) print_table(*this, timing);
  // A sampled prediction is read with its estimated error (and whether it is trusted).
  if (!env_.quiet)
    for (size_t i = 0; i < launches.size(); ++i)
      if (!launches[i].stats.sampling_text.empty())
        std::fprintf(stderr, "  #%zu %s: %s\n", i + 1, demangle(launches[i].kernel).c_str(),
                     launches[i].stats.sampling_text.c_str());
  if (!env_.quiet && env_.device.profiling.source_report > 0)
    for (size_t i = 0; i < launches.size(); ++i)
      if (launches[i].stats.report_json.find("\"source\"") != std::string::npos)
        std::fprintf(stderr, "\n  #%zu %s\n%s", i + 1, demangle(launches[i].kernel).c_str(), launches[i].stats.report_text.c_str());
  if (!env_.stats_path.empty()) write_stats(*this, env_.stats_path, timing);
}

}  // namespace gpusim::cudart
