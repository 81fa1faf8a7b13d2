// Integer opcodes run through the PTX harness on the simulated device, across many lanes, against
// independent C++ references (__int128 products, std::popcount, bit loops written here).
#include <gtest/gtest.h>

#include <bit>
#include <climits>
#include <random>

#include "tests/isa/ptx_harness.h"

namespace gpusim::test {
namespace {

using Rows = std::vector<std::vector<uint64_t>>;

// Edge values mixed with random ones: every pair of them becomes one thread.
Rows pairs32(unsigned random_count, uint32_t seed) {
  std::vector<uint32_t> v = {0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 31, 32, 33, 0x12345678};
  std::mt19937 rng(seed);
  for (unsigned i = 0; i < random_count; ++i) v.push_back(rng());
  Rows rows;
  for (uint32_t a : v)
    for (uint32_t b : v) rows.push_back({a, b});
  return rows;
}

Rows pairs64(unsigned random_count, uint32_t seed) {
  std::vector<uint64_t> v = {0, 1, ~0ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffull, 0x100000000ull};
  std::mt19937_64 rng(seed);
  for (unsigned i = 0; i < random_count; ++i) v.push_back(rng());
  Rows rows;
  for (uint64_t a : v)
    for (uint64_t b : v) rows.push_back({a, b});
  return rows;
}

template <typename Ref>
void check32(const std::string& instr, const std::string& dt, const std::vector<std::string>& st, const Rows& rows, Ref ref) {
  const auto d = run_op(instr, dt, st, rows);
  for (size_t i = 0; i < rows.size(); ++i)
    ASSERT_EQ(d[i], ref(rows[i])) << instr << " row " << i << " a=" << rows[i][0];
}

TEST(OpcodeInt, AddSubSaturateAndWrap) {
  const Rows r = pairs32(20, 1);
  check32("add.s32", "s32", {"s32", "s32"}, r, [](auto& x) { return uint64_t(uint32_t(x[0] + x[1])); });
  check32("sub.u32", "u32", {"u32", "u32"}, r, [](auto& x) { return uint64_t(uint32_t(x[0] - x[1])); });
  check32("add.sat.s32", "s32", {"s32", "s32"}, r, [](auto& x) {
    int64_t s = int64_t(int32_t(x[0])) + int32_t(x[1]);
    return uint64_t(uint32_t(int32_t(std::clamp<int64_t>(s, INT_MIN, INT_MAX))));
  });
  check32("sub.sat.s32", "s32", {"s32", "s32"}, r, [](auto& x) {
    int64_t s = int64_t(int32_t(x[0])) - int32_t(x[1]);
    return uint64_t(uint32_t(int32_t(std::clamp<int64_t>(s, INT_MIN, INT_MAX))));
  });
}

TEST(OpcodeInt, CarryChainsBuild64BitArithmetic) {
  // 64-bit add/sub from 32-bit halves with add.cc/addc and sub.cc/subc.
  const Rows r = pairs64(12, 2);
  Rows split;
  for (auto& x : r) split.push_back({x[0] & 0xffffffff, x[0] >> 32, x[1] & 0xffffffff, x[1] >> 32});
  const std::vector<PtxReg> in = {{"%alo", "u32"}, {"%ahi", "u32"}, {"%blo", "u32"}, {"%bhi", "u32"}};
  const auto add = run_ptx(in, {{"%lo", "u32"}, {"%hi", "u32"}},
                           "add.cc.u32 %lo, %alo, %blo; addc.u32 %hi, %ahi, %bhi;", split);
  const auto sub = run_ptx(in, {{"%lo", "u32"}, {"%hi", "u32"}},
                           "sub.cc.u32 %lo, %alo, %blo; subc.u32 %hi, %ahi, %bhi;", split);
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(add[i][0] | (add[i][1] << 32), r[i][0] + r[i][1]);
    EXPECT_EQ(sub[i][0] | (sub[i][1] << 32), r[i][0] - r[i][1]);
  }
}

TEST(OpcodeInt, SubtractionLeavesTheCarryNotABorrow) {
  // CC.CF after sub.cc/subc is the carry of a + ~b + 1 (1 = nothing borrowed), as the hardware
  // keeps it: nvcc's __int128 division reads it with `addc.u32 %r, 0, 0` after a subtraction and
  // takes 1 to mean "the partial remainder stayed non-negative". Mixed chains check both reads.
  const Rows r = pairs64(12, 5);
  Rows split;
  for (auto& x : r) split.push_back({x[0] & 0xffffffff, x[0] >> 32, x[1] & 0xffffffff, x[1] >> 32});
  const std::vector<PtxReg> in = {{"%alo", "u32"}, {"%ahi", "u32"}, {"%blo", "u32"}, {"%bhi", "u32"}};
  const auto got = run_ptx(in, {{"%c1", "u32"}, {"%c2", "u32"}, {"%s", "u32"}, {"%m", "u32"}},
                           "sub.cc.u32 %s, %alo, %blo; addc.u32 %c1, 0, 0;"
                           "sub.cc.u32 %s, %alo, %blo; subc.cc.u32 %s, %ahi, %bhi; addc.u32 %c2, 0, 0;"
                           "add.cc.u32 %m, %alo, %blo; subc.u32 %m, %ahi, %bhi;",
                           split);
  for (size_t i = 0; i < r.size(); ++i) {
    const uint64_t alo = split[i][0], ahi = split[i][1], blo = split[i][2], bhi = split[i][3];
    EXPECT_EQ(got[i][0], alo >= blo ? 1u : 0u) << alo << " - " << blo;
    EXPECT_EQ(got[i][1], r[i][0] >= r[i][1] ? 1u : 0u) << r[i][0] << " - " << r[i][1];
    // subc after add.cc: a - b - (1 - carry of the addition)
    const uint64_t carry = (alo + blo) >> 32;
    EXPECT_EQ(got[i][3], uint64_t(uint32_t(ahi - bhi - (1 - carry))));
  }
}

TEST(OpcodeInt, MultiplyForms) {
  const Rows r = pairs32(16, 3);
  check32("mul.lo.s32", "s32", {"s32", "s32"}, r, [](auto& x) { return uint64_t(uint32_t(x[0] * x[1])); });
  check32("mul.hi.s32", "s32", {"s32", "s32"}, r, [](auto& x) {
    return uint64_t(uint32_t((int64_t(int32_t(x[0])) * int32_t(x[1])) >> 32));
  });
  check32("mul.hi.u32", "u32", {"u32", "u32"}, r, [](auto& x) { return (x[0] * x[1]) >> 32; });
  check32("mul.wide.s32", "s64", {"s32", "s32"}, r, [](auto& x) {
    return uint64_t(int64_t(int32_t(x[0])) * int32_t(x[1]));
  });
  check32("mul.wide.u32", "u64", {"u32", "u32"}, r, [](auto& x) { return x[0] * x[1]; });
  check32("mul24.lo.u32", "u32", {"u32", "u32"}, r, [](auto& x) {
    return uint64_t(uint32_t((x[0] & 0xffffff) * (x[1] & 0xffffff)));
  });
  check32("mul24.hi.s32", "s32", {"s32", "s32"}, r, [](auto& x) {
    auto s24 = [](uint64_t v) { return int64_t(int32_t(uint32_t(v) << 8) >> 8); };
    return uint64_t(uint32_t((s24(x[0]) * s24(x[1])) >> 16));
  });
  const Rows r64 = pairs64(12, 4);
  check32("mul.hi.u64", "u64", {"u64", "u64"}, r64, [](auto& x) {
    return uint64_t((unsigned __int128)(x[0]) * x[1] >> 64);
  });
  check32("mul.hi.s64", "s64", {"s64", "s64"}, r64, [](auto& x) {
    return uint64_t((__int128)(int64_t(x[0])) * int64_t(x[1]) >> 64);
  });
  check32("mul.lo.s64", "s64", {"s64", "s64"}, r64, [](auto& x) { return x[0] * x[1]; });
}

TEST(OpcodeInt, MadAndSad) {
  Rows r;
  std::mt19937 rng(5);
  for (int i = 0; i < 300; ++i) r.push_back({rng(), rng(), rng()});
  r.push_back({0x7fffffff, 0x7fffffff, 0x7fffffff});
  r.push_back({0x80000000, 0x7fffffff, 0x80000000});
  check32("mad.lo.s32", "s32", {"s32", "s32", "s32"}, r, [](auto& x) { return uint64_t(uint32_t(x[0] * x[1] + x[2])); });
  check32("mad.hi.sat.s32", "s32", {"s32", "s32", "s32"}, r, [](auto& x) {
    int64_t hi = (int64_t(int32_t(x[0])) * int32_t(x[1])) >> 32;
    return uint64_t(uint32_t(int32_t(std::clamp<int64_t>(hi + int32_t(x[2]), INT_MIN, INT_MAX))));
  });
  check32("sad.s32", "s32", {"s32", "s32", "s32"}, r, [](auto& x) {
    int64_t d = int64_t(int32_t(x[0])) - int32_t(x[1]);
    return uint64_t(uint32_t(uint32_t(x[2]) + uint32_t(d < 0 ? -d : d)));
  });
  check32("sad.u32", "u32", {"u32", "u32", "u32"}, r, [](auto& x) {
    return uint64_t(uint32_t(x[2] + (x[0] > x[1] ? x[0] - x[1] : x[1] - x[0])));
  });
  Rows w;
  for (auto& x : r) w.push_back({x[0], x[1], (x[2] << 32) | x[0]});
  check32("mad.wide.u32", "u64", {"u32", "u32", "u64"}, w, [](auto& x) { return x[0] * x[1] + x[2]; });
}

TEST(OpcodeInt, DivisionIncludingZeroAndOverflow) {
  const Rows r = pairs32(16, 6);
  check32("div.u32", "u32", {"u32", "u32"}, r, [](auto& x) { return x[1] ? x[0] / x[1] : 0xffffffffull; });
  check32("rem.u32", "u32", {"u32", "u32"}, r, [](auto& x) { return x[1] ? x[0] % x[1] : x[0]; });
  check32("div.s32", "s32", {"s32", "s32"}, r, [](auto& x) -> uint64_t {
    const int32_t a = int32_t(x[0]), b = int32_t(x[1]);
    if (b == 0) return 0xffffffffu;
    if (a == INT_MIN && b == -1) return 0x80000000u;
    return uint32_t(a / b);
  });
  check32("rem.s32", "s32", {"s32", "s32"}, r, [](auto& x) -> uint64_t {
    const int32_t a = int32_t(x[0]), b = int32_t(x[1]);
    if (b == 0) return uint32_t(a);
    if (b == -1) return 0;
    return uint32_t(a % b);
  });
  const Rows r64 = pairs64(8, 7);
  check32("div.u64", "u64", {"u64", "u64"}, r64, [](auto& x) { return x[1] ? x[0] / x[1] : ~0ull; });
}

TEST(OpcodeInt, AbsNegMinMax) {
  const Rows r = pairs32(10, 8);
  check32("abs.s32", "s32", {"s32"}, r, [](auto& x) { int64_t v = int32_t(x[0]); return uint64_t(uint32_t(v < 0 ? -v : v)); });
  check32("neg.s32", "s32", {"s32"}, r, [](auto& x) { return uint64_t(uint32_t(0u - uint32_t(x[0]))); });
  check32("min.s32", "s32", {"s32", "s32"}, r, [](auto& x) { return uint64_t(uint32_t(std::min(int32_t(x[0]), int32_t(x[1])))); });
  check32("max.u32", "u32", {"u32", "u32"}, r, [](auto& x) { return std::max(x[0], x[1]); });
  check32("max.s16", "s16", {"s16", "s16"}, r, [](auto& x) { return uint64_t(uint16_t(std::max(int16_t(x[0]), int16_t(x[1])))); });
}

TEST(OpcodeInt, BitCounting) {
  const Rows r = pairs32(10, 9);
  check32("popc.b32", "u32", {"b32"}, r, [](auto& x) { return uint64_t(std::popcount(uint32_t(x[0]))); });
  check32("clz.b32", "u32", {"b32"}, r, [](auto& x) { return uint64_t(std::countl_zero(uint32_t(x[0]))); });
  check32("brev.b32", "b32", {"b32"}, r, [](auto& x) {
    uint32_t v = uint32_t(x[0]), o = 0;
    for (int i = 0; i < 32; ++i) if (v & (1u << i)) o |= 1u << (31 - i);
    return uint64_t(o);
  });
  check32("bfind.u32", "u32", {"u32"}, r, [](auto& x) -> uint64_t {
    for (int i = 31; i >= 0; --i) if ((x[0] >> i) & 1) return uint64_t(i);
    return 0xffffffffu;
  });
  check32("bfind.s32", "u32", {"s32"}, r, [](auto& x) -> uint64_t {
    const bool neg = (x[0] >> 31) & 1;
    for (int i = 30; i >= 0; --i) if (((x[0] >> i) & 1) != neg) return uint64_t(i);
    return 0xffffffffu;
  });
  check32("bfind.shiftamt.u32", "u32", {"u32"}, r, [](auto& x) -> uint64_t {
    for (int i = 31; i >= 0; --i) if ((x[0] >> i) & 1) return uint64_t(31 - i);
    return 0xffffffffu;
  });
}

TEST(OpcodeInt, BitFieldExtractInsert) {
  Rows r;
  std::mt19937 rng(10);
  for (unsigned pos : {0u, 1u, 7u, 16u, 31u, 32u, 40u, 255u, 256u})
    for (unsigned len : {0u, 1u, 8u, 16u, 31u, 32u, 33u, 255u}) r.push_back({rng() | 0x80000000u, pos, len, rng()});
  auto bfe_ref = [](uint64_t a, unsigned pos, unsigned len, bool sgn) {
    pos &= 0xff;
    len &= 0xff;
    uint64_t out = 0;
    const unsigned top = std::min(pos + len - 1, 31u);
    const uint64_t fill = (sgn && len) ? (a >> top) & 1 : 0;
    for (unsigned i = 0; i < 32; ++i) out |= ((i < len && pos + i < 32) ? (a >> (pos + i)) & 1 : fill) << i;
    return out;
  };
  check32("bfe.u32", "u32", {"u32", "u32", "u32"}, r, [&](auto& x) { return bfe_ref(x[0], unsigned(x[1]), unsigned(x[2]), false); });
  check32("bfe.s32", "s32", {"s32", "u32", "u32"}, r, [&](auto& x) { return bfe_ref(x[0], unsigned(x[1]), unsigned(x[2]), true); });
  Rows ri;
  for (auto& x : r) ri.push_back({x[3], x[0], x[1], x[2]});
  check32("bfi.b32", "b32", {"b32", "b32", "u32", "u32"}, ri, [](auto& x) {
    uint64_t base = x[1];
    const unsigned pos = x[2] & 0xff, len = x[3] & 0xff;
    for (unsigned i = 0; i < len && pos + i < 32; ++i) base = (base & ~(1ull << (pos + i))) | (((x[0] >> i) & 1) << (pos + i));
    return base;
  });
  // A worked example from the ISA's description: extract 8 bits at 4 from 0xABCD.
  check32("bfe.u32", "u32", {"u32", "u32", "u32"}, {{0xabcd, 4, 8}}, [](auto&) { return 0xbcull; });
}

// szext (PTX ISA 7.6): the low N bits of a, extended by zeros (.u32) or their top bit (.s32);
// N = b mod 32 (.wrap) or b clamped to 32 (.clamp); no bits (N = 0) give 0.
TEST(OpcodeInt, SignOrZeroExtendFromABitPosition) {
  Rows r;
  std::mt19937 rng(11);
  for (uint32_t b : {0u, 1u, 4u, 8u, 16u, 31u, 32u, 33u, 36u, 63u, 64u, 0xffffffffu})
    for (uint32_t a : {0u, 0xf0u, 0xff0u, 0x80u, 0x7fffffffu, 0xffffffffu, uint32_t(rng()), uint32_t(rng())}) r.push_back({a, b});
  auto ref = [](uint64_t a, uint64_t b, bool clamp, bool sgn) {
    const unsigned n = clamp ? unsigned(std::min<uint64_t>(b, 32)) : unsigned(b % 32);
    if (n == 0) return uint64_t(0);
    uint64_t out = 0;
    for (unsigned i = 0; i < 32; ++i) out |= (i < n ? (a >> i) & 1 : sgn ? (a >> (n - 1)) & 1 : 0) << i;
    return out;
  };
  check32("szext.clamp.s32", "s32", {"s32", "u32"}, r, [&](auto& x) { return ref(x[0], x[1], true, true); });
  check32("szext.wrap.s32", "s32", {"s32", "u32"}, r, [&](auto& x) { return ref(x[0], x[1], false, true); });
  check32("szext.clamp.u32", "u32", {"u32", "u32"}, r, [&](auto& x) { return ref(x[0], x[1], true, false); });
  check32("szext.wrap.u32", "u32", {"u32", "u32"}, r, [&](auto& x) { return ref(x[0], x[1], false, false); });
  // The ISA's own example: no bits of 0xffffffff.
  check32("szext.wrap.u32", "u32", {"u32", "u32"}, {{0xffffffff, 0}}, [](auto&) { return 0ull; });
}

TEST(OpcodeInt, PermuteAndDotProducts) {
  const uint64_t a = 0x33221100, b = 0x77665544;
  auto prmt = [&](const std::string& mode, uint64_t c) {
    return run_op("prmt.b32" + mode, "b32", {"b32", "b32", "b32"}, {{a, b, c}})[0];
  };
  EXPECT_EQ(prmt("", 0x3210), 0x33221100u);
  EXPECT_EQ(prmt("", 0x7654), 0x77665544u);
  EXPECT_EQ(prmt("", 0x0123), 0x00112233u);
  EXPECT_EQ(prmt("", 0x8888), 0x00000000u);   // sign of byte 0 (0x00) replicated
  EXPECT_EQ(run_op("prmt.b32", "b32", {"b32", "b32", "b32"}, {{0x80, 0, 0x0008}})[0], 0x808080ffu);
  EXPECT_EQ(prmt(".f4e", 1), 0x44332211u);
  EXPECT_EQ(prmt(".b4e", 1), 0x66770011u);
  EXPECT_EQ(prmt(".rc8", 2), 0x22222222u);
  EXPECT_EQ(prmt(".ecl", 1), 0x33221111u);
  EXPECT_EQ(prmt(".ecr", 2), 0x22221100u);
  EXPECT_EQ(prmt(".rc16", 1), 0x33223322u);
  Rows r = pairs32(10, 11);
  for (auto& x : r) x.push_back(x[0] ^ 0x5a5a5a5a);
  check32("dp4a.s32.s32", "s32", {"s32", "s32", "s32"}, r, [](auto& x) {
    int32_t acc = int32_t(x[2]);
    for (int i = 0; i < 4; ++i) acc += int32_t(int8_t(x[0] >> (8 * i))) * int8_t(x[1] >> (8 * i));
    return uint64_t(uint32_t(acc));
  });
  check32("dp4a.u32.u32", "u32", {"u32", "u32", "u32"}, r, [](auto& x) {
    uint32_t acc = uint32_t(x[2]);
    for (int i = 0; i < 4; ++i) acc += uint32_t(uint8_t(x[0] >> (8 * i))) * uint8_t(x[1] >> (8 * i));
    return uint64_t(acc);
  });
  check32("dp2a.hi.s32.s32", "s32", {"s32", "s32", "s32"}, r, [](auto& x) {
    int32_t acc = int32_t(x[2]);
    for (int i = 0; i < 2; ++i) acc += int32_t(int16_t(x[0] >> (16 * i))) * int8_t(x[1] >> (8 * (2 + i)));
    return uint64_t(uint32_t(acc));
  });
}

TEST(OpcodeInt, LogicAndShifts) {
  const Rows r = pairs32(12, 12);
  check32("and.b32", "b32", {"b32", "b32"}, r, [](auto& x) { return x[0] & x[1]; });
  check32("xor.b32", "b32", {"b32", "b32"}, r, [](auto& x) { return x[0] ^ x[1]; });
  check32("not.b32", "b32", {"b32"}, r, [](auto& x) { return uint64_t(uint32_t(~x[0])); });
  check32("cnot.b32", "b32", {"b32"}, r, [](auto& x) { return uint64_t(x[0] == 0); });
  Rows r3;
  for (auto& x : r) r3.push_back({x[0], x[1], x[0] * 2654435761u & 0xffffffff});
  // immLut 0x96 = a ^ b ^ c; 0xE8 = majority(a, b, c); 0xCA = a ? b : c (bitwise).
  const std::vector<std::string> b3 = {"b32", "b32", "b32"};
  auto lop3 = [&](const char* lut) { return run_op("lop3.b32", "b32", b3, r3, std::string(", ") + lut); };
  const auto x96 = lop3("0x96"), xe8 = lop3("0xE8"), xca = lop3("0xCA");
  for (size_t i = 0; i < r3.size(); ++i) {
    const uint64_t a = r3[i][0], b = r3[i][1], c = r3[i][2];
    ASSERT_EQ(x96[i], a ^ b ^ c);
    ASSERT_EQ(xe8[i], (a & b) | (a & c) | (b & c));
    ASSERT_EQ(xca[i], (a & b) | (~a & c & 0xffffffff));
  }
  Rows sh;
  for (uint32_t n : {0u, 1u, 5u, 31u, 32u, 33u, 100u, 0xffffffffu})
    for (uint32_t v : {0x80000001u, 0x12345678u, 0xffffffffu}) sh.push_back({v, n, 0x9abcdef0u});
  check32("shl.b32", "b32", {"b32", "u32"}, sh, [](auto& x) { return x[1] >= 32 ? 0 : uint64_t(uint32_t(x[0] << x[1])); });
  check32("shr.u32", "u32", {"u32", "u32"}, sh, [](auto& x) { return x[1] >= 32 ? 0 : x[0] >> x[1]; });
  check32("shr.s32", "s32", {"s32", "u32"}, sh, [](auto& x) {
    return uint64_t(uint32_t(int32_t(x[0]) >> std::min<uint64_t>(x[1], 31)));
  });
  Rows sf;
  for (auto& x : sh) sf.push_back({x[2], x[0], x[1]});  // a = low word, b = high word, c = shift
  check32("shf.l.wrap.b32", "b32", b3, sf, [](auto& x) {
    const uint64_t pair = (x[1] << 32) | x[0];
    return uint64_t(uint32_t((pair << (x[2] & 31)) >> 32));
  });
  check32("shf.r.clamp.b32", "b32", b3, sf, [](auto& x) {
    const uint64_t pair = (x[1] << 32) | x[0];
    return uint64_t(uint32_t(pair >> std::min<uint64_t>(x[2], 32)));
  });
  check32("shf.l.clamp.b32", "b32", b3, sf, [](auto& x) {
    const uint64_t pair = (x[1] << 32) | x[0];
    const uint64_t n = std::min<uint64_t>(x[2], 32);
    return uint64_t(uint32_t((pair << n) >> 32));
  });
}

TEST(OpcodeInt, MadCarryChainBuilds64x64Product) {
  // The 128-bit product of two 64-bit values from 32-bit limbs, the way multi-word code uses
  // mad.lo.cc / madc.hi.cc / madc.lo; compared with unsigned __int128.
  const Rows r64 = pairs64(10, 13);
  Rows limbs;
  for (auto& x : r64) limbs.push_back({x[0] & 0xffffffff, x[0] >> 32, x[1] & 0xffffffff, x[1] >> 32});
  const std::vector<PtxReg> in = {{"%a0", "u32"}, {"%a1", "u32"}, {"%b0", "u32"}, {"%b1", "u32"}};
  const std::vector<PtxReg> out = {{"%d0", "u32"}, {"%d1", "u32"}, {"%d2", "u32"}, {"%d3", "u32"}};
  const std::string body =
      "mul.lo.u32 %d0, %a0, %b0;  mul.hi.u32 %d1, %a0, %b0;"
      "mad.lo.cc.u32 %d1, %a1, %b0, %d1;  madc.hi.u32 %d2, %a1, %b0, 0;"
      "mad.lo.cc.u32 %d1, %a0, %b1, %d1;  madc.hi.cc.u32 %d2, %a0, %b1, %d2;  addc.u32 %d3, 0, 0;"
      "mad.lo.cc.u32 %d2, %a1, %b1, %d2;  madc.hi.u32 %d3, %a1, %b1, %d3;";
  const auto d = run_ptx(in, out, body, limbs);
  for (size_t i = 0; i < r64.size(); ++i) {
    const unsigned __int128 p = (unsigned __int128)r64[i][0] * r64[i][1];
    ASSERT_EQ(d[i][0] | (d[i][1] << 32), uint64_t(p)) << i;
    ASSERT_EQ(d[i][2] | (d[i][3] << 32), uint64_t(p >> 64)) << i;
  }
}

TEST(OpcodeInt, SixtyFourBitBitOps) {
  const Rows r = pairs64(10, 14);
  check32("popc.b64", "u32", {"b64"}, r, [](auto& x) { return uint64_t(std::popcount(x[0])); });
  check32("clz.b64", "u32", {"b64"}, r, [](auto& x) { return uint64_t(std::countl_zero(x[0])); });
  check32("bfind.s64", "u32", {"s64"}, r, [](auto& x) -> uint64_t {
    const bool neg = x[0] >> 63;
    for (int i = 62; i >= 0; --i) if (((x[0] >> i) & 1) != neg) return uint64_t(i);
    return 0xffffffffu;
  });
  Rows sh;
  for (auto& x : r) sh.push_back({x[0], x[1] % 70});
  check32("shl.b64", "b64", {"b64", "u32"}, sh, [](auto& x) { return x[1] >= 64 ? 0 : x[0] << x[1]; });
  check32("shr.s64", "s64", {"s64", "u32"}, sh, [](auto& x) { return uint64_t(int64_t(x[0]) >> std::min<uint64_t>(x[1], 63)); });
}

}  // namespace
}  // namespace gpusim::test
