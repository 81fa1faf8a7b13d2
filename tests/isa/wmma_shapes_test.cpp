// The wmma shapes and types beyond m16n16k16 f16/bf16 (isa/tensor_fragments.h): m32n8k16 and
// m8n32k16, tf32 m16n16k8, s8/u8 -> s32, f64 m8n8k4, s4/u4 m8n8k32, b1 m8n8k128. Register counts are the PTX ISA's (and
// what nvcc 13 emits for mma.h); the f64 layout is the ISA's mma.m8n8k4 .f64 table; integer
// and f64 products are checked against plain int64 / long double arithmetic.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <random>
#include <vector>

#include "isa/tensor_fragments.h"
#include "tests/isa/fragment_coverage.h"

namespace gpusim::isa::tensor {
namespace {

using R = MatrixRole;

struct Shape {
  unsigned m, n, k;
};

TEST(WmmaShapes, RegisterCountsMatchTheIsa) {
  // f16 multiplicands: always 8 registers; accumulators f16 4, f32 8 (256 elements).
  for (Shape s : {Shape{16, 16, 16}, Shape{32, 8, 16}, Shape{8, 32, 16}}) {
    EXPECT_EQ(wmma_fragment(R::A, s.m, s.n, s.k, ElemKind::F16)->regs(), 8u) << s.m;
    EXPECT_EQ(wmma_fragment(R::B, s.m, s.n, s.k, ElemKind::F16)->regs(), 8u) << s.m;
    EXPECT_EQ(wmma_fragment(R::C, s.m, s.n, s.k, ElemKind::F16)->regs(), 4u) << s.m;
    EXPECT_EQ(wmma_fragment(R::C, s.m, s.n, s.k, ElemKind::F32)->regs(), 8u) << s.m;
    EXPECT_EQ(wmma_fragment(R::C, s.m, s.n, s.k, ElemKind::S32)->regs(), 8u) << s.m;
  }
  // bf16: m32n8k16 A 8 / B 2, m8n32k16 A 2 / B 8.
  EXPECT_EQ(wmma_fragment(R::A, 32, 8, 16, ElemKind::BF16)->regs(), 8u);
  EXPECT_EQ(wmma_fragment(R::B, 32, 8, 16, ElemKind::BF16)->regs(), 2u);
  EXPECT_EQ(wmma_fragment(R::A, 8, 32, 16, ElemKind::BF16)->regs(), 2u);
  EXPECT_EQ(wmma_fragment(R::B, 8, 32, 16, ElemKind::BF16)->regs(), 8u);
  // s8/u8: m16n16k16 2/2, m32n8k16 4/1, m8n32k16 1/4.
  for (ElemKind e : {ElemKind::S8, ElemKind::U8}) {
    EXPECT_EQ(wmma_fragment(R::A, 16, 16, 16, e)->regs(), 2u);
    EXPECT_EQ(wmma_fragment(R::B, 16, 16, 16, e)->regs(), 2u);
    EXPECT_EQ(wmma_fragment(R::A, 32, 8, 16, e)->regs(), 4u);
    EXPECT_EQ(wmma_fragment(R::B, 32, 8, 16, e)->regs(), 1u);
    EXPECT_EQ(wmma_fragment(R::A, 8, 32, 16, e)->regs(), 1u);
    EXPECT_EQ(wmma_fragment(R::B, 8, 32, 16, e)->regs(), 4u);
  }
  // tf32 m16n16k8: A 4, B 4, C 8.
  EXPECT_EQ(wmma_fragment(R::A, 16, 16, 8, ElemKind::TF32)->regs(), 4u);
  EXPECT_EQ(wmma_fragment(R::B, 16, 16, 8, ElemKind::TF32)->regs(), 4u);
  EXPECT_EQ(wmma_fragment(R::C, 16, 16, 8, ElemKind::F32)->regs(), 8u);
  // f64 m8n8k4: one .f64 register for A and B, two for C; each is two 32-bit words.
  EXPECT_EQ(wmma_fragment(R::A, 8, 8, 4, ElemKind::F64)->operand_regs(), 1u);
  EXPECT_EQ(wmma_fragment(R::B, 8, 8, 4, ElemKind::F64)->operand_regs(), 1u);
  EXPECT_EQ(wmma_fragment(R::C, 8, 8, 4, ElemKind::F64)->operand_regs(), 2u);
  EXPECT_EQ(wmma_fragment(R::C, 8, 8, 4, ElemKind::F64)->regs(), 4u);
}

TEST(WmmaShapes, InvalidCombinationsAreRejected) {
  EXPECT_FALSE(wmma_fragment(R::A, 16, 16, 8, ElemKind::F16));   // k8 is tf32 only
  EXPECT_FALSE(wmma_fragment(R::A, 32, 8, 16, ElemKind::TF32));  // tf32 is m16n16k8 only
  EXPECT_FALSE(wmma_fragment(R::C, 16, 16, 16, ElemKind::F64));
  EXPECT_FALSE(wmma_fragment(R::A, 8, 8, 4, ElemKind::F16));
  EXPECT_FALSE(wmma_fragment(R::C, 16, 16, 8, ElemKind::S32));
  EXPECT_FALSE(wmma_fragment(R::A, 16, 8, 16, ElemKind::F16));  // an mma shape, not a wmma one
}

TEST(WmmaShapes, EveryNewFragmentCoversItsMatrixOnceAndRoundTrips) {
  struct Case {
    Shape s;
    ElemKind in, acc;
  };
  const Case cases[] = {{{32, 8, 16}, ElemKind::F16, ElemKind::F32}, {{8, 32, 16}, ElemKind::F16, ElemKind::F16},
                        {{32, 8, 16}, ElemKind::BF16, ElemKind::F32}, {{8, 32, 16}, ElemKind::BF16, ElemKind::F32},
                        {{16, 16, 16}, ElemKind::S8, ElemKind::S32},  {{32, 8, 16}, ElemKind::U8, ElemKind::S32},
                        {{8, 32, 16}, ElemKind::S8, ElemKind::S32},   {{16, 16, 8}, ElemKind::TF32, ElemKind::F32},
                        {{8, 8, 4}, ElemKind::F64, ElemKind::F64}};
  for (const Case& c : cases)
    for (R role : {R::A, R::B, R::C}) {
      const std::string what = std::string(elem_name(c.in)) + " m" + std::to_string(c.s.m) + "n" +
                               std::to_string(c.s.n) + "k" + std::to_string(c.s.k) + " role " +
                               std::to_string(int(role));
      const FragmentSpec f = *wmma_fragment(role, c.s.m, c.s.n, c.s.k, role == R::C ? c.acc : c.in);
      expect_bijective(f, what);
      // Matrix -> registers -> matrix gives every element back (all bits of its width).
      std::vector<uint32_t> m(size_t(f.rows) * f.cols * f.words());
      const uint32_t mask = elem_bits(f.elem) >= 32 ? 0xffffffffu : (1u << elem_bits(f.elem)) - 1;
      for (size_t i = 0; i < m.size(); ++i) m[i] = uint32_t(i * 2654435761u) & mask;
      EXPECT_EQ(fragment_to_matrix(f, matrix_to_fragment(f, m)), m) << what;
    }
}

// PTX ISA, "Matrix Fragments for mma.m8n8k4 with .f64": A (8x4): row = groupID, col =
// threadID_in_group; B (4x8): row = threadID_in_group, col = groupID; C/D (8x8): row = groupID,
// col = threadID_in_group * 2 + i.
TEST(WmmaShapes, F64FragmentsAreTheIsaMmaM8n8k4Layout) {
  const FragmentSpec a = *wmma_fragment(R::A, 8, 8, 4, ElemKind::F64);
  const FragmentSpec b = *wmma_fragment(R::B, 8, 8, 4, ElemKind::F64);
  const FragmentSpec c = *wmma_fragment(R::C, 8, 8, 4, ElemKind::F64);
  for (unsigned lane = 0; lane < 32; ++lane) {
    EXPECT_EQ(a.at(lane, 0), (ElementPos{lane / 4, lane % 4})) << lane;
    EXPECT_EQ(b.at(lane, 0), (ElementPos{lane % 4, lane / 4})) << lane;
    for (unsigned i = 0; i < 2; ++i) EXPECT_EQ(c.at(lane, i), (ElementPos{lane / 4, (lane % 4) * 2 + i})) << lane;
  }
}

TEST(WmmaShapes, F16MultiplicandsRepeatToSixteenElements) {
  // m8n32k16 A has 4 distinct elements per lane; registers 2..7 repeat registers 0..1.
  const FragmentSpec a = *wmma_fragment(R::A, 8, 32, 16, ElemKind::F16);
  std::vector<uint32_t> m(8 * 16);
  for (unsigned i = 0; i < m.size(); ++i) m[i] = 0x4000 + i;
  const std::vector<uint32_t> regs = matrix_to_fragment(a, m);
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned r = 2; r < 8; ++r) EXPECT_EQ(regs[lane * 8 + r], regs[lane * 8 + r % 2]) << lane << " " << r;
}

// s8 x u8 products summed in int64 on the CPU; the result wraps modulo 2^32 unless saturated.
TEST(WmmaNumerics, IntegerProductsMatchInt64AndWrapOrSaturate) {
  std::mt19937 rng(11);
  const unsigned m = 32, n = 8, k = 16;
  std::vector<int64_t> ai(m * k), bi(k * n), ci(m * n);
  std::vector<uint32_t> a(m * k), b(k * n), c(m * n);
  for (unsigned i = 0; i < m * k; ++i) ai[i] = int8_t(rng()), a[i] = uint8_t(ai[i]);
  for (unsigned i = 0; i < k * n; ++i) bi[i] = uint8_t(rng()), b[i] = uint32_t(bi[i]);
  for (unsigned i = 0; i < m * n; ++i) {
    // Some accumulators sit near the int32 limits, so that the sum leaves the range.
    ci[i] = i % 3 == 0 ? INT32_MAX - 1000 : i % 3 == 1 ? INT32_MIN + 1000 : int32_t(rng() % 100000);
    c[i] = uint32_t(int32_t(ci[i]));
  }
  const auto wrapped = multiply_accumulate(m, n, k, a, ElemKind::S8, b, ElemKind::U8, c, ElemKind::S32, ElemKind::S32);
  const auto saturated =
      multiply_accumulate(m, n, k, a, ElemKind::S8, b, ElemKind::U8, c, ElemKind::S32, ElemKind::S32, true);
  unsigned overflowed = 0;
  for (unsigned r = 0; r < m; ++r)
    for (unsigned col = 0; col < n; ++col) {
      int64_t want = ci[r * n + col];
      for (unsigned kk = 0; kk < k; ++kk) want += ai[r * k + kk] * bi[kk * n + col];
      const size_t i = r * n + col;
      EXPECT_EQ(wrapped[i], uint32_t(uint64_t(want))) << r << "," << col;
      const int64_t clamped = want > INT32_MAX ? INT32_MAX : want < INT32_MIN ? INT32_MIN : want;
      EXPECT_EQ(int32_t(saturated[i]), clamped) << r << "," << col;
      overflowed += want != clamped;
    }
  EXPECT_GT(overflowed, 10u);  // the limits were crossed both ways
}

uint64_t f64_bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}

