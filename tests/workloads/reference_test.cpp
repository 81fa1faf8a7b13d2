// The CPU references and helpers, checked on tiny cases computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "workloads/check.h"
#include "workloads/half.h"
#include "workloads/input_gen.h"
#include "workloads/reference.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

TEST(Reference, VecaddRoundsLikeFloatAddition) {
  // 1 + 2^-24 is not a float: the float sum rounds (to even) back to 1.
  const auto c = vecadd_reference({1.0f, 2.5f, 1.0f}, {2.0f, -0.5f, 0x1p-24f});
  EXPECT_EQ(c, (std::vector<double>{3.0, 2.0, 1.0}));
  EXPECT_THROW(vecadd_reference({1.0f}, {1.0f, 2.0f}), std::invalid_argument);
}

TEST(Reference, WindowSumRadiusTwoWithZeroBorders) {
  // in = 1 2 3 4 5 6: out[0] = 1+2+3, out[1] = 1+2+3+4, out[2] = 1+..+5, out[3] = 2+..+6, ...
  const auto out = window_sum_reference({1, 2, 3, 4, 5, 6}, 2);
  EXPECT_EQ(out, (std::vector<double>{6, 10, 15, 20, 18, 15}));
  EXPECT_EQ(window_sum_reference({7}, 2), (std::vector<double>{7}));
}

TEST(Reference, GemmTwoByTwoAndAbsoluteProducts) {
  // [1 2; 3 4] * [5 -6; 7 8] = [19 10; 43 14]
  const auto r = gemm_reference({1, 2, 3, 4}, {5, -6, 7, 8}, 2, 2, 2);
  EXPECT_EQ(r.c, (std::vector<double>{19, 10, 43, 14}));
  EXPECT_EQ(r.abs_products, (std::vector<double>{19, 22, 43, 50}));
  // Non-square: (1x3) * (3x2).
  const auto s = gemm_reference({1, 2, 3}, {1, 0, 0, 1, 1, 1}, 1, 2, 3);
  EXPECT_EQ(s.c, (std::vector<double>{4, 5}));
  EXPECT_THROW(gemm_reference({1, 2}, {1, 2}, 2, 2, 2), std::invalid_argument);
}

TEST(Reference, SumAndAbsoluteSum) {
  const auto r = sum_reference({1.5f, -2.0f, 4.0f});
  EXPECT_EQ(r.sum, 3.5);
  EXPECT_EQ(r.abs_sum, 7.5);
}

TEST(Reference, SoftmaxOfKnownRows) {
  // Row {0, ln 3}: e^0 : e^ln3 = 1 : 3 -> 0.25, 0.75. Row of equal values -> uniform.
  const float ln3 = static_cast<float>(std::log(3.0));
  const auto y = softmax_reference({0.0f, ln3, 5.0f, 5.0f}, 2, 2);
  EXPECT_NEAR(y[0], 0.25, 1e-7);
  EXPECT_NEAR(y[1], 0.75, 1e-7);
  EXPECT_DOUBLE_EQ(y[2], 0.5);
  EXPECT_DOUBLE_EQ(y[3], 0.5);
  // Large inputs would overflow exp without the max subtraction.
  const auto big = softmax_reference({1000.0f, 1000.0f}, 1, 2);
  EXPECT_DOUBLE_EQ(big[0], 0.5);
}

TEST(Reference, TransposeTwoByThree) {
  // [1 2 3; 4 5 6]^T = [1 4; 2 5; 3 6]
  EXPECT_EQ(transpose_reference({1, 2, 3, 4, 5, 6}, 2, 3), (std::vector<double>{1, 4, 2, 5, 3, 6}));
}

