// mma.sync shapes and forms beyond the first set (isa/exec_tensor.cpp), run as real PTX on the
// simulated device: m16n8k64 .s4/.u4, m16n8k256 .b1, m16n8k4 .tf32, FP8 m16n8k32/k16
// (.e4m3/.e5m2 in any mix, .f32 and .f16 accumulators) and wmma's f64 .rz/.rm/.rp.
//
// The reference is independent of the simulator: each lane's registers are packed here from the
// PTX ISA's fragment tables (written out per shape), the expected D comes from plain loops over
// the mathematical definition in long double / int64, with FP8/f16 decoded by hand.
#include <gtest/gtest.h>

#include <cfenv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tests/isa/mma_warp_harness.h"

namespace gpusim {
namespace {

using namespace gpusim::test;

// ---------------- packed integer shapes ----------------

// Matrices of raw element codes (bits wide), A 16 x K row-major, B K x 8 as b[k][n].
struct IntCase {
  unsigned k, bits;
  std::vector<uint32_t> a, b;  // codes
  std::vector<int32_t> c;
};

IntCase random_int_case(unsigned k, unsigned bits, uint32_t seed) {
  std::mt19937 rng(seed);
  IntCase t{k, bits, std::vector<uint32_t>(16 * k), std::vector<uint32_t>(k * 8), std::vector<int32_t>(128)};
  for (auto& v : t.a) v = rng() & ((1u << bits) - 1);
  for (auto& v : t.b) v = rng() & ((1u << bits) - 1);
  for (auto& v : t.c) v = int32_t(rng() % 20001) - 10000;
  return t;
}

// Per the ISA tables of m16n8k64 (.s4/.u4: 8 per register) and m16n8k256 (.b1: 32 per
// register): A register r covers row g (r = 0, 2) or g+8 (r = 1, 3) and the `per` columns from
// t*per, plus 4*per for r >= 2; B register r covers column g, rows t*per + 4*per*r onward.
std::vector<std::vector<uint64_t>> pack_int_case(const IntCase& t) {
  const unsigned per = 32 / t.bits;
  std::vector<std::vector<uint64_t>> lanes(32);
  for (unsigned lane = 0; lane < 32; ++lane) {
    const unsigned g = group(lane), th = tig(lane);
    for (unsigned r = 0; r < 4; ++r) {
      const unsigned row = r % 2 == 0 ? g : g + 8, col0 = th * per + (r >= 2 ? 4 * per : 0);
      uint64_t word = 0;
      for (unsigned j = 0; j < per; ++j) word |= uint64_t(t.a[row * t.k + col0 + j]) << (j * t.bits);
      lanes[lane].push_back(word);
    }
    for (unsigned r = 0; r < 2; ++r) {
      uint64_t word = 0;
      for (unsigned j = 0; j < per; ++j) word |= uint64_t(t.b[(th * per + 4 * per * r + j) * 8 + g]) << (j * t.bits);
      lanes[lane].push_back(word);
    }
    for (unsigned i = 0; i < 4; ++i) lanes[lane].push_back(uint32_t(t.c[acc_row(lane, i) * 8 + acc_col(lane, i)]));
  }
  return lanes;
}

int64_t int_value(uint32_t code, unsigned bits, bool is_signed) {
  return is_signed && code >= (1u << (bits - 1)) ? int64_t(code) - (int64_t(1) << bits) : int64_t(code);
}

// op: '*' multiply, '^' xor, '&' and (b1). Expected D for (row, col), before any saturation.
int64_t int_reference(const IntCase& t, unsigned row, unsigned col, bool sa, bool sb, char op) {
  int64_t sum = t.c[row * 8 + col];
  for (unsigned kk = 0; kk < t.k; ++kk) {
    const uint32_t x = t.a[row * t.k + kk], y = t.b[kk * 8 + col];
    sum += op == '*' ? int_value(x, t.bits, sa) * int_value(y, t.bits, sb) : op == '^' ? (x ^ y) : (x & y);
  }
  return sum;
}

void expect_int_result(const WarpRun& r, const IntCase& t, bool sa, bool sb, char op, bool saturate,
                       const std::string& what) {
  ASSERT_TRUE(r.error.empty()) << what << ": " << r.error;
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < 4; ++i) {
      int64_t want = int_reference(t, acc_row(lane, i), acc_col(lane, i), sa, sb, op);
      if (saturate) want = std::min<int64_t>(INT32_MAX, std::max<int64_t>(INT32_MIN, want));
      EXPECT_EQ(int32_t(uint32_t(r.d[lane][i])), int32_t(uint32_t(uint64_t(want))))
          << what << " D(" << acc_row(lane, i) << "," << acc_col(lane, i) << ")";
    }
}

const Operands kIntOperands{4, 2, 4, 4};

TEST(MmaMoreShapes, M16n8k64FourBitSignExtendsAndMixesSigns) {
  IntCase t = random_int_case(64, 4, 11);
  // Sign-extension corners in the first row: -8 x -8, 7 x -8, -1 x 15 (u4 B in the mixed case).
  t.a[0] = 0x8, t.b[0 * 8 + 0] = 0x8, t.a[1] = 0x7, t.b[1 * 8 + 0] = 0x8, t.a[2] = 0xf, t.b[2 * 8 + 0] = 0xf;
  const auto in = pack_int_case(t);
  expect_int_result(run_warp("mma.sync.aligned.m16n8k64.row.col.s32.s4.s4.s32", kIntOperands, in), t, true, true, '*',
                    false, "s4.s4");
  expect_int_result(run_warp("mma.sync.aligned.m16n8k64.row.col.s32.s4.u4.s32", kIntOperands, in), t, true, false,
                    '*', false, "s4.u4");
  expect_int_result(run_warp("mma.sync.aligned.m16n8k64.row.col.s32.u4.u4.s32", kIntOperands, in), t, false, false,
                    '*', false, "u4.u4");
}

TEST(MmaMoreShapes, M16n8k64SatfiniteClampsAtTheInt32Range) {
  IntCase t = random_int_case(64, 4, 12);
  for (unsigned i = 0; i < 128; ++i) t.c[i] = i % 2 ? INT32_MAX - 50 : INT32_MIN + 50;
  const auto in = pack_int_case(t);
  expect_int_result(run_warp("mma.sync.aligned.m16n8k64.row.col.satfinite.s32.u4.s4.s32", kIntOperands, in), t,
                    false, true, '*', true, "u4.s4 satfinite");
}

TEST(MmaMoreShapes, M16n8k256SingleBitIsAPopulationCount) {
  const IntCase t = random_int_case(256, 1, 13);
  const auto in = pack_int_case(t);
  expect_int_result(run_warp("mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.xor.popc", kIntOperands, in), t, false,
                    false, '^', false, "b1 xor");
  expect_int_result(run_warp("mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.and.popc", kIntOperands, in), t, false,
                    false, '&', false, "b1 and");
}

// ---------------- m16n8k4 .tf32 ----------------

TEST(MmaMoreShapes, M16n8k4Tf32IgnoresTheLowMantissaBits) {
  std::mt19937 rng(21);
  auto tf32_input = [&] {  // a value with junk in the 13 bits tf32 drops
    const float v = float(int(rng() % 2001) - 1000) / 64.0f;
    return bits_of(v) | (rng() & 0x1fffu);
  };
  std::vector<uint32_t> a(16 * 4), b(4 * 8);
  std::vector<float> c(128);
  for (auto& v : a) v = tf32_input();
  for (auto& v : b) v = tf32_input();
  for (auto& v : c) v = float(int(rng() % 2001) - 1000) / 8.0f;
  // ISA m16n8k4 .tf32: a0 (g, t), a1 (g+8, t); b0 (t, g).
  std::vector<std::vector<uint64_t>> in(32);
  for (unsigned lane = 0; lane < 32; ++lane) {
    const unsigned g = group(lane), t = tig(lane);
    in[lane] = {a[g * 4 + t], a[(g + 8) * 4 + t], b[t * 8 + g]};
    for (unsigned i = 0; i < 4; ++i) in[lane].push_back(bits_of(c[acc_row(lane, i) * 8 + acc_col(lane, i)]));
  }
  const WarpRun r = run_warp("mma.sync.aligned.m16n8k4.row.col.f32.tf32.tf32.f32", Operands{2, 1, 4, 4}, in);
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < 4; ++i) {
      const unsigned row = acc_row(lane, i), col = acc_col(lane, i);
      long double want = c[row * 8 + col];
      for (unsigned kk = 0; kk < 4; ++kk)
        want += (long double)f32_of(a[row * 4 + kk] & 0xffffe000u) * f32_of(b[kk * 8 + col] & 0xffffe000u);
      expect_float(r.d[lane][i], want, false, "tf32 k4 D(" + std::to_string(row) + "," + std::to_string(col) + ")");
    }
}

