#include "tools/stepper/session.h"

#include <ostream>
#include <sstream>
#include <stdexcept>

#include "isa/source_position.h"
#include "tools/stepper/views.h"

namespace gpusim::stepper {

namespace {

// A command the user typed wrong: reported, and the session goes on.
class CommandError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

uint64_t parse_number(const std::string& text, const std::string& command, const std::string& what) {
  size_t used = 0;
  uint64_t v = 0;
  try {
    if (!text.empty() && text[0] != '-') v = std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size())
    throw CommandError(command + ": expected " + what + " (a non-negative integer, 0x.. for hex), got '" + text + "'");
  return v;
}

}  // namespace

Session::Session(StepDriver& driver, std::ostream& out) : driver_(driver), out_(out) {}

const char* Session::help_text() {
  return "commands (cycles are counted from the launch's start; warps are SM warp slots wN, sub-core = N % sub-cores):\n"
         "  step [N]                  run N core cycles (default 1) and show the SM in view        (s)\n"
         "  next [subcore S|warp wN]  run until the SM in view (or sub-core S, or warp wN) issues   (n)\n"
         "  continue                  run to the end of the launch                                  (c)\n"
         "  continue barrier          ... until a warp of the SM in view arrives at a barrier\n"
         "  continue line L           ... until an instruction of PTX line L issues on any SM\n"
         "  continue source [FILE:]L  ... until code of CUDA line L (of FILE, or inlined there) issues (nvcc -lineinfo)\n"
         "  continue pc P             ... until the instruction at PC P issues on any SM\n"
         "  continue cycle C          ... until cycle C has run\n"
         "  continue state [wN] STATE ... until warp wN (or any warp of the SM in view) is in STATE:\n"
         "                            issued, ready, barrier, exited, stalled, or a stall reason (wait,\n"
         "                            long_scoreboard, ...: Nsight Compute's names)\n"
         "  print regs wN LANE        a thread's registers (current call frame; `pending`: not       (p)\n"
         "                            readable yet, the value shown is the one that will arrive)\n"
         "  print stack wN            the warp's SIMT reconvergence stack per call frame\n"
         "  print shared wN ADDR [B]  B bytes (default 64) of the warp's CTA's shared memory from ADDR\n"
         "  print lines ADDR          the L1 line (SM in view) and L2 line holding a global address\n"
         "  sm N                      view SM N\n"
         "  show                      show the SM in view again\n"
         "  help                      this list\n"
         "  quit                      stop stepping; the run continues to its end                   (q)\n";
}

template <typename Stop>
uint64_t Session::run_until(Stop stop, bool snapshots) {
  uint64_t cycles = 0;
  std::optional<sim::SmSnapshot> after;
  stop_met_ = false;
  for (;;) {
    std::optional<sim::SmSnapshot> before;
    if (snapshots) before = after ? std::move(after) : driver_.model().sm(sm_).snapshot(driver_.model().core_cycle());
    if (!driver_.step_core_cycle()) break;
    ++cycles;
    before_ = std::move(before);
    if (snapshots) after = driver_.model().sm(sm_).snapshot(driver_.model_cycle());
    if (stop(after ? &*after : nullptr)) {
      stop_met_ = true;
      break;
    }
  }
  return cycles;
}

void Session::after_run(uint64_t cycles_run, const std::string& waited_for) {
  // A condition met in the launch's last cycle (its last CTA retiring) shows that cycle first.
  if (!driver_.finished() || (stop_met_ && !waited_for.empty() && cycles_run)) print_view();
  if (driver_.finished()) {
    out_ << "launch finished: " << driver_.cycles() << " core cycles run" << (cycles_run ? "" : " (nothing left to run)");
    // A stop condition the rest of the launch never met: say so, rather than leave the user to
    // wonder why the stepper did not stop.
    if (!waited_for.empty() && cycles_run && !stop_met_) out_ << "; " << waited_for << " never happened";
    out_ << "\n";
  }
}

void Session::print_view() {
  if (driver_.cycles() == 0) {
    out_ << "no cycle has run yet: `step` runs the first one (CTAs reach the SMs in cycle 0)\n";
    return;
  }
  print_sm_view(out_, driver_, sm_, before_ ? &*before_ : nullptr);
}

Session::Outcome Session::execute(const std::string& line) {
  std::istringstream in(line);
  Words w;
  for (std::string word; in >> word;) w.push_back(word);
  if (w.empty() || w[0][0] == '#') return Outcome::More;
  const std::string& c = w[0];
  try {
    if (faulted_ && (c == "step" || c == "s" || c == "next" || c == "n" || c == "continue" || c == "c"))
      throw CommandError(c + ": the kernel has faulted, nothing more runs; `print`, `sm` and `show` look at the state "
                             "at the fault, `quit` ends the launch");
    if (c == "step" || c == "s") cmd_step(w);
    else if (c == "next" || c == "n") cmd_next(w);
    else if (c == "continue" || c == "c") cmd_continue(w);
    else if (c == "print" || c == "p") cmd_print(w);
    else if (c == "sm") cmd_sm(w);
    else if (c == "show") print_view();
    else if (c == "help" || c == "h") out_ << help_text();
    else if (c == "quit" || c == "q") return Outcome::Quit;
    else throw CommandError("unknown command '" + c + "'; `help` lists the commands");
  } catch (const CommandError& e) {
    out_ << "error: " << e.what() << "\n";
  }
  return Outcome::More;
}

void Session::cmd_step(const Words& w) {
  if (w.size() > 2) throw CommandError("step: expected at most one argument, a cycle count");
  const uint64_t n = w.size() == 2 ? parse_number(w[1], "step", "a cycle count") : 1;
  if (n == 0) throw CommandError("step: the cycle count must be at least 1");
  uint64_t run = 0;
  if (n > 1) run = run_until([&, k = uint64_t(0)](const sim::SmSnapshot*) mutable { return ++k >= n - 1; }, false);
  if (run == n - 1) run += run_until([](const sim::SmSnapshot*) { return true; }, true);
  after_run(run);
}

void Session::cmd_next(const Words& w) {
  const int subcores = driver_.model().config().subcores_per_sm;
  int subcore = -1, warp = -1;
  if (w.size() == 3 && (w[1] == "subcore" || w[1] == "sub-core")) {
    const uint64_t s = parse_number(w[2], "next subcore", "a sub-core index");
    if (s >= static_cast<uint64_t>(subcores))
      throw CommandError("next subcore: sub-core " + w[2] + " is outside 0.." + std::to_string(subcores - 1));
    subcore = static_cast<int>(s);
  } else if (w.size() == 3 && w[1] == "warp") {
    warp = parse_warp_slot(w[2], "next warp");
    check_warp_can_come(warp, "next warp");
    subcore = warp % subcores;
  } else if (w.size() != 1) {
    throw CommandError("next: expected nothing, `subcore S` or `warp wN`");
  }
  const int sm = sm_;
  auto issued = [&](int sc) {
    const IssueRecord* r = driver_.recorder().last(sm, sc);
    return r && r->cycle == driver_.model_cycle() && (warp < 0 || r->warp == warp);
  };
  const uint64_t run = run_until(
      [&](const sim::SmSnapshot*) {
        if (subcore >= 0) return issued(subcore);
        for (int sc = 0; sc < subcores; ++sc)
          if (issued(sc)) return true;
        return false;
      },
      true);
  after_run(run, warp >= 0     ? "an issue by w" + std::to_string(warp) + " on SM " + std::to_string(sm)
                 : subcore >= 0 ? "an issue on sub-core " + std::to_string(subcore) + " of SM " + std::to_string(sm)
                                : "an issue on SM " + std::to_string(sm));
}

void Session::cmd_continue(const Words& w) {
  if (w.size() == 1) {
    const uint64_t before = driver_.cycles();
    driver_.run_to_end();
    before_.reset();
    return after_run(driver_.cycles() - before);
  }
  const std::string& what = w[1];
  uint64_t run = 0;
  if (what == "barrier" && w.size() == 2) {
    run = run_until(
        [&](const sim::SmSnapshot* after) {
          for (const sim::WarpSnapshot& x : after->warps) {
            if (x.finished || x.reason != sim::StallReason::Barrier) continue;
            bool was_waiting = false;
            for (const sim::WarpSnapshot& b : before_->warps)
              was_waiting = was_waiting || (b.sm_warp == x.sm_warp && !b.finished && b.reason == sim::StallReason::Barrier);
            if (!was_waiting) return true;
          }
          return false;
        },
        true);
  } else if ((what == "line" || what == "pc" || what == "source") && w.size() == 3) {
    // `source [FILE:]LINE`: FILE is the file's name or its last path components; the line matches
    // an instruction's own line or a call site it was inlined at (a header's wgmma wrapper called
    // from gemm.cu:40 stops at `source gemm.cu:40`).
    const isa::Module& module = *driver_.launch().module;
    const size_t colon = what == "source" ? w[2].rfind(':') : std::string::npos;
    const std::string file = colon == std::string::npos ? "" : w[2].substr(0, colon);
    const uint64_t target = parse_number(colon == std::string::npos ? w[2] : w[2].substr(colon + 1), "continue " + what,
                                         what == "pc"     ? "a PC"
                                         : what == "line" ? "a PTX line number"
                                                          : "a CUDA source line number (LINE or FILE:LINE)");
    auto at_target = [&](uint32_t pc, const isa::Instruction& in) {
      if (what == "pc") return pc == target;
      if (what == "line") return in.line == target;
      return target <= UINT32_MAX && isa::comes_from_source_line(in, module, file, uint32_t(target));
    };
    // A place no instruction of the module has would run the launch to its end without stopping.
    bool exists = false;
    for (const isa::Function& f : module.functions)
      for (uint32_t pc = 0; pc < f.code.size() && !exists; ++pc) exists = at_target(pc, f.code[pc]);
    if (!exists)
      throw CommandError("continue " + what + ": no instruction " +
                         (what == "pc" ? "has PC " : what == "line" ? "is on PTX line " : "comes from CUDA line ") + w[2] +
                         " in this module");
    const int subcores = driver_.model().config().subcores_per_sm;
    run = run_until(
        [&](const sim::SmSnapshot*) {
          for (int sm = 0; sm < driver_.model().sm_count(); ++sm)
            for (int sc = 0; sc < subcores; ++sc) {
              const IssueRecord* r = driver_.recorder().last(sm, sc);
              if (!r || r->cycle != driver_.model_cycle() || !at_target(r->pc, *r->inst)) continue;
              if (sm != sm_) before_.reset();  // the order shown was another SM's
              sm_ = sm;
              return true;
            }
          return false;
        },
        true);
  } else if (what == "cycle" && w.size() == 3) {
    const uint64_t target = parse_number(w[2], "continue cycle", "a cycle number");
    if (driver_.cycles() > target)
      throw CommandError("continue cycle: cycle " + w[2] + " has already run (the last was " +
                         std::to_string(driver_.cycles() - 1) + ")");
    if (target > driver_.cycles())
      run = run_until([&](const sim::SmSnapshot*) { return driver_.cycles() >= target; }, false);
    if (!driver_.finished()) run += run_until([](const sim::SmSnapshot*) { return true; }, true);
  } else if (what == "state" && (w.size() == 3 || w.size() == 4)) {
    const std::string& state = w.back();
    if (!is_warp_state_name(state))
      throw CommandError("continue state: unknown state '" + state + "'; states: " + warp_state_names());
    int warp = -1;
    if (w.size() == 4) {
      warp = parse_warp_slot(w[2], "continue state");
      check_warp_can_come(warp, "continue state");
    }
    run = run_until(
        [&](const sim::SmSnapshot* after) {
          for (const sim::WarpSnapshot& x : after->warps)
            if ((warp < 0 || x.sm_warp == warp) && warp_state_matches(x, state)) return true;
          // A warp whose CTA retired in this cycle exited in it (issuing its last instruction, when
          // its sub-core issued it in this cycle).
          if (!before_ || (state != "exited" && state != "issued")) return false;
          for (int id : warps_gone(*before_, *after)) {
            if (warp >= 0 && id != warp) continue;
            if (state == "exited") return true;
            const sim::WarpSnapshot* was = nullptr;
            for (const sim::WarpSnapshot& b : before_->warps) was = b.sm_warp == id ? &b : was;
            const IssueRecord* r = was ? driver_.recorder().last(sm_, was->subcore) : nullptr;
            if (r && r->cycle == driver_.model_cycle() && r->warp == id) return true;
          }
          return false;
        },
        true);
  } else {
    throw CommandError(
        "continue: expected nothing, `barrier`, `line L`, `source [FILE:]L`, `pc P`, `cycle C` or `state [wN] STATE`");
  }
  after_run(run, what == "barrier" ? "a warp newly waiting at a barrier on SM " + std::to_string(sm_)
                 : what == "cycle" ? ""
                                   : "'" + w[1] + " " + w[2] + (w.size() == 4 ? " " + w[3] : "") + "'");
}

int Session::parse_warp_slot(const std::string& text, const std::string& command) const {
  const std::string id = !text.empty() && text[0] == 'w' ? text.substr(1) : text;
  const uint64_t slot = parse_number(id, command, "a warp slot wN");
  const int slots = driver_.model().config().max_warps_per_sm();
  // A slot the SM does not have never holds a warp: waiting for it would run the launch to its end.
  if (slot >= static_cast<uint64_t>(slots))
    throw CommandError(command + ": w" + id + " is outside the SM's warp slots w0..w" + std::to_string(slots - 1));
  return static_cast<int>(slot);
}

void Session::check_warp_can_come(int slot, const std::string& command) {
  const sim::SmSnapshot snap = driver_.model().sm(sm_).snapshot(driver_.model().core_cycle());
  for (const sim::WarpSnapshot& x : snap.warps)
    if (x.sm_warp == slot) return;
  // An empty slot fills only when a CTA not yet started lands on this SM (in a later wave, or in
  // cycle 0): waiting is legitimate while one is left, pointless once every CTA has started.
  const std::string where = "w" + std::to_string(slot) + " of SM " + std::to_string(sm_);
  if (driver_.model().dispatched_ctas() >= driver_.launch().grid.count())
    throw CommandError(command + ": no warp in slot " + where + ", and every CTA of the launch has started, so none will" +
                       " come (`show` lists the resident warps)");
  out_ << "note: no warp in slot " << where << " yet; waiting for one from a CTA still to start\n";
}

const sim::WarpSnapshot& Session::warp_in_view(const sim::SmSnapshot& snap, const std::string& text,
                                               const char* command) const {
  const int slot = parse_warp_slot(text, command);
  for (const sim::WarpSnapshot& x : snap.warps)
    if (x.sm_warp == slot) return x;
  throw CommandError(std::string(command) + ": no warp in slot w" + std::to_string(slot) + " of SM " + std::to_string(sm_) +
                     " (`show` lists the resident warps)");
}

void Session::cmd_print(const Words& w) {
  if (w.size() < 3)
    throw CommandError("print: expected `regs wN LANE`, `stack wN`, `shared wN ADDR [BYTES]` or `lines ADDR`");
  // As of the cycle the view shows (the last one run), so that the registers print regs marks
  // pending are those the view's scoreboard lines list, with the same "ready in".
  const uint64_t cycle = driver_.cycles() ? driver_.model_cycle() : driver_.model().core_cycle();
  const sim::SmSnapshot snap = driver_.model().sm(sm_).snapshot(cycle);
  try {
    if (w[1] == "regs" && w.size() == 4) {
      const uint64_t lane = parse_number(w[3], "print regs", "a lane 0..31");
      if (lane >= 32) throw CommandError("print regs: lane " + w[3] + " is outside 0..31");
      print_registers(out_, warp_in_view(snap, w[2], "print regs"), static_cast<unsigned>(lane), cycle);
    } else if (w[1] == "stack" && w.size() == 3) {
      print_simt_stack(out_, warp_in_view(snap, w[2], "print stack"));
    } else if (w[1] == "shared" && (w.size() == 4 || w.size() == 5)) {
      const uint64_t address = parse_number(w[3], "print shared", "a shared-memory address");
      const uint64_t bytes = w.size() == 5 ? parse_number(w[4], "print shared", "a byte count") : 64;
      if (bytes == 0) throw CommandError("print shared: a byte count of 0 shows nothing; give 1 or more (default 64)");
      print_shared(out_, warp_in_view(snap, w[2], "print shared"), address, bytes);
    } else if (w[1] == "lines" && w.size() == 3) {
      print_cache_lines(out_, driver_, sm_, parse_number(w[2], "print lines", "a global-memory address"));
    } else {
      throw CommandError("print: expected `regs wN LANE`, `stack wN`, `shared wN ADDR [BYTES]` or `lines ADDR`");
    }
  } catch (const CommandError&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw CommandError("print " + w[1] + ": " + e.what());
  }
}

void Session::enter_post_mortem(const isa::Warp* warp) {
  faulted_ = true;
  const uint64_t cycle = driver_.cycles() ? driver_.model_cycle() : driver_.model().core_cycle();
  for (int sm = 0; warp && sm < driver_.model().sm_count(); ++sm)
    for (const sim::WarpSnapshot& w : driver_.model().sm(sm).snapshot(cycle).warps)
      if (w.warp == warp) {
        if (sm != sm_) before_.reset();
        sm_ = sm;
        print_view();
        out_ << "the faulting warp is w" << w.sm_warp << " of SM " << sm << " (sub-core " << w.subcore
             << "); its faulting instruction wrote no register: `print regs w" << w.sm_warp
             << " LANE`, `print stack`, `print shared` and `print lines` show the state at the fault, `quit` ends "
                "the launch\n";
        return;
      }
  out_ << "`print`, `sm` and `show` look at the state at the fault, `quit` ends the launch\n";
}

void Session::cmd_sm(const Words& w) {
  if (w.size() != 2) throw CommandError("sm: expected an SM index");
  const uint64_t n = parse_number(w[1], "sm", "an SM index");
  if (n >= static_cast<uint64_t>(driver_.model().sm_count()))
    throw CommandError("sm: SM " + w[1] + " is outside 0.." + std::to_string(driver_.model().sm_count() - 1));
  sm_ = static_cast<int>(n);
  before_.reset();
  print_view();
}

}  // namespace gpusim::stepper
