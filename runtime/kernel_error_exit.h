// `gpusim exec --error-exitcode N` (compute-sanitizer's option of the same name): a program whose
// kernels faulted, raced or were refused at launch exits with status N, even when it ignored the error CUDA returned and
// ended with 0, so that a test script or CI job notices.
//
// Two libraries may have launched the kernels (libcudart.so.13 and libcuda.so.1 each keep their
// own launches and report them from their own exit handlers), so the decision is made once, after
// both reports: each library's report marks the process (an environment variable, the one state
// two shared objects in a process both see) with the errors it found, and a handler that
// libcudart registers before anything else (it is preloaded: its constructor runs before the
// program's) runs after every other exit handler and ends the process with N if a mark is there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gpusim::runtime {

// The environment variable `gpusim exec --error-exitcode` sets.
inline constexpr const char* kErrorExitCodeVariable = "GPUSIM_ERROR_EXITCODE";

// GPUSIM_ERROR_EXITCODE as a status (0-255); nullopt when unset. A value that is not a number in
// 0-255 throws std::invalid_argument naming it (gpusim exec checks before the program starts).
std::optional<int> error_exit_code_from(const char* value);

// Adds this library's count of launches that faulted, of racing accesses (--racecheck) and of
// launches refused before they ran (a bad configuration: the kernel never ran) to the process's
// mark; called by each library's exit report. Does nothing when all are 0.
void mark_kernel_errors(uint64_t faulted_launches, uint64_t race_hazards, uint64_t refused_launches = 0);

// At exit, after the reports: when GPUSIM_ERROR_EXITCODE is set and a report marked errors, says
// so on stderr and ends the process with that status (its output flushed). Registered by
// libcudart's constructor when the variable is set.
void register_error_exit_status();

}  // namespace gpusim::runtime
