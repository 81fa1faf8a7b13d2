// Names of stall reasons (as Nsight Compute prints them, without the "smsp__pcsamp_warps_issue_stalled_"
// prefix) and of the sub-core pipes, for stats, traces and the CLI.
#include <stdexcept>
#include <string>

#include "sim/timing_types.h"

namespace gpusim::sim {

const char* stall_reason_name(StallReason r) {
  switch (r) {
    case StallReason::Selected: return "selected";
    case StallReason::LongScoreboard: return "long_scoreboard";
    case StallReason::ShortScoreboard: return "short_scoreboard";
    case StallReason::Wait: return "wait";
    case StallReason::Barrier: return "barrier";
    case StallReason::MioThrottle: return "mio_throttle";
    case StallReason::LgThrottle: return "lg_throttle";
    case StallReason::MathPipeThrottle: return "math_pipe_throttle";
    case StallReason::NotSelected: return "not_selected";
    case StallReason::NoInstruction: return "no_instruction";
    case StallReason::DispatchStall: return "dispatch_stall";
    case StallReason::Sleeping: return "sleeping";
    case StallReason::Count: break;
  }
  throw std::invalid_argument("stall_reason_name: invalid stall reason " + std::to_string(static_cast<int>(r)));
}

const char* pipe_name(Pipe p) {
  switch (p) {
    case Pipe::Fp32: return "fp32";
    case Pipe::Int: return "int";
    case Pipe::Fp64: return "fp64";
    case Pipe::Sfu: return "sfu";
    case Pipe::Tensor: return "tensor";
    case Pipe::Mem: return "mem";
    case Pipe::Branch: return "branch";
    case Pipe::Count: break;
  }
  throw std::invalid_argument("pipe_name: invalid pipe " + std::to_string(static_cast<int>(p)));
}

}  // namespace gpusim::sim
