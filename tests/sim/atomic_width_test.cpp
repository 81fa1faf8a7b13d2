// The L2's atomic unit performs one operation at a time per word (sim/l2_slice.cpp): lanes that
// all CAS one address serialise operation by operation, whatever the operand's width. A 16-bit
// atomicCAS (on unsigned short) was charged by its bytes, half a 32-bit one, so a packet-processing
// user's contended 16-bit counter ran twice as fast as the same 32-bit one. The reference is the
// 32-bit kernel: the same instructions, the same serialised operations.
#include <gtest/gtest.h>

#include <string>

#include "tests/sim/profiling_test_support.h"

namespace gpusim::sim {
namespace {

// Every thread of 4 CTAs x 256 makes one CAS on the same word (no retry loop: the same count).
std::string cas_kernel(const std::string& width) {
  const std::string reg = width == "b16" ? "%h" : "%r";
  return R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry cas(.param .u64 out)
{
  .reg .b16 %h<2>;
  .reg .b32 %r<2>;
  .reg .b64 %rd<2>;
  ld.param.u64 %rd1, [out];
  atom.global.cas.)" + width + " " + reg + "1, [%rd1], 0, 1;\n  ret;\n}\n";
}

uint64_t cycles(const std::string& width) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  return testing::run_profiled(o, cas_kernel(width), "cas", {4, 1, 1}, {256, 1, 1}, 64).cycles;
}

TEST(AtomicWidth, ASixteenBitCasTakesTheAtomicUnitAsLongAsAThirtyTwoBitOne) {
  const uint64_t narrow = cycles("b16"), wide = cycles("b32");
  EXPECT_NEAR(double(narrow), double(wide), 0.02 * double(wide)) << "b16 " << narrow << ", b32 " << wide;
  EXPECT_GT(wide, 1024u);  // 1,024 operations on one word, one a clock at least
}

}  // namespace
}  // namespace gpusim::sim
