// f16 / bf16 / packed x2 opcodes through the PTX harness. References: the host's _Float16
// (round-to-nearest-even conversions) on results that are exact in double, and the bf16 integer
// rounding trick.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>

#include "tests/isa/ptx_harness.h"

namespace gpusim::test {
namespace {

using Rows = std::vector<std::vector<uint64_t>>;

double h2d(uint64_t b) {
  _Float16 h;
  const uint16_t v = uint16_t(b);
  std::memcpy(&h, &v, 2);
  return double(h);
}
uint64_t d2h(double d) {
  volatile double v = d;
  const _Float16 h = static_cast<_Float16>(v);
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return std::isnan(d) ? 0x7fff : b;
}
double bf2d(uint64_t b) { return double(std::bit_cast<float>(uint32_t(b) << 16)); }
// Round-to-nearest-even straight from the double's bits (drop 45 fraction bits), then re-bias the
// exponent; valid for the normal-range results the tests produce.
uint64_t d2bf(double d) {
  if (std::isnan(d)) return 0x7fff;
  const uint64_t x = std::bit_cast<uint64_t>(d);
  if ((x << 1) == 0) return (x >> 48) & 0x8000;
  const uint64_t r = (x + 0xfffffffffffull + ((x >> 45) & 1)) >> 45;
  const uint64_t sign = r >> 18, e = (r >> 7) & 0x7ff, m = r & 0x7f;
  return (sign << 15) | ((e - 1023 + 127) << 7) | m;
}

Rows random_halves(unsigned n, uint32_t seed, unsigned nops) {
  std::mt19937 rng(seed);
  Rows r;
  const uint64_t specials[] = {0x0000, 0x8000, 0x3c00, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x7e00, 0xbc00};
  for (uint64_t a : specials)
    for (uint64_t b : specials) r.push_back({a, b, 0x3c00});
  for (unsigned i = 0; i < n; ++i) {
    std::vector<uint64_t> row;
    for (unsigned j = 0; j < nops; ++j) row.push_back(rng() & 0xffff);
    while (row.size() < 3) row.push_back(0x3c00);
    r.push_back(row);
  }
  return r;
}

TEST(OpcodeHalf, F16AddMulFma) {
  const Rows r = random_halves(600, 1, 3);
  const auto add = run_op("add.f16", "f16", {"f16", "f16"}, r);
  const auto mul = run_op("mul.rn.f16", "f16", {"f16", "f16"}, r);
  const auto fma = run_op("fma.rn.f16", "f16", {"f16", "f16", "f16"}, r);
  for (size_t i = 0; i < r.size(); ++i) {
    const double a = h2d(r[i][0]), b = h2d(r[i][1]), c = h2d(r[i][2]);
    ASSERT_EQ(add[i], d2h(a + b)) << a << "+" << b;  // exact in double for f16
    ASSERT_EQ(mul[i], d2h(a * b)) << a << "*" << b;
    ASSERT_EQ(fma[i], d2h(std::fma(a, b, c))) << a << "*" << b << "+" << c;  // f16 span fits 53 bits
  }
}

TEST(OpcodeHalf, F16x2IsPerHalf) {
  const Rows r = random_halves(300, 2, 2);
  Rows packed;
  for (size_t i = 0; i + 1 < r.size(); i += 2)
    packed.push_back({r[i][0] | (r[i + 1][0] << 16), r[i][1] | (r[i + 1][1] << 16)});
  const auto d = run_op("mul.f16x2", "f16x2", {"f16x2", "f16x2"}, packed);
  for (size_t i = 0; i < packed.size(); ++i) {
    const uint64_t lo = d2h(h2d(packed[i][0] & 0xffff) * h2d(packed[i][1] & 0xffff));
    const uint64_t hi = d2h(h2d(packed[i][0] >> 16) * h2d(packed[i][1] >> 16));
    ASSERT_EQ(d[i], lo | (hi << 16));
  }
}

TEST(OpcodeHalf, ModifiersFtzSatRelu) {
  const Rows r = {{0x0001, 0x0000, 0x3c00}, {0x3c00, 0x4000, 0xc400}, {0xbc00, 0x0000, 0x0000}, {0x7e00, 0x3c00, 0x3c00}};
  const auto ftz = run_op("add.ftz.f16", "f16", {"f16", "f16"}, r);
  EXPECT_EQ(ftz[0], 0x0000u);  // subnormal 2^-24 flushed
  const auto sat = run_op("add.sat.f16", "f16", {"f16", "f16"}, r);
  EXPECT_EQ(sat[1], 0x3c00u);  // 3 -> 1
  EXPECT_EQ(sat[2], 0x0000u);  // -1 -> 0
  EXPECT_EQ(sat[3], 0x0000u);  // NaN -> 0
  const auto relu = run_op("fma.rn.relu.f16", "f16", {"f16", "f16", "f16"}, r);
  EXPECT_EQ(relu[1], 0x0000u);  // 1*2-4 = -2 -> 0
  EXPECT_EQ(relu[3], 0x7fffu);  // NaN -> canonical NaN
}

TEST(OpcodeHalf, Bf16FmaMinMax) {
  std::mt19937 rng(3);
  Rows r;
  for (int i = 0; i < 500; ++i) {
    // Exponents near 1 so that a*b+c is exact in double and its bf16 rounding is a normal number.
    auto pick = [&] { return uint64_t(((rng() % 8 + 124) << 7) | (rng() & 0x7f) | ((rng() & 1) << 15)); };
    r.push_back({pick(), pick(), pick()});
  }
  const auto fma = run_op("fma.rn.bf16", "bf16", {"bf16", "bf16", "bf16"}, r);
  const auto mx = run_op("max.bf16", "bf16", {"bf16", "bf16"}, r);
  for (size_t i = 0; i < r.size(); ++i) {
    const double a = bf2d(r[i][0]), b = bf2d(r[i][1]), c = bf2d(r[i][2]);
    ASSERT_EQ(fma[i], d2bf(a * b + c)) << a << " " << b << " " << c;
    ASSERT_EQ(mx[i], a >= b ? r[i][0] : r[i][1]);
  }
  const auto nan = run_op("min.f16", "f16", {"f16", "f16"}, {{0x7e00, 0x3c00}, {0x7e00, 0x7e01}, {0x8000, 0x0000}});
  EXPECT_EQ(nan[0], 0x3c00u);
  EXPECT_EQ(nan[1], 0x7fffu);
  EXPECT_EQ(nan[2], 0x8000u);
  const auto nanp = run_op("max.NaN.f16", "f16", {"f16", "f16"}, {{0x7e00, 0x3c00}});
  EXPECT_EQ(nanp[0], 0x7fffu);
}

TEST(OpcodeHalf, HalfCompareAndNeg) {
  const auto p = run_ptx({{"%a", "f16"}, {"%b", "f16"}}, {{"%p", "pred"}}, "setp.lt.f16 %p, %a, %b;",
                         {{0x3c00, 0x4000}, {0x4000, 0x3c00}, {0x7e00, 0x4000}});
  EXPECT_EQ(p[0][0], 1u);
  EXPECT_EQ(p[1][0], 0u);
  EXPECT_EQ(p[2][0], 0u);
  // setp on f16x2 writes the lower half's result to p and the upper half's to q.
  const auto pq = run_ptx({{"%a", "f16x2"}, {"%b", "f16x2"}}, {{"%p", "pred"}, {"%q", "pred"}},
                          "setp.gt.f16x2 %p|%q, %a, %b;", {{0x3c004000, 0x40003c00}});
  EXPECT_EQ(pq[0][0], 1u);
  EXPECT_EQ(pq[0][1], 0u);
  const auto n = run_op("neg.f16", "f16", {"f16"}, {{0x3c00}, {0x7e00}});
  EXPECT_EQ(n[0], 0xbc00u);
  EXPECT_EQ(n[1], 0xfe00u);
}

TEST(OpcodeHalf, ApproxHalfFunctionsAndXorsign) {
  // ex2.approx.f16x2 on exact powers: 2^2 = 4 (0x4400) in the low half, 2^-1 = 0.5 (0x3800) high.
  const auto e = run_op("ex2.approx.f16x2", "f16x2", {"f16x2"}, {{0x4000u | (0xbc00u << 16)}});
  EXPECT_EQ(e[0], 0x4400u | (0x3800u << 16));
  const auto t = run_op("tanh.approx.bf16", "bf16", {"bf16"}, {{0x3f80 /*1.0*/}, {0x0000}});
  EXPECT_NEAR(bf2d(t[0]), std::tanh(1.0), 0x1p-7);
  EXPECT_EQ(t[1], 0x0000u);
  // max.xorsign.abs: |larger magnitude| with sign(a) ^ sign(b).
  const auto x = run_op("max.xorsign.abs.f16", "f16", {"f16", "f16"}, {{0xc000 /*-2*/, 0x3c00 /*1*/}, {0xc000, 0xbc00}});
  EXPECT_EQ(x[0], 0xc000u);
  EXPECT_EQ(x[1], 0x4000u);
}

}  // namespace
}  // namespace gpusim::test