std::vector<uint32_t> f64_words(const std::vector<double>& v) {
  std::vector<uint32_t> w;
  for (double d : v) w.push_back(uint32_t(f64_bits(d))), w.push_back(uint32_t(f64_bits(d) >> 32));
  return w;
}

// f64: each product is fused with the running sum (one rounding per step). (1 + 2^-30)^2 - 1 =
// 2^-29 + 2^-60 is exact only when the product is not rounded before the addition; long double
// (64-bit significand) holds the exact value.
TEST(WmmaNumerics, F64MultiplyAddIsFused) {
  const double x = 1.0 + 0x1p-30;
  const long double exact = (long double)x * x - 1.0L;
  const auto d = multiply_accumulate(1, 1, 1, f64_words({x}), ElemKind::F64, f64_words({x}), ElemKind::F64,
                                     f64_words({-1.0}), ElemKind::F64, ElemKind::F64);
  EXPECT_EQ(d, f64_words({double(exact)}));
  EXPECT_NE(double(exact), x * x - 1.0);  // the unfused computation differs
}

TEST(WmmaNumerics, F64ProductMatchesLongDouble) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> v(-1000, 1000);
  const unsigned m = 8, n = 8, k = 4;
  std::vector<double> a(m * k), b(k * n), c(m * n);
  for (auto& x : a) x = v(rng) * 0.25;
  for (auto& x : b) x = v(rng) * 0.5;
  for (auto& x : c) x = v(rng);
  const auto d = multiply_accumulate(m, n, k, f64_words(a), ElemKind::F64, f64_words(b), ElemKind::F64, f64_words(c),
                                     ElemKind::F64, ElemKind::F64);
  std::vector<double> want(m * n);
  for (unsigned r = 0; r < m; ++r)
    for (unsigned col = 0; col < n; ++col) {
      long double s = c[r * n + col];
      for (unsigned kk = 0; kk < k; ++kk) s += (long double)a[r * k + kk] * b[kk * n + col];
      want[r * n + col] = double(s);
    }
  EXPECT_EQ(d, f64_words(want));
}

