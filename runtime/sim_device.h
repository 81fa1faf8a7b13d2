// The simulated device: runs the PTX in the isa/ executor (functional mode) or, once the timing
// model is attached, on the cycle-level GPU model.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/device.h"

namespace gpusim::runtime {

enum class SimMode { Functional, Timing };

struct SimDeviceOptions {
  std::string config_path;              // INI file; empty = the embedded default configuration
  std::vector<std::string> overrides;   // "key=value", as --set on the command line
  SimMode mode = SimMode::Functional;
  // A launch executing more warp-instructions than this is stopped and reported as a probable
  // infinite loop (the host process must never hang on a broken kernel).
  uint64_t max_warp_instructions = uint64_t(1) << 36;
  // Where kernels' device-side printf output goes, once per launch when it ends (faulted or not);
  // empty = the process's stdout, fflush'd.
  std::function<void(const std::string&)> printf_sink;
  // Where the messages of failed device asserts go ("file:line: function: block: [..], thread:
  // [..] Assertion `expr` failed."), after the launch's printf output; empty = stderr.
  std::function<void(const std::string&)> assert_sink;
};

std::unique_ptr<Device> make_sim_device(const SimDeviceOptions& options = {});

}  // namespace gpusim::runtime
