// What a mangled kernel name says about its C++ parameters, for `gpusim launch`'s messages: the
// PTX only knows ".u64, 8 bytes"; the user wrote `float*`. nvcc mangles every C++ kernel name
// (extern "C" ones have no types to show).
#pragma once

#include <string>
#include <vector>

namespace gpusim::launch {

// "_Z5scaleIfEvPT_fi" -> {"float*", "float", "int"}; empty for an unmangled name or one the
// demangler rejects.
std::vector<std::string> cxx_parameter_types(const std::string& ptx_name);

// The --arg form for a parameter of C++ type `type`: "f32:VALUE" for float, "in:f32:FILE |
// out:f32:COUNT:FILE | inout:f32:IN:OUT | zeros:f32:COUNT" for float*; "" for types without an
// obvious one (structs, pointers to structs).
std::string suggested_arg_spec(const std::string& type);

}  // namespace gpusim::launch