// Sub-byte (wmma::experimental): s4/u4 m8n8k32 and b1 m8n8k128 fragments are one register for
// A and B and two for C; their layouts are the PTX ISA's mma.m8n8k32 / m8n8k128 ones
// (A: row = groupID, col = threadID_in_group * K/4 + i; B the transpose; C as for f64).
TEST(WmmaShapes, SubByteFragmentsAreTheIsaMmaLayouts) {
  for (ElemKind e : {ElemKind::S4, ElemKind::U4, ElemKind::B1}) {
    const unsigned k = e == ElemKind::B1 ? 128 : 32, per_lane = k / 4;
    const FragmentSpec a = *wmma_fragment(R::A, 8, 8, k, e), b = *wmma_fragment(R::B, 8, 8, k, e);
    const FragmentSpec c = *wmma_fragment(R::C, 8, 8, k, ElemKind::S32);
    EXPECT_EQ(a.regs(), 1u);
    EXPECT_EQ(b.regs(), 1u);
    EXPECT_EQ(c.regs(), 2u);
    for (unsigned lane = 0; lane < 32; ++lane)
      for (unsigned i = 0; i < per_lane; ++i) {
        EXPECT_EQ(a.at(lane, i), (ElementPos{lane / 4, (lane % 4) * per_lane + i})) << elem_name(e) << lane;
        EXPECT_EQ(b.at(lane, i), (ElementPos{(lane % 4) * per_lane + i, lane / 4})) << elem_name(e) << lane;
      }
  }
  EXPECT_FALSE(wmma_fragment(R::A, 8, 8, 32, ElemKind::B1));
  EXPECT_FALSE(wmma_fragment(R::C, 8, 8, 128, ElemKind::F32));
}

