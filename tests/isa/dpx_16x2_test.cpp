// sm_90's packed 16-bit integer forms (the DPX intrinsics compile to them): add/sub/min/max
// .s16x2/.u16x2 and min/max.relu.s16x2, checked per thread against int16_t / uint16_t
// arithmetic on the host; and pmevent (__prof_trigger), which runs as a no-op.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "tests/isa/sm90_kernel_harness.h"

namespace gpusim {
namespace {

using test::KernelRun;

constexpr unsigned kThreads = 64, kResults = 8;

KernelRun run(const std::string& body) {
  const std::string ptx =
      std::string(test::kSm90PtxHeader) +
      ".visible .entry k(.param .u64 p_out)\n{\n"
      "  .reg .u32 %tid, %a, %b, %r<8>;\n  .reg .u64 %out, %p<2>;\n"
      "  mov.u32 %tid, %tid.x;\n  ld.param.u64 %out, [p_out];\n"
      // Operands from the thread index: a = tid * 0x9e3779b9, b = tid * 0x85ebca6b + 0x7fff8000.
      "  mul.lo.u32 %a, %tid, 0x9e3779b9;\n  mad.lo.u32 %b, %tid, 0x85ebca6b, 0x7fff8000;\n"
      // out[tid * 8 + k] = result k.
      "  mul.lo.u32 %r7, %tid, 32;\n  cvt.u64.u32 %p0, %r7;\n  add.u64 %p0, %out, %p0;\n" +
      body + "  ret;\n}\n";
  test::Sm90Kernel k(kThreads * kResults);
  return k.run("dpx_16x2_test", ptx, test::launch_config(kThreads), runtime::args(k.out()));
}

uint32_t a_of(uint32_t t) { return t * 0x9e3779b9u; }
uint32_t b_of(uint32_t t) { return t * 0x85ebca6bu + 0x7fff8000u; }

// The host's reference: the two halves as arrays of int16_t / uint16_t.
template <typename H, typename F> uint32_t per_half(uint32_t a, uint32_t b, F f) {
  H x[2] = {H(a & 0xffff), H(a >> 16)}, y[2] = {H(b & 0xffff), H(b >> 16)};
  uint16_t r[2];
  for (int i = 0; i < 2; ++i) r[i] = uint16_t(f(int(x[i]), int(y[i])));
  return uint32_t(r[0]) | uint32_t(r[1]) << 16;
}

TEST(PackedSixteenBit, AddSubMinMaxPerHalf) {
  const KernelRun r = run(
      "  add.s16x2 %r0, %a, %b;\n  st.global.u32 [%p0], %r0;\n"
      "  sub.u16x2 %r0, %a, %b;\n  st.global.u32 [%p0+4], %r0;\n"
      "  min.s16x2 %r0, %a, %b;\n  st.global.u32 [%p0+8], %r0;\n"
      "  max.s16x2 %r0, %a, %b;\n  st.global.u32 [%p0+12], %r0;\n"
      "  min.u16x2 %r0, %a, %b;\n  st.global.u32 [%p0+16], %r0;\n"
      "  max.u16x2 %r0, %a, %b;\n  st.global.u32 [%p0+20], %r0;\n"
      "  max.relu.s16x2 %r0, %a, %b;\n  st.global.u32 [%p0+24], %r0;\n"
      "  min.relu.s16x2 %r0, %a, %b;\n  pmevent 3;\n  st.global.u32 [%p0+28], %r0;\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (uint32_t t = 0; t < kThreads; ++t) {
    const uint32_t a = a_of(t), b = b_of(t);
    const uint32_t want[kResults] = {
        per_half<int16_t>(a, b, [](int x, int y) { return x + y; }),
        per_half<uint16_t>(a, b, [](int x, int y) { return x - y; }),
        per_half<int16_t>(a, b, [](int x, int y) { return std::min(x, y); }),
        per_half<int16_t>(a, b, [](int x, int y) { return std::max(x, y); }),
        per_half<uint16_t>(a, b, [](int x, int y) { return std::min(x, y); }),
        per_half<uint16_t>(a, b, [](int x, int y) { return std::max(x, y); }),
        per_half<int16_t>(a, b, [](int x, int y) { return std::max({x, y, 0}); }),
        per_half<int16_t>(a, b, [](int x, int y) { return std::max(std::min(x, y), 0); })};
    for (unsigned k = 0; k < kResults; ++k) EXPECT_EQ(r.out[t * kResults + k], want[k]) << "thread " << t << " result " << k;
  }
}

TEST(PackedSixteenBit, ReluOnUnsignedHalvesIsRefusedByName) {
  const KernelRun r = run("  max.relu.u16x2 %r0, %a, %b;\n  st.global.u32 [%p0], %r0;\n");
  EXPECT_NE(r.error.find(".relu"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace gpusim
