// The process's pending SIGINT/SIGTERM, for stopping a long simulation at a safe point.
//
// A signal handler may only touch lock-free atomics (async-signal-safe), so the handler
// (runtime/interrupt_signals.h) stores the signal number here and returns; the simulation polls it
// where stopping is safe: before each launch (runtime/sim_device.cpp) and every
// kInterruptCheckCycles core cycles of a timed launch (GpuModel::tick_core), one relaxed load,
// off the per-cycle path's cost. A stopped launch throws LaunchInterrupted; its caller writes what
// finished (--stats, the trace's closing brackets) and exits with 128 + the signal.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

// Every this many core cycles a timed launch looks at the flag (a power of two: a mask test).
constexpr uint64_t kInterruptCheckCycles = 4096;

// Async-signal-safe: records `signal` (the first one wins; later ones are kept out).
void request_interrupt(int signal) noexcept;
// The pending signal number, 0 when none (relaxed: the flag carries no data with it).
int interrupt_signal() noexcept;
// Forgets a pending interrupt (tests, and a process that handled it and goes on).
void clear_interrupt() noexcept;

// Thrown at a safe point once an interrupt is pending: the launch did not finish.
class LaunchInterrupted : public std::runtime_error {
 public:
  explicit LaunchInterrupted(int signal);
  int signal() const { return signal_; }

 private:
  int signal_;
};

// Throws LaunchInterrupted when an interrupt is pending.
void throw_if_interrupted();

}  // namespace gpusim::sim