// ---------------- FP8 m16n8k32 ----------------

struct Fp8Case {
  std::vector<uint32_t> a, b;  // codes: A 16 x 32, B 32 x 8 (b[k][n])
  std::vector<uint32_t> c;     // accumulator bits (f32, or f16 in the low half)
};

// ISA m16n8k32 (.e4m3/.e5m2 as .s8/.u8): A register r holds row g (r even) / g+8 (r odd),
// columns 4t.. 4t+3 plus 16 for r >= 2; B register r holds column g, rows 4t + 16r onward.
std::vector<std::vector<uint64_t>> pack_fp8_case(const Fp8Case& t) {
  std::vector<std::vector<uint64_t>> lanes(32);
  for (unsigned lane = 0; lane < 32; ++lane) {
    const unsigned g = group(lane), th = tig(lane);
    for (unsigned r = 0; r < 4; ++r) {
      uint64_t word = 0;
      for (unsigned j = 0; j < 4; ++j) word |= uint64_t(t.a[(g + 8 * (r % 2)) * 32 + 4 * th + 16 * (r / 2) + j]) << (8 * j);
      lanes[lane].push_back(word);
    }
    for (unsigned r = 0; r < 2; ++r) {
      uint64_t word = 0;
      for (unsigned j = 0; j < 4; ++j) word |= uint64_t(t.b[(4 * th + 16 * r + j) * 8 + g]) << (8 * j);
      lanes[lane].push_back(word);
    }
    for (unsigned i = 0; i < 4; ++i) lanes[lane].push_back(t.c[acc_row(lane, i) * 8 + acc_col(lane, i)]);
  }
  return lanes;
}

