// wgmma.mma_async end to end: a one-warpgroup PTX kernel copies a shared-memory image prepared
// here into shared memory, runs one wgmma from descriptors (or register A), and stores every
// thread's accumulator registers. The image is laid out, and the expected registers are
// computed, by code written here from the PTX ISA's definitions (canonical layouts with the
// row-XOR-chunk swizzle, the m64nN accumulator fragment), independent of isa/wgmma_layout.cpp.
// Inputs are f16/bf16 values whose products and sums are exact in f32, so results must match
// bit for bit.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/exec_context.h"
#include "isa/wgmma_layout.h"
#include "tests/isa/sm90_kernel_harness.h"
#include "tests/isa/wgmma_test_support.h"

namespace gpusim {
namespace {

using Placement = test::WgmmaPlacement;
using test::accumulator_pos;

uint16_t f16_bits(float v) {
  _Float16 h = static_cast<_Float16>(v);
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}
uint16_t bf16_bits(float v) { return uint16_t(std::bit_cast<uint32_t>(v) >> 16); }  // exact values only

// An FP8 code (OCP: e4m3 bias 7 with 3 mantissa bits, e5m2 bias 15 with 2) for a value it holds
// exactly and as a normal number.
uint16_t fp8_bits(float v, int exponent_bits) {
  if (v == 0) return 0;
  const int mantissa_bits = 7 - exponent_bits, bias = (1 << (exponent_bits - 1)) - 1;
  const uint16_t sign = v < 0 ? 0x80 : 0;
  int e = 0;
  const float frac = std::frexp(std::fabs(v), &e);  // |v| = frac * 2^e, frac in [0.5, 1)
  const int mantissa = int((frac * 2 - 1) * float(1 << mantissa_bits));
  return uint16_t(sign | (e - 1 + bias) << mantissa_bits | mantissa);
}

struct Case {
  unsigned n = 8;
  bool bf16 = false;
  bool fp8 = false;          // A .e4m3, B .e5m2, K = 32
  bool f16_acc = false;
  bool register_a = false;
  Placement a, b;
  unsigned a_k_offset = 0;   // A's K columns used: [a_k_offset, a_k_offset + 16) of a 64-wide tile
  unsigned a_tile_k = 16;
  bool scale_d = true;
  int scale_a = 1, scale_b = 1;
};

std::string kernel_text(const Case& c) {
  const unsigned dregs = c.f16_acc ? c.n / 4 : c.n / 2;
  const char* dtype = c.f16_acc ? "f16" : "f32";
  const std::string a_type = c.fp8 ? "e4m3" : c.bf16 ? "bf16" : "f16", b_type = c.fp8 ? "e5m2" : a_type;
  const std::string shape_k = c.fp8 ? "k32." : "k16.";
  const std::string mma = std::string("wgmma.mma_async.sync.aligned.m64n") + std::to_string(c.n) + shape_k + dtype + "." +
                          a_type + "." + b_type + " " + test::wgmma_d_operand(dregs) + ", " +
                          (c.register_a ? "{%a0, %a1, %a2, %a3}" : "%da") + ", %db, %sd, " + std::to_string(c.scale_a) +
                          ", " + std::to_string(c.scale_b) + (c.fp8 || c.register_a ? "" : (c.a.k_major ? ", 0" : ", 1")) +
                          (c.fp8 ? "" : c.b.k_major ? ", 0" : ", 1");
  return test::wgmma_kernel_text(dregs, c.scale_d, mma);
}

struct Result {
  std::vector<uint32_t> got, want;
};

Result run_case(const Case& c, uint32_t image_bytes, std::mt19937& rng, bool launch_must_fail = false,
                std::string* error = nullptr) {
  const unsigned n = c.n, dregs = c.f16_acc ? n / 4 : n / 2;
  // Small integers times a power of two: every product and partial sum is exact in f32 and f16.
  std::uniform_int_distribution<int> small(-4, 4);
  auto value = [&] { return float(small(rng)) * 0.5f; };
  auto bits = [&](float v) { return c.bf16 ? bf16_bits(v) : f16_bits(v); };
  const unsigned K = c.fp8 ? 32 : 16;
  std::vector<float> A(64 * c.a_tile_k), B(K * n), C(64 * n);
  for (float& x : A) x = value();
  for (float& x : B) x = value();
  for (float& x : C) x = value();
  std::vector<uint8_t> image(image_bytes, 0);
  auto put = [&](uint32_t addr, uint16_t v, unsigned size) {
    if (addr + size <= image.size()) std::memcpy(image.data() + addr, &v, size);
    else if (!launch_must_fail) ADD_FAILURE() << "test layout places an element at " << addr << ", past the image";
  };
  if (!c.register_a)
    for (unsigned r = 0; r < 64; ++r)
      for (unsigned kk = 0; kk < c.a_tile_k; ++kk)
        put(c.a.address(r, kk), c.fp8 ? fp8_bits(A[r * c.a_tile_k + kk], 4) : bits(A[r * c.a_tile_k + kk]), c.a.elem);
  for (unsigned kk = 0; kk < K; ++kk)
    for (unsigned col = 0; col < n; ++col)
      put(c.b.address(col, kk), c.fp8 ? fp8_bits(B[kk * n + col], 5) : bits(B[kk * n + col]), c.b.elem);
  // Register A: the m16n8k16 A fragment per warp (PTX ISA): a0,a1 (g, 2t..), a2,a3 (g+8, 2t..),
  // a4,a5 (g, 2t+8..), a6,a7 (g+8, 2t+8..).
  std::vector<uint32_t> afrag(128 * 4, 0);
  for (unsigned t = 0; t < 128; ++t)
    for (unsigned e = 0; e < 8; ++e) {
      const unsigned lane = t % 32;
      const unsigned row = 16 * (t / 32) + lane / 4 + ((e / 2) % 2) * 8, col = (lane % 4) * 2 + e % 2 + (e / 4) * 8;
      afrag[t * 4 + e / 2] |= uint32_t(bits(A[row * c.a_tile_k + col])) << (16 * (e % 2));
    }
  // Expected D and the initial accumulator registers.
  Result res;
  std::vector<uint32_t> init(128 * dregs, 0);
  res.want.assign(128 * dregs, 0);
  for (unsigned t = 0; t < 128; ++t)
    for (unsigned i = 0; i < n / 2; ++i) {
      unsigned row, col;
      accumulator_pos(t, i, row, col);
      double acc = c.scale_d ? C[row * n + col] : 0.0;
      for (unsigned kk = 0; kk < K; ++kk)
        acc += double(c.scale_a) * A[row * c.a_tile_k + c.a_k_offset + kk] * double(c.scale_b) * B[kk * n + col];
      const uint32_t want = c.f16_acc ? f16_bits(float(acc)) : std::bit_cast<uint32_t>(float(acc));
      const uint32_t cinit = c.f16_acc ? f16_bits(C[row * n + col]) : std::bit_cast<uint32_t>(C[row * n + col]);
      if (c.f16_acc) {
        res.want[t * dregs + i / 2] |= want << (16 * (i % 2));
        init[t * dregs + i / 2] |= cinit << (16 * (i % 2));
      } else {
        res.want[t * dregs + i] = want;
        init[t * dregs + i] = cinit;
      }
    }
  test::Sm90Kernel k(init.size());
  const auto d_img = k.upload(image);
  const auto d_init = k.upload(init);
  const auto d_afrag = k.upload(afrag);
  const uint64_t da = c.a.descriptor() + (c.a_k_offset * 2 >> 4), db = c.b.descriptor();
  const test::KernelRun run = k.run("wgmma_test", kernel_text(c), test::launch_config(128, {1, 1, 1}, image_bytes),
                                    runtime::args(d_img, image_bytes, da, db, d_init, d_afrag, k.out()), "wg");
  if (!run.error.empty()) {
    if (!launch_must_fail) throw std::runtime_error(run.error);
    if (error) *error = run.error;
    return res;
  }
  EXPECT_FALSE(launch_must_fail) << "the launch was expected to fault";
  res.got = run.out;
  return res;
}

void expect_case(const Case& c, uint32_t image_bytes, unsigned seed) {
  std::mt19937 rng(seed);
  const Result r = run_case(c, image_bytes, rng);
  ASSERT_EQ(r.got.size(), r.want.size());
  unsigned bad = 0;
  for (size_t i = 0; i < r.got.size() && bad < 5; ++i)
    if (r.got[i] != r.want[i]) {
      ++bad;
      ADD_FAILURE() << "thread " << i / (r.got.size() / 128) << " register " << i % (r.got.size() / 128) << ": got 0x"
                    << std::hex << r.got[i] << ", want 0x" << r.want[i];
    }
}

TEST(Wgmma, DescriptorFieldsDecode) {
  // start 0x1230 (>>4 = 0x123), LBO 0x40, SBO 0x400, base offset 5, 64B swizzle (2).
  const uint64_t bits = 0x123ull | 0x4ull << 16 | 0x40ull << 32 | 5ull << 49 | 2ull << 62;
  const auto d = isa::wgmma::decode_descriptor(bits);
  EXPECT_EQ(d.start, 0x1230u);
  EXPECT_EQ(d.leading, 0x40u);
  EXPECT_EQ(d.stride, 0x400u);
  EXPECT_EQ(d.base_offset, 5u);
  EXPECT_EQ(d.swizzle, isa::wgmma::Swizzle::B64);
}

TEST(Wgmma, KMajorNoSwizzleF16ToF32) {
  Case c;
  c.n = 16;
  // A: core matrices 16 bytes x 8 rows = 128 bytes; K neighbour (LBO) 128, next 8 rows (SBO) 256.
  c.a = {0, 0, true, 128, 256};
  c.b = {4096, 0, true, 128, 256};
  expect_case(c, 8192, 1);
}

TEST(Wgmma, KMajorSwizzlesBf16AndF16) {
  for (unsigned sw : {32u, 64u, 128u}) {
    Case c;
    c.n = 32;
    c.bf16 = sw == 64;
    // One atom is 8 rows of `sw` bytes; the next 8 rows start 8 * sw later.
    c.a = {0, sw, true, 16, 8 * sw};
    c.b = {8192, sw, true, 16, 8 * sw};
    SCOPED_TRACE("swizzle " + std::to_string(sw));
    expect_case(c, 16384, 10 + sw);
  }
}

TEST(Wgmma, MnMajorOperandsWithTranspose) {
  for (unsigned sw : {0u, 32u, 64u, 128u}) {
    Case c;
    c.n = 64;
    if (sw == 0) {
      // 16 bytes of M/N x 8 K-rows per core matrix: next in M/N is SBO, next 8 K is LBO.
      c.a = {0, 0, false, 1024, 128};
      c.b = {8192, 0, false, 1024, 128};
    } else {
      // Runs of `sw` bytes of M/N, 8 K-rows per atom; next run along M/N is LBO, next 8 K is SBO.
      c.a = {0, sw, false, 8 * sw * 2, 8 * sw};
      c.b = {8192, sw, false, 8 * sw * 2, 8 * sw};
    }
    SCOPED_TRACE("swizzle " + std::to_string(sw));
    expect_case(c, 16384, 20 + sw);
  }
}

TEST(Wgmma, DescriptorAdvancedInsideA128BSwizzledTile) {
  // A is a 64 x 64 tile stored 128B-swizzled (one 128-byte row per M row); the instruction uses
  // K columns 32..47 by advancing the descriptor's start by 64 bytes, as GEMM main loops do.
  Case c;
  c.n = 8;
  c.a_tile_k = 64;
  c.a_k_offset = 32;
  c.a = {0, 128, true, 16, 1024};
  c.b = {8192, 128, true, 16, 1024};
  expect_case(c, 16384, 3);
}

TEST(Wgmma, RegisterAF16AccumulatorScalesAndLargeN) {
  Case c;
  c.n = 256;
  c.register_a = true;
  c.f16_acc = true;
  c.scale_a = -1;
  c.b = {0, 128, true, 16, 1024};
  expect_case(c, 32768, 4);
  Case z = c;  // scale-d false: D = A * B, the old accumulator ignored
  z.f16_acc = false;
  z.scale_d = false;
  z.scale_a = 1;
  z.scale_b = -1;
  expect_case(z, 32768, 5);
}

TEST(Wgmma, Fp8E4m3TimesE5m2K32) {
  Case c;
  c.n = 24;
  c.fp8 = true;
  c.a_tile_k = 32;
  // K = 32 one-byte elements = one 32-byte row per M/N index: the 32B swizzle's atom exactly.
  c.a = {0, 32, true, 16, 256, 1};
  c.b = {4096, 32, true, 16, 256, 1};
  expect_case(c, 8192, 7);
  Case f16 = c;  // f16 accumulators, and the 128B swizzle (rows of 128 bytes hold K = 32 in their first 32)
  f16.f16_acc = true;
  f16.n = 16;
  f16.a = {0, 128, true, 16, 1024, 1};
  f16.b = {8192, 128, true, 16, 1024, 1};
  expect_case(f16, 16384, 8);
}

TEST(Wgmma, MalformedDescriptorFaultsNamingTheDescriptor) {
  Case c;
  c.n = 16;
  c.a = {0, 0, true, 128, 256};
  c.b = {0, 0, true, 128, 0x3ff0};  // SBO 16368: B's second 8 columns lie past the 4 KiB of shared memory
  std::mt19937 rng(6);
  std::string error;
  run_case(c, 4096, rng, /*launch_must_fail=*/true, &error);
  EXPECT_NE(error.find("wgmma.mma_async"), std::string::npos) << error;
  EXPECT_NE(error.find("B descriptor"), std::string::npos) << error;
  EXPECT_NE(error.find("outside the CTA's 4096 bytes of shared memory"), std::string::npos) << error;
  EXPECT_NE(error.find("CTA (0,0,0), warp 0"), std::string::npos) << error;  // the place: CTA, warp, PC, line
  EXPECT_NE(error.find("wgmma_test:"), std::string::npos) << error;
}

// wgmma.mma_async is a warpgroup's instruction: a warp that returned before it (threads 96-127 of
// an outside user's kernel ran it silently) or a CTA too small for the warpgroup is a fault naming
// the warps. Data are zeros: only whether and how the launch fails matters here.
TEST(Wgmma, AWarpgroupShortOfAWarpIsAFault) {
  Case c;
  c.n = 8;
  const std::string mma_kernel = kernel_text(c);
  auto run = [&](const std::string& text, unsigned threads) {
    test::Sm90Kernel k(128 * 4);
    const std::vector<uint32_t> zeros(1024, 0);
    const auto img = k.upload(zeros), init = k.upload(zeros), afrag = k.upload(zeros);
    return k.run("wgmma_group", text, test::launch_config(threads, {1, 1, 1}, 4096),
                 runtime::args(img, 4096u, uint64_t(0), uint64_t(0), init, afrag, k.out()), "wg").error;
  };
  ASSERT_EQ(run(mma_kernel, 128), "");  // the whole warpgroup: runs
  // Warp 3 returns before the wgmma: whichever of its partners runs the wgmma after the return, or
  // the return after a partner's wgmma, names it.
  const std::string fence = "  wgmma.fence.sync.aligned;\n";
  std::string early = mma_kernel;
  early.replace(early.find(fence), fence.size(), "  setp.ge.u32 %p, %tid, 96;\n  @%p ret;\n" + fence);
  const std::string error = run(early, 128);
  EXPECT_NE(error.find("all four warps of a warpgroup"), std::string::npos) << error;
  EXPECT_NE(error.find("warp 3"), std::string::npos) << error;
  // 96 threads: warp 0's warpgroup has three warps.
  const std::string small = run(mma_kernel, 96);
  EXPECT_NE(small.find("this CTA's 96 threads leave warp 0's warpgroup (warps 0-3) with 3"), std::string::npos) << small;
}

}  // namespace
}  // namespace gpusim
