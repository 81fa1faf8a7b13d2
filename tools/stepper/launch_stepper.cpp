#include "tools/stepper/launch_stepper.h"

#include <exception>
#include <ostream>

#include "isa/exec_context.h"
#include "isa/kernel_names.h"
#include "tools/stepper/session.h"

namespace gpusim::stepper {

LaunchStepper::LaunchStepper(StepTarget target, LineReader& input, std::ostream& out)
    : target_(std::move(target)), input_(input), out_(out) {}

runtime::TimedLaunchRunner LaunchStepper::runner() {
  return [this](sim::GpuModel& model, isa::LaunchState& launch, const sim::KernelResources& resources) {
    return run(model, launch, resources);
  };
}

// Any name a user gives a kernel by (isa/kernel_names.h): PTX name, signature, name with
// template arguments, plain name.
bool LaunchStepper::names_target(const std::string& name) const {
  return target_.kernel.empty() || isa::kernel_name_match(name, target_.kernel) >= 0;
}

std::string LaunchStepper::describe_target() const {
  return "launch " + std::to_string(target_.index) + " of " +
         (target_.kernel.empty() ? std::string("any kernel") : "kernel '" + target_.kernel + "'");
}

sim::LaunchTiming LaunchStepper::run(sim::GpuModel& model, isa::LaunchState& launch,
                                     const sim::KernelResources& resources) {
  // Attached once for the device's life (attaching rebuilds the model, dropping cache contents).
  model.add_observer(&recorder_);
  recorder_.clear();
  StepDriver driver(model, launch, resources, recorder_, now_ps_);
  const bool target = !stepped_ && names_target(launch.kernel->name) && matching_seen_++ == target_.index;
  try {
    if (target) {
      stepped_ = true;
      interact(driver);
    }
    driver.run_to_end();
  } catch (...) {
    now_ps_ = driver.last_edge_ps();
    model.end_launch();
    throw;
  }
  now_ps_ = driver.last_edge_ps();
  return model.end_launch();
}

void LaunchStepper::interact(StepDriver& driver) {
  const isa::LaunchState& l = driver.launch();
  out_ << "stepping kernel " << l.kernel->name << ": grid " << l.grid.x << "," << l.grid.y << "," << l.grid.z
       << ", block " << l.block.x << "," << l.block.y << "," << l.block.z << " on " << driver.model().config().name
       << " (" << driver.model().sm_count() << " SMs, " << driver.model().config().subcores_per_sm
       << " sub-cores each); `help` lists the commands\n";
  Session session(driver, out_);
  try {
    while (!driver.finished()) {
      const auto line = input_.read("(gpusim step) ");
      if (!line) {
        out_ << "end of commands: running the launch to its end\n";
        break;
      }
      if (session.execute(*line) == Session::Outcome::Quit) {
        out_ << "quit: running the launch to its end\n";
        return;
      }
    }
    // A script whose stop came at the launch's end has commands left: say so, not drop them.
    if (driver.finished()) {
      const std::vector<std::string> left = input_.rest();
      if (!left.empty())
        out_ << "the launch has ended: " << left.size() << " command" << (left.size() == 1 ? "" : "s")
             << " of the script not run (from `" << left.front() << "`)\n";
    }
  } catch (const isa::ExecError& e) {
    out_ << "the kernel faulted in cycle " << (driver.cycles() ? driver.cycles() - 1 : 0) << ": " << e.what() << "\n";
    // Post-mortem: the model holds the state at the fault until the launch ends, so the user can
    // look at the faulting warp's registers and memory (a debugger stops there too).
    session.enter_post_mortem(e.warp());
    for (;;) {
      const auto line = input_.read("(gpusim step, faulted) ");
      if (!line || session.execute(*line) == Session::Outcome::Quit) break;
    }
    throw;
  } catch (const std::exception& e) {
    out_ << "the kernel faulted in cycle " << (driver.cycles() ? driver.cycles() - 1 : 0) << ": " << e.what() << "\n";
    throw;
  }
}

}  // namespace gpusim::stepper
