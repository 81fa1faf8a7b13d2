#include "isa/numerics/float_format.h"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

namespace gpusim::isa::numerics {
namespace {

uint64_t exp_field_max(FloatFormat f) { return (uint64_t(1) << f.exp_bits) - 1; }
uint64_t frac_mask(FloatFormat f) { return (uint64_t(1) << f.mant_bits) - 1; }
uint64_t exp_field(uint64_t bits, FloatFormat f) {
  return (bits >> (f.pad_bits() + f.mant_bits)) & exp_field_max(f);
}
uint64_t frac_field(uint64_t bits, FloatFormat f) { return (bits >> f.pad_bits()) & frac_mask(f); }
uint64_t assemble(bool neg, uint64_t exp, uint64_t frac, FloatFormat f) {
  uint64_t body = ((exp << f.mant_bits) | frac) << f.pad_bits();
  return (neg ? f.sign_mask() : 0) | body;
}
uint64_t largest_finite(bool neg, FloatFormat f) { return assemble(neg, exp_field_max(f) - 1, frac_mask(f), f); }
uint64_t infinity(bool neg, FloatFormat f) { return assemble(neg, exp_field_max(f), 0, f); }

Rounding normalise(Rounding r) {
  switch (r) {
    case Rounding::None: case Rounding::Rn: case Rounding::Rni: return Rounding::Rn;
    case Rounding::Rz: case Rounding::Rzi: return Rounding::Rz;
    case Rounding::Rm: case Rounding::Rmi: return Rounding::Rm;
    case Rounding::Rp: case Rounding::Rpi: return Rounding::Rp;
    case Rounding::Rna: return Rounding::Rna;
  }
  return Rounding::Rn;
}

}  // namespace

uint64_t canonical_nan(FloatFormat f) { return assemble(false, exp_field_max(f), frac_mask(f), f); }

bool is_nan(uint64_t b, FloatFormat f) { return exp_field(b, f) == exp_field_max(f) && frac_field(b, f) != 0; }
bool is_inf(uint64_t b, FloatFormat f) { return exp_field(b, f) == exp_field_max(f) && frac_field(b, f) == 0; }
bool is_zero(uint64_t b, FloatFormat f) { return exp_field(b, f) == 0 && frac_field(b, f) == 0; }
bool is_subnormal(uint64_t b, FloatFormat f) { return exp_field(b, f) == 0 && frac_field(b, f) != 0; }
bool is_negative(uint64_t b, FloatFormat f) { return (b & f.sign_mask()) != 0; }
uint64_t flush_subnormal(uint64_t b, FloatFormat f) { return is_subnormal(b, f) ? (b & f.sign_mask()) : b; }

Unpacked unpack(uint64_t bits, FloatFormat f) {
  Unpacked u;
  u.neg = is_negative(bits, f);
  uint64_t e = exp_field(bits, f), m = frac_field(bits, f);
  if (e == exp_field_max(f)) {
    u.kind = m ? Unpacked::Kind::NaN : Unpacked::Kind::Inf;
  } else if (e == 0 && m == 0) {
    u.kind = Unpacked::Kind::Zero;
  } else {
    u.kind = Unpacked::Kind::Finite;
    // Subnormals share the smallest normal exponent but have no hidden bit.
    u.mant = e ? (m | (uint64_t(1) << f.mant_bits)) : m;
    u.exp = int(e ? e : 1) - f.bias() - int(f.mant_bits);
  }
  return u;
}

Unpacked unpack_double(double d) { return unpack(std::bit_cast<uint64_t>(d), kF64); }

uint64_t pack(const Unpacked& v, FloatFormat f, Rounding rnd_in, bool* inexact) {
  if (inexact) *inexact = false;
  switch (v.kind) {
    case Unpacked::Kind::NaN: return canonical_nan(f);
    case Unpacked::Kind::Inf: return infinity(v.neg, f);
    case Unpacked::Kind::Zero: return v.neg ? f.sign_mask() : 0;
    case Unpacked::Kind::Finite: break;
  }
  const Rounding rnd = normalise(rnd_in);
  const int width = 64 - std::countl_zero(v.mant);
  const int msb_exp = v.exp + width - 1;                  // exponent of the leading bit
  const int emin = 1 - f.bias();                          // smallest normal exponent
  const int quantum = (msb_exp < emin ? emin : msb_exp) - int(f.mant_bits);
  const int shift = quantum - v.exp;                      // bits to drop (may be negative)

  uint64_t kept;
  bool guard = false, sticky = false;
  if (shift <= 0) {
    kept = v.mant << (-shift);  // exact: msb lands at most at bit mant_bits
  } else if (shift > 64) {
    kept = 0;
    sticky = true;
  } else {
    kept = shift == 64 ? 0 : v.mant >> shift;
    guard = (v.mant >> (shift - 1)) & 1;
    uint64_t below = shift == 1 ? 0 : (v.mant & ((uint64_t(1) << (shift - 1)) - 1));
    sticky = below != 0;
  }
  const bool lost = guard || sticky;
  if (inexact) *inexact = lost;
  bool up = false;
  switch (rnd) {
    case Rounding::Rn: up = guard && (sticky || (kept & 1)); break;
    case Rounding::Rna: up = guard; break;
    case Rounding::Rz: up = false; break;
    case Rounding::Rm: up = v.neg && lost; break;
    case Rounding::Rp: up = !v.neg && lost; break;
    default: break;
  }
  int q = quantum;
  kept += up ? 1 : 0;
  if (kept >> (f.mant_bits + 1)) {  // rounding carried into a new leading bit
    kept >>= 1;
    ++q;
  }
  if (kept == 0) return v.neg ? f.sign_mask() : 0;
  const bool normal = (kept >> f.mant_bits) != 0;
  const int64_t biased = normal ? int64_t(q) + f.mant_bits + f.bias() : 0;
  if (biased >= int64_t(exp_field_max(f))) {
    if (inexact) *inexact = true;
    bool to_inf = rnd == Rounding::Rn || rnd == Rounding::Rna || (rnd == Rounding::Rp && !v.neg) ||
                  (rnd == Rounding::Rm && v.neg);
    return to_inf ? infinity(v.neg, f) : largest_finite(v.neg, f);
  }
  return assemble(v.neg, uint64_t(biased), kept & frac_mask(f), f);
}

uint64_t convert_float(uint64_t bits, FloatFormat from, FloatFormat to, Rounding rnd) {
  return pack(unpack(bits, from), to, rnd);
}

double to_double(uint64_t bits, FloatFormat f) {
  if (f.storage_bits == 64) return std::bit_cast<double>(bits);
  // f32 widens exactly in hardware; this is the hot path of f32 compares.
  if (f.exp_bits == kF32.exp_bits && f.mant_bits == kF32.mant_bits && f.pad_bits() == 0)
    return double(std::bit_cast<float>(uint32_t(bits)));
  // f16 and bf16 operands of every half-precision instruction (three per fma): exact bit
  // arithmetic instead of the general unpack/pack; NaNs take the general path (canonical NaN).
  if (f.storage_bits == 16 && !is_nan(bits, f)) {
    if (f.exp_bits == kBF16.exp_bits && f.mant_bits == kBF16.mant_bits)  // the top half of an f32
      return double(std::bit_cast<float>(uint32_t(bits) << 16));
    if (f.exp_bits == kF16.exp_bits && f.mant_bits == kF16.mant_bits) {
      const uint64_t sign = (bits & 0x8000) << 48, exp = (bits >> 10) & 0x1f, frac = bits & 0x3ff;
      if (exp == 0) {  // zero or subnormal: frac x 2^-24, exact
        const double magnitude = double(frac) * 0x1p-24;
        return sign ? -magnitude : magnitude;
      }
      const uint64_t wide_exp = exp == 0x1f ? 0x7ff : exp - 15 + 1023;
      return std::bit_cast<double>(sign | (wide_exp << 52) | (frac << 42));
    }
  }
  return std::bit_cast<double>(convert_float(bits, f, kF64, Rounding::Rn));
}

uint64_t from_double(double d, FloatFormat f, Rounding rnd) {
  return pack(unpack_double(d), f, rnd);
}

}  // namespace gpusim::isa::numerics
