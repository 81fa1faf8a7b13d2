// The load-hoisting pass (isa/load_hoisting.h) on hand-written blocks: the order it produces is
// derived by hand from the dependence rules; functional equivalence on whole kernels is checked by
// the workload tests (timing mode, which applies the pass, against the CPU references).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "isa/load_hoisting.h"
#include "isa/ptx_parser.h"
#include "parser_test_util.h"

namespace gpusim::isa {
namespace {

Function parse_body(const std::string& body) {
  return parse_ptx(testing::kernel(body), "hoist.ptx").functions.at(0);
}

// The instructions' source lines relative to the body, in code order.
std::vector<unsigned> order(const Function& f) {
  std::vector<unsigned> lines;
  for (const Instruction& in : f.code) lines.push_back(in.line - testing::kBodyLine);
  return lines;
}

TEST(LoadHoisting, InterleavedDotProductIssuesAllLoadsFirst) {
  Function f = parse_body(
      "ld.global.f32 %f1, [%rd1];\n"      // 0
      "ld.global.f32 %f2, [%rd2];\n"      // 1
      "fma.rn.f32 %f0, %f1, %f2, %f0;\n"  // 2
      "ld.global.f32 %f3, [%rd1+4];\n"    // 3
      "ld.global.f32 %f4, [%rd2+4];\n"    // 4
      "fma.rn.f32 %f0, %f3, %f4, %f0;\n"  // 5
      "ret;\n");                          // 6
  EXPECT_EQ(hoist_independent_loads(f), 3u);
  EXPECT_EQ(order(f), (std::vector<unsigned>{0, 1, 3, 4, 2, 5, 6}));
}

TEST(LoadHoisting, RegisterDependencesStopTheLoad) {
  Function f = parse_body(
      "ld.global.f32 %f1, [%rd1];\n"      // 0
      "add.s64 %rd3, %rd1, 8;\n"          // 1: defines the next load's address (RAW)
      "ld.global.f32 %f2, [%rd3];\n"      // 2: stays below 1
      "mov.f32 %f5, %f4;\n"               // 3: reads %f4, which the next load writes (WAR)
      "ld.global.f32 %f4, [%rd1+4];\n"    // 4: stays below 3
      "mov.f32 %f6, 0f00000000;\n"        // 5: writes %f6 ...
      "ld.global.f32 %f6, [%rd1+8];\n"    // 6: ... which this load writes too (WAW): stays
      "ret;\n");                          // 7
  EXPECT_EQ(hoist_independent_loads(f), 0u);
  EXPECT_EQ(order(f), (std::vector<unsigned>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(LoadHoisting, MemoryOrderingBarriersAndClockReadsAreNeverCrossed) {
  Function f = parse_body(
      "st.global.f32 [%rd1], %f1;\n"             // 0
      "add.f32 %f7, %f1, %f1;\n"                 // 1
      "ld.global.f32 %f2, [%rd2];\n"             // 2: up to 1, not past the store
      "bar.sync 0;\n"                            // 3
      "ld.shared.f32 %f3, [%rd3];\n"             // 4: not past the barrier
      "mov.u64 %rd4, %clock64;\n"                // 5
      "ld.global.f32 %f4, [%rd2+4];\n"           // 6: not past the clock read
      "add.f32 %f6, %f7, %f7;\n"                 // 7
      "ld.volatile.global.f32 %f5, [%rd2+8];\n"  // 8: volatile: stays
      "ret;\n");                                 // 9
  EXPECT_EQ(hoist_independent_loads(f), 2u);
  EXPECT_EQ(order(f), (std::vector<unsigned>{0, 2, 1, 3, 4, 5, 6, 7, 8, 9}));
}

// A load moves above a store only where it cannot read what the store writes: another state
// space, or ld.global.nc (read-only for the kernel). Stores keep their order; a load of the same
// space, or a generic one, stays below the stores before it. (A tiled kernel's staging loop,
// `tile[i] = in[i]` unrolled, issued one load per memory round trip before.)
TEST(LoadHoisting, LoadsPassStoresTheyCannotAlias) {
  Function f = parse_body(
      "ld.global.nc.f32 %f1, [%rd1];\n"     // 0
      "st.shared.f32 [%r1], %f1;\n"         // 1
      "ld.global.nc.f32 %f2, [%rd1+4];\n"   // 2: above 1 (global vs shared)
      "st.shared.f32 [%r1+4], %f2;\n"       // 3: after 1 (stores keep their order) and 2 (its value)
      "ld.global.f32 %f3, [%rd2];\n"        // 4: above 1 and 3 (other space)
      "st.global.f32 [%rd3], %f3;\n"        // 5
      "ld.global.f32 %f4, [%rd2+4];\n"      // 6: plain global: stays below the global store 5
      "ld.shared.f32 %f5, [%r1+8];\n"       // 7: shared: stays below the shared stores 1 and 3
      "ld.f32 %f6, [%rd4];\n"               // 8: generic: below every store
      "ret;\n");                            // 9
  EXPECT_EQ(hoist_independent_loads(f), 4u);
  EXPECT_EQ(order(f), (std::vector<unsigned>{0, 2, 4, 1, 3, 5, 6, 7, 8, 9}));
}

// ld.global.nc passes a global store; a strong (release) store is never crossed.
TEST(LoadHoisting, NonCoherentLoadsPassGlobalStoresButNotStrongOnes) {
  Function f = parse_body(
      "st.global.f32 [%rd3], %f0;\n"              // 0
      "ld.global.nc.f32 %f1, [%rd1];\n"           // 1: above 0
      "st.release.gpu.global.f32 [%rd3+4], %f0;\n"  // 2: fixed
      "ld.global.nc.f32 %f2, [%rd1+4];\n"         // 3: not above 2
      "ret;\n");                                  // 4
  EXPECT_EQ(hoist_independent_loads(f), 2u);
  EXPECT_EQ(order(f), (std::vector<unsigned>{1, 0, 2, 3, 4}));
}

TEST(LoadHoisting, BlocksKeepTheirBoundariesAndBranchTargetsStayValid) {
  Function f = parse_body(
      "add.s32 %r1, %r1, 1;\n"               // 0
      "setp.lt.s32 %p1, %r1, 4;\n"           // 1
      "@%p1 bra SKIP;\n"                     // 2
      "add.s32 %r2, %r2, 1;\n"               // 3
      "SKIP:\n"
      "add.s32 %r3, %r3, 1;\n"               // 4 (label target)
      "ld.global.u32 %r4, [%rd1];\n"         // 5: up to 4, not past the label
      "@%p1 ld.global.u32 %r5, [%rd1+4];\n"  // 6: guarded by %p1, defined in another block: fine
      "ret;\n");                             // 7
  const uint32_t skip = f.labels.at("SKIP");
  const uint32_t reconverge = f.code.at(2).reconverge_pc;
  EXPECT_EQ(hoist_independent_loads(f), 3u);
  EXPECT_EQ(order(f), (std::vector<unsigned>{0, 1, 2, 3, 6, 7, 5, 8}));  // line 4 is the label
  EXPECT_EQ(f.labels.at("SKIP"), skip);
  EXPECT_EQ(f.code.at(2).reconverge_pc, reconverge);
  EXPECT_EQ(f.code.at(2).ops[0].reg, skip);
}

TEST(LoadHoisting, AddressArithmeticIsHoistedWithItsLoads) {
  // nvcc's unrolled naive-SGEMM loop: each load pair's address add sits between the FMAs.
  Function f = parse_body(
      "ld.global.f32 %f1, [%rd1];\n"      // 0
      "fma.rn.f32 %f0, %f1, %f1, %f0;\n"  // 1
      "add.s64 %rd2, %rd1, %rd5;\n"       // 2: address of the next load
      "ld.global.f32 %f2, [%rd2];\n"      // 3
      "fma.rn.f32 %f0, %f2, %f2, %f0;\n"  // 4
      "add.s64 %rd1, %rd2, %rd5;\n"       // 5: next iteration's base: writes what 0 and 2 read
      "ret;\n");                          // 6
  hoist_independent_loads(f);
  EXPECT_EQ(order(f), (std::vector<unsigned>{0, 2, 3, 1, 4, 5, 6}));
}

TEST(LoadHoisting, FragmentLoadsMoveAboveIndependentMatrixMultiplies) {
  // nvcc's 2x-unrolled WMMA loop: the second step's fragment loads do not depend on the first
  // step's MMA (register-only), so they issue before it, as ptxas schedules them.
  Function f = parse_body(
      "wmma.load.a.sync.aligned.row.m16n16k16.global.f16 {%r0, %r0, %r0, %r0, %r0, %r0, %r0, %r0}, [%rd1], %r7;\n"  // 0
      "wmma.mma.sync.aligned.row.row.m16n16k16.f32.f32 {%f0, %f0, %f0, %f0, %f0, %f0, %f0, %f0}, "
      "{%r0, %r0, %r0, %r0, %r0, %r0, %r0, %r0}, {%r0, %r0, %r0, %r0, %r0, %r0, %r0, %r0}, "
      "{%f0, %f0, %f0, %f0, %f0, %f0, %f0, %f0};\n"                                                                   // 1
      "wmma.load.a.sync.aligned.row.m16n16k16.global.f16 {%r1, %r1, %r1, %r1, %r1, %r1, %r1, %r1}, [%rd2], %r7;\n"  // 2
      "wmma.store.d.sync.aligned.row.m16n16k16.global.f32 [%rd3], {%f0, %f0, %f0, %f0, %f0, %f0, %f0, %f0}, %r7;\n" // 3
      "ld.global.f32 %f1, [%rd4];\n"                                                                                 // 4: not past the store
      "ret;\n");
  EXPECT_EQ(hoist_independent_loads(f), 2u);
  EXPECT_EQ(order(f), (std::vector<unsigned>{0, 2, 1, 3, 4, 5}));
}

TEST(LoadHoisting, GuardPredicateDefinedInTheBlockIsADependence) {
  Function f = parse_body(
      "setp.lt.s32 %p2, %r1, 4;\n"           // 0
      "@%p2 ld.global.u32 %r5, [%rd1];\n"    // 1: reads %p2: stays
      "ret;\n");
  EXPECT_EQ(hoist_independent_loads(f), 0u);
}

// A fully unrolled kernel's straight-line block of thousands of instructions is scheduled in
// windows of 512 (the whole block at once took minutes and gigabytes at 10k-50k instructions): a
// load moves up within its window, never past the window's start.
TEST(LoadHoisting, LongBlocksAreScheduledInWindows) {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "add.u32 %r1, %r1, 1;\n";  // lines 0..999
  body += "ld.global.f32 %f1, [%rd1];\n";                            // line 1000: depends on nothing above
  body += "ret;\n";
  Function f = parse_body(body);
  EXPECT_EQ(hoist_independent_loads(f), 489u);  // the load and the 488 adds of its window it passes
  const std::vector<unsigned> lines = order(f);
  ASSERT_EQ(lines.size(), 1002u);
  EXPECT_EQ(lines[512], 1000u);  // first in its window (instructions 512..1001)
  for (unsigned i = 0; i < 512; ++i) EXPECT_EQ(lines[i], i);
}

}  // namespace
}  // namespace gpusim::isa
