// PTX linker for relocatable device code (nvcc -rdc=true / -dc): joins the PTX of several
// translation units into one module text that parse_ptx accepts, as nvlink joins their SASS.
//
// Module-scope symbols are resolved by their PTX linkage: `.visible` (strong), `.weak` and
// `.common` (first one kept when several modules define them), `.extern` (satisfied by another
// module's definition) and none (internal to its module: renamed where two modules use one name,
// e.g. nvcc's `$str` printf strings). The output lists function prototypes, then variables, then
// function bodies, so every name is declared before it is used; `.file`/`.loc` ids are
// renumbered so that line information still names each module's own source files.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gpusim::isa {

// A link failure (missing definition, two strong definitions, unreadable module): the message
// names the symbol and the module(s) involved.
class PtxLinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PtxLinkModule {
  std::string name;       // for messages and the comments in the output
  std::string text;       // the module's PTX
  // An optional module is linked only when an included module needs one of its symbols, like an
  // archive member (libcudadevrt's device-runtime code, which most programs never call).
  bool optional = false;
};

// Links `modules` (in order: the first of several .weak definitions wins). Names declared
// `.extern .func` that no module defines are accepted when `provided_by_runtime(name)` is true
// (vprintf, malloc, ...: the simulator supplies them). Throws PtxLinkError, or ParseError when a
// module's text cannot be tokenized.
std::string link_ptx(const std::vector<PtxLinkModule>& modules,
                     const std::function<bool(std::string_view)>& provided_by_runtime);

}  // namespace gpusim::isa
