#include "isa/numerics/half.h"

#include <cmath>

#include "isa/numerics/rounding.h"

namespace gpusim::isa::numerics {
namespace {

double input(uint16_t bits, FloatFormat f, bool ftz) {
  return to_double(ftz ? flush_subnormal(bits, f) : bits, f);
}

// Orders two non-NaN values with -0 < +0; returns true when a < b.
bool less_signed_zero(uint64_t a, uint64_t b, FloatFormat f) {
  double x = to_double(a, f), y = to_double(b, f);
  if (x != y) return x < y;
  return is_negative(a, f) && !is_negative(b, f);
}

uint64_t min_max(uint64_t a, uint64_t b, FloatFormat f, const MinMaxMods& m, bool want_min) {
  if (m.ftz) {
    a = flush_subnormal(a, f);
    b = flush_subnormal(b, f);
  }
  // .xorsign.abs: compare magnitudes; the sign is attached at the end.
  const uint64_t sign = (a ^ b) & f.sign_mask();
  if (m.xorsign_abs) {
    a &= ~f.sign_mask();
    b &= ~f.sign_mask();
  }
  const bool na = is_nan(a, f), nb = is_nan(b, f);
  uint64_t r;
  if (na || nb) {
    if (m.propagate_nan || (na && nb)) return canonical_nan(f);
    r = na ? b : a;
  } else {
    bool a_first = less_signed_zero(a, b, f) == want_min;
    // Equal values (other than signed zeros) are interchangeable.
    r = a_first ? a : b;
  }
  if (m.xorsign_abs) r = (r & ~f.sign_mask()) | sign;
  return r;
}

}  // namespace

uint64_t finish_float_result(uint64_t bits, FloatFormat f, bool ftz, bool sat, bool relu) {
  if (is_nan(bits, f)) return (sat && !relu) ? 0 : canonical_nan(f);
  if (ftz) bits = flush_subnormal(bits, f);
  if (relu && is_negative(bits, f)) bits = 0;
  if (sat) {
    if (is_negative(bits, f)) return 0;
    const uint64_t one = from_double(1.0, f, Rounding::Rn);
    if (to_double(bits, f) > 1.0) return one;
  }
  return bits;
}

uint16_t half_arith(HalfOp op, uint16_t a, uint16_t b, FloatFormat f, const HalfMods& m) {
  const double x = input(a, f, m.ftz), y = input(b, f, m.ftz);
  // Products of two 16-bit floats are exact in double; sums need not be (bf16 spans 2^260), so
  // they go through round-to-odd, which makes the second rounding a correct single rounding.
  double wide = op == HalfOp::Mul ? x * y : exact_product_sum_round_to_odd(x, op == HalfOp::Add ? y : -y);
  const uint64_t r = from_double(wide, f, m.rnd);
  return uint16_t(finish_float_result(r, f, m.ftz, m.sat, m.relu));
}

uint16_t half_fma(uint16_t a, uint16_t b, uint16_t c, FloatFormat f, const HalfMods& m) {
  const double x = input(a, f, m.ftz), y = input(b, f, m.ftz), z = input(c, f, m.ftz);
  // x * y is exact in double: half, bf16 (and fp8) significands have at most 11 bits.
  const uint64_t r = from_double(exact_product_sum_round_to_odd(x * y, z), f, m.rnd);
  return uint16_t(finish_float_result(r, f, m.ftz, m.sat, m.relu));
}

uint64_t float_min(uint64_t a, uint64_t b, FloatFormat f, const MinMaxMods& m) { return min_max(a, b, f, m, true); }
uint64_t float_max(uint64_t a, uint64_t b, FloatFormat f, const MinMaxMods& m) { return min_max(a, b, f, m, false); }

}  // namespace gpusim::isa::numerics
