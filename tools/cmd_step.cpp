// `gpusim step [--script FILE] [--kernel NAME] [--launch N] <workload> [gpusim run options]`
// `gpusim step [--script FILE] FILE.ptx|FILE.cu [gpusim launch options]`: runs a workload or one kernel
// of a PTX file on the timing model and stops in one launch, cycle by cycle, showing each SM's
// warps, what the schedulers issued and why (tools/stepper/, docs/STEPPER.md). Commands come from
// the terminal (GNU readline), from stdin when it is not a terminal, or from --script FILE.
// Exit status: that of gpusim run / gpusim launch; 1 when the program never made the launch asked
// for; 2 bad usage.
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tools/commands.h"
#include "tools/launch/arg_spec.h"
#include "tools/stepped_commands.h"
#include "tools/stepper/launch_stepper.h"
#include "tools/stepper/session.h"

namespace gpusim::cli {

namespace {

void print_usage(std::ostream& os) {
  os << "usage: gpusim step [--script FILE] [--kernel NAME] [--launch N] <workload> [gpusim run options]\n"
     << "       gpusim step [--script FILE] FILE.ptx|FILE.cu [gpusim launch options]\n"
     << "Runs a workload (as gpusim run) or one kernel of a PTX file (as gpusim launch) on the timing model and\n"
     << "stops in one launch, cycle by cycle: every resident warp of an SM with its state, the warp each scheduler\n"
     << "issued and its order, the PTX instruction, the active mask, scoreboard entries, busy pipes, queue depths.\n\n"
     << "  --script FILE   read the stepper's commands from FILE (default: the terminal with line editing, or\n"
     << "                  stdin line by line when it is not a terminal); at its end the run goes on to the end\n"
     << "  --kernel NAME   (workloads) step a launch of this kernel (default: any)\n"
     << "  --launch N      step the N-th (from 0) launch of that kernel (default 0)\n"
     << "Try: gpusim step reduce_sum --size 4096 --config configs/teaching.ini\n\n"
     << stepper::Session::help_text();
}

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Takes `--name VALUE` or `--name=VALUE` out of `args`; true when found.
bool take_option(std::vector<std::string>& args, const std::string& name, std::string& value) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name) {
      if (i + 1 >= args.size()) throw std::invalid_argument(name + " needs a value");
      value = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      return true;
    }
    if (args[i].rfind(name + "=", 0) == 0) {
      value = args[i].substr(name.size() + 1);
      args.erase(args.begin() + static_cast<long>(i));
      return true;
    }
  }
  return false;
}

}  // namespace

void require_steppable(const runtime::SimDeviceOptions& options, const std::string& backend_name) {
  if (options.mode != runtime::SimMode::Timing)
    throw std::invalid_argument("gpusim step runs the timing model: --mode functional cannot be stepped");
  if (backend_name != "sim")
    throw std::invalid_argument("the stepper runs the simulator: --backend " + backend_name + " cannot be stepped");
}

int gpusim_cmd_step(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") {
      print_usage(std::cout);
      return 0;
    }
  // --trace and --source-report watch the stepped run next to the stepper (the model fans its
  // events out to every observer). VCD waveforms are sampled by SystemC's time steps, which the
  // stepper's own clock loop does not run.
  for (const std::string& a : args)
    if (a.rfind("--vcd", 0) == 0) {
      std::cerr << "gpusim step: " << a << " cannot be combined with stepping: SystemC samples the waveforms, and the "
                   "stepper advances the clocks itself (run without gpusim step for a VCD file)\n";
      return 2;
    }
  // A kernel file (PTX, or CUDA C++ that gpusim launch compiles first) rather than a workload.
  bool ptx = false;
  for (const std::string& a : args) {
    std::string lower = a;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    ptx = ptx || ends_with(lower, ".ptx") || ends_with(lower, ".cu");  // launch names a misspelt .CU
  }
  stepper::StepTarget target;
  std::string script, launch_index;
  try {
    take_option(args, "--script", script);
    if (take_option(args, "--launch", launch_index))
      target.index = launch::parse_unsigned(launch_index, uint64_t(1) << 32, "--launch");
    if (!ptx) take_option(args, "--kernel", target.kernel);
    if (ptx && target.index != 0)
      throw std::invalid_argument("--launch: a PTX file's kernel is launched once (use --launch with a workload)");
  } catch (const std::invalid_argument& e) {
    std::cerr << "gpusim step: " << e.what() << "\n";
    return 2;
  }

  std::ifstream script_file;
  std::unique_ptr<stepper::LineReader> input;
  if (!script.empty()) {
    script_file.open(script);
    if (!script_file) {
      std::cerr << "gpusim step: cannot open --script '" << script << "': " << std::strerror(errno) << "\n";
      return 2;
    }
    input = stepper::make_stream_reader(script_file, &std::cout);
  } else if (isatty(STDIN_FILENO)) {
    input = stepper::make_readline_reader();
  } else {
    input = stepper::make_stream_reader(std::cin, &std::cout);
  }

  stepper::LaunchStepper stepper(target, *input, std::cout);
  std::vector<char*> forwarded{argv[0]};
  for (std::string& a : args) forwarded.push_back(a.data());
  forwarded.push_back(nullptr);
  const int n = static_cast<int>(forwarded.size()) - 1;
  const int status = ptx ? launch_command(n, forwarded.data(), stepper.runner())
                         : run_command(n, forwarded.data(), stepper.runner());
  if (status == 0 && !stepper.stepped()) {
    std::cerr << "gpusim step: the program never made " << stepper.describe_target() << "\n";
    return 1;
  }
  return status;
}

}  // namespace gpusim::cli
