// PTX spellings an outside user's inline assembly used that ptxas accepts and gpusim refused
// (each refusal took the whole module with it): binary integer literals (0b101, 0B11) and the
// special registers %clock_hi, %pm0..%pm7, %pm0_64..%pm7_64 and %current_graph_exec.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "isa/ptx_literals.h"
#include "tests/isa/ptx_harness.h"

namespace {

using gpusim::test::run_ptx;

TEST(PtxLiteralForms, BinaryIntegersAsThePtxIsaListsThem) {
  EXPECT_EQ(gpusim::isa::literal_unsigned("0b101"), 5u);
  EXPECT_EQ(gpusim::isa::literal_unsigned("0B11111111"), 255u);
  EXPECT_EQ(gpusim::isa::literal_unsigned("0b1U"), 1u);
  EXPECT_THROW(gpusim::isa::literal_unsigned("0b102"), gpusim::isa::LiteralError);
  EXPECT_THROW(gpusim::isa::literal_unsigned("0b"), gpusim::isa::LiteralError);
  // In an instruction: thread t adds 0b101 (5) and subtracts 0B11 (3).
  std::vector<std::vector<uint64_t>> inputs;
  for (uint64_t t = 0; t < 64; ++t) inputs.push_back({t * 1000});
  const auto rows = run_ptx({{"%a", "u32"}}, {{"%d", "u32"}}, "add.u32 %d, %a, 0b101;\n  sub.u32 %d, %d, 0B11;", inputs);
  for (uint64_t t = 0; t < 64; ++t) EXPECT_EQ(rows[t][0], t * 1000 + 2) << t;
}

TEST(PtxSpecialRegisterForms, ClockHiPerformanceCountersAndGraphHandleLoad) {
  const std::vector<std::vector<uint64_t>> one_row(32, std::vector<uint64_t>{});
  const auto rows = run_ptx({}, {{"%hi", "u32"}, {"%c64", "u64"}, {"%pm", "u32"}, {"%pm64", "u64"}, {"%graph", "u64"}},
                            "mov.u64 %c64, %clock64;\n  mov.u32 %hi, %clock_hi;\n  mov.u32 %pm, %pm3;\n"
                            "  add.u32 %pm, %pm, %pm7;\n  mov.u64 %pm64, %pm5_64;\n  mov.u64 %graph, %current_graph_exec;",
                            one_row);
  for (const auto& r : rows) {
    EXPECT_EQ(r[0], r[1] >> 32);  // read after %clock64: the same upper half (no 2^32-cycle wrap here)
    EXPECT_EQ(r[2], 0u);          // no profiler programmed the counters
    EXPECT_EQ(r[3], 0u);
    EXPECT_EQ(r[4], 0u);          // not launched from a graph
  }
}

}  // namespace
