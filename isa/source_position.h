// Where an instruction came from in the user's CUDA source: the file and line of the `.loc` before
// it (nvcc -lineinfo / -G), for fault messages and the stepper.
#pragma once

#include <string>

#include "isa/ir.h"

namespace gpusim::isa {

// "saxpy.cu:17" (the file's name without its folders), "mma.hpp:91 inlined at gemm.cu:28" for
// code nvcc inlined from another function (the call site its `.loc` names), "a.h:1 inlined at
// b.h:2 inlined at k.cu:4" two calls deep, "a.h:1 inlined at b.h:2 ... at k.cu:4 (5 calls deep)"
// deeper, or "" when the PTX carries no line information for `in`.
std::string cuda_source_position(const Instruction& in, const Module& module);

// Whether `in` comes from CUDA line `line` of `file` (a path, or its last components: "gemm.cu",
// "src/gemm.cu"; empty: any file): its own line, or a call site it was inlined at (the immediate
// or the outermost one), so that a user's line finds the header code called from it.
bool comes_from_source_line(const Instruction& in, const Module& module, const std::string& file, uint32_t line);

}  // namespace gpusim::isa
