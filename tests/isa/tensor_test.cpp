// TensorCore datapath model (isa/tensor_fragments.h): fragment layouts checked against the PTX
// ISA's tables, element encodings, and the multiply-accumulate against a plain CPU product.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "isa/tensor_fragments.h"
#include "tests/isa/fragment_coverage.h"

namespace gpusim::isa::tensor {
namespace {

// ---- Layouts: the ISA figures read "matrix element (r, c) lives in lane L, element i" ----
// These owner functions restate those figures from the matrix side (the inverse direction of
// the maps under test), so a formula error in either would show.
struct Owner {
  unsigned lane, index;
};

// mma.m16n8k16 A (16x16, .f16/.bf16): rows 0-7 hold a0,a1 (cols 0-7) and a4,a5 (cols 8-15);
// rows 8-15 hold a2,a3 and a6,a7; four threads share a row, two columns each.
Owner isa_a16_owner(unsigned r, unsigned c) { return {(r % 8) * 4 + (c % 8) / 2, c % 2 + 2 * (r / 8) + 4 * (c / 8)}; }
// mma.m16n8k16 B (16x8): column n is held by the lanes of group n; b0,b1 rows 0-7, b2,b3 rows 8-15.
Owner isa_b16_owner(unsigned k, unsigned n) { return {n * 4 + (k % 8) / 2, k % 2 + 2 * (k / 8)}; }
// Accumulator 16x8: c0,c1 in rows 0-7, c2,c3 in rows 8-15.
Owner isa_acc_owner(unsigned r, unsigned c) { return {(r % 8) * 4 + c / 2, c % 2 + 2 * (r / 8)}; }
// mma.m16n8k8 .tf32 A (16x8): one column per thread of a group; a0/a1 cols 0-3, a2/a3 cols 4-7.
Owner isa_a_tf32_owner(unsigned r, unsigned c) { return {(r % 8) * 4 + c % 4, r / 8 + 2 * (c / 4)}; }
// mma.m16n8k8 .tf32 B (8x8): b0 rows 0-3, b1 rows 4-7.
Owner isa_b_tf32_owner(unsigned k, unsigned n) { return {n * 4 + k % 4, k / 4}; }
// ldmatrix 8x8: lane 4r + c/2 holds row r, columns c & ~1 and c | 1.
Owner isa_ldmatrix_owner(unsigned r, unsigned c) { return {r * 4 + c / 2, c % 2}; }
// wmma m16n16k16 (sm_80), as wmma_extension maps matrix elements to (lane, element):
// A and accumulators: lane (i%8)*4 + (j%8)/2, element (i/8)*2 + j%2 + (j/8)*4;
// B: lane (i%8)/2 + (j%8)*4, element i%2 + (i/8)*2 + (j/8)*4.
Owner wmma_rowwise_owner(unsigned i, unsigned j) { return {(i % 8) * 4 + (j % 8) / 2, (i / 8) * 2 + j % 2 + (j / 8) * 4}; }
Owner wmma_b_owner(unsigned i, unsigned j) { return {(i % 8) / 2 + (j % 8) * 4, i % 2 + (i / 8) * 2 + (j / 8) * 4}; }

void expect_layout(PositionFn map, unsigned rows, unsigned cols, Owner (*owner)(unsigned, unsigned),
                   const char* what) {
  for (unsigned r = 0; r < rows; ++r)
    for (unsigned c = 0; c < cols; ++c) {
      const Owner o = owner(r, c);
      EXPECT_EQ(map(o.lane, o.index), (ElementPos{r, c})) << what << " element (" << r << "," << c << ")";
    }
}

TEST(TensorLayout, MmaM16n8k16MatchesIsaTables) {
  expect_layout(&mma_a16, 16, 16, &isa_a16_owner, "mma A");
  expect_layout(&mma_b16, 16, 8, &isa_b16_owner, "mma B");
  expect_layout(&mma_acc, 16, 8, &isa_acc_owner, "mma C/D");
}

TEST(TensorLayout, MmaM16n8k8UsesTheFirstHalfOfTheK16Layout) {
  expect_layout(&mma_a16, 16, 8, &isa_a16_owner, "m16n8k8 A");
  expect_layout(&mma_b16, 8, 8, &isa_b16_owner, "m16n8k8 B");
  expect_layout(&mma_a_tf32, 16, 8, &isa_a_tf32_owner, "tf32 A");
  expect_layout(&mma_b_tf32, 8, 8, &isa_b_tf32_owner, "tf32 B");
}

TEST(TensorLayout, LdmatrixMatchesIsaTable) { expect_layout(&ldmatrix_m8n8, 8, 8, &isa_ldmatrix_owner, "ldmatrix"); }

TEST(TensorLayout, SpotChecksFromTheIsaFigures) {
  // Figure "MMA .m16n8k16 fragment layout for matrix A": T0 holds a0,a1 at (0,0),(0,1), a2 at
  // (8,0), a4 at (0,8); T31 holds a7 at (15,15). T5 (group 1, thread 1) holds a0 at (1,2).
  EXPECT_EQ(mma_a16(0, 0), (ElementPos{0, 0}));
  EXPECT_EQ(mma_a16(0, 1), (ElementPos{0, 1}));
  EXPECT_EQ(mma_a16(0, 2), (ElementPos{8, 0}));
  EXPECT_EQ(mma_a16(0, 4), (ElementPos{0, 8}));
  EXPECT_EQ(mma_a16(31, 7), (ElementPos{15, 15}));
  EXPECT_EQ(mma_a16(5, 0), (ElementPos{1, 2}));
  // Matrix B: T5 holds b0 at (2,1) and b3 at (11,1). Accumulator: T31 holds c3 at (15,7).
  EXPECT_EQ(mma_b16(5, 0), (ElementPos{2, 1}));
  EXPECT_EQ(mma_b16(5, 3), (ElementPos{11, 1}));
  EXPECT_EQ(mma_acc(31, 3), (ElementPos{15, 7}));
  EXPECT_EQ(mma_acc(6, 1), (ElementPos{1, 5}));
  // tf32 A: T6 (group 1, thread 2) holds a3 at (9, 6).
  EXPECT_EQ(mma_a_tf32(6, 3), (ElementPos{9, 6}));
  // ldmatrix: T0 gets row 0 columns 0,1; T31 row 7 columns 6,7.
  EXPECT_EQ(ldmatrix_m8n8(0, 1), (ElementPos{0, 1}));
  EXPECT_EQ(ldmatrix_m8n8(31, 0), (ElementPos{7, 6}));
}

TEST(TensorLayout, WmmaIsTwoMmaTilesSideBySide) {
  expect_layout(&wmma_a, 16, 16, &wmma_rowwise_owner, "wmma A");
  expect_layout(&wmma_acc, 16, 16, &wmma_rowwise_owner, "wmma C/D");
  expect_layout(&wmma_b, 16, 16, &wmma_b_owner, "wmma B");
}

TEST(TensorLayout, EveryFragmentCoversItsMatrixOnce) {
  for (ElemKind e : {ElemKind::F16, ElemKind::BF16}) {
    for (unsigned k : {8u, 16u}) {
      expect_bijective(*mma_fragment(MatrixRole::A, 16, 8, k, e), "mma A");
      expect_bijective(*mma_fragment(MatrixRole::B, 16, 8, k, e), "mma B");
    }
    expect_bijective(*wmma_fragment(MatrixRole::A, 16, 16, 16, e), "wmma A");
    expect_bijective(*wmma_fragment(MatrixRole::B, 16, 16, 16, e), "wmma B");
  }
  expect_bijective(*mma_fragment(MatrixRole::A, 16, 8, 8, ElemKind::TF32), "tf32 A");
  expect_bijective(*mma_fragment(MatrixRole::B, 16, 8, 8, ElemKind::TF32), "tf32 B");
  for (ElemKind e : {ElemKind::F16, ElemKind::F32}) {
    expect_bijective(*mma_fragment(MatrixRole::C, 16, 8, 16, e), "mma C");
    expect_bijective(*wmma_fragment(MatrixRole::C, 16, 16, 16, e), "wmma C");
  }
}

TEST(TensorLayout, RegisterCountsMatchTheIsa) {
  EXPECT_EQ(mma_fragment(MatrixRole::A, 16, 8, 16, ElemKind::F16)->regs(), 4u);
  EXPECT_EQ(mma_fragment(MatrixRole::B, 16, 8, 16, ElemKind::BF16)->regs(), 2u);
  EXPECT_EQ(mma_fragment(MatrixRole::C, 16, 8, 16, ElemKind::F32)->regs(), 4u);
  EXPECT_EQ(mma_fragment(MatrixRole::C, 16, 8, 16, ElemKind::F16)->regs(), 2u);
  EXPECT_EQ(mma_fragment(MatrixRole::A, 16, 8, 8, ElemKind::F16)->regs(), 2u);
  EXPECT_EQ(mma_fragment(MatrixRole::B, 16, 8, 8, ElemKind::F16)->regs(), 1u);
  EXPECT_EQ(mma_fragment(MatrixRole::A, 16, 8, 8, ElemKind::TF32)->regs(), 4u);
  EXPECT_EQ(wmma_fragment(MatrixRole::A, 16, 16, 16, ElemKind::F16)->regs(), 8u);
  EXPECT_EQ(wmma_fragment(MatrixRole::B, 16, 16, 16, ElemKind::BF16)->regs(), 4u);
  EXPECT_EQ(wmma_fragment(MatrixRole::C, 16, 16, 16, ElemKind::F32)->regs(), 8u);
  EXPECT_EQ(wmma_fragment(MatrixRole::C, 16, 16, 16, ElemKind::F16)->regs(), 4u);
}

TEST(TensorLayout, UnsupportedCombinationsAreRejected) {
  EXPECT_FALSE(mma_fragment(MatrixRole::A, 8, 8, 4, ElemKind::F16));
  EXPECT_FALSE(mma_fragment(MatrixRole::A, 16, 8, 16, ElemKind::TF32));
  EXPECT_FALSE(mma_fragment(MatrixRole::C, 16, 8, 16, ElemKind::BF16));
  EXPECT_FALSE(wmma_fragment(MatrixRole::A, 32, 8, 16, ElemKind::TF32));
  EXPECT_FALSE(wmma_fragment(MatrixRole::A, 16, 16, 16, ElemKind::F32));
}

TEST(TensorFragments, F16WmmaFragmentsRepeatEveryElement) {
  const FragmentSpec s = *wmma_fragment(MatrixRole::A, 16, 16, 16, ElemKind::F16);
  std::vector<uint32_t> m(256);
  for (unsigned i = 0; i < 256; ++i) m[i] = 0x3c00 + i;  // distinct halves
  const std::vector<uint32_t> regs = matrix_to_fragment(s, m);
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned r = 0; r < 4; ++r) EXPECT_EQ(regs[lane * 8 + r], regs[lane * 8 + r + 4]) << lane << " " << r;
  // Lane 0, register 0 packs a0 = A(0,0) low and a1 = A(0,1) high.
  EXPECT_EQ(regs[0], 0x3c00u | (0x3c01u << 16));
  EXPECT_EQ(fragment_to_matrix(s, regs), m);
}

// ---- Numerics ----
uint32_t f32_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

TEST(TensorNumerics, ElementDecoding) {
  EXPECT_EQ(element_value(0x3c00, ElemKind::F16), 1.0);
  EXPECT_EQ(element_value(0xc000, ElemKind::F16), -2.0);
  EXPECT_EQ(element_value(0x0001, ElemKind::F16), std::ldexp(1.0, -24));  // smallest subnormal
  EXPECT_TRUE(std::isinf(element_value(0x7c00, ElemKind::F16)));
  EXPECT_EQ(element_value(0x3f80, ElemKind::BF16), 1.0);
  EXPECT_EQ(element_value(0x4049, ElemKind::BF16), 3.140625);
  // tf32 keeps 10 fraction bits: 1 + 2^-10 survives, 1 + 2^-11 is cut.
  EXPECT_EQ(element_value(f32_bits(1.0f + 0x1p-10f), ElemKind::TF32), 1.0 + 0x1p-10);
  EXPECT_EQ(element_value(f32_bits(1.0f + 0x1p-11f + 0x1p-20f), ElemKind::TF32), 1.0);
}

TEST(TensorNumerics, RoundingToF16IsNearestEven) {
  EXPECT_EQ(round_to_element(65504.0, ElemKind::F16), 0x7bffu);
  EXPECT_EQ(round_to_element(65519.0, ElemKind::F16), 0x7bffu);
  EXPECT_EQ(round_to_element(65520.0, ElemKind::F16), 0x7c00u);  // halfway to 2^16 -> even -> inf
  EXPECT_EQ(round_to_element(1.0 + 0x1p-11, ElemKind::F16), 0x3c00u);       // tie -> even
  EXPECT_EQ(round_to_element(1.0 + 3 * 0x1p-11, ElemKind::F16), 0x3c02u);   // tie -> even (up)
  EXPECT_EQ(round_to_element(0x1p-25, ElemKind::F16), 0x0000u);             // tie with 0
  EXPECT_EQ(round_to_element(1.5 * 0x1p-25, ElemKind::F16), 0x0001u);
  EXPECT_EQ(round_to_element(-0.0, ElemKind::F16), 0x8000u);
  EXPECT_EQ(round_to_element(std::nan(""), ElemKind::F16), 0x7fffu);
  EXPECT_EQ(round_to_element(1.0 + 0x1p-24, ElemKind::F32), f32_bits(1.0f));
  EXPECT_EQ(round_to_element(std::nan(""), ElemKind::F32), 0x7fffffffu);
}

TEST(TensorNumerics, AccumulationRoundsOnceAtTheEnd) {
  // f16: 2048 + 1 + 1 = 2050 exactly; rounding after each add would stick at 2048.
  const std::vector<uint32_t> a = {0x3c00, 0x3c00}, b = {0x3c00, 0x3c00};
  EXPECT_EQ(multiply_accumulate(1, 1, 2, a, ElemKind::F16, b, ElemKind::F16, {0x6800}, ElemKind::F16, ElemKind::F16),
            std::vector<uint32_t>{0x6801});
  // f32: 2^24 + 1 + 1.
  EXPECT_EQ(multiply_accumulate(1, 1, 2, a, ElemKind::F16, b, ElemKind::F16, {f32_bits(0x1p24f)}, ElemKind::F32,
                                ElemKind::F32),
            std::vector<uint32_t>{f32_bits(0x1p24f + 2.0f)});
  // An f16 product that overflows f16 stays finite in the f32 accumulator: 256 * 256.
  EXPECT_EQ(multiply_accumulate(1, 1, 1, {0x5c00}, ElemKind::F16, {0x5c00}, ElemKind::F16, {0}, ElemKind::F32,
                                ElemKind::F32),
            std::vector<uint32_t>{f32_bits(65536.0f)});
  // inf * 0 is NaN, canonical on output.
  EXPECT_EQ(multiply_accumulate(1, 1, 1, {0x7c00}, ElemKind::F16, {0}, ElemKind::F16, {0}, ElemKind::F32,
                                ElemKind::F32),
            std::vector<uint32_t>{0x7fffffffu});
}

// Exact integers: every product and partial sum is representable, so any correct
// implementation must match an integer matrix product exactly.
TEST(TensorNumerics, IntegerValuedProductMatchesCpu) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> small(-8, 8);
  const unsigned m = 16, n = 8, k = 16;
  std::vector<int> ai(m * k), bi(k * n), ci(m * n);
  std::vector<uint32_t> a(m * k), b(k * n), c(m * n);
  for (unsigned i = 0; i < m * k; ++i) a[i] = round_to_element(ai[i] = small(rng), ElemKind::F16);
  for (unsigned i = 0; i < k * n; ++i) b[i] = f32_bits(float(bi[i] = small(rng))) >> 16;  // bf16 = top half
  for (unsigned i = 0; i < m * n; ++i) c[i] = f32_bits(float(ci[i] = small(rng) * 100));
  // f16 x bf16 is not a PTX combination, but the datapath function itself is type-generic.
  const auto d = multiply_accumulate(m, n, k, a, ElemKind::F16, b, ElemKind::BF16, c, ElemKind::F32, ElemKind::F32);
  for (unsigned r = 0; r < m; ++r)
    for (unsigned col = 0; col < n; ++col) {
      int want = ci[r * n + col];
      for (unsigned kk = 0; kk < k; ++kk) want += ai[r * k + kk] * bi[kk * n + col];
      EXPECT_EQ(d[r * n + col], f32_bits(float(want))) << r << "," << col;
    }
}

TEST(TensorNumerics, OperandSizeMismatchIsAnError) {
  EXPECT_THROW(multiply_accumulate(2, 2, 2, {0, 0}, ElemKind::F16, {0, 0, 0, 0}, ElemKind::F16, {0, 0, 0, 0},
                                   ElemKind::F32, ElemKind::F32),
               std::invalid_argument);
  EXPECT_THROW(round_to_element(1.0, ElemKind::BF16), std::invalid_argument);
}

}  // namespace
}  // namespace gpusim::isa::tensor