TEST(WmmaNumerics, FourBitElementsDecodeSignedAndUnsigned) {
  EXPECT_EQ(element_value(0x7, ElemKind::S4), 7.0);
  EXPECT_EQ(element_value(0x8, ElemKind::S4), -8.0);
  EXPECT_EQ(element_value(0xf, ElemKind::S4), -1.0);
  EXPECT_EQ(element_value(0xf, ElemKind::U4), 15.0);
  EXPECT_EQ(element_value(1, ElemKind::B1), 1.0);
}

// b1: each output is C plus the population count of (row AND/XOR column), computed here on
// packed 64-bit words with the compiler's popcount.
TEST(WmmaNumerics, SingleBitProductIsAPopulationCount) {
  std::mt19937_64 rng(5);
  const unsigned m = 8, n = 8, k = 128;
  std::vector<uint64_t> rows(m * 2), cols(n * 2);
  for (auto& w : rows) w = rng();
  for (auto& w : cols) w = rng();
  std::vector<uint32_t> a(m * k), b(k * n), c(m * n);
  for (unsigned r = 0; r < m; ++r)
    for (unsigned kk = 0; kk < k; ++kk) a[r * k + kk] = uint32_t(rows[r * 2 + kk / 64] >> (kk % 64) & 1);
  for (unsigned col = 0; col < n; ++col)
    for (unsigned kk = 0; kk < k; ++kk) b[kk * n + col] = uint32_t(cols[col * 2 + kk / 64] >> (kk % 64) & 1);
  for (unsigned i = 0; i < m * n; ++i) c[i] = i == 0 ? 0xffffffffu : i * 3;  // -1 + count wraps through 0
  const auto x = multiply_accumulate_b1(m, n, k, a, b, c, true), y = multiply_accumulate_b1(m, n, k, a, b, c, false);
  for (unsigned r = 0; r < m; ++r)
    for (unsigned col = 0; col < n; ++col) {
      const unsigned i = r * n + col;
      const uint32_t px = __builtin_popcountll(rows[2 * r] ^ cols[2 * col]) + __builtin_popcountll(rows[2 * r + 1] ^ cols[2 * col + 1]);
      const uint32_t pa = __builtin_popcountll(rows[2 * r] & cols[2 * col]) + __builtin_popcountll(rows[2 * r + 1] & cols[2 * col + 1]);
      EXPECT_EQ(x[i], c[i] + px) << r << "," << col;
      EXPECT_EQ(y[i], c[i] + pa) << r << "," << col;
    }
}

