// Where an instruction came from in the user's CUDA source: the file and line of the `.loc` before
// it (nvcc -lineinfo / -G), for fault messages and the stepper.
#pragma once

#include <string>

#include "isa/ir.h"

namespace gpusim::isa {

// "saxpy.cu:17" (the file's name without its folders), "mma.hpp:91 inlined at gemm.cu:28" for
// code nvcc inlined from another function (the call site its `.loc` names), or "" when the PTX
// carries no line information for `in`.
std::string cuda_source_position(const Instruction& in, const Module& module);

}  // namespace gpusim::isa
