// Integer wgmma.mma_async (.s32 with .s8/.u8 in every mix, .satfinite, and .b1 .and.popc) end
// to end on one warpgroup. Expected accumulators come from plain integer arithmetic here, per the
// PTX ISA: D = A * B + C exactly, wrapping modulo 2^32 unless .satfinite clamps to the s32
// range; for .b1, D = C + the number of k with A(m, k) AND B(k, n) set. The shared-memory image
// follows the ISA's canonical K-major layouts (tests/isa/wgmma_test_support.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/isa/sm90_kernel_harness.h"
#include "tests/isa/wgmma_test_support.h"

namespace gpusim {
namespace {

enum class In { S8, U8, B1 };
const char* type_name(In t) { return t == In::S8 ? "s8" : t == In::U8 ? "u8" : "b1"; }

struct IntCase {
  unsigned n = 16;
  In a_type = In::S8, b_type = In::S8;
  bool satfinite = false;
  bool register_a = false;
  bool scale_d = true;
  test::WgmmaPlacement a{0, 32, true, 16, 256, 1}, b{4096, 32, true, 16, 256, 1};
  uint32_t image_bytes = 8192;
  std::string shape;  // overrides "m64n<N>k32" (k256 for .b1) to test the shape check
};

std::string mma_text(const IntCase& c) {
  const bool b1 = c.a_type == In::B1;
  const std::string shape = !c.shape.empty() ? c.shape : "m64n" + std::to_string(c.n) + (b1 ? "k256" : "k32");
  return "wgmma.mma_async.sync.aligned." + shape + ".s32." + type_name(c.a_type) + "." + type_name(c.b_type) +
         (b1 ? ".and.popc" : "") + (c.satfinite ? ".satfinite" : "") + " " + test::wgmma_d_operand(c.n / 2) + ", " +
         (c.register_a ? "{%a0, %a1, %a2, %a3}" : "%da") + ", %db, %sd";
}

int64_t value(uint8_t byte, In t) { return t == In::S8 ? int64_t(int8_t(byte)) : int64_t(byte); }

// A (64 x 32 bytes) and B (32 bytes x N): random bytes, or `fill` everywhere when non-negative.
// C: random, or `c_fill`.
test::KernelRun run_int_case(const IntCase& c, std::mt19937& rng, std::vector<uint32_t>& want, int fill = -1,
                             int64_t c_fill = std::numeric_limits<int64_t>::min()) {
  const unsigned n = c.n, dregs = n / 2;
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int32_t> acc(-100000, 100000);
  std::vector<uint8_t> A(64 * 32), B(32 * n);
  for (uint8_t& x : A) x = uint8_t(fill >= 0 ? fill : byte(rng));
  for (uint8_t& x : B) x = uint8_t(fill >= 0 ? fill : byte(rng));
  std::vector<int32_t> C(64 * n);
  for (int32_t& x : C) x = c_fill != std::numeric_limits<int64_t>::min() ? int32_t(c_fill) : acc(rng);
  std::vector<uint8_t> image(c.image_bytes, 0);
  if (!c.register_a)
    for (unsigned r = 0; r < 64; ++r)
      for (unsigned k = 0; k < 32; ++k) image.at(c.a.address(r, k)) = A[r * 32 + k];
  for (unsigned k = 0; k < 32; ++k)
    for (unsigned col = 0; col < n; ++col) image.at(c.b.address(col, k)) = B[k * n + col];
  // Register A (PTX ISA, m64nNk32 8-bit A fragment): register j of warp w's lane holds row
  // 16w + lane/4 (+8 for odd j), bytes 4 * (lane % 4) .. +3 of K (+16 for j >= 2), lowest k lowest.
  std::vector<uint32_t> afrag(128 * 4, 0);
  for (unsigned t = 0; t < 128; ++t)
    for (unsigned j = 0; j < 4; ++j)
      for (unsigned e = 0; e < 4; ++e) {
        const unsigned lane = t % 32, row = 16 * (t / 32) + lane / 4 + 8 * (j % 2), k = 4 * (lane % 4) + e + 16 * (j / 2);
        afrag[t * 4 + j] |= uint32_t(A[row * 32 + k]) << (8 * e);
      }
  std::vector<uint32_t> init(128 * dregs);
  want.assign(128 * dregs, 0);
  for (unsigned t = 0; t < 128; ++t)
    for (unsigned i = 0; i < dregs; ++i) {
      unsigned row, col;
      test::accumulator_pos(t, i, row, col);
      init[t * dregs + i] = uint32_t(C[row * n + col]);
      int64_t sum = c.scale_d ? C[row * n + col] : 0;
      for (unsigned k = 0; k < 32; ++k) {
        const uint8_t x = A[row * 32 + k], y = B[k * n + col];
        if (c.a_type == In::B1)
          for (unsigned bit = 0; bit < 8; ++bit) sum += (x >> bit & 1) & (y >> bit & 1);
        else
          sum += value(x, c.a_type) * value(y, c.b_type);
      }
      if (c.satfinite)
        sum = std::clamp<int64_t>(sum, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
      want[t * dregs + i] = uint32_t(uint64_t(sum));  // two's complement: modulo 2^32
    }
  test::Sm90Kernel k(init.size());
  const auto d_img = k.upload(image), d_init = k.upload(init), d_afrag = k.upload(afrag);
  return k.run("wgmma_integer_test", test::wgmma_kernel_text(dregs, c.scale_d, mma_text(c)),
               test::launch_config(128, {1, 1, 1}, c.image_bytes),
               runtime::args(d_img, c.image_bytes, c.a.descriptor(), c.b.descriptor(), d_init, d_afrag, k.out()), "wg");
}

void expect_int_case(const IntCase& c, unsigned seed, int fill = -1, int64_t c_fill = std::numeric_limits<int64_t>::min()) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> want;
  const test::KernelRun r = run_int_case(c, rng, want, fill, c_fill);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.out.size(), want.size());
  unsigned bad = 0;
  for (size_t i = 0; i < want.size() && bad < 5; ++i)
    if (r.out[i] != want[i]) {
      ++bad;
      ADD_FAILURE() << "thread " << i / (c.n / 2) << " register " << i % (c.n / 2) << ": got " << int32_t(r.out[i])
                    << ", want " << int32_t(want[i]);
    }
}

TEST(WgmmaInteger, AllFourSignednessMixesK32) {
  for (In a : {In::S8, In::U8})
    for (In b : {In::S8, In::U8}) {
      IntCase c;
      c.n = 24;
      c.a_type = a, c.b_type = b;
      SCOPED_TRACE(std::string(type_name(a)) + " x " + type_name(b));
      expect_int_case(c, 100 + 2 * unsigned(a) + unsigned(b));
    }
}

TEST(WgmmaInteger, NoSwizzleLayoutLargeNAndScaleDFalse) {
  IntCase c;
  c.n = 256;
  c.a = {0, 0, true, 128, 256, 1};     // 8 rows x 16 bytes per core matrix; K neighbour 128, next 8 rows 256
  c.b = {2048, 0, true, 128, 256, 1};
  c.image_bytes = 2048 + 32 * 256;
  c.scale_d = false;
  expect_int_case(c, 7);
}

TEST(WgmmaInteger, RegisterA) {
  IntCase c;
  c.n = 32;
  c.register_a = true;
  c.a_type = In::U8;
  c.b = {0, 128, true, 16, 1024, 1};
  expect_int_case(c, 8);
}

// Runs `c` with every A and B byte `fill` and every C `c_fill`; returns thread 0's D[0].
int32_t first_result(const IntCase& c, int fill, int64_t c_fill) {
  std::mt19937 rng(1);
  std::vector<uint32_t> want;
  const test::KernelRun r = run_int_case(c, rng, want, fill, c_fill);
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.out, want);
  return r.out.empty() ? 0 : int32_t(r.out[0]);
}