// mma.sync integer shapes, from the matrix side (the inverse of the maps under test): in
// m16n8k32 .s8 A, element (r, c) is in lane (r % 8) * 4 + (c % 16) / 4, register
// (r / 8) + 2 * (c / 16), byte c % 4; B (k, n) in lane n * 4 + (k % 16) / 4, register k / 16.
TEST(MmaIntegerShapes, Int8LayoutsMatchTheIsaTables) {
  for (unsigned k : {16u, 32u}) {
    const FragmentSpec a = *mma_fragment(R::A, 16, 8, k, ElemKind::S8), b = *mma_fragment(R::B, 16, 8, k, ElemKind::U8);
    EXPECT_EQ(a.regs(), k / 8);
    EXPECT_EQ(b.regs(), k / 16);
    EXPECT_EQ(mma_fragment(R::C, 16, 8, k, ElemKind::S32)->regs(), 4u);
    for (unsigned r = 0; r < 16; ++r)
      for (unsigned c = 0; c < k; ++c) {
        const unsigned lane = (r % 8) * 4 + (c % 16) / 4, reg = (r / 8) + 2 * (c / 16), byte = c % 4;
        EXPECT_EQ(a.at(lane, reg * 4 + byte), (ElementPos{r, c})) << "A k" << k << " (" << r << "," << c << ")";
      }
    for (unsigned kk = 0; kk < k; ++kk)
      for (unsigned n = 0; n < 8; ++n) {
        const unsigned lane = n * 4 + (kk % 16) / 4, reg = kk / 16, byte = kk % 4;
        EXPECT_EQ(b.at(lane, reg * 4 + byte), (ElementPos{kk, n})) << "B k" << k << " (" << kk << "," << n << ")";
      }
  }
  // m8n8k16 .s8: A row g, bytes t*4..t*4+3; the m8n8 shapes all exist for mma.sync.
  const FragmentSpec a8 = *mma_fragment(R::A, 8, 8, 16, ElemKind::S8);
  EXPECT_EQ(a8.at(13, 2), (ElementPos{3, 6}));
  EXPECT_TRUE(mma_fragment(R::A, 8, 8, 4, ElemKind::F64));
  EXPECT_TRUE(mma_fragment(R::B, 8, 8, 128, ElemKind::B1));
  EXPECT_FALSE(mma_fragment(R::A, 16, 8, 32, ElemKind::F16));
  // m16n8k32 takes .f32/.f16 accumulators since FP8 (sm_89), never .f64.
  EXPECT_TRUE(mma_fragment(R::C, 16, 8, 32, ElemKind::F32));
  EXPECT_FALSE(mma_fragment(R::C, 16, 8, 32, ElemKind::F64));
}

}  // namespace
}  // namespace gpusim::isa::tensor
