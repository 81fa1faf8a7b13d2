// setp / set / selp / slct and mov pack/unpack through the PTX harness, against C++ comparisons
// written out per the IEEE ordered/unordered definitions.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>

#include "tests/isa/ptx_harness.h"

namespace gpusim::test {
namespace {

using Rows = std::vector<std::vector<uint64_t>>;
uint64_t fb(float f) { return std::bit_cast<uint32_t>(f); }
float bf(uint64_t b) { return std::bit_cast<float>(uint32_t(b)); }

TEST(OpcodeCompare, FloatSetpOrderedAndUnordered) {
  const std::vector<float> v = {-INFINITY, -1.0f, -0.0f, 0.0f, 1e-40f, 1.0f, INFINITY, NAN};
  Rows r;
  for (float a : v)
    for (float b : v) r.push_back({fb(a), fb(b)});
  struct Case { const char* op; bool (*ref)(float, float); };
  const Case cases[] = {
      {"eq", [](float a, float b) { return a == b; }},
      {"ne", [](float a, float b) { return !std::isnan(a) && !std::isnan(b) && a != b; }},
      {"lt", [](float a, float b) { return a < b; }},
      {"le", [](float a, float b) { return a <= b; }},
      {"gt", [](float a, float b) { return a > b; }},
      {"ge", [](float a, float b) { return a >= b; }},
      {"equ", [](float a, float b) { return std::isnan(a) || std::isnan(b) || a == b; }},
      {"neu", [](float a, float b) { return !(a == b); }},
      {"ltu", [](float a, float b) { return !(a >= b); }},
      {"leu", [](float a, float b) { return !(a > b); }},
      {"gtu", [](float a, float b) { return !(a <= b); }},
      {"geu", [](float a, float b) { return !(a < b); }},
      {"num", [](float a, float b) { return !std::isnan(a) && !std::isnan(b); }},
      {"nan", [](float a, float b) { return std::isnan(a) || std::isnan(b); }},
  };
  for (const Case& c : cases) {
    const auto d = run_ptx({{"%a", "f32"}, {"%b", "f32"}}, {{"%p", "pred"}, {"%q", "pred"}},
                           std::string("setp.") + c.op + ".f32 %p|%q, %a, %b;", r);
    for (size_t i = 0; i < r.size(); ++i) {
      const bool want = c.ref(bf(r[i][0]), bf(r[i][1]));
      ASSERT_EQ(d[i][0], uint64_t(want)) << c.op << " " << bf(r[i][0]) << " " << bf(r[i][1]);
      ASSERT_EQ(d[i][1], uint64_t(!want)) << c.op << " complement";
    }
  }
}

TEST(OpcodeCompare, IntegerSetpAndCombine) {
  const std::vector<uint32_t> v = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff};
  Rows r;
  for (uint32_t a : v)
    for (uint32_t b : v)
      for (uint32_t c : {0u, 1u}) r.push_back({a, b, c});
  const std::vector<PtxReg> in = {{"%a", "u32"}, {"%b", "u32"}, {"%c", "pred"}};
  const auto lt_s = run_ptx(in, {{"%p", "pred"}}, "setp.lt.s32 %p, %a, %b;", r);
  const auto lo = run_ptx(in, {{"%p", "pred"}}, "setp.lo.u32 %p, %a, %b;", r);
  const auto hs_and = run_ptx(in, {{"%p", "pred"}, {"%q", "pred"}}, "setp.hs.and.u32 %p|%q, %a, %b, %c;", r);
  const auto eq_xor = run_ptx(in, {{"%p", "pred"}}, "setp.eq.xor.u32 %p, %a, %b, !%c;", r);
  const auto gt_or = run_ptx(in, {{"%p", "pred"}}, "setp.gt.or.s32 %p, %a, %b, %c;", r);
  for (size_t i = 0; i < r.size(); ++i) {
    const uint32_t a = uint32_t(r[i][0]), b = uint32_t(r[i][1]);
    const bool c = r[i][2];
    ASSERT_EQ(lt_s[i][0], uint64_t(int32_t(a) < int32_t(b)));
    ASSERT_EQ(lo[i][0], uint64_t(a < b));
    ASSERT_EQ(hs_and[i][0], uint64_t((a >= b) && c));
    ASSERT_EQ(hs_and[i][1], uint64_t(!(a >= b) && c));
    ASSERT_EQ(eq_xor[i][0], uint64_t((a == b) != !c));
    ASSERT_EQ(gt_or[i][0], uint64_t((int32_t(a) > int32_t(b)) || c));
  }
}

TEST(OpcodeCompare, SetSelpSlct) {
  const Rows r = {{fb(1.0f), fb(2.0f)}, {fb(2.0f), fb(1.0f)}, {fb(NAN), fb(1.0f)}};
  const auto su = run_op("set.lt.u32.f32", "u32", {"f32", "f32"}, r);
  const auto sf = run_op("set.ltu.f32.f32", "f32", {"f32", "f32"}, r);
  EXPECT_EQ(su[0], 0xffffffffu);
  EXPECT_EQ(su[1], 0u);
  EXPECT_EQ(su[2], 0u);
  EXPECT_EQ(sf[0], fb(1.0f));
  EXPECT_EQ(sf[1], 0u);
  EXPECT_EQ(sf[2], fb(1.0f));
  const auto sel = run_ptx({{"%a", "u32"}, {"%b", "u32"}, {"%c", "pred"}}, {{"%d", "u32"}}, "selp.b32 %d, %a, %b, %c;",
                           {{10, 20, 1}, {10, 20, 0}});
  EXPECT_EQ(sel[0][0], 10u);
  EXPECT_EQ(sel[1][0], 20u);
  const auto sl = run_op("slct.u32.s32", "u32", {"u32", "u32", "s32"}, {{1, 2, 0}, {1, 2, 0xffffffff}, {1, 2, 5}});
  EXPECT_EQ(sl[0], 1u);
  EXPECT_EQ(sl[1], 2u);
  EXPECT_EQ(sl[2], 1u);
  const auto slf = run_op("slct.u32.f32", "u32", {"u32", "u32", "f32"},
                          {{1, 2, fb(-0.0f)}, {1, 2, fb(-1.0f)}, {1, 2, fb(NAN)}});
  EXPECT_EQ(slf[0], 1u);  // -0 >= 0
  EXPECT_EQ(slf[1], 2u);
  EXPECT_EQ(slf[2], 2u);  // NaN compares false
}

TEST(OpcodeCompare, MovPackUnpack) {
  const auto pk = run_ptx({{"%a", "u32"}, {"%b", "u32"}}, {{"%d", "u64"}}, "mov.b64 %d, {%a, %b};",
                          {{0x11111111, 0x22222222}});
  EXPECT_EQ(pk[0][0], 0x2222222211111111ull);
  const auto up = run_ptx({{"%a", "u32"}}, {{"%lo", "b16"}, {"%hi", "b16"}}, "mov.b32 {%lo, %hi}, %a;", {{0xaaaabbbb}});
  EXPECT_EQ(up[0][0], 0xbbbbu);
  EXPECT_EQ(up[0][1], 0xaaaau);
  const auto imm = run_ptx({}, {{"%d", "f32"}}, "mov.f32 %d, 0f3F800000;", {{}});
  EXPECT_EQ(imm[0][0], fb(1.0f));
}

}  // namespace
}  // namespace gpusim::test
