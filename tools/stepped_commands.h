// `gpusim run` and `gpusim launch` with the timed launches handed to a runner instead of the
// SystemC driver: `gpusim step` passes its stepper (tools/stepper/launch_stepper.h) through these.
// With a runner the simulator must run in timing mode on the sim backend (a usage error otherwise).
#pragma once

#include "runtime/sim_device.h"

namespace gpusim::cli {

int run_command(int argc, char** argv, const runtime::TimedLaunchRunner& runner);
int launch_command(int argc, char** argv, const runtime::TimedLaunchRunner& runner);

// Throws std::invalid_argument unless `options` is the timing model and `backend_name` is "sim".
void require_steppable(const runtime::SimDeviceOptions& options, const std::string& backend_name);

}  // namespace gpusim::cli
