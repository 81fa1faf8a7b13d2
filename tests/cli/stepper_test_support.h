// Runs kernels of tests/fixtures/stepper_demo.ptx on a timed simulated device whose launches go
// through the stepper (tools/stepper/launch_stepper.h) with a scripted command list, and splits
// what the stepper printed into one piece per command.
#pragma once

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/device.h"
#include "runtime/sim_device.h"
#include "tools/stepper/launch_stepper.h"

namespace gpusim::test_support {

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(GPUSIM_FIXTURES) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline runtime::SimDeviceOptions teaching_timing(const std::vector<std::string>& overrides = {}) {
  runtime::SimDeviceOptions o;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  o.overrides = overrides;
  o.mode = runtime::SimMode::Timing;
  return o;
}

// A stepped session: the script's commands and what each printed.
struct SteppedRun {
  std::string transcript;
  std::vector<std::pair<std::string, std::string>> replies;  // command, its output
  std::vector<runtime::LaunchStats> launches;
  std::vector<uint32_t> out;                                 // stepper_demo's output buffer
  bool stepped = false;

  // The output of the n-th command `command` (0-based) in the script.
  std::string reply(const std::string& command, int n = 0) const {
    for (const auto& [c, text] : replies)
      if (c == command && n-- == 0) return text;
    return "<no command '" + command + "' in the script>";
  }
};

inline void split_replies(SteppedRun& run, const std::string& prompt) {
  size_t at = run.transcript.find(prompt);
  while (at != std::string::npos) {
    const size_t line_end = run.transcript.find('\n', at);
    const size_t next = run.transcript.find(prompt, line_end);
    const std::string command = run.transcript.substr(at + prompt.size(), line_end - at - prompt.size());
    run.replies.emplace_back(command, run.transcript.substr(line_end + 1, (next == std::string::npos ? run.transcript.size() : next) - line_end - 1));
    at = next;
  }
}

// Launches `kernel` of stepper_demo.ptx `launches` times (grid 1, `threads` per block); a runner is
// attached when `script` is given (with `target` choosing the launch stepped).
inline SteppedRun run_fixture(const std::string& kernel, unsigned threads, const std::string* script,
                              const std::vector<std::string>& overrides = {}, int launches = 1,
                              stepper::StepTarget target = {}) {
  SteppedRun run;
  std::istringstream commands(script ? *script : "");
  std::ostringstream out;
  auto reader = stepper::make_stream_reader(commands, &out);
  stepper::LaunchStepper stepper(target, *reader, out);
  runtime::SimDeviceOptions options = teaching_timing(overrides);
  if (script) options.timed_launch_runner = stepper.runner();
  std::unique_ptr<runtime::Device> device = runtime::make_sim_device(options);
  const runtime::ModuleHandle m = device->load_ptx("stepper_demo.ptx", read_fixture("stepper_demo.ptx"));
  runtime::LaunchConfig cfg;
  cfg.grid = {1, 1, 1};
  cfg.block = {threads, 1, 1};
  const runtime::DevPtr buffer = device->alloc(threads * 4);
  runtime::KernelArgs args;
  if (kernel == "stepper_demo") args.push_back(runtime::KernelArg::of(buffer));
  for (int i = 0; i < launches; ++i) run.launches.push_back(device->launch(m, kernel, cfg, args));
  run.out.resize(threads);
  device->copy_to_host(run.out.data(), buffer, threads * 4);
  run.transcript = out.str();
  run.stepped = stepper.stepped();
  split_replies(run, "(gpusim step) ");
  return run;
}

}  // namespace gpusim::test_support
