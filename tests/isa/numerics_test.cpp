// Tests of the bit-exact numerics (isa/numerics) against independent references: IEEE bit
// patterns worked out by hand, the host compiler's _Float16 conversions (round-to-nearest),
// the host FPU's conversions under <cfenv> modes, and exact-arithmetic reasoning.
#include <gtest/gtest.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "isa/numerics/approx.h"
#include "isa/numerics/convert.h"
#include "isa/numerics/float_format.h"
#include "isa/numerics/half.h"
#include "isa/numerics/rounding.h"

namespace gpusim::isa::numerics {
namespace {

uint32_t fbits(float f) { return std::bit_cast<uint32_t>(f); }
uint64_t dbits(double d) { return std::bit_cast<uint64_t>(d); }
float fval(uint64_t b) { return std::bit_cast<float>(uint32_t(b)); }
double dval(uint64_t b) { return std::bit_cast<double>(b); }

uint16_t host_f16_rn(double d) {
  volatile double v = d;
  _Float16 h = static_cast<_Float16>(v);
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}

// Directed roundings derived from the round-to-nearest result and the exact value: the two
// representable neighbours of x are rn(x) and its neighbour on the other side of x.
uint16_t directed_from_rn(double x, Rounding r) {
  const uint16_t rn = host_f16_rn(x);
  const double v = to_double(rn, kF16);
  if (v == x) return rn;
  const bool above = v > x;  // rn rounded up in value
  auto step = [](uint16_t b, bool toward_larger_value) -> uint16_t {
    const bool neg = b & 0x8000;
    const bool grow_magnitude = toward_larger_value != neg;
    if ((b & 0x7fff) == 0 && !grow_magnitude) return uint16_t(b ^ 0x8000);
    return uint16_t(grow_magnitude ? b + 1 : b - 1);
  };
  const uint16_t down = above ? step(rn, false) : rn;  // largest value below x
  const uint16_t up = above ? rn : step(rn, true);
  switch (r) {
    case Rounding::Rm: return down;
    case Rounding::Rp: return up;
    case Rounding::Rz: return x > 0 ? down : up;
    default: return rn;
  }
}

TEST(FloatFormat, F16KnownPatterns) {
  EXPECT_EQ(from_double(1.0, kF16, Rounding::Rn), 0x3c00u);
  EXPECT_EQ(from_double(65504.0, kF16, Rounding::Rn), 0x7bffu);
  EXPECT_EQ(from_double(65519.99, kF16, Rounding::Rn), 0x7bffu);
  EXPECT_EQ(from_double(65520.0, kF16, Rounding::Rn), 0x7c00u);   // tie above max -> inf
  EXPECT_EQ(from_double(65520.0, kF16, Rounding::Rz), 0x7bffu);
  EXPECT_EQ(from_double(1e9, kF16, Rounding::Rm), 0x7bffu);
  EXPECT_EQ(from_double(-1e9, kF16, Rounding::Rm), 0xfc00u);
  EXPECT_EQ(from_double(-1e9, kF16, Rounding::Rp), 0xfbffu);
  EXPECT_EQ(from_double(std::ldexp(1.0, -24), kF16, Rounding::Rn), 0x0001u);  // smallest subnormal
  EXPECT_EQ(from_double(std::ldexp(1.0, -25), kF16, Rounding::Rn), 0x0000u);  // tie -> even (0)
  EXPECT_EQ(from_double(std::ldexp(1.5, -25), kF16, Rounding::Rn), 0x0001u);
  EXPECT_EQ(from_double(std::ldexp(1.0, -30), kF16, Rounding::Rp), 0x0001u);
  EXPECT_EQ(from_double(-std::ldexp(1.0, -30), kF16, Rounding::Rp), 0x8000u);
  EXPECT_EQ(from_double(1.0 + std::ldexp(1.0, -11), kF16, Rounding::Rn), 0x3c00u);  // tie -> even
  EXPECT_EQ(from_double(1.0 + 3 * std::ldexp(1.0, -11), kF16, Rounding::Rn), 0x3c02u);
  EXPECT_EQ(from_double(1.0 + std::ldexp(1.0, -11), kF16, Rounding::Rna), 0x3c01u);
  EXPECT_EQ(from_double(std::ldexp(1023.0, -24), kF16, Rounding::Rn), 0x03ffu);  // largest subnormal
  EXPECT_EQ(from_double(std::ldexp(2047.0, -25), kF16, Rounding::Rn), 0x0400u);  // rounds to min normal
  EXPECT_EQ(from_double(-0.0, kF16, Rounding::Rn), 0x8000u);
  EXPECT_EQ(from_double(std::nan(""), kF16, Rounding::Rn), 0x7fffu);
  EXPECT_EQ(to_double(0x7bff, kF16), 65504.0);
  EXPECT_EQ(to_double(0x0001, kF16), std::ldexp(1.0, -24));
  EXPECT_TRUE(std::isinf(to_double(0xfc00, kF16)) && to_double(0xfc00, kF16) < 0);
}

TEST(FloatFormat, F16MatchesHostFloat16AllModes) {
  std::mt19937_64 rng(7);
  const Rounding modes[] = {Rounding::Rn, Rounding::Rz, Rounding::Rm, Rounding::Rp};
  for (int i = 0; i < 20000; ++i) {
    // Random f32 values spread over the f16 range, including subnormals and overflow.
    float f = std::ldexp(float(rng() % (1u << 24)) / float(1u << 24) + 0.5f, int(rng() % 48) - 30);
    if (rng() & 1) f = -f;
    for (Rounding r : modes) {
      const uint16_t want = directed_from_rn(f, r);
      if ((want & 0x7c00) == 0x7c00 && r != Rounding::Rn) continue;  // overflow checked elsewhere
      ASSERT_EQ(convert_float(fbits(f), kF32, kF16, r), want) << f << " mode " << int(r);
    }
  }
  for (uint32_t h = 0; h < 0x10000; ++h) {  // every f16 widens exactly
    _Float16 hv;
    const uint16_t hb = uint16_t(h);
    std::memcpy(&hv, &hb, 2);
    if (std::isnan(float(hv))) {
      EXPECT_TRUE(std::isnan(fval(convert_float(h, kF16, kF32, Rounding::Rn))));
      continue;
    }
    ASSERT_EQ(convert_float(h, kF16, kF32, Rounding::Rn), fbits(float(hv))) << h;
  }
}

TEST(FloatFormat, Bf16AgainstBitTrick) {
  // Independent reference: round-to-nearest-even on the top 16 bits of an f32 by integer adds.
  std::mt19937 rng(11);
  for (int i = 0; i < 100000; ++i) {
    uint32_t x = rng();
    if ((x & 0x7f800000) == 0x7f800000) continue;
    const uint32_t lower = x & 0xffff;
    const uint32_t rn = (x + 0x7fff + ((x >> 16) & 1)) >> 16;
    const bool neg = x >> 31;
    const uint32_t trunc = x >> 16;
    const uint32_t away = lower ? trunc + 1 : trunc;
    ASSERT_EQ(convert_float(x, kF32, kBF16, Rounding::Rn), rn & 0xffff) << std::hex << x;
    ASSERT_EQ(convert_float(x, kF32, kBF16, Rounding::Rz), trunc);
    ASSERT_EQ(convert_float(x, kF32, kBF16, Rounding::Rp), neg ? trunc : away);
    ASSERT_EQ(convert_float(x, kF32, kBF16, Rounding::Rm), neg ? away : trunc);
  }
  EXPECT_EQ(convert_float(0x7fc00001, kF32, kBF16, Rounding::Rn), 0x7fffu);
}

TEST(FloatFormat, Tf32RoundsAwayOnTies) {
  // tf32 keeps 10 fraction bits: 1 + 2^-11 is a tie.
  EXPECT_EQ(convert_float(fbits(1.0f + std::ldexp(1.0f, -11)), kF32, kTF32, Rounding::Rna), 0x3f802000u);
  EXPECT_EQ(convert_float(fbits(1.0f + std::ldexp(1.0f, -11)), kF32, kTF32, Rounding::Rn), 0x3f800000u);
  EXPECT_EQ(convert_float(fbits(1.0f + std::ldexp(1.0f, -12)), kF32, kTF32, Rounding::Rna), 0x3f800000u);
}

TEST(FloatFormat, F64ToF32MatchesHostUnderEachMode) {
  std::mt19937_64 rng(3);
  const std::pair<Rounding, int> modes[] = {{Rounding::Rn, FE_TONEAREST}, {Rounding::Rz, FE_TOWARDZERO},
                                            {Rounding::Rm, FE_DOWNWARD}, {Rounding::Rp, FE_UPWARD}};
  for (int i = 0; i < 20000; ++i) {
    uint64_t b = rng();
    // Bias exponents toward the f32 range, subnormals and overflow.
    b = (b & 0x800fffffffffffffull) | (uint64_t(0x3ff - 160 + rng() % 300) << 52);
    volatile double d = dval(b);
    for (auto [r, host] : modes) {
      std::fesetround(host);
      volatile float f = float(d);
      std::fesetround(FE_TONEAREST);
      ASSERT_EQ(convert_float(b, kF64, kF32, r), fbits(f)) << d;
    }
  }
}

TEST(Rounding, DirectedModesBracketTheExactResult) {
  // 1 + 2^-60 is not representable: rz/rm give 1, rp gives the next double.
  const uint64_t one = dbits(1.0), tiny = dbits(std::ldexp(1.0, -60));
  EXPECT_EQ(f64_arith(ArithOp::Add, one, tiny, Rounding::Rn), one);
  EXPECT_EQ(f64_arith(ArithOp::Add, one, tiny, Rounding::Rz), one);
  EXPECT_EQ(f64_arith(ArithOp::Add, one, tiny, Rounding::Rm), one);
  EXPECT_EQ(f64_arith(ArithOp::Add, one, tiny, Rounding::Rp), one + 1);
  const uint64_t mone = dbits(-1.0);
  EXPECT_EQ(f64_arith(ArithOp::Sub, mone, tiny, Rounding::Rm), mone + 1);  // more negative
  EXPECT_EQ(f64_arith(ArithOp::Sub, mone, tiny, Rounding::Rz), mone);
  // f32 products of 24-bit values are exact in double: check every mode against that.
  std::mt19937 rng(5);
  for (int i = 0; i < 20000; ++i) {
    float a = std::ldexp(float(rng() % (1u << 24)), int(rng() % 60) - 50);
    float b = std::ldexp(float(rng() % (1u << 24)), int(rng() % 60) - 50);
    const double exact = double(a) * double(b);
    for (Rounding r : {Rounding::Rn, Rounding::Rz, Rounding::Rm, Rounding::Rp}) {
      const float got = fval(f32_arith(ArithOp::Mul, fbits(a), fbits(b), r));
      const float other = std::nextafter(got, exact > got ? INFINITY : -INFINITY);
      if (double(got) == exact) continue;
      // got and its neighbour toward exact bracket the exact value.
      ASSERT_TRUE((double(got) < exact) == (exact < double(other)) || double(other) == exact);
      if (r == Rounding::Rz) { ASSERT_LT(std::fabs(double(got)), std::fabs(exact)); }
      if (r == Rounding::Rm) { ASSERT_LT(double(got), exact); }
      if (r == Rounding::Rp) { ASSERT_GT(double(got), exact); }
      if (r == Rounding::Rn) { ASSERT_LE(std::fabs(double(got) - exact), std::fabs(double(other) - exact)); }
    }
  }
}

// sin.approx / cos.approx take the angle's revolutions from one f32 multiply by 1/(2 pi) rounded
// toward zero, as the GPU's code does (FMUL.RZ before MUFU.SIN): a large angle keeps only the
// fraction a float has. An NCO whose phase grows without wrapping gives garbage on a GPU with
// --use_fast_math, and must here too (an outside DSP user's program passed under gpusim).
TEST(Approx, SinAndCosOfLargeAnglesKeepOnlyTheFloatsFraction) {
  // 2^30 radians = 170,891,318.6 revolutions: past 2^24 a float has no fraction left.
  EXPECT_EQ(approx_f32(ApproxFn::Sin, fbits(1073741824.0f), false), fbits(0.0f));
  EXPECT_EQ(approx_f32(ApproxFn::Cos, fbits(1073741824.0f), false), fbits(1.0f));
  EXPECT_GT(std::fabs(std::sin(1073741824.0)), 0.1);  // what an exact sine would have given
  // 1e7 radians = 1,591,549.367 revolutions: floats there are 1/8 apart, and rounding toward zero
  // gives 1,591,549.25 (to nearest would give .375): a quarter turn.
  EXPECT_NEAR(fval(approx_f32(ApproxFn::Sin, fbits(1e7f), false)), 1.0, 1e-6);
  EXPECT_NEAR(fval(approx_f32(ApproxFn::Cos, fbits(1e7f), false)), 0.0, 1e-6);
  // Toward zero within [-pi, pi] too: 3.1 radians = 0.4933803037 revolutions, between the floats
  // 0.49338027835 (below, taken) and 0.49338030815 (nearest); the sines differ by 1.9e-7.
  EXPECT_NEAR(fval(approx_f32(ApproxFn::Sin, fbits(3.1f), false)), std::sin(2 * M_PI * double(0.49338027834892273f)), 2e-8);
  // Negative angles: the fraction keeps its sign.
  EXPECT_EQ(approx_f32(ApproxFn::Sin, fbits(-1073741824.0f), false), fbits(-0.0f));
  EXPECT_NEAR(fval(approx_f32(ApproxFn::Sin, fbits(-1e7f), false)), -1.0, 1e-6);
}

TEST(Rounding, FmaIsSingleRounding) {
  // (1 + 2^-23)^2 - 1 = 2^-22 + 2^-46: a separate multiply would lose the 2^-46 term.
  const float a = 1.0f + std::ldexp(1.0f, -23);
  EXPECT_EQ(fval(f32_fma(fbits(a), fbits(a), fbits(-1.0f), Rounding::Rn)),
            std::ldexp(1.0f, -22) + std::ldexp(1.0f, -46));
  EXPECT_EQ(f32_fma(fbits(INFINITY), fbits(0.0f), fbits(1.0f), Rounding::Rn), 0x7fffffffu);  // canonical NaN
  EXPECT_EQ(f32_arith(ArithOp::Div, fbits(1.0f), fbits(3.0f), Rounding::Rz), 0x3eaaaaaau);
  EXPECT_EQ(f32_arith(ArithOp::Div, fbits(1.0f), fbits(3.0f), Rounding::Rp), 0x3eaaaaabu);
  EXPECT_EQ(f32_sqrt(fbits(2.0f), Rounding::Rn), 0x3fb504f3u);
  EXPECT_EQ(f32_sqrt(fbits(2.0f), Rounding::Rz), 0x3fb504f3u);
  EXPECT_EQ(f32_sqrt(fbits(2.0f), Rounding::Rp), 0x3fb504f4u);
  EXPECT_EQ(f32_rcp(fbits(-0.0f), Rounding::Rn), fbits(-INFINITY));
  EXPECT_EQ(f32_round_integral(fbits(2.5f), Rounding::Rni), fbits(2.0f));
  EXPECT_EQ(f32_round_integral(fbits(-2.5f), Rounding::Rmi), fbits(-3.0f));
  EXPECT_EQ(f32_round_integral(fbits(-2.5f), Rounding::Rzi), fbits(-2.0f));
  EXPECT_EQ(f32_round_integral(fbits(2.1f), Rounding::Rpi), fbits(3.0f));
  EXPECT_EQ(f32_saturate(fbits(1.5f)), fbits(1.0f));
  EXPECT_EQ(f32_saturate(0x7fffffffu), 0u);
  EXPECT_EQ(f32_saturate(fbits(-3.0f)), 0u);
}

TEST(Half, ArithmeticAndModifiers) {
  HalfMods rn;
  const uint16_t one = 0x3c00, two = 0x4000, max = 0x7bff;
  EXPECT_EQ(half_arith(HalfOp::Add, one, two, kF16, rn), 0x4200);  // 3.0
  EXPECT_EQ(half_arith(HalfOp::Add, max, max, kF16, rn), 0x7c00);
  EXPECT_EQ(half_arith(HalfOp::Mul, 0x0001, 0x3800, kF16, rn), 0x0000);  // 2^-25: tie to even
  EXPECT_EQ(half_arith(HalfOp::Sub, one, one, kF16, rn), 0x0000);
  HalfMods ftz;
  ftz.ftz = true;
  EXPECT_EQ(half_arith(HalfOp::Add, 0x0001, 0x0000, kF16, ftz), 0x0000);
  EXPECT_EQ(half_arith(HalfOp::Add, 0x8001, 0x8000, kF16, ftz), 0x8000);
  HalfMods sat;
  sat.sat = true;
  EXPECT_EQ(half_arith(HalfOp::Add, one, two, kF16, sat), one);
  EXPECT_EQ(half_arith(HalfOp::Sub, one, two, kF16, sat), 0x0000);
  HalfMods relu;
  relu.relu = true;
  EXPECT_EQ(half_fma(one, two, 0xc400 /*-4*/, kF16, relu), 0x0000);
  EXPECT_EQ(half_fma(0x7c00, 0x0000, one, kF16, relu), 0x7fff);  // inf*0 -> canonical NaN
  // bf16: 7 * 37 = 259 lies exactly between 258 and 260; adding -2^-100 must round to 258.
  // A plain double computation would lose the -2^-100 and round the tie to even (260).
  const uint16_t b7 = uint16_t(from_double(7.0, kBF16, Rounding::Rn));
  const uint16_t b37 = uint16_t(from_double(37.0, kBF16, Rounding::Rn));
  const uint16_t tiny = uint16_t(from_double(-std::ldexp(1.0, -100), kBF16, Rounding::Rn));
  EXPECT_EQ(to_double(half_fma(b7, b37, tiny, kBF16, rn), kBF16), 258.0);
  EXPECT_EQ(to_double(half_fma(b7, b37, 0, kBF16, rn), kBF16), 260.0);
  // Random f16 fma against the host: operands whose exact result fits a double.
  std::mt19937 rng(9);
  for (int i = 0; i < 20000; ++i) {
    auto pick = [&] { return uint16_t((rng() % 0x3000 + 0x2000) | ((rng() & 1) << 15)); };
    const uint16_t a = pick(), b = pick(), c = pick();
    const double exact = to_double(a, kF16) * to_double(b, kF16) + to_double(c, kF16);
    ASSERT_EQ(half_fma(a, b, c, kF16, rn), host_f16_rn(exact)) << a << " " << b << " " << c;
  }
}

// The arithmetic round-to-odd sum (no floating-point environment) against the one computed with
// the host's round-toward-zero mode and inexact flag, over random f16 and bf16 bit patterns of
// every class (subnormals, extremes, infinities, NaNs, signed zeros) and directed rounding after.
TEST(Rounding, ArithmeticRoundToOddMatchesTheEnvironmentOne) {
  std::mt19937 rng(13);
  for (const FloatFormat f : {kF16, kBF16}) {
    for (int i = 0; i < 200000; ++i) {
      const double x = to_double(rng() & 0xffff, f), y = to_double(rng() & 0xffff, f), z = to_double(rng() & 0xffff, f);
      const double fast = exact_product_sum_round_to_odd(x * y, z), reference = f64_fma_round_to_odd(x, y, z);
      if (std::isnan(reference)) {
        ASSERT_TRUE(std::isnan(fast)) << x << " " << y << " " << z;
        continue;
      }
      ASSERT_EQ(std::bit_cast<uint64_t>(fast), std::bit_cast<uint64_t>(reference)) << x << " * " << y << " + " << z;
      for (const Rounding r : {Rounding::Rn, Rounding::Rz, Rounding::Rm, Rounding::Rp})
        ASSERT_EQ(from_double(fast, f, r), from_double(reference, f, r));
    }
  }
}

// to_double's f16/bf16 fast path against the general conversion, for every bit pattern.
TEST(FloatFormat, HalfWidthsWidenLikeTheGeneralConversion) {
  for (const FloatFormat f : {kF16, kBF16})
    for (uint32_t b = 0; b <= 0xffff; ++b)
      ASSERT_EQ(std::bit_cast<uint64_t>(to_double(b, f)), convert_float(b, f, kF64, Rounding::Rn)) << b;
}

TEST(Half, MinMaxNaNRules) {
  MinMaxMods plain, nan_mode, xs;
  nan_mode.propagate_nan = true;
  xs.xorsign_abs = true;
  const uint64_t qnan = 0x7fc00000, one = fbits(1.0f), m2 = fbits(-2.0f);
  EXPECT_EQ(float_min(qnan, one, kF32, plain), one);
  EXPECT_EQ(float_max(one, qnan, kF32, plain), one);
  EXPECT_EQ(float_min(qnan, qnan, kF32, plain), 0x7fffffffu);
  EXPECT_EQ(float_min(qnan, one, kF32, nan_mode), 0x7fffffffu);
  EXPECT_EQ(float_min(fbits(0.0f), fbits(-0.0f), kF32, plain), fbits(-0.0f));
  EXPECT_EQ(float_max(fbits(-0.0f), fbits(0.0f), kF32, plain), fbits(0.0f));
  EXPECT_EQ(float_min(one, m2, kF32, plain), m2);
  EXPECT_EQ(float_max(one, m2, kF32, xs), fbits(-2.0f));  // max(|1|, |-2|) = 2, sign = + ^ - = -
  EXPECT_EQ(float_min(one, m2, kF32, xs), fbits(-1.0f));
  EXPECT_EQ(float_max(0x7e00, 0x3c00, kF16, plain), 0x3c00u);
}

TEST(Convert, FloatToIntRoundingAndSaturation) {
  const IntType s32{32, true}, u32{32, false}, s64{64, true}, u64{64, false}, s8{8, true};
  auto f2i = [](float f, IntType t, Rounding r) { return float_to_int(fbits(f), kF32, t, r, false); };
  EXPECT_EQ(f2i(2.5f, s32, Rounding::Rni), 2u);
  EXPECT_EQ(f2i(3.5f, s32, Rounding::Rni), 4u);
  EXPECT_EQ(f2i(-2.5f, s32, Rounding::Rni), 0xfffffffeu);
  EXPECT_EQ(f2i(-0.5f, s32, Rounding::Rmi), 0xffffffffu);
  EXPECT_EQ(f2i(-0.5f, s32, Rounding::Rpi), 0u);
  EXPECT_EQ(f2i(0.1f, s32, Rounding::Rpi), 1u);
  EXPECT_EQ(f2i(-7.9f, s32, Rounding::Rzi), uint32_t(-7));
  EXPECT_EQ(f2i(1e10f, s32, Rounding::Rzi), 0x7fffffffu);
  EXPECT_EQ(f2i(-1e10f, s32, Rounding::Rzi), 0x80000000u);
  EXPECT_EQ(f2i(-8e19f, s32, Rounding::Rni), 0x80000000u);  // beyond 64 bits too
  EXPECT_EQ(f2i(-8e19f, s64, Rounding::Rni), 0x8000000000000000ull);
  // NaN (PTX ISA 9.0, cvt): 0 unless the source is .f64 or the destination 64-bit, then
  // 1 << (width - 1), signed or not (an outside user found 0 everywhere).
  EXPECT_EQ(f2i(NAN, s32, Rounding::Rzi), 0u);
  EXPECT_EQ(f2i(NAN, u32, Rounding::Rni), 0u);
  EXPECT_EQ(f2i(NAN, s64, Rounding::Rni), 0x8000000000000000ull);
  EXPECT_EQ(f2i(-NAN, u64, Rounding::Rmi), 0x8000000000000000ull);
  EXPECT_EQ(float_to_int(dbits(NAN), kF64, s32, Rounding::Rzi, false), 0x80000000u);
  EXPECT_EQ(float_to_int(dbits(NAN), kF64, u32, Rounding::Rpi, false), 0x80000000u);
  EXPECT_EQ(float_to_int(dbits(NAN), kF64, u64, Rounding::Rzi, false), 0x8000000000000000ull);
  EXPECT_EQ(float_to_int(dbits(NAN), kF64, IntType{16, true}, Rounding::Rzi, false), 0x8000u);
  EXPECT_EQ(float_to_int(0x7e00, kF16, s64, Rounding::Rzi, false), 0x8000000000000000ull);
  EXPECT_EQ(float_to_int(0x7e00, kF16, s32, Rounding::Rzi, false), 0u);
  EXPECT_EQ(f2i(-INFINITY, s32, Rounding::Rzi), 0x80000000u);
  EXPECT_EQ(f2i(-1.0f, u32, Rounding::Rzi), 0u);
  EXPECT_EQ(f2i(5e9f, u32, Rounding::Rzi), 0xffffffffu);
  EXPECT_EQ(f2i(300.0f, s8, Rounding::Rzi), 0x7fu);
  EXPECT_EQ(f2i(-300.0f, s8, Rounding::Rzi), 0x80u);
  EXPECT_EQ(f2i(std::ldexp(1.0f, 63), s64, Rounding::Rzi), 0x7fffffffffffffffull);
  EXPECT_EQ(f2i(-std::ldexp(1.0f, 63), s64, Rounding::Rzi), 0x8000000000000000ull);
  EXPECT_EQ(f2i(std::ldexp(1.0f, 63), u64, Rounding::Rzi), 0x8000000000000000ull);
  EXPECT_EQ(f2i(std::ldexp(1.0f, 64), u64, Rounding::Rzi), ~0ull);
  EXPECT_EQ(float_to_int(dbits(4294967295.5), kF64, u32, Rounding::Rni, false), 0xffffffffu);
  EXPECT_EQ(float_to_int(0x3c00, kF16, s32, Rounding::Rzi, false), 1u);
  // Random doubles against the host's truncation where no saturation occurs.
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20000; ++i) {
    const double d = std::ldexp(double(int64_t(rng())) / 9.2e18, int(rng() % 62));
    ASSERT_EQ(float_to_int(dbits(d), kF64, s64, Rounding::Rzi, false), uint64_t(int64_t(std::trunc(d))));
    ASSERT_EQ(float_to_int(dbits(d), kF64, s64, Rounding::Rmi, false), uint64_t(int64_t(std::floor(d))));
    ASSERT_EQ(float_to_int(dbits(d), kF64, s64, Rounding::Rni, false), uint64_t(std::llrint(d)));
  }
}

TEST(Convert, IntToFloatMatchesHostUnderEachMode) {
  EXPECT_EQ(int_to_float(~0ull, {64, false}, kF32, Rounding::Rn), 0x5f800000u);
  EXPECT_EQ(int_to_float(~0ull, {64, false}, kF32, Rounding::Rz), 0x5f7fffffu);
  EXPECT_EQ(int_to_float(16777217, {32, true}, kF32, Rounding::Rn), fbits(16777216.0f));
  EXPECT_EQ(int_to_float(16777217, {32, true}, kF32, Rounding::Rp), fbits(16777218.0f));
  EXPECT_EQ(int_to_float(0x80000000u, {32, true}, kF32, Rounding::Rn), fbits(-2147483648.0f));
  EXPECT_EQ(int_to_float(70000, {32, true}, kF16, Rounding::Rn), 0x7c00u);
  EXPECT_EQ(int_to_float(70000, {32, true}, kF16, Rounding::Rz), 0x7bffu);
  EXPECT_EQ(int_to_float(0xff, {8, true}, kF32, Rounding::Rn), fbits(-1.0f));
  std::mt19937_64 rng(2);
  const std::pair<Rounding, int> modes[] = {{Rounding::Rn, FE_TONEAREST}, {Rounding::Rz, FE_TOWARDZERO},
                                            {Rounding::Rm, FE_DOWNWARD}, {Rounding::Rp, FE_UPWARD}};
  for (int i = 0; i < 20000; ++i) {
    volatile int64_t v = int64_t(rng()) >> (rng() % 40);
    for (auto [r, host] : modes) {
      std::fesetround(host);
      volatile float f = float(v);
      volatile double d = double(v);
      std::fesetround(FE_TONEAREST);
      ASSERT_EQ(int_to_float(uint64_t(v), {64, true}, kF32, r), fbits(f)) << v;
      ASSERT_EQ(int_to_float(uint64_t(v), {64, true}, kF64, r), dbits(d)) << v;
    }
  }
}

TEST(Convert, IntToIntSaturation) {
  const IntType s8{8, true}, u8{8, false}, s32{32, true}, u32{32, false}, s16{16, true};
  EXPECT_EQ(convert_int(0xffffff80u, s32, s8, false), 0x80u);
  EXPECT_EQ(convert_int(300, s32, u8, true), 0xffu);
  EXPECT_EQ(convert_int(uint32_t(-5), s32, u8, true), 0u);
  EXPECT_EQ(convert_int(uint32_t(-500), s32, s8, true), 0x80u);
  EXPECT_EQ(convert_int(0xffffffffu, u32, s32, true), 0x7fffffffu);
  EXPECT_EQ(convert_int(0x8000, s16, s32, false), 0xffff8000u);
  EXPECT_EQ(convert_int(0x8000, {16, false}, s32, false), 0x8000u);
  EXPECT_EQ(convert_int(0xffffffffffffffffull, {64, true}, u32, true), 0u);
}

TEST(Approx, SpecialCasesAndAccuracy) {
  EXPECT_EQ(approx_f32(ApproxFn::Ex2, fbits(-INFINITY), false), 0u);
  EXPECT_EQ(approx_f32(ApproxFn::Ex2, fbits(-0.0f), false), fbits(1.0f));
  EXPECT_EQ(approx_f32(ApproxFn::Lg2, fbits(0.0f), false), fbits(-INFINITY));
  EXPECT_EQ(approx_f32(ApproxFn::Lg2, fbits(-0.0f), false), fbits(-INFINITY));
  EXPECT_TRUE(std::isnan(fval(approx_f32(ApproxFn::Lg2, fbits(-1.0f), false))));
  EXPECT_EQ(approx_f32(ApproxFn::Lg2, fbits(INFINITY), false), fbits(INFINITY));
  EXPECT_EQ(approx_f32(ApproxFn::Rsqrt, fbits(-0.0f), false), fbits(-INFINITY));
  EXPECT_EQ(approx_f32(ApproxFn::Rsqrt, fbits(0.0f), false), fbits(INFINITY));
  EXPECT_EQ(approx_f32(ApproxFn::Rsqrt, fbits(INFINITY), false), 0u);
  EXPECT_TRUE(std::isnan(fval(approx_f32(ApproxFn::Sin, fbits(INFINITY), false))));
  EXPECT_EQ(approx_f32(ApproxFn::Sin, fbits(-0.0f), false), fbits(-0.0f));
  EXPECT_EQ(approx_f32(ApproxFn::Cos, fbits(0.0f), false), fbits(1.0f));
  EXPECT_EQ(approx_f32(ApproxFn::Rcp, fbits(-0.0f), false), fbits(-INFINITY));
  EXPECT_EQ(approx_f32(ApproxFn::Sqrt, fbits(-0.0f), false), fbits(-0.0f));
  EXPECT_EQ(approx_f32(ApproxFn::Tanh, fbits(INFINITY), false), fbits(1.0f));
  // .ftz: a subnormal input behaves as zero; a subnormal result flushes.
  const uint32_t denorm = 0x00000100;
  EXPECT_EQ(approx_f32(ApproxFn::Rcp, denorm, true), fbits(INFINITY));
  EXPECT_EQ(approx_f32(ApproxFn::Ex2, fbits(-140.0f), true), 0u);
  EXPECT_NE(approx_f32(ApproxFn::Ex2, fbits(-140.0f), false), 0u);
  // Accuracy: well within PTX's documented bounds (2 ulp ex2/lg2 on [0.5,2]); sin and cos within
  // the CUDA guide's 2^-21.41 absolute on [-pi, pi] ("larger otherwise").
  for (float x = -8.0f; x < 8.0f; x += 0.01f) {
    EXPECT_NEAR(fval(approx_f32(ApproxFn::Ex2, fbits(x), false)), std::exp2(x), std::exp2(x) * 2.4e-7);
    EXPECT_NEAR(fval(approx_f32(ApproxFn::Tanh, fbits(x), false)), std::tanh(double(x)), std::ldexp(1.0, -11));
    if (std::fabs(x) > 3.14159f) continue;
    EXPECT_NEAR(fval(approx_f32(ApproxFn::Sin, fbits(x), false)), std::sin(double(x)), std::ldexp(1.0, -21.41)) << x;
    EXPECT_NEAR(fval(approx_f32(ApproxFn::Cos, fbits(x), false)), std::cos(double(x)), std::ldexp(1.0, -21.41)) << x;
  }
  EXPECT_EQ(approx_f64(ApproxFn::Rcp, dbits(4.0), true), dbits(0.25));
  // The .ftz.f64 forms (PTX ISA): only the operand's upper 32 bits are read, the result's lower 32
  // bits are zero, a NaN gives 0x7fffffff00000000; within 2^-20 relative of the true value.
  for (ApproxFn fn : {ApproxFn::Rcp, ApproxFn::Rsqrt}) {
    for (uint64_t a : {dbits(3.0), dbits(2.5), dbits(1e-300), dbits(7.25e200), dbits(0.1), uint64_t(0x3ff00000ffffffffull)}) {
      const uint64_t r = approx_f64(fn, a, true);
      EXPECT_EQ(r & 0xffffffffull, 0u) << std::hex << a;
      EXPECT_EQ(r, approx_f64(fn, a & 0xffffffff00000000ull, true)) << std::hex << a;  // low word ignored
      const double x = dval(a & 0xffffffff00000000ull);
      const double exact = fn == ApproxFn::Rcp ? 1.0 / x : 1.0 / std::sqrt(x);
      EXPECT_NEAR(dval(r), exact, std::fabs(exact) * 0x1p-20) << std::hex << a;
    }
    EXPECT_EQ(approx_f64(fn, 0x7ff8000000000001ull, true), 0x7fffffff00000000ull);
  }
  EXPECT_EQ(approx_f64(ApproxFn::Rsqrt, 0x3ff00000ffffffffull, true), dbits(1.0));
  EXPECT_EQ(approx_f64(ApproxFn::Rsqrt, dbits(-INFINITY), true), 0x7fffffff00000000ull);
  EXPECT_EQ(approx_f64(ApproxFn::Rsqrt, 0x0000000100000000ull, true), dbits(INFINITY));  // subnormal -> +inf
  EXPECT_EQ(approx_f64(ApproxFn::Rcp, dbits(-INFINITY), true), dbits(-0.0));
  EXPECT_EQ(approx_f64(ApproxFn::Rcp, dbits(0x1p1023), true), dbits(0.0));  // 2^-1023 is subnormal: flushed
  // rsqrt.approx.f64 within the 1 ulp CUDA documents for rsqrt(double), measured against the
  // root in extended precision (a double 1/sqrt(x) was 1.41 ulp off at 0x1.0573p+0).
  double worst = 0;
  for (int i = 0; i < 20000; ++i) {
    const double x = std::ldexp(1.0 + i / 20000.0, (i % 7) * 2 - 6);
    const long double exact = 1.0L / std::sqrt(static_cast<long double>(x));
    const double got = dval(approx_f64(ApproxFn::Rsqrt, dbits(x), false));
    const double ulp = std::nextafter(got, INFINITY) - got;
    worst = std::max(worst, static_cast<double>(std::fabs(static_cast<long double>(got) - exact) / ulp));
  }
  EXPECT_LE(worst, 1.0) << "worst rsqrt.approx.f64 error in ulp";
  EXPECT_EQ(approx_f64(ApproxFn::Rsqrt, dbits(0.25), false), dbits(2.0));
  EXPECT_EQ(approx_f64(ApproxFn::Rsqrt, dbits(-0.0), false), dbits(-INFINITY));
  EXPECT_EQ(approx_f64(ApproxFn::Rsqrt, dbits(INFINITY), false), dbits(0.0));
  EXPECT_EQ(approx_f16(ApproxFn::Ex2, 0x4000 /*2*/, false), 0x4400u /*4*/);
}

}  // namespace
}  // namespace gpusim::isa::numerics
