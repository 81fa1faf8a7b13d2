// gpusim: one command-line tool, several subcommands. Each subcommand lives in its own
// tools/cmd_<name>.cpp and parses its own options (Boost.Program_options).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <string>

#include <boost/program_options/errors.hpp>

#include "sim/build_revision.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "tools/huge_pages.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"list", "list the workloads and their size syntax", gpusim::cli::gpusim_cmd_list},
    {"run", "run a workload on the simulator and check it against its CPU reference", gpusim::cli::gpusim_cmd_run},
    {"launch", "run one kernel of your PTX file with arguments from the command line (.npy/raw buffers)", gpusim::cli::gpusim_cmd_launch},
    {"ptx", "parse a PTX file and list its kernels, parameters and resource use", gpusim::cli::gpusim_cmd_ptx},
    {"info", "print a GPU configuration and the peaks it implies", gpusim::cli::gpusim_cmd_info},
    {"train", "train the MLP on Fashion-MNIST with the autodiff framework", gpusim::cli::gpusim_cmd_train},
    {"ubench", "microbenchmarks on the timing model and/or the GPU next to published figures", gpusim::cli::gpusim_cmd_ubench},
    {"l2-fanin", "k SMs loading the same L2 lines at once: model (merge_limit_blocks 0/1) and/or GPU", gpusim::cli::gpusim_cmd_l2_fanin},
    {"exec", "run an unmodified CUDA program (nvcc -cudart shared) on the simulator", gpusim::cli::gpusim_cmd_exec},
    {"compare", "simulator versus real GPU per kernel (live, or --recorded without a GPU)", gpusim::cli::gpusim_cmd_compare},
    {"step", "stop in a launch on the timing model and step it cycle by cycle (warps, scheduler, stalls)", gpusim::cli::gpusim_cmd_step},
    {"roofline", "the configuration's roofs and the kernels of --stats files under them (SVG + table)", gpusim::cli::gpusim_cmd_roofline},
    {"sweep", "run a grid of configs x workloads x sizes x --set values into SQLite (locally or SLURM)", gpusim::cli::gpusim_cmd_sweep},
    {"report", "one self-contained HTML page of the kernels of --stats files (stalls, occupancy, memory, roofline, source lines)", gpusim::cli::gpusim_cmd_report},
};

void usage(std::ostream& os) {
  os << "usage: gpusim <command> [options]   (gpusim <command> --help for its options)\n\ncommands:\n";
  for (const Command& c : kCommands) os << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.summary << "\n";
  os << "\nWith no command, `gpusim` runs `gpusim run` (the default workload on the embedded default config).\n";
}

// The command's status, or 1 after saying so when its standard output could not be written
// (`gpusim run > /dev/full`, a full disk): output that was lost must not pass for success.
int with_stdout_checked(int status) {
  std::cout.flush();
  errno = 0;
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout;
  if (!failed) return status;
  std::cerr << "gpusim: cannot write standard output: " << (errno ? std::strerror(errno) : "write error") << "\n";
  return status ? status : 1;
}

}  // namespace

int main(int argc, char** argv) {
  gpusim::cli::restart_with_huge_pages(argv);  // before any allocation that matters (tools/huge_pages.h)
  if (argc < 2) {
    char run_name[] = "run";
    char* run_argv[] = {run_name, nullptr};
    return with_stdout_checked(gpusim::cli::gpusim_cmd_run(1, run_argv));
  }
  const std::string cmd = argv[1];
  if (cmd == "--version" || cmd == "version") {
    std::cout << "gpusim " << gpusim::sim::build_revision() << "\n";
    return with_stdout_checked(0);
  }
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(std::cout);
    return with_stdout_checked(0);
  }
  for (const Command& c : kCommands) {
    if (cmd != c.name) continue;
    try {
      return with_stdout_checked(c.run(argc - 1, argv + 1));
    } catch (const boost::program_options::error& e) {
      // An option error a command did not catch itself: still never through e.what() (see there).
      std::cerr << "gpusim " << cmd << ": error: " << gpusim::sim::option_error_text(e) << "\n";
      return 2;
    } catch (const std::bad_alloc&) {  // its what() ("std::bad_alloc") says nothing to a user
      std::cerr << "gpusim " << cmd << ": error: out of host memory (an input too large for this machine's memory or "
                << "the process's limit, ulimit -v)\n";
      return 1;
    } catch (const std::exception& e) {
      std::cerr << "gpusim " << cmd << ": error: " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "gpusim: unknown command '" << cmd << "'\n\n";
  usage(std::cerr);
  return 2;
}
