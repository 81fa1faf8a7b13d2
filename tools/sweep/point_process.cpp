#include "tools/sweep/point_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/scratch_dir.h"
#include "sim/interrupt_flag.h"

extern char** environ;

namespace gpusim::cli::sweep {

namespace {

constexpr size_t kOutputTail = 4000;  // bytes of output kept as a failed point's error
constexpr size_t kOutputKept = 65536;  // bytes of output kept in every point's `output` column

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  return text.str();
}

// Everything execve needs, built before fork (after fork only async-signal-safe calls are allowed).
struct ExecImage {
  std::vector<std::string> strings, env_strings;
  std::vector<char*> argv, envp;
};

ExecImage exec_image(const RunnablePoint& point, const ChildSettings& settings, const std::string& stats_path) {
  ExecImage image;
  image.strings.push_back(settings.gpusim);
  image.strings.push_back(point.command.at(0));
  image.strings.insert(image.strings.end(), {"--stats", stats_path});
  image.strings.insert(image.strings.end(), point.command.begin() + 1, point.command.end());
  for (std::string& s : image.strings) image.argv.push_back(s.data());
  image.argv.push_back(nullptr);
  for (char** e = environ; *e; ++e) image.env_strings.emplace_back(*e);
  image.env_strings.emplace_back("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1");
  for (std::string& s : image.env_strings) image.envp.push_back(s.data());
  image.envp.push_back(nullptr);
  return image;
}

void append_tail(std::string& tail, const char* data, size_t n) {
  tail.append(data, n);
  if (tail.size() > 2 * kOutputKept) tail.erase(0, tail.size() - kOutputKept);
}

}  // namespace

std::string self_executable() {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) throw std::runtime_error("cannot locate the gpusim executable (/proc/self/exe)");
  self[n] = '\0';
  return self;
}

void summarize_stats(const std::string& stats_json, PointResult& result) {
  const nlohmann::json doc = nlohmann::json::parse(stats_json);
  int64_t cycles = 0;
  double seconds = 0;
  bool any_cycles = false;
  const nlohmann::json& launches = doc.at("launches");
  for (const nlohmann::json& l : launches) {
    if (l.contains("cycles")) {
      cycles += l["cycles"].get<int64_t>();
      any_cycles = true;
    }
    if (l.contains("seconds")) seconds += l["seconds"].get<double>();
  }
  result.launches = static_cast<int64_t>(launches.size());
  if (any_cycles) {
    result.cycles = cycles;
    result.seconds = seconds;
  }
}

