// SIGINT/SIGTERM during a simulation: stop at a safe point and keep what finished, instead of
// dying with the --stats file unwritten and the --trace file cut mid-event.
//
// The handler only records the signal (sim/interrupt_flag.h); the simulation notices it before the
// next launch or within 4,096 core cycles of a timed one, and SimDevice::launch then either throws
// runtime::Interrupted (the gpusim CLI, which writes its files and exits with 128 + signal) or,
// inside a CUDA program (the simulated libcudart/libcuda, which write --stats/--trace from an
// atexit handler), ends the program with std::exit(128 + signal) so that handler runs. A second
// signal ends the process at once.
#pragma once

#include <string>

namespace gpusim::runtime {

// ExitProcess mode: how long after the signal the watcher waits for a running launch to reach its
// safe point (a timed launch polls every 4,096 cycles, a functional one after each CTA round: seconds at most)
// before ending the process without its exit handlers. GPUSIM_INTERRUPT_GRACE_SECONDS overrides it.
inline constexpr double kDefaultInterruptGraceSeconds = 60;

enum class InterruptAction {
  Flag,         // the gpusim CLI: record the signal; the command decides what to write
  ExitProcess,  // a CUDA program on the simulated libraries: exit(128 + signal) at a safe point
};

// Installs the SIGINT and SIGTERM handlers once per process (later calls do nothing). ExitProcess
// leaves alone a signal the program already handles or ignores, and starts a watcher thread that
// exits the process when the signal comes while no launch runs (the program may be computing on
// the host, or waiting for input, for any length of time). `results` says where the partial
// results go, for the one-line message on stderr.
void install_interrupt_handlers(InterruptAction action, const std::string& results = "");

// Brackets a launch (ExitProcess mode): while one runs, the watcher thread leaves the exit to it.
class LaunchInProgress {
 public:
  LaunchInProgress();
  ~LaunchInProgress();
  LaunchInProgress(const LaunchInProgress&) = delete;
  LaunchInProgress& operator=(const LaunchInProgress&) = delete;
};

// Whether this process exits on an interrupt (install_interrupt_handlers(ExitProcess) ran).
bool interrupt_exits_process();

// ExitProcess mode: prints "gpusim: interrupted by SIGINT; <results>" and calls
// std::exit(128 + signal), so the atexit handlers write the files. Only the first caller exits;
// a later one (the watcher and a launch racing) returns and should fail its call instead.
// `during`: what was running ("launch of 'k(int*)'"), said first (a CI timeout's log said only
// "interrupted by SIGTERM" and then a table of the launches that had finished).
void exit_interrupted(int signal, const std::string& during = "");

// Called by the libraries' API wrappers after their lock is released, on a failed call: when
// another thread is already exiting the process for an interrupt (the watcher, racing a launch
// that noticed the flag too), the calling thread waits for that exit instead of handing the
// program an error it would act on (its own exit status, racing the 128 + signal one).
void wait_if_another_thread_exits_for_an_interrupt();

// "interrupted by SIGINT" (or SIGTERM, or "a signal").
std::string interrupted_message(int signal);

}  // namespace gpusim::runtime
