#include "isa/numerics/convert.h"

#include <bit>
#include <cstdint>

namespace gpusim::isa::numerics {
namespace {

int64_t min_of(IntType t) { return t.is_signed ? (INT64_MIN >> (64 - t.bits)) : 0; }
uint64_t max_of(IntType t) {
  if (t.is_signed) return (uint64_t(1) << (t.bits - 1)) - 1;
  return t.bits == 64 ? ~uint64_t(0) : (uint64_t(1) << t.bits) - 1;
}

// Rounds |mant * 2^exp| to an integer magnitude; `overflow` when it exceeds 64 bits.
uint64_t round_magnitude(const Unpacked& v, Rounding rnd, bool& overflow) {
  overflow = false;
  if (v.exp >= 0) {
    const int width = 64 - std::countl_zero(v.mant);
    if (width + v.exp > 64) { overflow = true; return 0; }
    return v.mant << v.exp;
  }
  const int shift = -v.exp;
  uint64_t kept = shift >= 64 ? 0 : v.mant >> shift;
  bool guard = shift <= 64 ? ((v.mant >> (shift - 1)) & 1) : false;
  uint64_t below_mask = shift - 1 >= 64 ? ~uint64_t(0) : ((uint64_t(1) << (shift - 1)) - 1);
  bool sticky = (v.mant & below_mask) != 0;
  bool lost = guard || sticky, up = false;
  switch (rnd) {
    case Rounding::Rni: case Rounding::Rn: case Rounding::None: up = guard && (sticky || (kept & 1)); break;
    case Rounding::Rna: up = guard; break;
    case Rounding::Rmi: case Rounding::Rm: up = v.neg && lost; break;
    case Rounding::Rpi: case Rounding::Rp: up = !v.neg && lost; break;
    default: break;  // Rzi / Rz truncate
  }
  if (up && kept == ~uint64_t(0)) { overflow = true; return 0; }
  return kept + (up ? 1 : 0);
}

}  // namespace


uint64_t convert_int(uint64_t bits, IntType from, IntType to, bool saturate) {
  const uint64_t src = truncate_bits(bits, from.bits);
  if (!saturate) {
    const uint64_t ext = from.is_signed ? uint64_t(sign_extend(src, from.bits)) : src;
    return truncate_bits(ext, to.bits);
  }
  if (from.is_signed) {
    const int64_t v = sign_extend(src, from.bits);
    if (v < 0) {
      if (!to.is_signed) return 0;
      return truncate_bits(uint64_t(v < min_of(to) ? min_of(to) : v), to.bits);
    }
    const uint64_t u = uint64_t(v);
    return u > max_of(to) ? max_of(to) : u;
  }
  return src > max_of(to) ? max_of(to) : src;
}

uint64_t float_to_int(uint64_t bits, FloatFormat f, IntType to, Rounding rnd, bool ftz) {
  if (ftz) bits = flush_subnormal(bits, f);
  const Unpacked v = unpack(bits, f);
  const uint64_t hi = max_of(to);
  const int64_t lo = min_of(to);
  switch (v.kind) {
    case Unpacked::Kind::NaN:
      // PTX ISA 9.0: 0 when neither the source is .f64 nor the destination 64-bit, else
      // 1 << (width - 1) (MININT, or its bit pattern for unsigned types), as the GPU's F2I gives.
      return f.storage_bits == 64 || to.bits == 64 ? uint64_t(1) << (to.bits - 1) : 0;
    case Unpacked::Kind::Zero: return 0;
    case Unpacked::Kind::Inf: return v.neg ? truncate_bits(uint64_t(lo), to.bits) : hi;
    case Unpacked::Kind::Finite: break;
  }
  bool overflow = false;
  const uint64_t mag = round_magnitude(v, rnd, overflow);
  if (!v.neg) return (overflow || mag > hi) ? hi : mag;
  if (!to.is_signed) return 0;  // negative values clamp to 0 for unsigned destinations
  const uint64_t lo_mag = uint64_t(0) - uint64_t(lo);  // |min|, exact in unsigned arithmetic
  if (overflow || mag > lo_mag) return truncate_bits(uint64_t(lo), to.bits);
  if (mag == 0) return 0;  // -0.4 rounds to 0, not -0
  return truncate_bits(uint64_t(0) - mag, to.bits);
}

uint64_t int_to_float(uint64_t bits, IntType from, FloatFormat f, Rounding rnd) {
  const uint64_t src = truncate_bits(bits, from.bits);
  Unpacked v;
  if (src == 0) return 0;
  v.kind = Unpacked::Kind::Finite;
  if (from.is_signed && sign_extend(src, from.bits) < 0) {
    v.neg = true;
    v.mant = uint64_t(0) - uint64_t(sign_extend(src, from.bits));
  } else {
    v.mant = src;
  }
  v.exp = 0;
  return pack(v, f, rnd);
}

}  // namespace gpusim::isa::numerics
