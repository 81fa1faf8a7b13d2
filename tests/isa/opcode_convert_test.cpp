// cvt through the PTX harness against independent references: the host FPU's conversions under
// <cfenv> rounding modes, C++ integer conversions, _Float16 (round-to-nearest) and the integer
// round-to-nearest-even trick for bf16.
#include <gtest/gtest.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "tests/isa/ptx_harness.h"

namespace gpusim::test {
namespace {

using Rows = std::vector<std::vector<uint64_t>>;
uint64_t fb(float f) { return std::bit_cast<uint32_t>(f); }
float bf(uint64_t b) { return std::bit_cast<float>(uint32_t(b)); }
uint64_t db(double d) { return std::bit_cast<uint64_t>(d); }

template <typename T>
inline void opaque(T& v) { asm volatile("" : "+x"(v)); }

// Unsigned 64-bit to floating point under the current rounding mode, from the host's signed
// conversion (one correctly rounded instruction in every mode): a value of 2^63 or more is halved
// with its lowest bit kept as a sticky bit (which cannot reach the rounding position of a 24- or
// 53-bit significand) and doubled exactly afterwards. A compiler may convert `double(uint64_t)` by
// subtracting magic constants, which gives -0.0 for 0 when rounding down (clang does).
template <typename F>
F from_u64(uint64_t x) {
  if (int64_t(x) >= 0) {
    volatile int64_t signed_x = int64_t(x);
    return F(signed_x);
  }
  volatile int64_t half = int64_t((x >> 1) | (x & 1));
  F h = F(half);
  opaque(h);
  return h * F(2);
}

struct Mode { const char* ptx; int host; };
const Mode kModes[] = {{".rn", FE_TONEAREST}, {".rz", FE_TOWARDZERO}, {".rm", FE_DOWNWARD}, {".rp", FE_UPWARD}};

TEST(OpcodeConvert, IntegerToIntegerExtendTruncateSaturate) {
  Rows r;
  for (uint64_t v : {0ull, 1ull, 0x7full, 0x80ull, 0xffull, 0x7fffull, 0x8000ull, 0xffffull, 0x7fffffffull,
                     0x80000000ull, 0xffffffffull, 0x123456789ull, ~0ull, 0x8000000000000000ull})
    r.push_back({v});
  auto check = [&](const std::string& instr, const std::string& dt, const std::string& st, auto ref) {
    const auto d = run_op(instr, dt, {st}, r);
    for (size_t i = 0; i < r.size(); ++i) ASSERT_EQ(d[i], ref(r[i][0])) << instr << " " << r[i][0];
  };
  check("cvt.s64.s32", "s64", "s32", [](uint64_t v) { return uint64_t(int64_t(int32_t(uint32_t(v)))); });
  check("cvt.u64.u32", "u64", "u32", [](uint64_t v) { return uint64_t(uint32_t(v)); });
  check("cvt.s32.s16", "s32", "s16", [](uint64_t v) { return uint64_t(uint32_t(int32_t(int16_t(uint16_t(v))))); });
  check("cvt.u16.u32", "u16", "u32", [](uint64_t v) { return uint64_t(uint16_t(v)); });
  check("cvt.u32.u64", "u32", "u64", [](uint64_t v) { return uint64_t(uint32_t(v)); });
  check("cvt.sat.s16.s32", "s16", "s32", [](uint64_t v) {
    return uint64_t(uint16_t(int16_t(std::clamp<int64_t>(int32_t(uint32_t(v)), INT16_MIN, INT16_MAX))));
  });
  check("cvt.sat.u16.s32", "u16", "s32", [](uint64_t v) {
    return uint64_t(std::clamp<int64_t>(int32_t(uint32_t(v)), 0, 65535));
  });
  check("cvt.sat.s32.u64", "s32", "u64", [](uint64_t v) { return std::min<uint64_t>(v, 0x7fffffff); });
  check("cvt.sat.u32.s64", "u32", "s64", [](uint64_t v) {
    return uint64_t(std::clamp<int64_t>(int64_t(v), 0, 0xffffffffll));
  });
}

TEST(OpcodeConvert, FloatToIntegerRoundsAndSaturates) {
  std::vector<float> v = {0.0f, -0.0f, 0.5f, 1.5f, 2.5f, -2.5f, -0.5f, 3.7f, -3.7f, 1e10f, -1e10f, 2147483520.0f,
                          4294967040.0f, INFINITY, -INFINITY, NAN, 1e-40f, 9.3e18f, -9.3e18f, 1.9e19f};
  std::mt19937 rng(3);
  for (int i = 0; i < 200; ++i) v.push_back(std::ldexp(float(int32_t(rng())) / 2147483648.0f, int(rng() % 70)));
  Rows r;
  for (float f : v) r.push_back({fb(f)});
  struct IRound { const char* ptx; double (*fn)(double); };
  const IRound modes[] = {{".rni", [](double x) { return std::nearbyint(x); }}, {".rzi", [](double x) { return std::trunc(x); }},
                          {".rmi", [](double x) { return std::floor(x); }}, {".rpi", [](double x) { return std::ceil(x); }}};
  auto sat = [](double x, double lo, double hi) { return std::isnan(x) ? 0.0 : std::clamp(x, lo, hi); };
  for (const IRound& m : modes) {
    const auto s32 = run_op(std::string("cvt") + m.ptx + ".s32.f32", "s32", {"f32"}, r);
    const auto u32 = run_op(std::string("cvt") + m.ptx + ".u32.f32", "u32", {"f32"}, r);
    const auto s64 = run_op(std::string("cvt") + m.ptx + ".s64.f32", "s64", {"f32"}, r);
    const auto u64 = run_op(std::string("cvt") + m.ptx + ".u64.f32", "u64", {"f32"}, r);
    for (size_t i = 0; i < r.size(); ++i) {
      const double x = m.fn(double(bf(r[i][0])));
      ASSERT_EQ(s32[i], uint64_t(uint32_t(int32_t(sat(x, INT32_MIN, INT32_MAX))))) << m.ptx << " " << bf(r[i][0]);
      ASSERT_EQ(u32[i], uint64_t(uint32_t(sat(x, 0, 4294967295.0)))) << m.ptx << " " << bf(r[i][0]);
      // NaN into 64 bits: 1 << 63, signed or not (PTX ISA 9.0, cvt).
      const uint64_t s64_ref = std::isnan(x) ? 0x8000000000000000ull : x >= 0x1p63 ? 0x7fffffffffffffffull
                             : x < -0x1p63 ? 0x8000000000000000ull : uint64_t(int64_t(x));
      ASSERT_EQ(s64[i], s64_ref) << m.ptx << " " << bf(r[i][0]);
      const uint64_t u64_ref = std::isnan(x) ? 0x8000000000000000ull : x <= 0 ? 0 : x >= 0x1p64 ? ~0ull : uint64_t(x);
      ASSERT_EQ(u64[i], u64_ref) << m.ptx << " " << bf(r[i][0]);
    }
  }
  const auto d2i = run_op("cvt.rzi.s32.f64", "s32", {"f64"}, {{db(-2147483648.9)}, {db(2147483647.9)}, {db(1e300)}});
  EXPECT_EQ(d2i[0], 0x80000000u);
  EXPECT_EQ(d2i[1], 0x7fffffffu);
  EXPECT_EQ(d2i[2], 0x7fffffffu);
}

TEST(OpcodeConvert, IntegerToFloatEveryRoundingMode) {
  Rows r;
  std::mt19937_64 rng(4);
  for (uint64_t v : {0ull, 1ull, ~0ull, 0x8000000000000000ull, 16777217ull, 0x7fffffffffffffffull, 0xffffffffull})
    r.push_back({v});
  for (int i = 0; i < 300; ++i) r.push_back({rng() >> (rng() % 48)});
  for (const Mode& m : kModes) {
    const auto f_s64 = run_op(std::string("cvt") + m.ptx + ".f32.s64", "f32", {"s64"}, r);
    const auto f_u64 = run_op(std::string("cvt") + m.ptx + ".f32.u64", "f32", {"u64"}, r);
    const auto d_u64 = run_op(std::string("cvt") + m.ptx + ".f64.u64", "f64", {"u64"}, r);
    const auto f_s32 = run_op(std::string("cvt") + m.ptx + ".f32.s32", "f32", {"s32"}, r);
    for (size_t i = 0; i < r.size(); ++i) {
      volatile uint64_t v = r[i][0];
      const int saved = std::fegetround();
      std::fesetround(m.host);
      float a = float(int64_t(v));
      float b = from_u64<float>(v);
      double c = from_u64<double>(v);
      float e = float(int32_t(uint32_t(v)));
      opaque(a); opaque(b); opaque(c); opaque(e);
      std::fesetround(saved);
      ASSERT_EQ(f_s64[i], fb(a)) << m.ptx << " " << int64_t(v);
      ASSERT_EQ(f_u64[i], fb(b)) << m.ptx << " " << v;
      ASSERT_EQ(d_u64[i], db(c)) << m.ptx << " " << v;
      ASSERT_EQ(f_s32[i], fb(e)) << m.ptx << " " << int32_t(uint32_t(v));
    }
  }
}

TEST(OpcodeConvert, FloatToFloat) {
  std::mt19937_64 rng(5);
  Rows r;
  for (double d : {0.0, -0.0, 1.0, 1e300, -1e300, 1e-310, 3.4028235677973366e38, 1.0 + 0x1p-24, double(INFINITY), double(NAN)})
    r.push_back({db(d)});
  for (int i = 0; i < 300; ++i) r.push_back({(rng() & 0x800fffffffffffffull) | (uint64_t(0x3ff - 160 + rng() % 300) << 52)});
  for (const Mode& m : kModes) {
    const auto f = run_op(std::string("cvt") + m.ptx + ".f32.f64", "f32", {"f64"}, r);
    for (size_t i = 0; i < r.size(); ++i) {
      volatile double d = std::bit_cast<double>(r[i][0]);
      const int saved = std::fegetround();
      std::fesetround(m.host);
      float x = float(d);
      opaque(x);
      std::fesetround(saved);
      ASSERT_EQ(f[i], std::isnan(x) ? 0x7fffffffu : fb(x)) << m.ptx << " " << d;
    }
  }
  // Widening is exact; .rni etc. round to an integral value in the same format.
  const auto w = run_op("cvt.f64.f32", "f64", {"f32"}, {{fb(0.1f)}, {fb(-1e-40f)}});
  EXPECT_EQ(w[0], db(double(0.1f)));
  EXPECT_EQ(w[1], db(double(-1e-40f)));
  const Rows halves = {{fb(2.5f)}, {fb(-2.5f)}, {fb(-0.2f)}, {fb(1e-40f)}};
  const auto rni = run_op("cvt.rni.f32.f32", "f32", {"f32"}, halves);
  const auto rmi = run_op("cvt.rmi.f32.f32", "f32", {"f32"}, halves);
  const auto rpi = run_op("cvt.rpi.f32.f32", "f32", {"f32"}, halves);
  EXPECT_EQ(rni[0], fb(2.0f));
  EXPECT_EQ(rni[1], fb(-2.0f));
  EXPECT_EQ(rni[2], fb(-0.0f));
  EXPECT_EQ(rmi[2], fb(-1.0f));
  EXPECT_EQ(rpi[3], fb(1.0f));
  const auto ftz = run_op("cvt.ftz.f32.f32", "f32", {"f32"}, halves);
  EXPECT_EQ(ftz[3], fb(0.0f));
  const auto s = run_op("cvt.sat.f32.f32", "f32", {"f32"}, {{fb(2.0f)}, {fb(-1.0f)}, {fb(NAN)}, {fb(0.5f)}});
  EXPECT_EQ(s[0], fb(1.0f));
  EXPECT_EQ(s[1], fb(0.0f));
  EXPECT_EQ(s[2], fb(0.0f));
  EXPECT_EQ(s[3], fb(0.5f));
}

TEST(OpcodeConvert, HalfAndBfloatConversions) {
  std::mt19937 rng(6);
  Rows r;
  for (float f : {65504.0f, 65520.0f, 65519.0f, 1.0f + 0x1p-11f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f, -0.0f, INFINITY, NAN})
    r.push_back({fb(f)});
  for (int i = 0; i < 400; ++i) r.push_back({fb(std::ldexp(float(rng() % 65536) / 65536.0f + 0.5f, int(rng() % 50) - 30))});
  const auto h = run_op("cvt.rn.f16.f32", "f16", {"f32"}, r);
  const auto b = run_op("cvt.rn.bf16.f32", "bf16", {"f32"}, r);
  const auto bz = run_op("cvt.rz.bf16.f32", "bf16", {"f32"}, r);
  for (size_t i = 0; i < r.size(); ++i) {
    const float f = bf(r[i][0]);
    volatile float vf = f;
    const _Float16 hv = static_cast<_Float16>(vf);
    uint16_t hb;
    std::memcpy(&hb, &hv, 2);
    const uint32_t x = uint32_t(r[i][0]);
    if (std::isnan(f)) {
      EXPECT_EQ(h[i], 0x7fffu);
      EXPECT_EQ(b[i], 0x7fffu);
      continue;
    }
    ASSERT_EQ(h[i], hb) << f;
    ASSERT_EQ(b[i], ((x + 0x7fff + ((x >> 16) & 1)) >> 16) & 0xffff) << f;
    ASSERT_EQ(bz[i], x >> 16) << f;
  }
  // Widening back to f32 is exact.
  Rows hs;
  for (uint32_t v = 0; v < 0x10000; v += 97) hs.push_back({v});
  const auto back = run_op("cvt.f32.f16", "f32", {"f16"}, hs);
  for (size_t i = 0; i < hs.size(); ++i) {
    _Float16 hv;
    const uint16_t hb = uint16_t(hs[i][0]);
    std::memcpy(&hv, &hb, 2);
    if (!std::isnan(float(hv))) { ASSERT_EQ(back[i], fb(float(hv))) << hs[i][0]; }
  }
  const auto tf = run_op("cvt.rna.tf32.f32", "b32", {"f32"}, {{fb(1.0f + 0x1p-11f)}, {fb(1.0f + 0x1p-12f)}});
  EXPECT_EQ(tf[0], 0x3f802000u);
  EXPECT_EQ(tf[1], 0x3f800000u);
  const auto relu = run_op("cvt.rn.relu.f16.f32", "f16", {"f32"}, {{fb(-3.0f)}, {fb(3.0f)}});
  EXPECT_EQ(relu[0], 0x0000u);
  EXPECT_EQ(relu[1], 0x4200u);
}

TEST(OpcodeConvert, PackingTwoF32IntoHalfPairs) {
  // cvt.rn.f16x2.f32 d, a, b puts a in the upper half and b in the lower half.
  const auto pk = run_ptx({{"%a", "f32"}, {"%b", "f32"}}, {{"%d", "f16x2"}}, "cvt.rn.f16x2.f32 %d, %a, %b;",
                          {{fb(1.0f), fb(-2.0f)}, {fb(65520.0f), fb(0x1p-25f)}});
  EXPECT_EQ(pk[0][0], 0x3c00c000u);
  EXPECT_EQ(pk[1][0], 0x7c000000u);  // overflow -> inf; 2^-25 ties to even (0)
  const auto pkb = run_ptx({{"%a", "f32"}, {"%b", "f32"}}, {{"%d", "bf16x2"}}, "cvt.rn.bf16x2.f32 %d, %a, %b;",
                           {{fb(1.0f), fb(-2.0f)}});
  EXPECT_EQ(pkb[0][0], 0x3f80c000u);
}

}  // namespace
}  // namespace gpusim::test
