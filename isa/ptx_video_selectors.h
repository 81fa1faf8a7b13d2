// The element selectors and the destination mask of the SIMD video instructions (vadd4, vsub2,
// vabsdiff4, ...): `vop4 d.b3210, a.b3210, b.b7654, c` (those are the defaults).
//   a and b: each of the 4 bytes (2 halfwords) is picked from the 8 bytes (4 halfwords) of the
//     pair {b, a} (a's elements first); ".bxyzw" names the sources of elements 3, 2, 1, 0.
//   d: the elements the operation writes (".b310": 3, 1 and 0); the others take c's, or, with
//     .add, add nothing.
// Written into the register operand's `first` field (unused by register operands otherwise) with
// kVideoSelectorSet; 0 means the default.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace gpusim::isa {

inline constexpr uint16_t kVideoSelectorSet = 0x8000;

// `suffix` without its dot ("b3210", "h10"); `operand` 0 for d, 1 for a, 2 for b; `elements` 4
// (vop4) or 2 (vop2). Throws std::invalid_argument saying what is wrong.
uint16_t parse_video_selector(std::string_view suffix, unsigned operand, unsigned elements);

// The source element (0..2*elements-1 of {b, a}) of element `i` of operand a (operand 1) or b (2).
inline unsigned video_source_element(uint16_t selector, unsigned operand, unsigned i, unsigned elements) {
  if (!(selector & kVideoSelectorSet)) return operand == 1 ? i : i + elements;
  return (selector >> (3 * i)) & 7;
}

// Whether d's element `i` is written (the mask).
inline bool video_element_written(uint16_t mask, unsigned i) {
  return !(mask & kVideoSelectorSet) || ((mask >> i) & 1);
}

}  // namespace gpusim::isa