TEST(Half, KnownEncodings) {
  // IEEE 754 binary16: 1.0 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff (max), 2^-14 = 0x0400 (min
  // normal), 2^-24 = 0x0001 (min subnormal), 0.1 -> 0x2e66 (round to nearest).
  EXPECT_EQ(float_to_half_bits(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half_bits(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half_bits(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half_bits(0x1p-14f), 0x0400);
  EXPECT_EQ(float_to_half_bits(0x1p-24f), 0x0001);
  EXPECT_EQ(float_to_half_bits(0.1f), 0x2e66);
  EXPECT_EQ(float_to_half_bits(-0.0f), 0x8000);
  EXPECT_EQ(float_to_half_bits(1e6f), 0x7c00);          // overflow -> +inf
  EXPECT_EQ(float_to_half_bits(65520.0f), 0x7c00);      // halfway above max rounds to inf
  EXPECT_EQ(float_to_half_bits(0x1p-26f), 0x0000);      // below half the min subnormal
  EXPECT_EQ(float_to_half_bits(0x1.8p-25f), 0x0001);    // 0.75 * 2^-24 rounds up
  EXPECT_EQ(float_to_half_bits(0x1p-25f), 0x0000);      // tie at 0.5 * 2^-24 -> even (0)
  EXPECT_EQ(float_to_half_bits(1.0f + 0x1p-11f), 0x3c00);  // tie -> even
  EXPECT_EQ(float_to_half_bits(1.0f + 0x3p-11f), 0x3c02);  // tie -> even (up)
  EXPECT_TRUE((float_to_half_bits(NAN) & 0x7fff) > 0x7c00);
}

TEST(Half, DecodesEveryHalfAndRoundTrips) {
  EXPECT_EQ(half_bits_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_bits_to_float(0x0001), 0x1p-24f);
  EXPECT_EQ(half_bits_to_float(0x03ff), 0x3ffp-24f);
  EXPECT_EQ(half_bits_to_float(0xfbff), -65504.0f);
  EXPECT_TRUE(std::isinf(half_bits_to_float(0x7c00)));
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    if ((bits & 0x7c00) == 0x7c00 && (bits & 0x3ff)) continue;  // NaNs: payloads may differ
    ASSERT_EQ(float_to_half_bits(half_bits_to_float(static_cast<uint16_t>(bits))), bits) << std::hex << bits;
  }
}

TEST(InputGenerator, SeededAndInRange) {
  InputGenerator a(7), b(7), c(8);
  const auto va = a.uniform_vector(1000, -2.0f, 3.0f);
  EXPECT_EQ(va, b.uniform_vector(1000, -2.0f, 3.0f));
  EXPECT_NE(va, c.uniform_vector(1000, -2.0f, 3.0f));
  for (float x : va) {
    EXPECT_GE(x, -2.0f);
    EXPECT_LT(x, 3.0f);
  }
  bool seen_min = false, seen_max = false;
  for (float x : a.small_integer_vector(2000, 4)) {
    EXPECT_EQ(x, std::round(x));
    EXPECT_LE(std::fabs(x), 4.0f);
    seen_min |= x == -4.0f;
    seen_max |= x == 4.0f;
  }
  EXPECT_TRUE(seen_min && seen_max);
}

TEST(Check, ExactAndBounded) {
  EXPECT_TRUE(check_exact({1.0f, 2.0f}, {1.0, 2.0}).passed);
  const CheckResult off = check_exact({1.0f, 2.5f, 3.0f}, {1.0, 2.0, 3.0});
  EXPECT_FALSE(off.passed);
  EXPECT_EQ(off.max_abs_error, 0.5);
  EXPECT_NE(off.detail.find("element 1"), std::string::npos) << off.detail;
  EXPECT_TRUE(check_within({1.0f, 2.25f}, {1.0, 2.0}, {0.0, 0.25}, "test").passed);
  EXPECT_FALSE(check_within({1.0f, 2.5f}, {1.0, 2.0}, {0.0, 0.25}, "test").passed);
  EXPECT_FALSE(check_within({NAN}, {1.0}, {1e30}, "test").passed);
  EXPECT_THROW(check_exact({1.0f}, {1.0, 2.0}), std::invalid_argument);
  // gamma_n = n u / (1 - n u), u = 2^-24.
  EXPECT_DOUBLE_EQ(float_gamma(1), 0x1p-24 / (1 - 0x1p-24));
  EXPECT_THROW(float_gamma(0x1p24), std::invalid_argument);
}

TEST(SizeSpec, ParsesAndRejects) {
  EXPECT_EQ(parse_size_spec("256x128x64"), (std::vector<uint64_t>{256, 128, 64}));
  EXPECT_EQ(parse_size_spec("7"), (std::vector<uint64_t>{7}));
  for (const char* bad : {"", "x", "12x", "x12", "1x0", "12a", "-3", "1.5", "1xx2", "99999999999999"})
    EXPECT_THROW(parse_size_spec(bad), std::invalid_argument) << bad;
  EXPECT_EQ(format_size({3, 4, 5}), "3x4x5");
}

}  // namespace
}  // namespace gpusim::workloads
