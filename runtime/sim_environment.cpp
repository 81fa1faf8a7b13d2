#include "runtime/sim_environment.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <limits>

namespace gpusim::runtime {

namespace {

std::string value_of(const std::function<const char*(const char*)>& getenv, const char* name) {
  const char* v = getenv(name);
  return v ? std::string(v) : std::string();
}

// "a=1;b=2" -> {"a=1", "b=2"}; empty items (a trailing ';') are skipped.
std::vector<std::string> split_overrides(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// A whole number in 1..max (0..max with zero_ok), or an Error naming the variable.
uint64_t positive_number(const char* name, const std::string& text, uint64_t max, bool zero_ok = false) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text[0] == '-' || *end != '\0' || errno == ERANGE || (v == 0 && !zero_ok) || v > max)
    throw Error(std::string(name) + "='" + text + "': expected a whole number in " + (zero_ok ? "0" : "1") + ".." +
                std::to_string(max));
  return v;
}

}  // namespace

std::string per_process_path(const std::string& path, long pid) {
  if (path.empty()) return path;
  const std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + "." + std::to_string(pid) + p.extension().string())).string();
}

namespace {
constexpr const char* kProfileFilesOwner = "GPUSIM_PROFILE_FILES_OWNER";  // the claiming process's id

// PATH when this process creates it first (O_EXCL: one process wins, whichever order they start
// in) or created it already (`ours`: both libraries of one process read the environment, and a
// driver-API program's libcuda, which simulates, comes after the preloaded libcudart, which
// claimed the file: its trace went to TRACE.PID.json and the named file stayed empty), else this
// process's own file beside it.
std::string claim_or_per_process(const std::string& path, bool ours) {
  if (path.empty() || ours) return path;
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) {
    close(fd);
    return path;
  }
  return errno == EEXIST ? per_process_path(path, getpid()) : path;  // other errors: the writer says them
}
}  // namespace

uint64_t parse_launch_records(const std::string& value, const std::string& name) {
  if (value.empty()) return kDefaultLaunchRecordsKept;
  if (value == "all") return std::numeric_limits<uint64_t>::max();
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(value.c_str(), &end, 10);
  if (!std::isdigit(static_cast<unsigned char>(value[0])) || *end != '\0' || errno == ERANGE || v == 0)
    throw Error(name + "'" + value + "': expected a positive whole number of launches to keep whole, or all");
  return v;
}

