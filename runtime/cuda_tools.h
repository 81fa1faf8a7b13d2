// The CUDA toolkit's command-line tools (ptxas for register counts, nvcc for `gpusim launch
// FILE.cu`): where they are, and one run of one with its output and a time limit.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gpusim::runtime {

// Path of the toolkit's `name` (PATH first, then /usr/local/cuda/bin), or nothing.
std::optional<std::string> find_cuda_tool(const std::string& name);

struct ToolRun {
  int exit_status = -1;
  bool timed_out = false;  // stopped by the time limit
  std::string output;      // stdout and stderr together
  bool ok() const { return exit_status == 0 && !timed_out; }
};

// Runs argv[0] with the arguments under coreutils' timeout(1) (every argument quoted for the
// shell; nothing is interpreted), collecting what it prints.
ToolRun run_tool(const std::vector<std::string>& argv, unsigned timeout_seconds);

}  // namespace gpusim::runtime
