// Bit-exact encoding and decoding of the binary floating-point formats PTX uses (f16, bf16,
// tf32, f32, f64), with every rounding mode, done in integer arithmetic so that the result
// never depends on the host FPU's state. All conversions between float formats, and from
// integers to floats, go through `pack`, which rounds an exact value once.
#pragma once

#include <cstdint>

#include "isa/ir.h"

namespace gpusim::isa::numerics {

struct FloatFormat {
  unsigned exp_bits;
  unsigned mant_bits;   // stored fraction bits (without the hidden bit)
  unsigned storage_bits;
  int bias() const { return (1 << (exp_bits - 1)) - 1; }
  uint64_t sign_mask() const { return uint64_t(1) << (storage_bits - 1); }
  // tf32 keeps 10 fraction bits in the top of a 32-bit word; the low 13 bits are zero.
  unsigned pad_bits() const { return storage_bits - 1 - exp_bits - mant_bits; }
};

inline constexpr FloatFormat kF16{5, 10, 16};
inline constexpr FloatFormat kBF16{8, 7, 16};
inline constexpr FloatFormat kTF32{8, 10, 32};
inline constexpr FloatFormat kF32{8, 23, 32};
inline constexpr FloatFormat kF64{11, 52, 64};

// An exactly represented value: (-1)^neg * mant * 2^exp, or a special.
struct Unpacked {
  enum class Kind : uint8_t { Zero, Finite, Inf, NaN } kind = Kind::Zero;
  bool neg = false;
  uint64_t mant = 0;  // Finite: non-zero
  int exp = 0;
};

// The quiet NaN NVIDIA hardware produces for a NaN arithmetic result: all exponent and
// fraction bits set, sign clear (0x7fff for f16/bf16, 0x7fffffff for f32/tf32, and the same
// pattern for f64).
uint64_t canonical_nan(FloatFormat f);

Unpacked unpack(uint64_t bits, FloatFormat f);
Unpacked unpack_double(double d);

// Rounds `v` once to format `f` under `rnd` (Rn/Rna/Rz/Rm/Rp; None means Rn). Overflow follows IEEE: to infinity, or to the largest finite value
// where the direction of rounding says so. NaN packs to the canonical NaN. `inexact`, when
// given, receives whether rounding changed the value.
uint64_t pack(const Unpacked& v, FloatFormat f, Rounding rnd, bool* inexact = nullptr);

// Classification on raw bits.
bool is_nan(uint64_t bits, FloatFormat f);
bool is_inf(uint64_t bits, FloatFormat f);
bool is_zero(uint64_t bits, FloatFormat f);
bool is_subnormal(uint64_t bits, FloatFormat f);  // non-zero with a zero exponent field
bool is_negative(uint64_t bits, FloatFormat f);
// Subnormal -> zero of the same sign (the .ftz rule); other values unchanged.
uint64_t flush_subnormal(uint64_t bits, FloatFormat f);

// Float format -> float format, rounded once under `rnd`. NaN becomes the destination's
// canonical NaN.
uint64_t convert_float(uint64_t bits, FloatFormat from, FloatFormat to, Rounding rnd);

// Exact value of a format's bits as a double (every f16/bf16/tf32/f32 value is a double).
double to_double(uint64_t bits, FloatFormat f);
// Rounds a double into a format (a single rounding).
uint64_t from_double(double d, FloatFormat f, Rounding rnd);

}  // namespace gpusim::isa::numerics
