// Which kernel of a PTX file `gpusim launch --kernel NAME` means. nvcc mangles C++ kernel names
// (a template instantiation `scale<float>` is `_Z5scaleIfEvPT_S0_i`), so besides the PTX name a
// user may give the demangled signature ("void scale<float>(float*, float, int)"), the name with
// its template arguments ("scale<float>") or the plain function name ("scale") when only one
// kernel has it; spaces in the given name do not matter ("scale<float,2>").
#pragma once

#include <string>
#include <vector>

#include "isa/ir.h"

namespace gpusim::launch {

// "_Z5scaleIfEvPT_S0_i" -> "void scale<float>(float*, float, int)"; other names as they are.
std::string demangled_kernel_name(const std::string& ptx_name);

// The kernels (.entry) `name` matches, by the first of the forms above that matches any: an
// exact PTX name, the signature, the name with template arguments, the plain name. Several
// results mean the name is ambiguous (a plain name shared by template instantiations).
std::vector<const isa::Function*> kernels_named(const isa::Module& module, const std::string& name);

// "scale<float> (_Z5scaleIfEvPT_S0_i)" for a mangled kernel, the name alone otherwise.
std::string describe_kernel_name(const std::string& ptx_name);

}  // namespace gpusim::launch