TEST(WgmmaInteger, SatfiniteClampsWhereThePlainFormWraps) {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max(), kMin = std::numeric_limits<int32_t>::min();
  IntCase c;
  c.n = 8;
  // 127 * 127 * 32 = 516128 added to INT32_MAX - 1000 overflows: wraps, or clamps with .satfinite.
  EXPECT_EQ(first_result(c, 127, kMax - 1000), int32_t(uint32_t(kMax - 1000) + 516128u));
  c.satfinite = true;
  EXPECT_EQ(first_result(c, 127, kMax - 1000), kMax);
  // s8 A = -1 (0xff) times u8 B = 255, 32 times: -8160 below INT32_MIN + 5 clamps at INT32_MIN.
  c.b_type = In::U8;
  EXPECT_EQ(first_result(c, 255, int64_t(kMin) + 5), kMin);
  c.satfinite = false;
  EXPECT_EQ(first_result(c, 255, int64_t(kMin) + 5), int32_t(uint32_t(kMin) + 5u - 8160u));
}

TEST(WgmmaInteger, B1AndPopcK256) {
  IntCase c;
  c.n = 48;
  c.a_type = c.b_type = In::B1;
  expect_int_case(c, 11);
  c.register_a = true;
  c.n = 16;
  expect_int_case(c, 12);
}

TEST(WgmmaInteger, InvalidFormsFaultNamingTheInstruction) {
  struct Bad {
    IntCase c;
    const char* message;
  };
  IntCase n40;
  n40.n = 40;  // integer N is 8, 16, 24, then multiples of 16
  IntCase k16;
  k16.shape = "m64n16k16";
  IntCase mixed;
  mixed.b_type = In::B1;
  IntCase b1_satfinite;
  b1_satfinite.a_type = b1_satfinite.b_type = In::B1;
  b1_satfinite.satfinite = true;
  for (const Bad& bad : {Bad{n40, "m64n40k32 is not valid"}, Bad{k16, "m64n16k16 is not valid"},
                         Bad{mixed, ".s8/.u8 in any mix, or both .b1"}, Bad{b1_satfinite, "takes no .satfinite"}}) {
    std::mt19937 rng(3);
    std::vector<uint32_t> want;
    const test::KernelRun r = run_int_case(bad.c, rng, want);
    SCOPED_TRACE(mma_text(bad.c));
    ASSERT_FALSE(r.error.empty()) << "the launch should fault";
    EXPECT_NE(r.error.find(bad.message), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("wgmma.mma_async"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("CTA (0,0,0), warp 0"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("wgmma_integer_test:"), std::string::npos) << r.error;
  }
}

}  // namespace
}  // namespace gpusim
