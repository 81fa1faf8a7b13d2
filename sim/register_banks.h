// Register-file bank conflicts of one sub-core.
//
// The rule (hardware.md §2.6): a Volta sub-core's register file has 2 banks, each 64 bits wide.
// Jia et al. (2018) observed that a 3-source FFMA only stalls when *all three* sources sit in the
// same bank, i.e. a bank delivers two operand reads per cycle to the operand collector (the
// operand reuse cache supplies the rest). We therefore let each bank serve
// kRegisterBankReadsPerCycle = 2 distinct registers per cycle, and every further read from the
// same bank costs one extra dispatch cycle. A register named twice is read once; predicates live
// in their own file and immediates need no read, so neither counts. Which bank a register sits in
// is the model's own bank-aware allocation (sim/register_bank_assignment.h), not its PTX number.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "isa/ir.h"

namespace gpusim::sim {

inline constexpr int kRegisterBankReadsPerCycle = 2;

// The registers of `sources` (indices of `regs`) that need a bank read: each once, predicates
// left out, in first-named order. Throws std::invalid_argument when an index is out of range.
std::vector<uint32_t> bank_read_registers(std::span<const uint32_t> sources, const std::vector<isa::RegInfo>& regs);

// Extra dispatch cycles reading the distinct registers `reads` costs on a register file of
// `banks` banks, register r sitting in bank bank_of[r]. Throws std::invalid_argument when
// banks < 1 or a register or its bank is out of range.
int register_bank_conflict_cycles(std::span<const uint32_t> reads, std::span<const uint16_t> bank_of, int banks);

}  // namespace gpusim::sim