PointResult run_point_process(const RunnablePoint& point, const ChildSettings& settings,
                              const std::function<void(pid_t)>& started) {
  if (point.command.empty()) throw std::runtime_error("point " + point.id + " has an empty command");
  const runtime::ScratchDir scratch("gpusim-sweep-");  // the point's --stats file
  const std::string stats_path = scratch.file("stats.json");
  ExecImage image = exec_image(point, settings, stats_path);
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const auto start = std::chrono::steady_clock::now();
  const pid_t sweep_pid = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(out[0]);
    close(out[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {  // the child: output into the pipe, stdin empty, then gpusim
    // Its own process group, so a terminal's Ctrl-C reaches only the sweep, which passes one
    // SIGTERM on (two signals would make the point quit at once, without its output); and
    // SIGTERM when the sweep dies, even by SIGKILL, instead of simulating on as an orphan
    // (both from an outside researcher's report). The getppid check closes the race with a
    // sweep that died before prctl.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != sweep_pid) _exit(128 + SIGTERM);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    if (chdir(point.workdir.c_str()) != 0) {
      const char msg[] = "gpusim sweep: cannot enter the point's working directory\n";
      (void)!write(2, msg, sizeof msg - 1);
      _exit(126);
    }
    execve(image.argv[0], image.argv.data(), image.envp.data());
    const char msg[] = "gpusim sweep: cannot execute gpusim\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(127);
  }
  close(out[1]);
  try {
    started(pid);
  } catch (...) {  // the start could not be recorded (database error): do not leave the child behind
    kill(pid, SIGKILL);
    close(out[0]);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    throw;
  }

  std::string tail;
  bool timed_out = false, killed = false;
  int interrupted_by = 0;  // the sweep's own SIGINT/SIGTERM, passed on to the point
  // Past the deadline the point gets SIGTERM, on which gpusim stops at a safe point and prints
  // what it has (an outside researcher's timed-out points kept no output under SIGKILL at once),
  // and SIGKILL only if it has not ended this much later.
  constexpr double kGraceSeconds = 5;
  double deadline_s = settings.timeout_s;
  char buffer[4096];
  // The sweep's interrupt flag is looked at this often while the point runs.
  constexpr int kInterruptPollMs = 100;
  for (;;) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!interrupted_by && !timed_out && sim::interrupt_signal() != 0) {  // the sweep is stopping
      interrupted_by = sim::interrupt_signal();
      timed_out = true;  // from here on the point is on the SIGTERM-then-SIGKILL path
      kill(pid, SIGTERM);
      deadline_s = elapsed + kGraceSeconds;
    }
    int wait_ms = kInterruptPollMs;
    if ((settings.timeout_s > 0 || interrupted_by) && !killed) {
      const double left = deadline_s - elapsed;
      wait_ms = std::min(wait_ms, left <= 0 ? 0 : static_cast<int>(left * 1000) + 1);
    }
    pollfd p{out[0], POLLIN, 0};
    const int ready = poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    const bool past_deadline = (settings.timeout_s > 0 || interrupted_by) && !killed &&
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= deadline_s;
    if (ready == 0 && past_deadline) {
      if (!timed_out) {
        timed_out = true;
        kill(pid, SIGTERM);
        deadline_s += kGraceSeconds;
      } else {
        killed = true;
        kill(pid, SIGKILL);
        break;
      }
      continue;
    }
    if (ready == 0) continue;  // the interrupt poll's period
    const ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    append_tail(tail, buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  PointResult r;
  r.revision = settings.revision;
  r.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (tail.size() > kOutputKept) tail.erase(0, tail.size() - kOutputKept);
  r.output = tail;  // a microbenchmark's own figures (clock64 readings) are in its output
  if (tail.size() > kOutputTail) tail.erase(0, tail.size() - kOutputTail);
  std::string why;
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
    if (*r.exit_code != 0) why = "exit status " + std::to_string(*r.exit_code);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    why = "killed by signal " + std::to_string(*r.signal) + " (" + strsignal(*r.signal) + ")";
  }
  if (interrupted_by) {
    // The runner is the sweep, or a SLURM task's runner that scancel or a time limit stopped.
    why = "interrupted: its sweep runner got " + std::string(interrupted_by == SIGINT ? "SIGINT" : "SIGTERM") +
          (killed ? " (the point killed " + std::to_string(int(kGraceSeconds)) + " s after SIGTERM)" : "") +
          "; rerun the sweep to run it again";
  } else if (timed_out) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", settings.timeout_s);
    why = std::string("timed out after ") + limit + " s (" +
          (killed ? "killed " + std::to_string(int(kGraceSeconds)) + " s after SIGTERM" : "stopped by SIGTERM") + ")";
  }
  r.stats = read_whole(stats_path);
  if (why.empty() && !r.stats.empty()) {
    try {
      summarize_stats(r.stats, r);
    } catch (const nlohmann::json::exception& e) {
      why = std::string("unreadable --stats output: ") + e.what();
    }
  }
  r.ok = why.empty();
  if (!r.ok) r.error = why + (tail.empty() ? "" : "; output ends:\n" + tail);
  return r;
}

std::string error_summary(const std::string& error) {
  const size_t first_end = error.find('\n');
  std::string line = error.substr(0, first_end);
  if (first_end == std::string::npos) return line;
  size_t end = error.size();
  while (end > first_end) {
    const size_t start = error.rfind('\n', end - 1) + 1;
    std::string last = error.substr(start, end - start);
    while (!last.empty() && (last.back() == '\r' || last.back() == ' ')) last.pop_back();
    if (!last.empty()) {
      constexpr size_t kMost = 300;
      if (last.size() > kMost) last = last.substr(0, kMost) + " ...";
      return line + " " + last;
    }
    end = start - 1;
  }
  return line;
}

}  // namespace gpusim::cli::sweep
