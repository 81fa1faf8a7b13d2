// Classification of an instruction's dotted modifiers (".rn", ".global", ".f32", ...) into
// isa::Modifiers, per opcode, with validation of what the PTX ISA allows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "isa/ir.h"

namespace gpusim::isa {

struct ModifierToken {
  std::string_view text;  // including the leading '.'
  uint32_t column = 0;    // 1-based column of the '.'
};

// Thrown by decode_modifiers; the parser turns it into a located ParseError.
struct ModifierError {
  uint32_t column;
  std::string message;
};

// Classifies `mods` for `op`. Throws ModifierError for an unknown modifier, one that does not
// apply to `op`, a repeated single-valued class, or a combination the PTX ISA forbids.
// `opcode_column` locates errors that concern the instruction as a whole.
Modifiers decode_modifiers(Opcode op, const std::vector<ModifierToken>& mods, uint32_t opcode_column);

}  // namespace gpusim::isa
