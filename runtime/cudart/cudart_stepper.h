// GPUSIM_STEP for programs run under `gpusim exec --step KERNEL[:N]`: a stepper
// (tools/stepper/launch_stepper.h) attached to the simulated device's timed launches, reading its
// commands from GPUSIM_STEP_SCRIPT or the terminal (/dev/tty: the program's stdin is its own) and
// writing to stderr (stdout is the program's).
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "runtime/sim_environment.h"
#include "tools/stepper/launch_stepper.h"

namespace gpusim::cudart {

class ProgramStepper {
 public:
  // Throws runtime::Error when the command source cannot be opened.
  explicit ProgramStepper(const runtime::SimEnvironment& env);
  runtime::TimedLaunchRunner runner() { return stepper_->runner(); }
  sim::SimObserver* observer() { return stepper_->observer(); }
  // At exit: what to tell the user when no launch was stepped (the kernel name matched none, or
  // fewer launches than the index); empty when one was.
  std::string never_stepped() const {
    return stepper_->stepped() ? "" : "--step: " + stepper_->describe_target() + " never ran, so nothing was stepped";
  }

 private:
  std::ifstream commands_;
  std::unique_ptr<stepper::LineReader> reader_;
  std::unique_ptr<stepper::LaunchStepper> stepper_;
};

}  // namespace gpusim::cudart
