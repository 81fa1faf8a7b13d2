// CFG and immediate post-dominators on small hand-written kernels. Expected PCs are derived by
// hand from the listings (the PC of each instruction is noted in the comments).
#include <gtest/gtest.h>

#include "isa/cfg.h"
#include "isa/ptx_parser.h"
#include "parser_test_util.h"

namespace gpusim::isa {
namespace {

Function parse_body(const std::string& body) { return parse_ptx(testing::kernel(body), "cfg.ptx").functions.at(0); }

uint32_t reconverge(const Function& f, uint32_t pc) {
  EXPECT_EQ(f.code.at(pc).op, Opcode::Bra) << "pc " << pc << " is not a bra";
  return f.code.at(pc).reconverge_pc;
}

TEST(CfgIpdom, IfElse) {
  Function f = parse_body(
      "setp.lt.s32 %p1, %r1, 0;\n"    // 0
      "@%p1 bra ELSE;\n"              // 1
      "add.s32 %r2, %r1, 1;\n"        // 2
      "bra.uni JOIN;\n"               // 3
      "ELSE:\n"
      "sub.s32 %r2, %r1, 1;\n"        // 4
      "JOIN:\n"
      "st.global.u32 [%rd1], %r2;\n"  // 5
      "ret;\n");                      // 6
  ControlFlowGraph cfg(f);
  ASSERT_EQ(cfg.blocks().size(), 4u);
  EXPECT_EQ(cfg.blocks()[0].successors, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(cfg.blocks()[1].successors, (std::vector<uint32_t>{3}));
  EXPECT_EQ(cfg.blocks()[3].successors, (std::vector<uint32_t>{cfg.exit()}));
  EXPECT_EQ(cfg.ipdom(0), 3u);
  EXPECT_EQ(cfg.ipdom(3), cfg.exit());
  EXPECT_EQ(reconverge(f, 1), 5u);
  EXPECT_EQ(reconverge(f, 3), 5u);
}

TEST(CfgIpdom, NestedIfs) {
  Function f = parse_body(
      "setp.eq.s32 %p1, %r1, 0;\n"  // 0
      "@%p1 bra OUTER_END;\n"       // 1
      "setp.eq.s32 %p2, %r2, 0;\n"  // 2
      "@%p2 bra INNER_END;\n"       // 3
      "add.s32 %r3, %r3, 1;\n"      // 4
      "INNER_END:\n"
      "add.s32 %r4, %r4, 1;\n"      // 5
      "OUTER_END:\n"
      "ret;\n");                    // 6
  EXPECT_EQ(reconverge(f, 1), 6u);
  EXPECT_EQ(reconverge(f, 3), 5u);
}

TEST(CfgIpdom, LoopWithBreak) {
  Function f = parse_body(
      "mov.u32 %r1, 0;\n"              // 0
      "LOOP:\n"
      "setp.ge.s32 %p1, %r1, %r2;\n"   // 1
      "@%p1 bra LOOP_END;\n"           // 2
      "ld.global.u32 %r3, [%rd1];\n"   // 3
      "setp.eq.s32 %p2, %r3, 0;\n"     // 4
      "@%p2 bra LOOP_END;\n"           // 5  (break)
      "add.s32 %r1, %r1, 1;\n"         // 6
      "bra.uni LOOP;\n"                // 7
      "LOOP_END:\n"
      "st.global.u32 [%rd1], %r1;\n"   // 8
      "ret;\n");                       // 9
  ControlFlowGraph cfg(f);
  ASSERT_EQ(cfg.blocks().size(), 5u);
  EXPECT_EQ(cfg.block_of(7), 3u);
  EXPECT_EQ(cfg.blocks()[1].predecessors, (std::vector<uint32_t>{0, 3}));
  EXPECT_EQ(reconverge(f, 2), 8u);
  EXPECT_EQ(reconverge(f, 5), 8u);
  EXPECT_EQ(reconverge(f, 7), 1u);  // the back edge's block is post-dominated by the header
}

TEST(CfgIpdom, EarlyReturn) {
  Function guarded = parse_body(
      "setp.ge.s32 %p1, %r1, %r2;\n"   // 0
      "@%p1 ret;\n"                    // 1  (guarded ret ends a block: exit + fall-through)
      "add.s32 %r3, %r3, 1;\n"         // 2
      "setp.eq.s32 %p2, %r3, 0;\n"     // 3
      "@%p2 bra SKIP;\n"               // 4
      "st.global.u32 [%rd1], %r3;\n"   // 5
      "SKIP:\n"
      "ret;\n");                       // 6
  ControlFlowGraph cfg(guarded);
  EXPECT_EQ(cfg.blocks()[0].successors, (std::vector<uint32_t>{1, cfg.exit()}));
  EXPECT_EQ(cfg.ipdom(0), cfg.exit());
  EXPECT_EQ(reconverge(guarded, 4), 6u);

  Function split = parse_body(
      "setp.ge.s32 %p1, %r1, %r2;\n"   // 0
      "@%p1 bra EARLY;\n"              // 1
      "add.s32 %r3, %r3, 1;\n"         // 2
      "st.global.u32 [%rd1], %r3;\n"   // 3
      "ret;\n"                         // 4
      "EARLY:\n"
      "st.global.u32 [%rd1], %r1;\n"   // 5
      "ret;\n");                       // 6
  EXPECT_EQ(reconverge(split, 1), 7u);  // only the virtual exit joins the two paths
}

TEST(CfgIpdom, Switch) {
  Function f = parse_body(
      "setp.eq.s32 %p1, %r1, 0;\n"     // 0
      "@%p1 bra CASE0;\n"              // 1
      "setp.eq.s32 %p2, %r1, 1;\n"     // 2
      "@%p2 bra CASE1;\n"              // 3
      "mov.u32 %r2, 0;\n"              // 4  default
      "bra.uni END;\n"                 // 5
      "CASE0:\n"
      "mov.u32 %r2, 10;\n"             // 6
      "bra.uni END;\n"                 // 7
      "CASE1:\n"
      "mov.u32 %r2, 20;\n"             // 8  falls through
      "END:\n"
      "st.global.u32 [%rd1], %r2;\n"   // 9
      "ret;\n");                       // 10
  ControlFlowGraph cfg(f);
  EXPECT_EQ(cfg.blocks().size(), 6u);
  for (uint32_t pc : {1u, 3u, 5u, 7u}) EXPECT_EQ(reconverge(f, pc), 9u) << "bra at " << pc;
}

// nvcc's switch with an unreachable default (here from __pipeline_memcpy_async's size switch):
// the default block traps. The cases must still reconverge at the join, not at the exit.
TEST(CfgIpdom, TrappingDefaultDoesNotDelayReconvergence) {
  Function f = parse_body(
      "setp.eq.s32 %p1, %r1, 0;\n"   // 0
      "@%p1 bra CASE0;\n"            // 1
      "setp.eq.s32 %p2, %r1, 1;\n"   // 2
      "@%p2 bra CASE1;\n"            // 3
      "bra.uni DEFAULT;\n"           // 4
      "CASE0:\n"
      "add.s32 %r2, %r2, 1;\n"       // 5
      "bra.uni JOIN;\n"              // 6
      "CASE1:\n"
      "add.s32 %r2, %r2, 2;\n"       // 7
      "bra.uni JOIN;\n"              // 8
      "DEFAULT:\n"
      "trap;\n"                      // 9
      "JOIN:\n"
      "bar.sync 0;\n"                // 10
      "ret;\n");                     // 11
  ControlFlowGraph cfg(f);
  EXPECT_TRUE(cfg.blocks()[cfg.block_of(9)].successors.empty());
  EXPECT_EQ(reconverge(f, 1), 10u);
  // From the second test every path that does not trap goes through CASE1.
  EXPECT_EQ(reconverge(f, 3), 7u);
  // A guarded trap falls through when its guard is false.
  Function g = parse_body(
      "setp.eq.s32 %p1, %r1, 0;\n"   // 0
      "@%p1 bra SKIP;\n"             // 1
      "setp.eq.s32 %p2, %r1, 7;\n"   // 2
      "@%p2 trap;\n"                 // 3
      "add.s32 %r2, %r2, 1;\n"       // 4
      "SKIP:\n"
      "ret;\n");                     // 5
  ControlFlowGraph gcfg(g);
  EXPECT_EQ(gcfg.blocks()[gcfg.block_of(3)].successors, (std::vector<uint32_t>{gcfg.block_of(4)}));
  EXPECT_EQ(reconverge(g, 1), 5u);
}

TEST(CfgIpdom, LoopWithoutExitReconvergesAtFunctionEnd) {
  Function f = parse_body(
      "SPIN:\n"
      "add.s32 %r1, %r1, 1;\n"   // 0
      "bra.uni SPIN;\n");        // 1
  EXPECT_EQ(reconverge(f, 1), 2u);
}

// A loop with no way out (`for (unsigned s = 32; s >= 0; s >>= 1)`) around an if and a barrier:
// the if reconverges before the barrier (at the loop's last block), not at the function's end,
// where a warp split by the if reached the barrier divergent.
TEST(CfgIpdom, BranchInsideAnEndlessLoopReconvergesInsideIt) {
  Function f = parse_body(
      "LOOP:\n"
      "setp.lt.u32 %p1, %r1, %r2;\n"  // 0
      "@%p1 bra SKIP;\n"              // 1
      "add.s32 %r3, %r3, 1;\n"        // 2
      "SKIP:\n"
      "bar.sync 0;\n"                 // 3
      "shr.u32 %r2, %r2, 1;\n"        // 4
      "bra.uni LOOP;\n");             // 5
  EXPECT_EQ(reconverge(f, 1), 3u);
  EXPECT_EQ(reconverge(f, 5), 6u);  // the back edge: out of the loop, which never comes
}

TEST(CfgIpdom, NvccSwitchFixtureReconvergesForward) {
  Module m = parse_ptx(testing::read_fixture("control_flow.ptx"), "control_flow.ptx");
  const Function& f = *m.find_function("classify");
  ControlFlowGraph cfg(f);
  // Every conditional branch's reconvergence point post-dominates it: every path from the
  // branch reaches it. Check by walking all paths from both successors (no loops in classify).
  for (uint32_t pc = 0; pc < f.code.size(); ++pc) {
    const Instruction& in = f.code[pc];
    if (in.op != Opcode::Bra || in.guard == kNoReg) continue;
    const uint32_t target = in.reconverge_pc;
    std::vector<uint32_t> work{pc + 1, in.ops[0].reg};
    std::vector<bool> seen(f.code.size() + 1, false);
    while (!work.empty()) {
      uint32_t p = work.back();
      work.pop_back();
      if (p == target || seen[p]) continue;
      seen[p] = true;
      ASSERT_LT(p, f.code.size()) << "path from bra at " << pc << " reaches exit before " << target;
      const Instruction& x = f.code[p];
      if (x.op == Opcode::Ret || x.op == Opcode::Exit) {
        ASSERT_EQ(target, f.code.size()) << "bra at " << pc;
        if (x.guard != kNoReg) work.push_back(p + 1);
        continue;
      }
      if (x.op == Opcode::Bra) {
        work.push_back(x.ops[0].reg);
        if (x.guard != kNoReg) work.push_back(p + 1);
      } else {
        work.push_back(p + 1);
      }
    }
  }
}

}  // namespace
}  // namespace gpusim::isa
