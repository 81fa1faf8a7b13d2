#include "isa/numerics/rounding.h"

#include <bit>
#include <cfenv>
#include <cmath>

#include "isa/numerics/float_format.h"

namespace gpusim::isa::numerics {
namespace {

int host_mode(Rounding r) {
  switch (r) {
    case Rounding::Rz: case Rounding::Rzi: return FE_TOWARDZERO;
    case Rounding::Rm: case Rounding::Rmi: return FE_DOWNWARD;
    case Rounding::Rp: case Rounding::Rpi: return FE_UPWARD;
    default: return FE_TONEAREST;
  }
}

// Keeps the compiler from moving computations on `v` across this point.
template <typename T>
inline void barrier(T& v) { asm volatile("" : "+x"(v)); }

// Sets the host rounding mode for the lifetime of the object.
class ScopedRounding {
 public:
  explicit ScopedRounding(Rounding r) : saved_(std::fegetround()) { std::fesetround(host_mode(r)); }
  ~ScopedRounding() { std::fesetround(saved_); }
  ScopedRounding(const ScopedRounding&) = delete;
  ScopedRounding& operator=(const ScopedRounding&) = delete;
 private:
  int saved_;
};

template <typename T, typename Fn>
T under(Rounding r, Fn fn) {
  T result;
  // Fast path: round-to-nearest requested. The host mode is round-to-nearest everywhere outside a
  // ScopedRounding (which always restores it), so it need not be queried on every operation.
  if (host_mode(r) == FE_TONEAREST) {
    result = fn();
    barrier(result);
    return result;
  }
  {
    ScopedRounding mode(r);
    result = fn();
    barrier(result);
  }
  return result;
}

uint32_t bits_of(float f) {
  return std::isnan(f) ? uint32_t(canonical_nan(kF32)) : std::bit_cast<uint32_t>(f);
}
uint64_t bits_of(double d) { return std::isnan(d) ? canonical_nan(kF64) : std::bit_cast<uint64_t>(d); }

template <typename T>
T apply(ArithOp op, T a, T b) {
  switch (op) {
    case ArithOp::Add: return a + b;
    case ArithOp::Sub: return a - b;
    case ArithOp::Mul: return a * b;
    case ArithOp::Div: return a / b;
  }
  return a;
}

}  // namespace

uint32_t f32_arith(ArithOp op, uint32_t a, uint32_t b, Rounding rnd) {
  float x = std::bit_cast<float>(a), y = std::bit_cast<float>(b);
  return bits_of(under<float>(rnd, [&] { barrier(x); barrier(y); return apply(op, x, y); }));
}
uint64_t f64_arith(ArithOp op, uint64_t a, uint64_t b, Rounding rnd) {
  double x = std::bit_cast<double>(a), y = std::bit_cast<double>(b);
  return bits_of(under<double>(rnd, [&] { barrier(x); barrier(y); return apply(op, x, y); }));
}
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, Rounding rnd) {
  float x = std::bit_cast<float>(a), y = std::bit_cast<float>(b), z = std::bit_cast<float>(c);
  return bits_of(under<float>(rnd, [&] { barrier(x); barrier(y); barrier(z); return std::fma(x, y, z); }));
}
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, Rounding rnd) {
  double x = std::bit_cast<double>(a), y = std::bit_cast<double>(b), z = std::bit_cast<double>(c);
  return bits_of(under<double>(rnd, [&] { barrier(x); barrier(y); barrier(z); return std::fma(x, y, z); }));
}
uint32_t f32_sqrt(uint32_t a, Rounding rnd) {
  float x = std::bit_cast<float>(a);
  return bits_of(under<float>(rnd, [&] { barrier(x); return std::sqrt(x); }));
}
uint64_t f64_sqrt(uint64_t a, Rounding rnd) {
  double x = std::bit_cast<double>(a);
  return bits_of(under<double>(rnd, [&] { barrier(x); return std::sqrt(x); }));
}
uint32_t f32_rcp(uint32_t a, Rounding rnd) { return f32_arith(ArithOp::Div, 0x3f800000u, a, rnd); }
uint64_t f64_rcp(uint64_t a, Rounding rnd) { return f64_arith(ArithOp::Div, 0x3ff0000000000000ull, a, rnd); }

uint32_t f32_round_integral(uint32_t a, Rounding rnd) {
  float x = std::bit_cast<float>(a);
  return bits_of(under<float>(rnd, [&] { barrier(x); return std::nearbyint(x); }));
}
uint64_t f64_round_integral(uint64_t a, Rounding rnd) {
  double x = std::bit_cast<double>(a);
  return bits_of(under<double>(rnd, [&] { barrier(x); return std::nearbyint(x); }));
}

double f64_fma_round_to_odd(double a, double b, double c) {
  double r;
  bool inexact;
  {
    ScopedRounding mode(Rounding::Rz);
    std::feclearexcept(FE_INEXACT);
    barrier(a); barrier(b); barrier(c);
    r = std::fma(a, b, c);
    barrier(r);
    inexact = std::fetestexcept(FE_INEXACT) != 0;
  }
  if (inexact && std::isfinite(r)) r = std::bit_cast<double>(std::bit_cast<uint64_t>(r) | 1);
  return r;
}

double exact_product_sum_round_to_odd(double p, double c) {
  const double s = p + c;
  if (!std::isfinite(s)) return s;
  // TwoSum (Knuth): e is the exact error of the rounded sum (round to nearest, no overflow), so
  // p + c = s + e exactly. A sum that rounds to zero is exact, so s == 0 implies e == 0.
  const double p_part = s - c;
  const double e = (p - p_part) + (c - (s - p_part));
  if (e == 0) return s;
  // Truncation: s itself when the exact sum lies beyond it (away from zero), else the double next
  // to s toward zero; then the last bit set, as the sum was inexact.
  const double truncated = (e > 0) == (s > 0) ? s : std::nextafter(s, 0.0);
  return std::bit_cast<double>(std::bit_cast<uint64_t>(truncated) | 1);
}

uint32_t f32_saturate(uint32_t a) {
  float x = std::bit_cast<float>(a);
  if (std::isnan(x) || x <= 0.0f) return 0;  // also maps -0 to +0
  if (x >= 1.0f) return 0x3f800000u;
  return a;
}
uint64_t f64_saturate(uint64_t a) {
  double x = std::bit_cast<double>(a);
  if (std::isnan(x) || x <= 0.0) return 0;
  if (x >= 1.0) return 0x3ff0000000000000ull;
  return a;
}

}  // namespace gpusim::isa::numerics
