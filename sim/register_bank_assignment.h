// Which register-file bank each of a function's registers sits in.
//
// PTX registers are virtual: ptxas renumbers them, and it places an instruction's sources so that
// they do not collide in one bank where it can. Taking the bank from the PTX register number
// (r % banks) made timing depend on how nvcc (or a hand-written microbenchmark) happened to name
// registers: three FFMA chains sharing two multiplicands named %f20/%f22 ran 49 % slower than the
// same code with %f21/%f23. So the model allocates banks itself, as a bank-aware allocator would:
// registers are taken in the order the code first reads them, and each goes to the bank that adds
// the fewest conflicts to the instructions already placed (ties to the bank holding the fewest
// registers, then the lowest). The result depends only on the code's structure, never on the
// names, and a conflict remains only where the instructions' sources cannot all be spread (e.g.
// every 3 of 5 registers read together on 2 banks), or on a configuration of one bank.
#pragma once

#include <cstdint>
#include <vector>

namespace gpusim::sim {

// Assigns each of `register_count` registers a bank in [0, banks), given each instruction's
// distinct bank-read registers (`reads`, in code order; see bank_read_registers). Registers no
// instruction reads get bank 0. Throws std::invalid_argument when banks < 1 or a register index is
// out of range.
std::vector<uint16_t> assign_register_banks(const std::vector<std::vector<uint32_t>>& reads, size_t register_count,
                                            int banks);

}  // namespace gpusim::sim
