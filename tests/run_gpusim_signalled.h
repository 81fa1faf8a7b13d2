// Runs the gpusim binary as a child process and sends it a signal part-way through (Ctrl-C or
// SIGTERM during a long simulation), for the tests that the partial results survive.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/run_gpusim.h"

namespace gpusim::test_support {

// Starts `gpusim ARGUMENTS` (stdout and stderr to `log_path`), sends `signal` once `ready_file`
// exists (the --trace file: the simulated device has made it, after the handlers) and `after` more
// has passed (`times` times, back to back), and waits for it; a process still running `give_up`
// later is killed (exit_code -1).
// Waiting for the file keeps a slow start (a sanitizer build on a loaded machine) from taking the
// signal before gpusim handles it. The shell execs gpusim, and `gpusim exec` execs the program, so
// the signal reaches the simulating process.
inline Outcome run_gpusim_signalled(const std::string& arguments, int signal, const std::string& log_path,
                                    const std::string& ready_file,
                                    std::chrono::milliseconds after = std::chrono::milliseconds(1000),
                                    std::chrono::seconds give_up = std::chrono::seconds(60), int times = 1) {
  const std::string command = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 GPUSIM_PROGRESS=0 exec '") + GPUSIM_BINARY +
                              "' " + arguments + " > '" + log_path + "' 2>&1";
  Outcome o;
  const pid_t pid = fork();
  if (pid < 0) return o;
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + give_up;
  int status = 0;
  bool exited = false;
  while (!std::filesystem::exists(ready_file) && std::chrono::steady_clock::now() < deadline && !exited) {
    exited = waitpid(pid, &status, WNOHANG) == pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (exited) {  // it ended before it was ready: its own error, in the log
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream log(log_path);
    std::stringstream text;
    text << log.rdbuf();
    o.output = "(exited before the signal) " + text.str();
    return o;
  }
  std::this_thread::sleep_for(after);
  // `timeout` signals twice, the process and then its group; 20 ms apart, so the first has been
  // handled (a signal still pending when the second comes is delivered once).
  for (int i = 0; i < times; ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    kill(pid, signal);
  }
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  o.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream log(log_path);
  std::stringstream text;
  text << log.rdbuf();
  o.output = text.str();
  return o;
}

}  // namespace gpusim::test_support
