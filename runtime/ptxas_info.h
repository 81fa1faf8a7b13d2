// Per-kernel resource usage (registers, static shared memory, stack) as ptxas reports it for an
// SM architecture: what occupancy needs and what a PTX file alone cannot tell. Runs the CUDA
// toolkit's ptxas when it is installed; without it the figures are unknown (zero) and the
// caller says so.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace gpusim::runtime {

struct PtxasKernelInfo {
  unsigned registers = 0;
  unsigned static_shared_bytes = 0;
  unsigned stack_bytes = 0;
  unsigned spill_bytes = 0;
};

// Path of ptxas (PATH, then /usr/local/cuda/bin), or nothing.
std::optional<std::string> find_ptxas();

// Parses `ptxas -v` output: kernel name -> figures. Exposed for tests.
std::map<std::string, PtxasKernelInfo> parse_ptxas_verbose(const std::string& output);

// Runs `ptxas -v -arch=<arch>` on `ptx`. Empty map when ptxas is missing; throws
// std::runtime_error with ptxas' message when ptxas rejects the PTX.
std::map<std::string, PtxasKernelInfo> run_ptxas(const std::string& ptx, const std::string& arch);

// Resource usage for `arch` even when the PTX's .target is newer (nvcc 13 cannot target sm_70,
// and the embedded PTX targets sm_80): the .target line is lowered to `arch` and ptxas retried;
// if the PTX really needs the newer target, its own target's figures are returned and `note`
// says so.
std::map<std::string, PtxasKernelInfo> ptxas_resources_for(const std::string& ptx, const std::string& arch,
                                                           std::string* note);

}  // namespace gpusim::runtime