using Decode = long double (*)(uint32_t);

void check_fp8(const std::string& instruction, const Fp8Case& t, Decode da, Decode db, bool f16_acc) {
  const WarpRun r = run_warp(instruction, Operands{4, 2, f16_acc ? 2u : 4u, f16_acc ? 2u : 4u},
                             [&] {
                               auto in = pack_fp8_case(t);
                               if (f16_acc)  // f16 accumulators: two per register, c0 low
                                 for (auto& l : in) {
                                   l[6] = (l[6] & 0xffff) | (l[7] & 0xffff) << 16;
                                   l[7] = (l[8] & 0xffff) | (l[9] & 0xffff) << 16;
                                   l.resize(8);
                                 }
                               return in;
                             }());
  ASSERT_TRUE(r.error.empty()) << instruction << ": " << r.error;
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < 4; ++i) {
      const unsigned row = acc_row(lane, i), col = acc_col(lane, i);
      long double want = f16_acc ? f16_value(t.c[row * 8 + col]) : (long double)f32_of(t.c[row * 8 + col]);
      for (unsigned kk = 0; kk < 32; ++kk) want += da(t.a[row * 32 + kk]) * db(t.b[kk * 8 + col]);
      const uint64_t got = f16_acc ? (r.d[lane][i / 2] >> (16 * (i % 2))) & 0xffff : r.d[lane][i];
      expect_float(got, want, f16_acc,
                   instruction + " D(" + std::to_string(row) + "," + std::to_string(col) + ")");
    }
}

Fp8Case random_fp8_case(uint32_t seed, bool f16_acc, bool a_e4m3, bool b_e4m3) {
  std::mt19937 rng(seed);
  auto finite_code = [&](bool e4m3) {
    while (true) {  // any finite code, subnormals included
      const uint32_t v = rng() & 0xff;
      if (e4m3 ? (v & 0x7f) != 0x7f : ((v >> 2) & 31) != 31) return v;
    }
  };
  Fp8Case t{std::vector<uint32_t>(16 * 32), std::vector<uint32_t>(32 * 8), std::vector<uint32_t>(128)};
  for (auto& v : t.a) v = finite_code(a_e4m3);
  for (auto& v : t.b) v = finite_code(b_e4m3);
  for (auto& v : t.c) {
    const float x = float(int(rng() % 2001) - 1000) / 4.0f;
    v = f16_acc ? f16_bits((_Float16)x) : bits_of(x);
  }
  return t;
}

TEST(MmaMoreShapes, Fp8AnyMixAccumulatesIntoF32) {
  check_fp8("mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32", random_fp8_case(31, false, true, true), e4m3_value,
            e4m3_value, false);
  check_fp8("mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e5m2.f32", random_fp8_case(32, false, true, false),
            e4m3_value, e5m2_value, false);
  check_fp8("mma.sync.aligned.m16n8k32.row.col.f32.e5m2.e4m3.f32", random_fp8_case(33, false, false, true),
            e5m2_value, e4m3_value, false);
  check_fp8("mma.sync.aligned.m16n8k32.row.col.f32.e5m2.e5m2.f32", random_fp8_case(34, false, false, false),
            e5m2_value, e5m2_value, false);
}

