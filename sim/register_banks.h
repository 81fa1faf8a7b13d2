// Register-file bank conflicts of one sub-core.
//
// The rule (hardware.md §2.6): a Volta sub-core's register file has 2 banks, each 64 bits wide;
// register r lives in bank r % banks. Jia et al. (2018) observed that a 3-source FFMA only
// stalls when *all three* sources sit in the same bank, i.e. a bank delivers two operand reads
// per cycle to the operand collector (the operand reuse cache supplies the rest). We therefore
// let each bank serve kRegisterBankReadsPerCycle = 2 distinct registers per cycle, and every
// further read from the same bank costs one extra dispatch cycle. A register named twice is read
// once; predicates live in their own file and immediates need no read, so neither counts.
// PTX registers are virtual (ptxas renumbers them), so this is a statistical model of conflicts,
// not a prediction of a particular SASS allocation.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "isa/ir.h"

namespace gpusim::sim {

inline constexpr int kRegisterBankReadsPerCycle = 2;

// Extra dispatch cycles an instruction reading `sources` (register indices of `regs`) needs on a
// register file of `banks` banks. Throws std::invalid_argument when banks < 1 or an index is out
// of range.
int register_bank_conflict_cycles(std::span<const uint32_t> sources, const std::vector<isa::RegInfo>& regs,
                                  int banks);

}  // namespace gpusim::sim
