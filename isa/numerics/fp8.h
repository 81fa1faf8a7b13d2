// The 8-bit float formats of sm_89+ cvt (OCP FP8): e4m3 (bias 7, no infinities, one NaN code
// per sign, largest finite 448) and e5m2 (bias 15, IEEE-style infinities and NaNs, largest
// finite 57344). PTX converts to them only with .satfinite and round-to-nearest-even.
#pragma once

#include <cstdint>

#include "isa/numerics/float_format.h"

namespace gpusim::isa::numerics {

enum class Fp8Kind : uint8_t { E4M3, E5M2 };

// Rounds an exact value to the nearest-even FP8 code with .satfinite: finite values beyond the
// largest finite (and infinities) become the largest finite of the same sign, NaN becomes 0x7f;
// with `relu` negative values become +0.
uint8_t encode_fp8_satfinite(const Unpacked& v, Fp8Kind kind, bool relu);

// The FP8 code's value as f16 bits (exact: both formats are subsets of f16).
uint16_t fp8_to_f16(uint8_t code, Fp8Kind kind);

}  // namespace gpusim::isa::numerics