TEST(MmaMoreShapes, Fp8AccumulatesIntoF16) {
  // Small codes only, so that the f16 sums stay finite; the rounding is still exercised.
  Fp8Case t = random_fp8_case(35, true, true, false);
  for (auto& v : t.a) v &= 0xa7;  // e4m3 exponents <= 4 (magnitude < 1)
  for (auto& v : t.b) v &= 0xbf;  // e5m2 exponents <= 15
  check_fp8("mma.sync.aligned.m16n8k32.row.col.f16.e4m3.e5m2.f16", t, e4m3_value, e5m2_value, true);
}

TEST(MmaMoreShapes, Fp8NanInfinityAndLargestFiniteCorners) {
  Fp8Case t{std::vector<uint32_t>(16 * 32, 0), std::vector<uint32_t>(32 * 8, 0), std::vector<uint32_t>(128, 0)};
  t.a[0 * 32 + 0] = 0x7f, t.b[0 * 8 + 0] = 0x3c;   // row 0 col 0: e4m3 NaN x 1.0 -> NaN
  t.a[1 * 32 + 1] = 0x38, t.b[1 * 8 + 1] = 0x7c;   // row 1 col 1: 1.0 x e5m2 +inf -> +inf
  t.a[2 * 32 + 2] = 0x00, t.b[2 * 8 + 2] = 0xfc;   // row 2 col 2: 0 x -inf -> NaN
  t.a[3 * 32 + 3] = 0x7e, t.b[3 * 8 + 3] = 0x7b;   // row 3 col 3: 448 x 57344 (largest finites)
  t.a[3 * 32 + 4] = 0xfe, t.b[4 * 8 + 3] = 0x7b;   //   minus the same: exactly 0
  t.a[4 * 32 + 5] = 0x7e, t.b[5 * 8 + 4] = 0x7b;   // row 4 col 4: +inf + -inf -> NaN
  t.a[4 * 32 + 6] = 0x38, t.b[6 * 8 + 4] = 0x7c;
  t.a[4 * 32 + 7] = 0x38, t.b[7 * 8 + 4] = 0xfc;
  t.a[5 * 32 + 8] = 0x01, t.b[8 * 8 + 5] = 0x01;   // row 5 col 5: smallest subnormals 2^-9 x 2^-16
  check_fp8("mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e5m2.f32", t, e4m3_value, e5m2_value, false);
  // f16 accumulators: 448 x 57344 overflows f16 to +inf (there is no .satfinite on mma).
  Fp8Case h = t;
  h.a[3 * 32 + 4] = 0;  // keep only the positive product in row 3
  check_fp8("mma.sync.aligned.m16n8k32.row.col.f16.e4m3.e5m2.f16", h, e4m3_value, e5m2_value, true);
}

// m16n8k16 FP8 (the .s8 m16n8k16 layout): a0 holds row g, a1 row g+8, columns 4t..4t+3; b0
// holds column g, rows 4t..4t+3.
TEST(MmaMoreShapes, Fp8M16n8k16) {
  const Fp8Case t = random_fp8_case(37, false, false, true);  // A e5m2, B e4m3; k16 uses their first 16 k
  std::vector<std::vector<uint64_t>> in(32);
  for (unsigned lane = 0; lane < 32; ++lane) {
    const unsigned g = group(lane), th = tig(lane);
    for (unsigned r = 0; r < 2; ++r) {
      uint64_t word = 0;
      for (unsigned j = 0; j < 4; ++j) word |= uint64_t(t.a[(g + 8 * r) * 32 + 4 * th + j]) << (8 * j);
      in[lane].push_back(word);
    }
    uint64_t word = 0;
    for (unsigned j = 0; j < 4; ++j) word |= uint64_t(t.b[(4 * th + j) * 8 + g]) << (8 * j);
    in[lane].push_back(word);
    for (unsigned i = 0; i < 4; ++i) in[lane].push_back(t.c[acc_row(lane, i) * 8 + acc_col(lane, i)]);
  }
  const WarpRun r = run_warp("mma.sync.aligned.m16n8k16.row.col.f32.e5m2.e4m3.f32", Operands{2, 1, 4, 4}, in);
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < 4; ++i) {
      const unsigned row = acc_row(lane, i), col = acc_col(lane, i);
      long double want = f32_of(t.c[row * 8 + col]);
      for (unsigned kk = 0; kk < 16; ++kk) want += e5m2_value(t.a[row * 32 + kk]) * e4m3_value(t.b[kk * 8 + col]);
      expect_float(r.d[lane][i], want, false, "k16 D(" + std::to_string(row) + "," + std::to_string(col) + ")");
    }
}