SimEnvironment read_sim_environment(const std::function<const char*(const char*)>& getenv) {
  SimEnvironment env;
  env.device.config_path = value_of(getenv, "GPUSIM_CONFIG");
  env.device.overrides = split_overrides(value_of(getenv, "GPUSIM_SET"));
  const std::string mode = value_of(getenv, "GPUSIM_MODE");
  if (mode == "timing") {
    env.device.mode = SimMode::Timing;
  } else if (mode.empty() || mode == "functional") {
    env.device.mode = SimMode::Functional;
  } else {
    throw Error("GPUSIM_MODE='" + mode + "': expected 'functional' or 'timing'");
  }
  const std::string sample = value_of(getenv, "GPUSIM_SAMPLE");
  if (!sample.empty() && sample != "0" && sample != "1") throw Error("GPUSIM_SAMPLE='" + sample + "': expected 0 or 1");
  env.device.sample = sample == "1";
  if (env.device.sample && env.device.mode != SimMode::Timing)
    throw Error("GPUSIM_SAMPLE=1: sampled simulation predicts time and needs GPUSIM_MODE=timing");
  // The --sample variants of `gpusim exec` (tools/device_run_support.h), 0 or 1 each.
  const auto flag = [&](const char* name, bool unset) {
    const std::string v = value_of(getenv, name);
    if (v.empty()) return unset;
    if (v != "0" && v != "1") throw Error(std::string(name) + "='" + v + "': expected 0 or 1");
    if (v == "1" && !env.device.sample && unset == false)
      throw Error(std::string(name) + "=1 refines sampled simulation: it needs GPUSIM_SAMPLE=1");
    return v == "1";
  };
  env.device.sample_windows = flag("GPUSIM_SAMPLE_WINDOWS", false);
  env.device.sample_shadow = flag("GPUSIM_SAMPLE_SHADOW", false);
  env.device.sample_l2_warming = flag("GPUSIM_SAMPLE_L2_WARMING", true);
  env.device.progress_line = progress_line_wanted(getenv("GPUSIM_PROGRESS"));
  const std::string racecheck = value_of(getenv, "GPUSIM_RACECHECK");
  if (!racecheck.empty() && racecheck != "0" && racecheck != "1")
    throw Error("GPUSIM_RACECHECK='" + racecheck + "': expected 0 or 1");
  env.device.race_check = racecheck == "1";
  const std::string cache_control = value_of(getenv, "GPUSIM_CACHE_CONTROL");
  if (!cache_control.empty() && cache_control != "all" && cache_control != "none")
    throw Error("GPUSIM_CACHE_CONTROL='" + cache_control + "': expected all (an empty L2 for every launch) or none");
  env.device.cold_l2_per_launch = cache_control == "all";
  env.device.copies_fill_l2 = true;  // a program's copies go through the L2 (SimDeviceOptions)
  env.stats_path = value_of(getenv, "GPUSIM_STATS");
  env.stats_session = value_of(getenv, "GPUSIM_STATS_SESSION");
  const std::string quiet = value_of(getenv, "GPUSIM_QUIET");
  if (!quiet.empty() && quiet != "0" && quiet != "1")
    throw Error("GPUSIM_QUIET='" + quiet + "': expected 0 or 1");
  env.quiet = quiet == "1";
  const std::string table = value_of(getenv, "GPUSIM_LAUNCH_TABLE");
  if (table == "launches") env.launch_table = LaunchTableRows::Launches;
  else if (table == "kernels") env.launch_table = LaunchTableRows::Kernels;
  else if (!table.empty()) throw Error("GPUSIM_LAUNCH_TABLE='" + table + "': expected launches or kernels");
  env.launch_records = parse_launch_records(value_of(getenv, "GPUSIM_LAUNCH_RECORDS"), "GPUSIM_LAUNCH_RECORDS=");
  const std::string budget = value_of(getenv, "GPUSIM_MAX_WARP_INSTRUCTIONS");
  if (!budget.empty()) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(budget.c_str(), &end, 10);
    if (budget[0] == '-' || *end != '\0' || errno == ERANGE || v == 0)
      throw Error("GPUSIM_MAX_WARP_INSTRUCTIONS='" + budget + "': expected a positive whole number");
    env.device.max_warp_instructions = v;
  }
  SimProfilingOptions& prof = env.device.profiling;
  prof.trace_path = value_of(getenv, "GPUSIM_TRACE");
  prof.trace_sms = value_of(getenv, "GPUSIM_TRACE_SMS");
  prof.trace_cycles = value_of(getenv, "GPUSIM_TRACE_CYCLES");
  prof.trace_kernel = value_of(getenv, "GPUSIM_TRACE_KERNEL");
  prof.vcd_path = value_of(getenv, "GPUSIM_VCD");
  // Processes the program starts inherit these variables. Under gpusim exec (which removed the
  // files an earlier run left, GPUSIM_PROFILE_FILES_SHARED=1) the first process to simulate takes
  // the named files and every later one writes its own beside them, as TRACE.PID.json, instead of
  // overwriting the same file at its own offsets (an outside user's program that ran another CUDA
  // program left an invalid JSON trace).
  if (value_of(getenv, "GPUSIM_PROFILE_FILES_SHARED") == "1") {
    // The process that claimed the named files says so in its environment, which the other library
    // reads next; processes it starts inherit another process id and take files of their own.
    const std::string me = std::to_string(getpid());
    const bool ours = value_of(getenv, kProfileFilesOwner) == me;
    const std::string trace = prof.trace_path, vcd = prof.vcd_path;
    prof.trace_path = claim_or_per_process(prof.trace_path, ours);
    prof.vcd_path = claim_or_per_process(prof.vcd_path, ours);
    if (!ours && ((!trace.empty() && prof.trace_path == trace) || (!vcd.empty() && prof.vcd_path == vcd)))
      setenv(kProfileFilesOwner, me.c_str(), 1);
  }
  const std::string top = value_of(getenv, "GPUSIM_SOURCE_REPORT");
  if (!top.empty()) prof.source_report = positive_number("GPUSIM_SOURCE_REPORT", top, 1u << 30);
  const std::string vcd_sm = value_of(getenv, "GPUSIM_VCD_SM");
  if (!vcd_sm.empty()) prof.vcd_sm = static_cast<int>(positive_number("GPUSIM_VCD_SM", vcd_sm, 1u << 20, true));
  if (prof.any() && env.device.mode != SimMode::Timing)
    throw Error("GPUSIM_TRACE, GPUSIM_VCD and GPUSIM_SOURCE_REPORT watch the timing model: they need GPUSIM_MODE=timing");
  const std::string threads = value_of(getenv, "GPUSIM_THREADS");
  if (!threads.empty()) env.device.threads = parse_thread_count(threads, "GPUSIM_THREADS");
  const std::string step = value_of(getenv, "GPUSIM_STEP");
  if (!step.empty()) {
    // KERNEL:N when the last ':' is a single one ("ns::kernel" is a name, as for --trace-kernel).
    size_t colon = step.rfind(':');
    if (colon != std::string::npos && colon > 0 && step[colon - 1] == ':') colon = std::string::npos;
    env.step_kernel = step.substr(0, colon);
    if (colon != std::string::npos) {
      const std::string n = step.substr(colon + 1);
      char* end = nullptr;
      errno = 0;
      const unsigned long long v = std::strtoull(n.c_str(), &end, 10);
      if (n.empty() || n[0] == '-' || *end != '\0' || errno == ERANGE)
        throw Error("GPUSIM_STEP='" + step + "': expected KERNEL or KERNEL:N (N: which launch, from 0)");
      env.step_launch = v;
    }
    if (env.step_kernel.empty()) throw Error("GPUSIM_STEP='" + step + "': the kernel name is empty");
    if (env.device.mode != SimMode::Timing)
      throw Error("GPUSIM_STEP='" + step + "': the stepper runs the timing model; set GPUSIM_MODE=timing");
    // GPUSIM_TRACE and GPUSIM_SOURCE_REPORT watch the stepped run too (the model fans its events out
    // to every observer); VCD waveforms are sampled by SystemC's time steps, which the stepper's
    // own clock loop does not run.
    if (!env.device.profiling.vcd_path.empty())
      throw Error("GPUSIM_STEP cannot be combined with GPUSIM_VCD: SystemC samples the waveforms, and the stepper "
                  "advances the clocks itself");
  }
  env.step_script = value_of(getenv, "GPUSIM_STEP_SCRIPT");
  return env;
}

