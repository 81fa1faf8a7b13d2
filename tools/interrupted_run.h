// Ctrl-C / SIGTERM in `gpusim run` and `gpusim launch`: the simulated device stops at a safe point
// and throws runtime::Interrupted (runtime/interrupt_signals.h); these write what finished (the
// --stats of the completed launches marked "interrupted": true, the trace's closing brackets),
// say so in one line on stderr and give the exit status 128 + signal (130 for SIGINT, 143 for
// SIGTERM), as a shell reports a command a signal ended.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "runtime/device.h"
#include "runtime/forwarding_device.h"

namespace gpusim::cli {

// The launches that finished, whatever happens to the caller afterwards (a workload's result
// lists them only when it returns).
class LaunchRecorder final : public runtime::ForwardingDevice {
 public:
  using ForwardingDevice::ForwardingDevice;
  runtime::LaunchStats launch(runtime::ModuleHandle module, const std::string& kernel, const runtime::LaunchConfig& cfg,
                              const runtime::KernelArgs& args) override {
    runtime::LaunchStats s = inner().launch(module, kernel, cfg, args);
    finished_.push_back(s);
    return s;
  }
  const std::vector<runtime::LaunchStats>& finished() const { return finished_; }

 private:
  std::vector<runtime::LaunchStats> finished_;
};

// Catches SIGINT and SIGTERM for a CLI command (the first one is handled at a safe point, a
// second one ends the process at once).
void catch_interrupts();

// The signal caught since catch_interrupts(), 0 when none.
int pending_interrupt();

// Writes --stats (when given) with `finished` and "interrupted": true, completes the profiling
// files of `sim_device` (the SimDevice itself, not a wrapper), prints
// "gpusim COMMAND: interrupted by SIGINT; ..." naming them, and returns 128 + signal. A file that
// cannot be written is reported too (the status stays 128 + signal).
int finish_interrupted(const std::string& command, int signal, runtime::Device& sim_device,
                       const boost::program_options::variables_map& vm, const std::vector<runtime::LaunchStats>& finished);

// Completes the profiling files (--trace, --vcd) of a run that ended normally; false after
// printing "gpusim COMMAND: <why>" when one could not be written.
bool finish_profiling_files(const std::string& command, runtime::Device& sim_device);

}  // namespace gpusim::cli
