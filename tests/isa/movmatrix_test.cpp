// movmatrix.sync.aligned.m8n8.trans.b16: the warp's registers hold an 8x8 matrix of 16-bit
// elements, element (r, c) in lane r*4 + c/2, half c%2 (the PTX ISA's figure for movmatrix); the
// result holds the transpose in the same layout.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tests/isa/sm90_kernel_harness.h"

namespace gpusim {
namespace {

using test::KernelRun;

KernelRun run(const std::string& body) {
  const std::string ptx = std::string(test::kSm90PtxHeader) +
                          ".visible .entry k(.param .u64 p_out)\n{\n"
                          "  .reg .u32 %tid, %r<4>;\n  .reg .u64 %out, %a;\n"
                          "  mov.u32 %tid, %tid.x;\n  ld.param.u64 %out, [p_out];\n" +
                          body +
                          "  shl.b32 %r3, %tid, 2;\n  cvt.u64.u32 %a, %r3;\n  add.u64 %a, %out, %a;\n"
                          "  st.global.u32 [%a], %r1;\n  ret;\n}\n";
  test::Sm90Kernel k(32);
  return k.run("movmatrix_test", ptx, test::launch_config(32), runtime::args(k.out()));
}

// Each lane's halves hold 0x100 * row + col of the elements the layout gives it.
uint16_t value_at(unsigned r, unsigned c) { return uint16_t(0x100 * r + c); }

TEST(Movmatrix, TransposesTheWarpsMatrix) {
  // lane l: row l/4; low half column 2(l%4), high half column 2(l%4)+1.
  const KernelRun r = run(
      "  shr.u32 %r0, %tid, 2;\n  shl.b32 %r0, %r0, 8;\n"  // 0x100 * row
      "  and.b32 %r2, %tid, 3;\n  shl.b32 %r2, %r2, 1;\n  add.u32 %r0, %r0, %r2;\n"  // + col of the low half
      "  add.u32 %r2, %r0, 1;\n  shl.b32 %r2, %r2, 16;\n  or.b32 %r0, %r0, %r2;\n"
      "  movmatrix.sync.aligned.m8n8.trans.b16 %r1, %r0;\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned r_ = 0; r_ < 8; ++r_)
    for (unsigned c = 0; c < 8; ++c) {
      const unsigned lane = r_ * 4 + c / 2, half = c % 2;
      EXPECT_EQ(uint16_t(r.out[lane] >> (16 * half)), value_at(c, r_)) << "element (" << r_ << "," << c << ")";
    }
}

TEST(Movmatrix, DivergentWarpIsRefused) {
  const KernelRun r = run(
      "  .reg .pred %p;\n  setp.lt.u32 %p, %tid, 16;\n  mov.u32 %r0, %tid;\n  mov.u32 %r1, 0;\n"
      "  @%p movmatrix.sync.aligned.m8n8.trans.b16 %r1, %r0;\n");
  EXPECT_NE(r.error.find("movmatrix is warp-collective"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace gpusim
