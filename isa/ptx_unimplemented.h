// PTX instructions gpusim does not implement, told apart from text that is not PTX at all.
//
// A module is one translation unit's kernels. When one of them uses an instruction gpusim lacks
// (multimem, tcgen05, clusterlaunchcontrol, ...), refusing the whole module at load would fail
// every kernel of the program's file, also those the program launches and gpusim runs; a GPU's
// driver loads it. So such an instruction is parsed as Opcode::Unimplemented (its operands
// skipped) and faults, naming itself and its line, only when a warp executes it. An opcode that
// is no PTX instruction at all (a typo in hand-written PTX) stays a parse error, as ptxas makes it.
#pragma once

#include <string_view>

namespace gpusim::isa {

// Whether the instruction token (opcode with its dotted modifiers) names a PTX ISA instruction
// that the parser does not decode: where no opcode of gpusim's matches (`unknown_opcode`), a
// mnemonic of the ISA's.
bool is_unimplemented_ptx(std::string_view token, bool unknown_opcode);

}  // namespace gpusim::isa
