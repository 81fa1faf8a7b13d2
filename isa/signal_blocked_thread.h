// Threads of gpusim's own (the worker pool, the interrupt watcher) start with every asynchronous
// signal blocked. The kernel delivers a process-directed signal to any thread that does not block
// it; on one of ours it would run the program's handler there, and a handler that calls CUDA waits
// for a lock that thread holds or is waiting for itself (an outside tester's SIGALRM handler, which
// launched kernels, deadlocked the interrupt watcher and the pool, so SIGTERM was never answered).
#pragma once

#include <pthread.h>
#include <signal.h>

#include <thread>
#include <utility>

namespace gpusim::isa {

template <typename Function>
std::thread start_signal_blocked_thread(Function&& function) {
  sigset_t blocked, previous;
  sigfillset(&blocked);
  // Faults a thread causes itself are still its own to receive.
  for (int synchronous : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS}) sigdelset(&blocked, synchronous);
  pthread_sigmask(SIG_BLOCK, &blocked, &previous);  // the new thread inherits the creator's mask
  std::thread thread(std::forward<Function>(function));
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return thread;
}

}  // namespace gpusim::isa