TEST(MmaMoreShapes, Fp8NeedsMatchingFloatAccumulators) {
  const Fp8Case t = random_fp8_case(36, false, true, true);
  const WarpRun r = run_warp("mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.s32", kIntOperands, pack_fp8_case(t));
  EXPECT_NE(r.error.find("unsupported shape/type combination .m16n8k32.f32.e4m3.e4m3.s32"), std::string::npos) << r.error;
}

// ---------------- wmma f64 directed rounding ----------------

// wmma.m8n8k4 .f64 uses the ISA's mma.m8n8k4 layout: lane L holds A(L/4, L%4), B(L%4, L/4) and
// C/D(L/4, 2(L%4)) and (L/4, 2(L%4)+1). The expected result is the chain of fused
// multiply-adds in k order, each rounded in the mode, computed with the host's fenv.
TEST(WmmaF64Rounding, DirectedModesRoundEachFusedStep) {
  std::mt19937_64 rng(70);
  auto value = [&] {  // full 53-bit significands, so every mode rounds differently somewhere
    // One draw per statement: the order of evaluation within an expression is unspecified (GCC and
    // clang differ), and the inputs must be the same whichever compiled the test.
    const uint64_t significand = rng() >> 11;
    const int exponent = -52 + int(rng() % 9) - 4;
    const double sign = (rng() & 1) ? -1.0 : 1.0;
    return std::ldexp(double(significand) + 1.0, exponent) * sign;
  };
  std::vector<double> a(32), b(32), c(64);
  for (auto& v : a) v = value();
  for (auto& v : b) v = value();
  for (auto& v : c) v = value();
  std::vector<std::vector<uint64_t>> in(32);
  for (unsigned lane = 0; lane < 32; ++lane) {
    uint64_t w[4];
    std::memcpy(&w[0], &a[lane], 8);                              // A(L/4, L%4), row-major 8 x 4
    std::memcpy(&w[1], &b[(lane % 4) * 8 + lane / 4], 8);         // B(L%4, L/4), row-major 4 x 8
    std::memcpy(&w[2], &c[(lane / 4) * 8 + 2 * (lane % 4)], 8);   // C(L/4, 2(L%4))
    std::memcpy(&w[3], &c[(lane / 4) * 8 + 2 * (lane % 4) + 1], 8);
    in[lane] = {w[0], w[1], w[2], w[3]};
  }
  const std::pair<const char*, int> modes[] = {{"rn", FE_TONEAREST}, {"rz", FE_TOWARDZERO}, {"rm", FE_DOWNWARD},
                                               {"rp", FE_UPWARD}};
  std::vector<std::vector<uint64_t>> results;
  for (const auto& [name, mode] : modes) {
    const WarpRun r = run_warp(std::string("wmma.mma.sync.aligned.row.col.m8n8k4.") + name + ".f64.f64.f64.f64",
                               Operands{1, 1, 2, 2, true}, in);
    ASSERT_TRUE(r.error.empty()) << name << ": " << r.error;
    for (unsigned lane = 0; lane < 32; ++lane)
      for (unsigned i = 0; i < 2; ++i) {
        const unsigned row = lane / 4, col = 2 * (lane % 4) + i;
        const int saved = std::fegetround();
        std::fesetround(mode);
        volatile double acc = c[row * 8 + col];
        for (unsigned kk = 0; kk < 4; ++kk) {
          volatile double x = a[row * 4 + kk], y = b[kk * 8 + col];
          acc = std::fma(x, y, acc);
        }
        std::fesetround(saved);
        double got;
        std::memcpy(&got, &r.d[lane][i], 8);
        EXPECT_EQ(got, acc) << name << " D(" << row << "," << col << ")";
      }
    std::vector<uint64_t> all;
    for (unsigned lane = 0; lane < 32; ++lane) all.insert(all.end(), {r.d[lane][0], r.d[lane][1]});
    results.push_back(all);
  }
  // Every element, both signs: rz equals rp on a negative result and rm on a positive one.
  EXPECT_NE(results[1], results[3]) << "rz and rp gave the same results: the inputs do not exercise rounding";
  EXPECT_NE(results[1], results[2]) << "rz and rm gave the same results: the inputs do not exercise rounding";
}

TEST(WmmaF64Rounding, MmaF64TakesOnlyRn) {
  std::vector<std::vector<uint64_t>> in(32, std::vector<uint64_t>(4, 0));
  const WarpRun r = run_warp("mma.sync.aligned.m8n8k4.row.col.rz.f64.f64.f64.f64", Operands{1, 1, 2, 2, true}, in);
  EXPECT_NE(r.error.find("the f64 mma takes the .rn rounding only"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace gpusim
