// PTX cvt between integer types and float formats, bit-exact.
#pragma once

#include <cstdint>

#include "isa/ir.h"
#include "isa/numerics/float_format.h"

namespace gpusim::isa::numerics {

struct IntType {
  unsigned bits;  // 8, 16, 32, 64
  bool is_signed;
};

// Integer -> integer: the source value (raw bits of `from`) is sign- or zero-extended, then
// truncated to `to`; with `saturate` it is instead clamped to `to`'s range.
uint64_t convert_int(uint64_t bits, IntType from, IntType to, bool saturate);

// Float -> integer with an integer rounding mode (.rni/.rzi/.rmi/.rpi; plain Rn.. accepted).
// Per the PTX ISA the result saturates to the destination range; NaN converts to 0, or to
// 1 << (width - 1) when the source is .f64 or the destination 64-bit (PTX ISA 9.0).
uint64_t float_to_int(uint64_t bits, FloatFormat f, IntType to, Rounding rnd, bool ftz);

// Integer -> float, rounded once under `rnd`.
uint64_t int_to_float(uint64_t bits, IntType from, FloatFormat f, Rounding rnd);

// Sign-extends the low `bits` bits of v. Inline, like truncate_bits: both run per lane in the
// integer handlers.
inline int64_t sign_extend(uint64_t v, unsigned bits) {
  if (bits >= 64) return int64_t(v);
  const unsigned s = 64 - bits;
  return int64_t(v << s) >> s;
}
inline uint64_t truncate_bits(uint64_t v, unsigned bits) { return bits >= 64 ? v : v & ((uint64_t(1) << bits) - 1); }

}  // namespace gpusim::isa::numerics
