#include "runtime/fatal_signal_report.h"
#include "runtime/diagnostic_stream.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace gpusim::runtime {

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr int kCount = sizeof kSignals / sizeof kSignals[0];

// A signal handler reaches its state only through something static: this is the process's one
// set of dispositions, owned by the library that installed them.
struct Handlers {
  std::atomic<FatalSignalReport> report{nullptr};
  std::atomic<bool> reporting{false};
  struct sigaction previous[kCount];
};

Handlers& handlers() {
  static Handlers h;  // no destructor runs on it that matters: plain data
  return h;
}

void restore_previous(int signal) {
  Handlers& h = handlers();
  for (int i = 0; i < kCount; ++i)
    if (kSignals[i] == signal) sigaction(signal, &h.previous[i], nullptr);
}

void on_fatal_signal(int signal, siginfo_t* info, void*) {
  Handlers& h = handlers();
  // The next delivery of this signal takes the action in place before (a second fault inside the
  // report ends the process there).
  restore_previous(signal);
  if (!h.reporting.exchange(true)) {
    if (FatalSignalReport report = h.report.load()) {
      alarm(kFatalReportSeconds);
      report(signal);
      alarm(0);
    }
  }
  // A fault raised by an instruction happens again when the handler returns and takes the action
  // restored above; a signal sent by kill(), raise() or abort() has to be sent again.
  if (info == nullptr || info->si_code <= 0) raise(signal);
}

}  // namespace

void report_on_fatal_signal(FatalSignalReport report) {
  Handlers& h = handlers();
  if (h.report.exchange(report) != nullptr) return;  // installed already
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_sigaction = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_SIGINFO;
  // Only where the signal still has its default action: a process that handles it already (a
  // JVM, whose SIGSEGV is routine; a sanitizer, which reports the fault itself) keeps its handler
  // alone, or a routine fault would be reported as the program's end.
  for (int i = 0; i < kCount; ++i) {
    sigaction(kSignals[i], nullptr, &h.previous[i]);
    const bool handled = (h.previous[i].sa_flags & SA_SIGINFO) ? h.previous[i].sa_sigaction != nullptr
                                                              : h.previous[i].sa_handler != SIG_DFL;
    if (!handled) sigaction(kSignals[i], &action, nullptr);
  }
}

const char* fatal_signal_name(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    default: return "a fatal signal";
  }
}

void write_stderr_raw(const char* text) {
  size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = write(diagnostic_fd(), text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace gpusim::runtime
