#include "runtime/cudart/cudart_stepper.h"

#include <cerrno>
#include <cstring>
#include <iostream>

#include "runtime/device.h"

namespace gpusim::cudart {

ProgramStepper::ProgramStepper(const runtime::SimEnvironment& env) {
  const std::string source = env.step_script.empty() ? "/dev/tty" : env.step_script;
  commands_.open(source);
  if (!commands_)
    throw runtime::Error("GPUSIM_STEP: cannot read the stepper's commands from '" + source + "': " + std::strerror(errno) +
                         (env.step_script.empty() ? " (no terminal: give gpusim exec --step-script FILE)" : ""));
  // Commands from a script are echoed so stderr reads as a transcript; a terminal shows them itself.
  reader_ = stepper::make_stream_reader(commands_, env.step_script.empty() ? nullptr : &std::cerr);
  stepper_ = std::make_unique<stepper::LaunchStepper>(stepper::StepTarget{env.step_kernel, env.step_launch}, *reader_,
                                                      std::cerr);
}

}  // namespace gpusim::cudart
