// The names a user gives a kernel by. nvcc mangles C++ kernel names (a template instantiation
// `scale<float>` is `_Z5scaleIfEvPT_S0_i`), so besides the PTX name a user may give the demangled
// signature ("void scale<float>(float*, float, int)"), the name with its template arguments
// ("scale<float>", with or without namespaces) or the plain function name ("scale"); spaces do not
// matter ("scale<float,2>"), and "(anonymous namespace)::" counts as a namespace. `gpusim launch
// --kernel`, `exec --step` and `--trace-kernel` all match names this way.
#pragma once

#include <string>
#include <vector>

namespace gpusim::isa {

// "_Z5scaleIfEvPT_S0_i" -> "void scale<float>(float*, float, int)"; other names as they are.
std::string demangled_kernel_name(const std::string& ptx_name);

// How reports name a kernel or function: the demangled signature without its return type
// ("_Z7recursei" -> "recurse(int)"; a CUB kernel's name is then readable, if long); other names
// as they are.
std::string readable_function_name(const std::string& ptx_name);

// The signature without return type and parameter list: "void ns::scale<float>(float*)" ->
// "ns::scale<float>" ("(anonymous namespace)::" dropped).
std::string qualified_kernel_name(const std::string& signature);

// How closely `wanted` names the kernel `ptx_name`: 0 its PTX name, 1 its signature, 2 its name
// with template arguments (with or without namespaces), 3 its plain name; -1 none of them.
// Where several kernels match, the lowest tier wins (a plain name may be ambiguous).
int kernel_name_match(const std::string& ptx_name, const std::string& wanted);

// Names for a message's "(kernels: a, b, c)": at most 20 of them, each cut to 120 characters
// ("... and N more"), so a file of thousands of kernels or a name of megabytes does not flood the
// terminal (an outside tester's 5 MB kernel name came back whole in the error).
std::string listed_names(const std::vector<std::string>& names);

}  // namespace gpusim::isa
