// The constant cache serves one address a cycle: a warp whose lanes read N different __constant__
// words is split into N requests, its throughput divided by N (CUDA C++ Programming Guide,
// "Constant Memory"). An outside user's lookup table read at 32 addresses per warp cost no more
// than a uniform read here (17.70 us against 17.89 us), so the usual advice (put a divergent
// table in global memory behind __ldg) came out backwards. The reference is the Guide's rule:
// the reads of one sub-core's warp take at least N cycles each once queued behind each other.
#include <gtest/gtest.h>

#include <string>

#include "tests/sim/profiling_test_support.h"

namespace gpusim::sim {
namespace {

constexpr int kReads = 64;

// Each thread sums kReads words of a 32-word __constant__ table at (tid + i) & mask: mask 0 reads
// one address per warp, 31 reads 32. The reads are independent (a sum of them), so nothing but
// the constant cache holds them apart.
std::string table_kernel(int mask) {
  std::string body;
  for (int i = 0; i < kReads; ++i)
    body += "  add.u32 %i, %t, " + std::to_string(i) + ";\n  and.b32 %i, %i, " + std::to_string(mask) +
            ";\n  mul.wide.u32 %o, %i, 4;\n  add.u64 %a, %base, %o;\n  ld.const.u32 %v, [%a];\n  add.u32 %sum, %sum, %v;\n";
  return R"(.version 8.0
.target sm_80
.address_size 64
.const .align 4 .b32 table[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
.visible .entry lookups(.param .u64 out)
{
  .reg .b32 %t, %i, %v, %sum;
  .reg .b64 %o, %a, %base, %p, %q;
  ld.param.u64 %p, [out];
  mov.u32 %t, %tid.x;
  mov.u64 %base, table;
  mov.u32 %sum, 0;
)" + body + R"(  mul.wide.u32 %q, %t, 4;
  add.u64 %p, %p, %q;
  st.global.u32 [%p], %sum;
  ret;
}
)";
}

uint64_t cycles(int mask) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.overrides = {"sm.count=1"};
  // 32 warps: eight per sub-core, whose reads meet at its constant cache.
  return testing::run_profiled(o, table_kernel(mask), "lookups", {1, 1, 1}, {1024, 1, 1}, 1024 * 4).cycles;
}

TEST(ConstantPort, DivergentReadsAreServedOneAddressACycle) {
  const uint64_t uniform = cycles(0), divergent = cycles(31);
  // A sub-core's 8 warps x 64 reads x 32 addresses, one a cycle (a warp alone waits the latency
  // of each read before the next, its sum depending on them: the warps together are the test).
  EXPECT_GE(divergent, uint64_t(8) * kReads * 32) << "uniform " << uniform;
  EXPECT_GT(divergent, 2 * uniform);  // the uniform reads pipeline with the kernel's other instructions
}

}  // namespace
}  // namespace gpusim::sim
