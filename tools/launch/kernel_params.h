// Matching `gpusim launch` arguments against a kernel's PTX .param list before anything runs, so
// that a wrong count or size is reported with the kernel, the parameter's name, its PTX type and
// size, and the spec that does not fit (runtime::Device only knows the bytes it was given).
#pragma once

#include <string>
#include <vector>

#include "isa/ir.h"
#include "tools/launch/arg_spec.h"

namespace gpusim::launch {

// "saxpy_param_1 (.f32, 4 bytes)"; byte arrays (structs, __half) as ".b8[2]".
std::string describe_param(const isa::Symbol& param);

// Throws ArgSpecError when the number of arguments differs from the kernel's parameters (the
// message lists every parameter beside the spec given for it) or when an argument's size differs
// from its parameter's (a buffer is an 8-byte device address). Returns notes for arguments whose
// size fits but whose kind does not (an integer for a .f32 parameter, a float for a .u32 one):
// their bits are passed as they are.
std::vector<std::string> check_kernel_args(const isa::Module& module, const isa::Function& kernel,
                                           const std::vector<ArgSpec>& args);

}  // namespace gpusim::launch
