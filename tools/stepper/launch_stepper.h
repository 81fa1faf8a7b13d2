// Runs a program's timed launches edge by edge (sim/clock_schedule.h) and hands one of them, the
// target, to an interactive Session: the runtime::TimedLaunchRunner that `gpusim step` gives the
// simulated device in place of the SystemC driver. Launches before and after the target run to
// their end without stopping, with the same cycles as under SystemC.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "runtime/sim_device.h"
#include "sim/gpu_model.h"
#include "tools/stepper/line_reader.h"
#include "tools/stepper/step_driver.h"

namespace gpusim::stepper {

struct StepTarget {
  std::string kernel;   // the kernel to step (its PTX name, or a C++ kernel's plain name); empty: any
  uint64_t index = 0;   // which of its launches, counting from 0
};

class LaunchStepper {
 public:
  LaunchStepper(StepTarget target, LineReader& input, std::ostream& out);

  sim::LaunchTiming run(sim::GpuModel& model, isa::LaunchState& launch, const sim::KernelResources& resources);
  // A runner bound to this object (which must outlive the device that uses it).
  runtime::TimedLaunchRunner runner();
  // The recorder the runner watches the model with, for SimDeviceOptions::model_observer: attached
  // when the device builds its model, since attaching later rebuilds it (the L2's contents lost).
  sim::SimObserver* observer() { return &recorder_; }
  // Whether the target launch happened (a script can only have run if it did).
  bool stepped() const { return stepped_; }
  std::string describe_target() const;

 private:
  void interact(StepDriver& driver);
  bool names_target(const std::string& name) const;

  StepTarget target_;
  LineReader& input_;
  std::ostream& out_;
  IssueRecorder recorder_;
  uint64_t now_ps_ = 0;        // simulated time where the next launch starts
  uint64_t matching_seen_ = 0;
  bool stepped_ = false;
};

}  // namespace gpusim::stepper
