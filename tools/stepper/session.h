// The stepper's command interpreter for one launch: reads a command line, runs the model as far as
// it asks (sim/clock_schedule.h order, through StepDriver) and prints the views (views.h).
// Bad commands get an error that names the command and what it expects; nothing a user types
// ends the process.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "sim/sm_snapshot.h"
#include "tools/stepper/step_driver.h"

namespace gpusim::stepper {

class Session {
 public:
  enum class Outcome { More, Quit };

  Session(StepDriver& driver, std::ostream& out);

  // Runs one command line. Quit: the user asked to stop stepping (the caller finishes the run).
  // Throws isa::ExecError when the kernel faults while running.
  Outcome execute(const std::string& line);
  void print_view();
  int sm_in_view() const { return sm_; }
  // The kernel faulted (`warp`: the faulting warp, when known): the view moves to its SM and from
  // now on only commands that look (print, sm, show, help) run; stepping ones are refused.
  void enter_post_mortem(const isa::Warp* warp);

  static const char* help_text();

 private:
  using Words = std::vector<std::string>;
  // Runs core cycles until `stop` says so after one (checked after every cycle) or the launch
  // ends; `limit` bounds the cycles. Returns the cycles run.
  template <typename Stop>
  uint64_t run_until(Stop stop, bool want_before);
  void cmd_step(const Words& w);
  void cmd_next(const Words& w);
  void cmd_continue(const Words& w);
  void cmd_print(const Words& w);
  void cmd_sm(const Words& w);
  const sim::WarpSnapshot& warp_in_view(const sim::SmSnapshot& snap, const std::string& text, const char* command) const;
  // A warp argument `wN` (or N) as an SM warp slot; an error names the SM's slots when N is not one.
  int parse_warp_slot(const std::string& text, const std::string& command) const;
  // Before waiting for slot `slot` of the SM in view: fine when a warp is there; when none is, a
  // note that the wait is for a CTA still to start, or an error when every CTA has started.
  void check_warp_can_come(int slot, const std::string& command);
  // After a stepping command: the view, or the end of the launch (naming the stop condition that
  // never happened, `waited_for`, when one was given).
  void after_run(uint64_t cycles_run, const std::string& waited_for = "");

  StepDriver& driver_;
  std::ostream& out_;
  int sm_ = 0;
  std::optional<sim::SmSnapshot> before_;  // the SM in view before the last cycle run
  bool stop_met_ = false;                  // the last run_until ended on its condition, not the launch's end
  bool faulted_ = false;                   // enter_post_mortem: nothing more runs
};

}  // namespace gpusim::stepper
