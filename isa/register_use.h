// The registers an instruction reads and writes, as the hardware's scoreboard and a compiler's
// scheduler see them: sources (incl. the guard predicate and address bases) and destinations.
// Shared by the timing model's scoreboard and the load-hoisting pass.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/ir.h"

namespace gpusim::isa {

struct RegisterUse {
  std::vector<uint32_t> sources;
  std::vector<uint32_t> destinations;
};

// Fills `use` (cleared first). Call arguments are .param symbols, not registers: none listed.
void register_use(const Instruction& in, RegisterUse& use);

}  // namespace gpusim::isa
