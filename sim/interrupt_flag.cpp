#include "sim/interrupt_flag.h"

#include <atomic>
#include <csignal>
#include <cstring>

namespace gpusim::sim {

namespace {
// The one process-wide flag: a signal handler has no object to reach but a global, and only a
// lock-free atomic may be written from it.
std::atomic<int> g_pending_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

std::string signal_text(int signal) {
  const char* name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : nullptr;
  return name ? name : "signal " + std::to_string(signal);
}
}  // namespace

void request_interrupt(int signal) noexcept {
  int none = 0;
  g_pending_signal.compare_exchange_strong(none, signal, std::memory_order_relaxed);
}

int interrupt_signal() noexcept { return g_pending_signal.load(std::memory_order_relaxed); }

void clear_interrupt() noexcept { g_pending_signal.store(0, std::memory_order_relaxed); }

LaunchInterrupted::LaunchInterrupted(int signal)
    : std::runtime_error("interrupted by " + signal_text(signal)), signal_(signal) {}

void throw_if_interrupted() {
  if (const int s = interrupt_signal()) throw LaunchInterrupted(s);
}

}  // namespace gpusim::sim
