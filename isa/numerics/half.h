// Arithmetic on the 16-bit float formats (f16 = IEEE binary16, bf16 = bfloat16) as PTX defines
// it: add/sub/mul/fma with a single rounding, .ftz, .sat and .relu, and min/max with the PTX NaN
// rules. Values are raw 16-bit patterns; packed x2 forms apply these per half.
#pragma once

#include <cstdint>

#include "isa/ir.h"
#include "isa/numerics/float_format.h"

namespace gpusim::isa::numerics {

struct HalfMods {
  Rounding rnd = Rounding::Rn;
  bool ftz = false;   // flush subnormal inputs and results to sign-preserving zero
  bool sat = false;   // clamp to [0, 1], NaN -> +0
  bool relu = false;  // negative -> +0, NaN -> canonical NaN
};

enum class HalfOp : uint8_t { Add, Sub, Mul };

uint16_t half_arith(HalfOp op, uint16_t a, uint16_t b, FloatFormat f, const HalfMods& m);
uint16_t half_fma(uint16_t a, uint16_t b, uint16_t c, FloatFormat f, const HalfMods& m);

// Applies .ftz (result side), .sat and .relu to an already rounded result; the same rules
// serve f32/f64 (format `f`).
uint64_t finish_float_result(uint64_t bits, FloatFormat f, bool ftz, bool sat, bool relu);

struct MinMaxMods {
  bool ftz = false;
  bool propagate_nan = false;  // .NaN: any NaN input gives the canonical NaN
  bool xorsign_abs = false;    // .xorsign.abs: |result| with sign = sign(a) ^ sign(b)
};

// PTX min/max on any float format: a NaN input is ignored in favour of the other operand (both
// NaN -> canonical NaN) unless .NaN; -0 is smaller than +0.
uint64_t float_min(uint64_t a, uint64_t b, FloatFormat f, const MinMaxMods& m);
uint64_t float_max(uint64_t a, uint64_t b, FloatFormat f, const MinMaxMods& m);

}  // namespace gpusim::isa::numerics
