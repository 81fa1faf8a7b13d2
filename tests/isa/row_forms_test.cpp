// The row forms of the handlers (a whole warp's operands decoded once: predicate logic, setp with
// both destinations, f32 add/sub with an immediate, guarded lanes) against values computed here
// with host bool and float arithmetic, on converged warps and under a guard that leaves lanes out.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "ptx_harness.h"

namespace gpusim::test {
namespace {

TEST(RowForms, PredicateLogicWithNegatedSourcesAndAGuard) {
  // Every combination of a, b and the guard g, repeated over four warps.
  std::vector<std::vector<uint64_t>> rows;
  for (unsigned i = 0; i < 128; ++i) rows.push_back({i & 1, (i >> 1) & 1, (i >> 2) & 1});
  const auto got = run_ptx({{"%a", "pred"}, {"%b", "pred"}, {"%g", "pred"}},
                           {{"%o", "pred"}, {"%n", "pred"}, {"%x", "pred"}, {"%k", "pred"}},
                           "or.pred %o, %a, %b; and.pred %n, !%a, %b; xor.pred %x, %a, !%b; @%g or.pred %k, !%a, !%b;",
                           rows);
  for (unsigned i = 0; i < 128; ++i) {
    const bool a = i & 1, b = (i >> 1) & 1, g = (i >> 2) & 1;
    EXPECT_EQ(got[i][0], uint64_t(a || b)) << i;
    EXPECT_EQ(got[i][1], uint64_t(!a && b)) << i;
    EXPECT_EQ(got[i][2], uint64_t(a != !b)) << i;
    EXPECT_EQ(got[i][3], uint64_t(g && (!a || !b))) << i;  // a never-written predicate reads 0
  }
}

TEST(RowForms, SetpWritesBothPredicatesOfEveryLane) {
  std::vector<std::vector<uint64_t>> rows;
  for (int i = 0; i < 64; ++i) rows.push_back({uint64_t(uint32_t(i - 32)), uint64_t(uint32_t(7 - i))});
  const auto got = run_ptx({{"%a", "s32"}, {"%b", "s32"}}, {{"%p", "pred"}, {"%q", "pred"}},
                           "setp.lt.s32 %p|%q, %a, %b;", rows);
  for (int i = 0; i < 64; ++i) {
    const bool lt = (i - 32) < (7 - i);
    EXPECT_EQ(got[i][0], uint64_t(lt)) << i;
    EXPECT_EQ(got[i][1], uint64_t(!lt)) << i;
  }
}

uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
// The result PTX gives: the IEEE round-to-nearest sum, any NaN as the canonical 0x7fffffff.
uint64_t expected(float r) { return std::isnan(r) ? 0x7fffffffu : bits(r); }

TEST(RowForms, F32AddAndSubWithAnImmediateRoundAndCanonicaliseNaN) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> xs = {0.0f, -0.0f, 1.5f, -2.25f, 1e-45f, -1e-45f, 3.4e38f, inf, -inf,
                                 std::bit_cast<float>(0x7fc01234u), 0.1f, 16777216.0f};
  std::vector<std::vector<uint64_t>> rows;
  for (float x : xs) rows.push_back({bits(x)});
  // 0f3F800000 = 1.0, 0fFF800000 = -inf, 0f00000001 = the smallest subnormal.
  const auto got = run_ptx({{"%a", "f32"}}, {{"%s", "f32"}, {"%d", "f32"}, {"%t", "f32"}},
                           "add.f32 %s, %a, 0f3F800000; sub.f32 %d, 0fFF800000, %a; add.f32 %t, 0f00000001, %a;", rows);
  for (size_t i = 0; i < xs.size(); ++i) {
    EXPECT_EQ(got[i][0], expected(xs[i] + 1.0f)) << i;
    EXPECT_EQ(got[i][1], expected(-inf - xs[i])) << i;
    EXPECT_EQ(got[i][2], expected(1e-45f + xs[i])) << i;
  }
}

}  // namespace
}  // namespace gpusim::test