unsigned parse_thread_count(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = text.empty() || text[0] == '-' ? 0 : std::strtoull(text.c_str(), &end, 10);
  if (v == 0 || *end != '\0' || errno == ERANGE || v > kMaxThreads)
    throw Error(what + "='" + text + "': expected a whole number of host threads from 1 to " +
                std::to_string(kMaxThreads) + " (default: the machine's hardware threads)");
  return static_cast<unsigned>(v);
}

SimEnvironment read_sim_environment() {
  SimEnvironment env = read_sim_environment([](const char* name) { return std::getenv(name); });
  // The process is a CUDA program on the simulated libraries, which write --stats and --trace at
  // exit: on Ctrl-C/SIGTERM it exits at a safe point so they still do (runtime/interrupt_signals.h).
  env.device.exit_on_interrupt = true;
  std::string results;
  if (!env.stats_path.empty()) results = "statistics of the finished launches in " + env.stats_path;
  if (!env.device.profiling.trace_path.empty())
    results += (results.empty() ? "" : ", ") + std::string("trace up to here in ") + env.device.profiling.trace_path;
  env.device.interrupt_results = results.empty() ? "exiting" : results;
  return env;
}

bool progress_line_wanted(const char* gpusim_progress) {
  const std::string v = gpusim_progress ? gpusim_progress : "";
  if (v == "1") return true;
  if (v == "0") return false;
  if (!v.empty()) throw Error("GPUSIM_PROGRESS='" + v + "': expected 0 or 1");
  return isatty(STDERR_FILENO) != 0;
}

}  // namespace gpusim::runtime
