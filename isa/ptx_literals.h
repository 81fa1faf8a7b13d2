// Numeric literals of PTX: decimal / hex (0x) / octal (leading 0) integers with an optional U
// suffix, 0f/0F (f32 bits) and 0d/0D (f64 bits) hex floats, and decimal floats.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "isa/ir.h"

namespace gpusim::isa {

// A malformed or unrepresentable literal; the caller adds the location.
class LiteralError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The bit pattern a register of `type` holds for the literal `text` (negated when `negative`):
// integers are sign-extended to 64 bits then masked to the type width; for float types a
// numeric literal is converted to that type, a 0f/0d literal is taken as f32/f64 bits (and
// converted when the widths differ); for integer types a 0f/0d literal keeps its raw bits.
uint64_t literal_bits(std::string_view text, bool negative, DataType type);

// A non-negative integer literal (array sizes, alignments, vector counts).
uint64_t literal_unsigned(std::string_view text);

}  // namespace gpusim::isa
