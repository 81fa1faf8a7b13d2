// The names kernels have in the exit report's launch table, whose kernel column is narrow: a
// demangled library kernel ("void cub::CUB_300001_SM_750::detail::for_each::static_kernel<Policy,
// unsigned long, thrust::...::__uninitialized_fill::functor<...> >(...)") is shortened to fit, and
// where several instantiations of one template shorten to the same text, each shows the template
// argument that tells them apart ("_kernel_agent<SetOpAgent<...>>", "static_kernel<__tabulate::
// functor<...>>") before any number is added: an outside database engineer's Thrust program showed
// five rows of "_kernel_agent<...>(...) #k" for reduce_by_key and set_intersection alike.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace gpusim::runtime {

// `name` (a demangled kernel name, perhaps with ">" nesting marks in front) shortened to at most
// `width` characters: the return type and namespaces go first, then the parameters, then the
// template arguments; what is still too wide is cut with "...".
std::string shorten_kernel_name(std::string name, size_t width);

// The table text of each distinct name in `names` (full name -> text), each at most `width` wide.
// Names that shorten alike get the template argument that differs among them, and where even
// that is alike, " #1", " #2", ... in the order of `names`.
struct KernelTableNames {
  std::map<std::string, std::string> shown;
  bool numbered = false;  // some text carries " #k"
};
KernelTableNames kernel_table_names(const std::vector<std::string>& names, size_t width);

}  // namespace gpusim::runtime
