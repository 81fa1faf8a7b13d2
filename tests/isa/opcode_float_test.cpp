// f32/f64 opcodes through the PTX harness against the host FPU (x86 SSE, IEEE-754 in all four
// rounding modes selected with <cfenv>) and the documented special cases.
#include <gtest/gtest.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <random>

#include "tests/isa/ptx_harness.h"

namespace gpusim::test {
namespace {

using Rows = std::vector<std::vector<uint64_t>>;

uint64_t fb(float f) { return std::bit_cast<uint32_t>(f); }
float bf(uint64_t b) { return std::bit_cast<float>(uint32_t(b)); }
uint64_t db(double d) { return std::bit_cast<uint64_t>(d); }
double bd(uint64_t b) { return std::bit_cast<double>(b); }

template <typename T>
inline void opaque(T& v) { asm volatile("" : "+x"(v)); }

// The host's result of fn() under a <cfenv> rounding mode; barriers keep the operation inside.
template <typename T, typename Fn>
T host_under(int mode, Fn fn) {
  const int saved = std::fegetround();
  std::fesetround(mode);
  T r = fn();
  opaque(r);
  std::fesetround(saved);
  return r;
}

uint64_t canon32(float r) { return std::isnan(r) ? 0x7fffffffu : fb(r); }
uint64_t canon64(double r) { return std::isnan(r) ? 0x7fffffffffffffffull : db(r); }

std::vector<float> interesting_f32(unsigned random_count, uint32_t seed) {
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 3.0f, 0.1f, INFINITY, -INFINITY, NAN, 1e38f, -3e38f,
                          1.17549435e-38f, 1e-40f, -1e-45f, 16777216.0f, 1.0f + 1.1920929e-7f};
  std::mt19937 rng(seed);
  for (unsigned i = 0; i < random_count; ++i) v.push_back(bf(rng()));  // any bit pattern
  return v;
}

struct Mode { const char* ptx; int host; };
const Mode kModes[] = {{".rn", FE_TONEAREST}, {".rz", FE_TOWARDZERO}, {".rm", FE_DOWNWARD}, {".rp", FE_UPWARD}};

TEST(OpcodeFloat, F32ArithmeticEveryRoundingMode) {
  const auto v = interesting_f32(14, 1);
  Rows pairs, triples;
  for (float a : v)
    for (float b : v) {
      pairs.push_back({fb(a), fb(b)});
      triples.push_back({fb(a), fb(b), fb(v[(pairs.size() * 7) % v.size()])});
    }
  const std::vector<std::string> ff = {"f32", "f32"}, fff = {"f32", "f32", "f32"};
  for (const Mode& m : kModes) {
    const auto add = run_op(std::string("add") + m.ptx + ".f32", "f32", ff, pairs);
    const auto mul = run_op(std::string("mul") + m.ptx + ".f32", "f32", ff, pairs);
    const auto div = run_op(std::string("div") + m.ptx + ".f32", "f32", ff, pairs);
    const auto fma = run_op(std::string("fma") + m.ptx + ".f32", "f32", fff, triples);
    for (size_t i = 0; i < pairs.size(); ++i) {
      volatile float a = bf(pairs[i][0]), b = bf(pairs[i][1]), c = bf(triples[i][2]);
      ASSERT_EQ(add[i], canon32(host_under<float>(m.host, [&] { return a + b; }))) << m.ptx << " " << a << "+" << b;
      ASSERT_EQ(mul[i], canon32(host_under<float>(m.host, [&] { return a * b; }))) << m.ptx << " " << a << "*" << b;
      ASSERT_EQ(div[i], canon32(host_under<float>(m.host, [&] { return a / b; }))) << m.ptx << " " << a << "/" << b;
      ASSERT_EQ(fma[i], canon32(host_under<float>(m.host, [&] { return std::fma(float(a), float(b), float(c)); })))
          << m.ptx << " fma " << a << " " << b << " " << c;
    }
  }
}

TEST(OpcodeFloat, F64ArithmeticEveryRoundingMode) {
  std::vector<double> v = {0.0, -0.0, 1.0, -1.0, 1e308, -1e-310, INFINITY, NAN, 0.1, 3.0, 1.0 + 0x1p-52};
  std::mt19937_64 rng(2);
  for (int i = 0; i < 12; ++i) v.push_back(bd(rng()));
  Rows pairs, triples;
  for (double a : v)
    for (double b : v) {
      pairs.push_back({db(a), db(b)});
      triples.push_back({db(a), db(b), db(v[(pairs.size() * 5) % v.size()])});
    }
  for (const Mode& m : kModes) {
    const auto sub = run_op(std::string("sub") + m.ptx + ".f64", "f64", {"f64", "f64"}, pairs);
    const auto fma = run_op(std::string("fma") + m.ptx + ".f64", "f64", {"f64", "f64", "f64"}, triples);
    const auto sq = run_op(std::string("sqrt") + m.ptx + ".f64", "f64", {"f64"}, pairs);
    const auto rcp = run_op(std::string("rcp") + m.ptx + ".f64", "f64", {"f64"}, pairs);
    for (size_t i = 0; i < pairs.size(); ++i) {
      volatile double a = bd(pairs[i][0]), b = bd(pairs[i][1]), c = bd(triples[i][2]);
      ASSERT_EQ(sub[i], canon64(host_under<double>(m.host, [&] { return a - b; }))) << m.ptx;
      ASSERT_EQ(fma[i], canon64(host_under<double>(m.host, [&] { return std::fma(double(a), double(b), double(c)); })));
      ASSERT_EQ(sq[i], canon64(host_under<double>(m.host, [&] { return std::sqrt(double(a)); }))) << m.ptx << " sqrt " << a;
      ASSERT_EQ(rcp[i], canon64(host_under<double>(m.host, [&] { return 1.0 / a; }))) << m.ptx << " rcp " << a;
    }
  }
}

TEST(OpcodeFloat, FtzAndSaturate) {
  const float denorm = 1e-40f;
  const Rows r = {{fb(denorm), fb(0.0f)}, {fb(-denorm), fb(-0.0f)}, {fb(1.5f), fb(0.25f)}, {fb(NAN), fb(1.0f)},
                  {fb(-2.0f), fb(1.0f)}, {fb(1e-20f), fb(1e-20f)}};
  const auto ftz = run_op("add.ftz.f32", "f32", {"f32", "f32"}, r);
  EXPECT_EQ(ftz[0], fb(0.0f));   // subnormal input flushed
  EXPECT_EQ(ftz[1], fb(-0.0f));  // sign preserved
  EXPECT_EQ(ftz[2], fb(1.75f));
  const auto mul_ftz = run_op("mul.ftz.f32", "f32", {"f32", "f32"}, r);
  EXPECT_EQ(mul_ftz[5], fb(0.0f));  // 1e-40 result flushed
  const auto mul = run_op("mul.f32", "f32", {"f32", "f32"}, r);
  EXPECT_EQ(mul[5], fb(1e-20f * 1e-20f));  // kept without .ftz
  const auto sat = run_op("add.sat.f32", "f32", {"f32", "f32"}, r);
  EXPECT_EQ(sat[2], fb(1.0f));
  EXPECT_EQ(sat[3], fb(0.0f));   // NaN -> 0
  EXPECT_EQ(sat[4], fb(0.0f));   // -1 -> 0
  const auto fma_sat = run_op("fma.rn.sat.f32", "f32", {"f32", "f32", "f32"}, {{fb(0.5f), fb(0.5f), fb(0.25f)}});
  EXPECT_EQ(fma_sat[0], fb(0.5f));
}

TEST(OpcodeFloat, MinMaxAbsNegCopysign) {
  const uint64_t qnan = 0x7fc00001;
  const Rows r = {{qnan, fb(2.0f)}, {fb(2.0f), qnan}, {qnan, qnan}, {fb(-0.0f), fb(0.0f)}, {fb(0.0f), fb(-0.0f)},
                  {fb(-3.0f), fb(1.0f)}};
  const auto mn = run_op("min.f32", "f32", {"f32", "f32"}, r);
  const auto mx = run_op("max.f32", "f32", {"f32", "f32"}, r);
  const auto mnn = run_op("min.NaN.f32", "f32", {"f32", "f32"}, r);
  EXPECT_EQ(mn[0], fb(2.0f));
  EXPECT_EQ(mx[1], fb(2.0f));
  EXPECT_EQ(mn[2], 0x7fffffffu);
  EXPECT_EQ(mn[3], fb(-0.0f));
  EXPECT_EQ(mn[4], fb(-0.0f));
  EXPECT_EQ(mx[3], fb(0.0f));
  EXPECT_EQ(mn[5], fb(-3.0f));
  EXPECT_EQ(mnn[0], 0x7fffffffu);
  EXPECT_EQ(mnn[5], fb(-3.0f));
  const auto ab = run_op("abs.f32", "f32", {"f32"}, {{0xffc00001}, {fb(-2.0f)}, {fb(-0.0f)}});
  EXPECT_EQ(ab[0], 0x7fc00001u);  // bit operation: payload kept
  EXPECT_EQ(ab[1], fb(2.0f));
  EXPECT_EQ(ab[2], fb(0.0f));
  const auto ng = run_op("neg.f32", "f32", {"f32"}, {{0x7fc00001}, {fb(0.0f)}});
  EXPECT_EQ(ng[0], 0xffc00001u);
  EXPECT_EQ(ng[1], fb(-0.0f));
  // copysign d, a, b: magnitude of b, sign of a.
  const auto cs = run_op("copysign.f32", "f32", {"f32", "f32"}, {{fb(-1.0f), fb(5.0f)}, {fb(1.0f), fb(-5.0f)}});
  EXPECT_EQ(cs[0], fb(-5.0f));
  EXPECT_EQ(cs[1], fb(5.0f));
  const auto md = run_op("max.f64", "f64", {"f64", "f64"}, {{0x7ff8000000000000ull, db(-1.0)}});
  EXPECT_EQ(md[0], db(-1.0));
}

TEST(OpcodeFloat, ApproximateFunctionsWithinDocumentedBounds) {
  Rows r;
  for (float x = -10.0f; x <= 10.0f; x += 0.0625f) r.push_back({fb(x)});
  const auto ex2 = run_op("ex2.approx.f32", "f32", {"f32"}, r);
  const auto sn = run_op("sin.approx.f32", "f32", {"f32"}, r);
  const auto cs = run_op("cos.approx.f32", "f32", {"f32"}, r);
  const auto th = run_op("tanh.approx.f32", "f32", {"f32"}, r);
  const auto rc = run_op("rcp.approx.f32", "f32", {"f32"}, r);
  for (size_t i = 0; i < r.size(); ++i) {
    const double x = bf(r[i][0]);
    EXPECT_NEAR(bf(ex2[i]), std::exp2(x), std::exp2(x) * 0x1p-22);  // ≤ 2 ulp
    if (std::fabs(x) <= M_PI) {
      EXPECT_NEAR(bf(sn[i]), std::sin(x), std::exp2(-20.9));
      EXPECT_NEAR(bf(cs[i]), std::cos(x), std::exp2(-20.9));
    }
    EXPECT_NEAR(bf(th[i]), std::tanh(x), std::fabs(std::tanh(x)) * std::exp2(-10.987) + 1e-30);
    if (x != 0) { EXPECT_NEAR(bf(rc[i]), 1.0 / x, std::fabs(1.0 / x) * 0x1p-23); }
  }
  Rows pos;
  for (float x = 0.5f; x <= 2.0f; x += 0.01f) pos.push_back({fb(x)});
  const auto lg = run_op("lg2.approx.f32", "f32", {"f32"}, pos);
  const auto rs = run_op("rsqrt.approx.f32", "f32", {"f32"}, pos);
  const auto sq = run_op("sqrt.approx.f32", "f32", {"f32"}, pos);
  for (size_t i = 0; i < pos.size(); ++i) {
    const double x = bf(pos[i][0]);
    EXPECT_NEAR(bf(lg[i]), std::log2(x), std::exp2(-22.6));
    EXPECT_NEAR(bf(rs[i]), 1.0 / std::sqrt(x), 0x1p-22 / std::sqrt(x));
    EXPECT_NEAR(bf(sq[i]), std::sqrt(x), std::sqrt(x) * 0x1p-22);
  }
  // Special cases listed by the ISA.
  const Rows sp = {{fb(-INFINITY)}, {fb(0.0f)}, {fb(-0.0f)}, {fb(INFINITY)}, {fb(-1.0f)}, {fb(NAN)}};
  const auto e = run_op("ex2.approx.ftz.f32", "f32", {"f32"}, sp);
  EXPECT_EQ(e[0], fb(0.0f));
  EXPECT_EQ(e[1], fb(1.0f));
  EXPECT_EQ(e[3], fb(INFINITY));
  EXPECT_TRUE(std::isnan(bf(e[5])));
  const auto l = run_op("lg2.approx.f32", "f32", {"f32"}, sp);
  EXPECT_TRUE(std::isnan(bf(l[0])));
  EXPECT_EQ(l[1], fb(-INFINITY));
  EXPECT_EQ(l[2], fb(-INFINITY));
  EXPECT_EQ(l[3], fb(INFINITY));
  EXPECT_TRUE(std::isnan(bf(l[4])));
  const auto q = run_op("rsqrt.approx.f32", "f32", {"f32"}, sp);
  EXPECT_EQ(q[1], fb(INFINITY));
  EXPECT_EQ(q[2], fb(-INFINITY));
  EXPECT_EQ(q[3], fb(0.0f));
  EXPECT_TRUE(std::isnan(bf(q[4])));
  const auto s = run_op("sin.approx.f32", "f32", {"f32"}, sp);
  EXPECT_TRUE(std::isnan(bf(s[0])));
  EXPECT_EQ(s[2], fb(-0.0f));
  const auto rcd = run_op("rcp.approx.ftz.f64", "f64", {"f64"}, {{db(3.0)}, {db(-0.0)}});
  // PTX ISA: the reciprocal of the operand's upper 32 bits, in the result's upper 32 (lower zero).
  EXPECT_NEAR(bd(rcd[0]), 1.0 / 3.0, 0x1p-20 / 3.0);
  EXPECT_EQ(rcd[0] & 0xffffffffull, 0u);
  EXPECT_EQ(rcd[1], db(-INFINITY));
}

TEST(OpcodeFloat, DivisionForms) {
  Rows r;
  std::mt19937 rng(4);
  for (int i = 0; i < 500; ++i) r.push_back({fb(std::ldexp(float(rng() % 100000 + 1), int(rng() % 40) - 20)),
                                             fb(std::ldexp(float(rng() % 100000 + 1), int(rng() % 40) - 20))});
  const auto full = run_op("div.full.f32", "f32", {"f32", "f32"}, r);
  const auto apx = run_op("div.approx.f32", "f32", {"f32", "f32"}, r);
  for (size_t i = 0; i < r.size(); ++i) {
    const double q = double(bf(r[i][0])) / bf(r[i][1]);
    EXPECT_NEAR(bf(full[i]), q, std::fabs(q) * 0x1p-22);  // 2 ulp
    EXPECT_NEAR(bf(apx[i]), q, std::fabs(q) * 0x1p-22);
  }
  // div.approx.ftz: |b| > 2^126 makes rcp(b) subnormal -> flushed -> 0.
  const auto big = run_op("div.approx.ftz.f32", "f32", {"f32", "f32"}, {{fb(1e30f), fb(1e38f)}});
  EXPECT_EQ(big[0], fb(0.0f));
  // A subnormal divisor without .ftz: a finite quotient, as libdevice's fmodf needs (its
  // fmodf(0x1p-140, 0x1p-145) divides them this way; 1/b alone overflows). With .ftz b is 0.
  const Rows sub = {{fb(0x1p-140f), fb(0x1p-145f)}, {fb(0x1.8p-130f), fb(0x1p-149f)}, {fb(1e30f), fb(0x1p-140f)}};
  const auto q = run_op("div.approx.f32", "f32", {"f32", "f32"}, sub);
  EXPECT_EQ(q[0], fb(32.0f));
  EXPECT_EQ(q[1], fb(0x1.8p19f));
  EXPECT_EQ(q[2], fb(INFINITY));  // 1e30 * 2^140 overflows
  const auto qftz = run_op("div.approx.ftz.f32", "f32", {"f32", "f32"}, {{fb(1.0f), fb(0x1p-140f)}});
  EXPECT_EQ(qftz[0], fb(INFINITY));
  // Without .ftz too (CUDA's __fdividef: 0 for 2^126 < |y| < 2^128 and finite x, NaN for x = inf):
  // the reciprocal is subnormal and the hardware flushes it. |y| = 2^126 itself has a normal one.
  const Rows huge = {{0x7149f2ca, 0x7f000000}, {fb(1.0f), 0x7f7fffff}, {fb(3.0f), 0xfec00000},
                     {fb(INFINITY), 0x7f000000}, {fb(-INFINITY), 0xfe800001}, {fb(1.0f), fb(0x1p126f)}};
  const auto qh = run_op("div.approx.f32", "f32", {"f32", "f32"}, huge);
  EXPECT_EQ(qh[0], 0x00000000u);
  EXPECT_EQ(qh[1], 0x00000000u);
  EXPECT_EQ(qh[2], 0x80000000u);
  EXPECT_TRUE(std::isnan(bf(qh[3])));
  EXPECT_TRUE(std::isnan(bf(qh[4])));
  EXPECT_EQ(qh[5], fb(0x1p-126f));
}

}  // namespace
}  // namespace gpusim::test
