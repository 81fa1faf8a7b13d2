#include "runtime/interrupt_signals.h"
#include "runtime/diagnostic_stream.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "isa/signal_blocked_thread.h"
#include "sim/interrupt_flag.h"

namespace gpusim::runtime {

namespace {

// What the signal handler reads besides the flag itself. A handler reaches nothing but globals;
// these are written once, before the handlers are installed, and only read afterwards.
struct HandlerState {
  pid_t installer = 0;      // a forked child (same handlers, no watcher thread) takes the default action
  int wake_fd = -1;         // write end of the watcher's self-pipe; -1 in Flag mode
  bool exits_process = false;
  double grace_seconds = kDefaultInterruptGraceSeconds;  // how long the watcher waits for a running launch
  // exit_stuck's line for SIGINT and SIGTERM, made at installation: the handler itself prints it
  // when there is no grace, and a handler may not allocate.
  char stuck_line[2][512] = {};
};
HandlerState g_handler;

std::atomic<int> g_launches{0};        // LaunchInProgress objects alive (ExitProcess mode)
std::atomic<bool> g_exit_claimed{false};  // one thread calls std::exit, never two
std::atomic<std::thread::id> g_exiting_thread{};  // that thread (its exit handlers may call the API)
// Where the partial results are (the message's tail). Never destroyed: the watcher thread may
// print it while the main thread is already running the static destructors of an exit.
const std::string* g_results = nullptr;

[[noreturn]] void exit_stuck(int signal);

// When the first interrupt came (CLOCK_MONOTONIC, ns; clock_gettime is async-signal-safe), and how
// soon a repeat counts as the same request rather than the user insisting.
std::atomic<int64_t> g_first_signal_ns{0};
constexpr int64_t kSameRequestNs = 500'000'000;
int64_t monotonic_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

void on_signal(int signal, siginfo_t* info, void*) {
  const int saved_errno = errno;
  if (getpid() != g_handler.installer) {
    std::signal(signal, SIG_DFL);
    raise(signal);
  } else if (sim::interrupt_signal() != 0) {
    // The second Ctrl-C: the user does not want to wait for a safe point. A repeat within half a
    // second is the same request delivered twice: `timeout` signals the process and then its
    // process group, which holds it too (and `gpusim exec`'s program); ending at once there lost
    // the --stats file and the launch table of most timed-out CI runs.
    if (monotonic_ns() - g_first_signal_ns.load() >= kSameRequestNs) _exit(128 + signal);
  } else if (g_handler.exits_process && g_handler.grace_seconds <= 0 && g_launches.load() > 0 &&
             !g_exit_claimed.exchange(true)) {
    // No grace (GPUSIM_INTERRUPT_GRACE_SECONDS=0): end here, before the running launch can reach a
    // safe point; left to the watcher thread, which came first depended on the host's scheduling.
    exit_stuck(signal);
  } else if (g_handler.exits_process && info && info->si_code == SI_TKILL && info->si_pid == getpid() &&
             g_launches.load() == 0) {
    // raise(SIGTERM) by the program itself, no launch running: the raising thread is at an
    // ordinary call, so it exits here as a default action would end it, the exit handlers writing
    // the results (before, the code after raise() went on running until the watcher exited).
    sim::request_interrupt(signal);
    exit_interrupted(signal);
  } else {
    g_first_signal_ns.store(monotonic_ns());
    sim::request_interrupt(signal);
    if (g_handler.wake_fd >= 0) {
      const char byte = static_cast<char>(signal);
      [[maybe_unused]] const ssize_t n = write(g_handler.wake_fd, &byte, 1);
    }
  }
  errno = saved_errno;
}

// A launch that has not reached a safe point long after the signal is stuck where the flag is not
// polled (a simulator defect): the process ends without exit handlers, which could wait for that
// launch's locks, rather than ignore the signal (`timeout` sends one and then waits).
// Async-signal-safe: the line was made at installation (stuck_line).
[[noreturn]] void exit_stuck(int signal) {
  const char* line = g_handler.stuck_line[signal == SIGTERM ? 1 : 0];
  [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, line, std::strlen(line));
  _exit(128 + signal);
}

void make_stuck_lines() {
  const int signals[2] = {SIGINT, SIGTERM};
  for (int i = 0; i < 2; ++i)
    std::snprintf(g_handler.stuck_line[i], sizeof g_handler.stuck_line[i],
                  "gpusim: %s, but the running launch did not reach a safe point within %g s (a gpusim defect: please "
                  "report it with the program); exiting without writing --stats or --trace "
                  "(GPUSIM_INTERRUPT_GRACE_SECONDS sets the wait)\n",
                  interrupted_message(signals[i]).c_str(), g_handler.grace_seconds);
}

// ExitProcess mode: the signal came; exit as soon as no launch runs (a running launch notices the
// flag itself, within 4,096 cycles of a timed launch or at its end, and exits from there).
void watch(int read_fd) {
  char byte = 0;
  while (read(read_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(g_handler.grace_seconds);
  for (;;) {
    if (g_exit_claimed.load()) return;
    if (g_launches.load() == 0) {
      exit_interrupted(sim::interrupt_signal());
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) exit_stuck(sim::interrupt_signal());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// GPUSIM_INTERRUPT_GRACE_SECONDS: a non-negative number; anything else keeps the default, said once.
double grace_seconds_from_environment() {
  const char* text = std::getenv("GPUSIM_INTERRUPT_GRACE_SECONDS");
  if (!text || !*text) return kDefaultInterruptGraceSeconds;
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end && *end == '\0' && std::isfinite(v) && v >= 0) return v;
  std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: GPUSIM_INTERRUPT_GRACE_SECONDS='%s' is not a number of seconds >= 0; using %g\n", text,
               kDefaultInterruptGraceSeconds);
  return kDefaultInterruptGraceSeconds;
}

bool handled_elsewhere(int signal) {
  struct sigaction current = {};
  sigaction(signal, nullptr, &current);
  return current.sa_handler != SIG_DFL;
}

}  // namespace

std::string interrupted_message(int signal) {
  return "interrupted by " + std::string(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal");
}

void install_interrupt_handlers(InterruptAction action, const std::string& results) {
  static std::once_flag once;
  std::call_once(once, [&] {
    g_handler.installer = getpid();
    g_results = new std::string(results);
    bool want[2] = {true, true};
    const int signals[2] = {SIGINT, SIGTERM};
    if (action == InterruptAction::ExitProcess) {
      for (int i = 0; i < 2; ++i) want[i] = !handled_elsewhere(signals[i]);  // the program's own handler decides
      if (!want[0] && !want[1]) return;
      int fds[2];
      if (pipe2(fds, O_CLOEXEC) != 0) return;  // no watcher, no handlers: the default action, as before
      g_handler.wake_fd = fds[1];
      g_handler.exits_process = true;
      g_handler.grace_seconds = grace_seconds_from_environment();
      make_stuck_lines();
      isa::start_signal_blocked_thread([fd = fds[0]] { watch(fd); }).detach();
    }
    struct sigaction sa = {};
    sa.sa_sigaction = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_SIGINFO;
    for (int i = 0; i < 2; ++i)
      if (want[i]) sigaction(signals[i], &sa, nullptr);
  });
}

LaunchInProgress::LaunchInProgress() { g_launches.fetch_add(1); }
LaunchInProgress::~LaunchInProgress() { g_launches.fetch_sub(1); }

bool interrupt_exits_process() { return g_handler.exits_process; }

void exit_interrupted(int signal, const std::string& during) {
  if (g_exit_claimed.exchange(true)) return;
  g_exiting_thread.store(std::this_thread::get_id());
  const std::string what = during.empty() ? std::string() : during + " (unfinished: not in the launch table) ";
  std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: %s%s; %s\n", what.c_str(), interrupted_message(signal).c_str(),
               !g_results || g_results->empty() ? "exiting" : g_results->c_str());
  std::fflush(gpusim::runtime::diagnostic_stream());
  std::exit(128 + signal);
}

void wait_if_another_thread_exits_for_an_interrupt() {
  if (!g_exit_claimed.load()) return;
  // Claimed but not yet recorded: the exiting thread is between the two stores.
  while (g_exiting_thread.load() == std::thread::id()) std::this_thread::yield();
  if (g_exiting_thread.load() == std::this_thread::get_id()) return;
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // std::exit ends this thread with the process
}

}  // namespace gpusim::runtime
