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
// A contracted add/sub (Instruction::fused_product) lists the mul's two sources instead of the
// product register: it is the FMA that reads them.
void register_use(const Instruction& in, RegisterUse& use);

}  // namespace gpusim::isa
