// Per-kernel resource usage (registers, static shared memory, stack) as ptxas reports it for an
// SM architecture: what occupancy needs and what a PTX file alone cannot tell. Runs the CUDA
// toolkit's ptxas when it is installed; without it the figures are unknown (zero) and the
// caller says so.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gpusim::runtime {

struct PtxasKernelInfo {
  unsigned registers = 0;
  unsigned static_shared_bytes = 0;
  unsigned stack_bytes = 0;
  unsigned spill_bytes = 0;
  bool entry = true;  // a kernel; false: a device function (only its stack frame is kept)
};

// One function of `ptxas -v` output, in the order ptxas reports them (kernels and the device
// functions they call); a figure ptxas did not print stays 0 and its has_* flag false.
struct PtxasFunctionReport {
  std::string name;
  bool is_entry = false;
  bool has_stack = false, has_registers = false;
  unsigned long long stack_bytes = 0, spill_store_bytes = 0, spill_load_bytes = 0;
  unsigned long long registers = 0, static_shared_bytes = 0;
};

// What one ptxas run produced. `timed_out`: ptxas was stopped after the time limit.
struct PtxasRun {
  int exit_status = -1;
  bool timed_out = false;
  std::string output;  // stdout and stderr together
  bool ok() const { return exit_status == 0 && !timed_out; }
};

// ptxas gets this long per run of `gpusim ptx` on a file; pathological PTX (".align 2147483648")
// keeps it busy for tens of seconds.
inline constexpr unsigned kPtxasTimeoutSeconds = 10;
// The register counts of a program's own modules (run_ptxas, ptxas_resources_for) get longer:
// the PTX of a Thrust program using eight algorithms (2.9 MB, a few hundred kernels) takes ptxas
// 7.5 s of CPU alone and 20 s on a loaded 2-core machine, and timing mode cannot run without it.
inline constexpr unsigned kModulePtxasTimeoutSeconds = 180;

// Path of ptxas (PATH, then /usr/local/cuda/bin), or nothing.
std::optional<std::string> find_ptxas();

// Runs `ptxas -v -arch=<arch> <ptx_file> -o /dev/null` under coreutils' timeout(1).
// `relocatable`: with -c (--compile-only), which leaves calls to functions no file defines
// unresolved, as nvcc -rdc=true does for libcudadevrt's (dynamic parallelism).
PtxasRun run_ptxas_on_file(const std::string& ptxas, const std::string& ptx_file, const std::string& arch,
                           unsigned timeout_seconds = kPtxasTimeoutSeconds, bool relocatable = false);

// Parses `ptxas -v` output line by line with plain string search: PTX names are untrusted and
// may be arbitrarily long (std::regex recurses per character and overflows the stack on them).
std::vector<PtxasFunctionReport> parse_ptxas_functions(const std::string& output);

// Parses `ptxas -v` output: kernel name -> figures, and device function name -> its stack frame
// (entry false; the kernels' figures never take a device function's). Exposed for tests.
std::map<std::string, PtxasKernelInfo> parse_ptxas_verbose(const std::string& output);

// Runs `ptxas -v -arch=<arch>` on `ptx`. Empty map when ptxas is missing; throws
// std::runtime_error with ptxas' message when ptxas rejects the PTX or runs out of time.
std::map<std::string, PtxasKernelInfo> run_ptxas(const std::string& ptx, const std::string& arch);

// Resource usage for `arch` even when the PTX's .target is newer (nvcc 13 cannot target sm_70,
// and the embedded PTX targets sm_80): the .target line is lowered to `arch` and ptxas retried;
// if the PTX really needs the newer target, its own target's figures are returned and `note`
// says so.
// ptxas's messages name the temporary file it was given ("ptxas /tmp/gpusim-ptxas-Ab12Cd.ptx, line
// 91; error ..."): the text with each such name replaced by `source_name` (the module's own).
std::string with_source_name(std::string ptxas_text, const std::string& source_name);

std::map<std::string, PtxasKernelInfo> ptxas_resources_for(const std::string& ptx, const std::string& arch,
                                                           std::string* note);

}  // namespace gpusim::runtime
