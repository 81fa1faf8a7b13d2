#include "isa/numerics/approx.h"

#include <bit>
#include <cmath>
#include <limits>

#include "isa/numerics/float_format.h"

namespace gpusim::isa::numerics {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// sin.approx / cos.approx as ptxas compiles them for the GPU: the angle is first turned into
// revolutions by one single-precision multiply by 1/(2 pi) (0x3E22F983) rounded toward zero
// (FMUL.RZ; the cubin of a sin.approx holds that instruction: its rounding bits equal those of an
// explicit mul.rz.f32 by the same constant), and the unit takes the sine of the revolutions'
// fraction. So a large angle loses its fraction as a float does: at 1e7 radians the revolutions
// are a multiple of 1/8, past 2^24 revolutions (about 1.05e8 radians) the fraction is 0 and
// sin.approx gives 0. The fraction of the rounded product is exact; the function is then
// evaluated in double.
double revolution_fraction(double angle) {
  const float x = static_cast<float>(angle);  // an f32 operand: exact
  const double product = static_cast<double>(x) * static_cast<double>(std::bit_cast<float>(0x3E22F983u));  // exact
  float revolutions = static_cast<float>(product);  // round to nearest, then toward zero if that went outward
  if (std::isfinite(revolutions) && std::fabs(static_cast<double>(revolutions)) > std::fabs(product))
    revolutions = std::nextafter(revolutions, 0.0f);
  return std::fmod(static_cast<double>(revolutions), 1.0);  // exact, keeps the sign (and -0); inf -> NaN
}

// The mathematical function in double precision, with the PTX special cases made explicit
// where the C library's conventions could differ.
double evaluate(ApproxFn fn, double x) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  switch (fn) {
    case ApproxFn::Rcp: return 1.0 / x;  // rcp(+-0) = +-inf, rcp(+-inf) = +-0
    case ApproxFn::Sqrt: return std::sqrt(x);  // sqrt(-0) = -0, sqrt(negative) = NaN
    case ApproxFn::Rsqrt:
      if (x == 0.0) return std::signbit(x) ? -inf : inf;  // rsqrt(-0) = -inf, rsqrt(+0) = +inf
      return 1.0 / std::sqrt(x);                           // negative -> NaN, +inf -> +0
    case ApproxFn::Ex2: return std::exp2(x);   // ex2(-inf) = +0, ex2(+-0) = 1
    case ApproxFn::Lg2:
      if (x == 0.0) return -inf;  // lg2(+-0) = -inf
      return std::log2(x);         // negative -> NaN
    case ApproxFn::Sin: return std::sin(kTwoPi * revolution_fraction(x));  // sin(+-inf) = NaN, sin(+-0) = +-0
    case ApproxFn::Cos: return std::cos(kTwoPi * revolution_fraction(x));  // cos(+-inf) = NaN
    case ApproxFn::Tanh: return std::tanh(x);  // tanh(+-inf) = +-1
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

uint32_t approx_f32(ApproxFn fn, uint32_t a, bool ftz) {
  if (ftz) a = uint32_t(flush_subnormal(a, kF32));
  const double r = evaluate(fn, to_double(a, kF32));
  uint64_t bits = from_double(r, kF32, Rounding::Rn);
  if (ftz) bits = flush_subnormal(bits, kF32);
  return uint32_t(bits);
}

// rsqrt of a double: 1/sqrt(x) in double precision rounds twice (the root, then the quotient),
// up to ~1.5 ulp off, outside the 1 ulp CUDA documents for rsqrt(double), which nvcc compiles to
// rsqrt.approx.f64. In extended precision only the final rounding to double matters.
static double rsqrt_f64(double x) {
  if (x == 0.0 || std::isnan(x) || x < 0.0 || std::isinf(x)) return evaluate(ApproxFn::Rsqrt, x);
  return static_cast<double>(1.0L / std::sqrt(static_cast<long double>(x)));
}

// rcp.approx.ftz.f64 / rsqrt.approx.ftz.f64 (PTX ISA): only the upper 32 bits of the operand
// (sign, exponent, 20 mantissa bits) are read, the result has 20 mantissa bits in its upper word
// and its lower 32 bits zero; a NaN input gives the canonical 0x7fffffff00000000. The hardware's
// exact approximation is not documented: this rounds the double-precision value to 20 bits.
static uint64_t upper_word_approx(ApproxFn fn, uint64_t a) {
  constexpr uint64_t kUpper = 0xffffffff00000000ull;
  a = flush_subnormal(a & kUpper, kF64);
  const double x = std::bit_cast<double>(a);
  if (std::isnan(x)) return 0x7fffffff00000000ull;
  const double r = evaluate(fn, x);
  if (std::isnan(r)) return 0x7fffffff00000000ull;
  uint64_t bits = std::bit_cast<uint64_t>(r);
  if (!std::isinf(r)) {
    // Round to nearest even at bit 32 (a carry into the exponent is the correctly rounded value).
    const uint64_t low = bits & ~kUpper, half = 0x80000000ull;
    bits &= kUpper;
    if (low > half || (low == half && (bits & (1ull << 32)))) bits += 1ull << 32;
  }
  return flush_subnormal(bits, kF64);
}

uint64_t approx_f64(ApproxFn fn, uint64_t a, bool ftz) {
  if (ftz) return upper_word_approx(fn, a);
  const double x = std::bit_cast<double>(a);
  return from_double(fn == ApproxFn::Rsqrt ? rsqrt_f64(x) : evaluate(fn, x), kF64, Rounding::Rn);
}

uint16_t approx_f16(ApproxFn fn, uint16_t a, bool bf16) {
  const FloatFormat f = bf16 ? kBF16 : kF16;
  return uint16_t(from_double(evaluate(fn, to_double(a, f)), f, Rounding::Rn));
}

}  // namespace gpusim::isa::numerics
