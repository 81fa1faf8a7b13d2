// PTX that the front end still rejects must fail with a message naming the construct and its
// line; and the newer syntax it accepts decodes as the executor expects.
#include <gtest/gtest.h>

#include "isa/ptx_parser.h"
#include "parser_test_util.h"

namespace gpusim::isa {
namespace {

using testing::kBodyLine;
using testing::kernel;

std::string parse_error(const std::string& text) {
  try {
    parse_ptx(text, "t.ptx");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(PtxCoverageParse, UnsupportedConstructsNameThemselvesAndTheirLine) {
  const std::string line = "t.ptx:" + std::to_string(kBodyLine + 1) + ":";
  std::string e = parse_error(kernel("ret;\nt: .branchtargets A, B;\nbrx.idx %r1, t;\nA:\nret;\n"));
  EXPECT_NE(e.find(line), std::string::npos) << e;
  EXPECT_NE(e.find("undefined label 'B'"), std::string::npos) << e;
  e = parse_error(kernel("ret;\ncp.async.bulk.global.shared::cta [%rd1], [%r1], %r2;\n"));  // no .bulk_group
  EXPECT_NE(e.find(line), std::string::npos) << e;
  EXPECT_NE(e.find("cp.async.bulk requires a completion mechanism"), std::string::npos) << e;
  e = parse_error(kernel("ret;\ncall %rd1, ();\n"));
  EXPECT_NE(e.find(line), std::string::npos) << e;
  EXPECT_NE(e.find(".callprototype"), std::string::npos) << e;
}

TEST(PtxCoverageParse, NewSyntaxDecodes) {
  Module m = parse_ptx(kernel("mov.u32 %r1, WARP_SZ;\n"
                              "bmsk.clamp.b32 %r2, %r1, 3;\n"
                              "cvt.pack.sat.u8.s32.b32 %r3, %r1, %r2, %r3;\n"
                              "cvt.rn.satfinite.e4m3x2.f32 %r4, %f1, %f2;\n"
                              "cp.async.mbarrier.arrive.noinc.shared.b64 [%r5];\n"
                              "mov.u32 %r6, %envreg2;\n"
                              "ret;\n"),
                       "t.ptx");
  const Function& f = m.functions.at(0);
  EXPECT_EQ(f.code[0].ops[1].kind, OperandKind::Imm);
  EXPECT_EQ(f.code[0].ops[1].imm, 32u);
  EXPECT_EQ(f.code[1].op, Opcode::Bmsk);
  EXPECT_EQ(f.code[1].mod.shf, ShfMode::LeftClamp);
  EXPECT_TRUE(f.code[2].mod.pack);
  EXPECT_EQ(f.code[2].mod.ntypes, 3);
  EXPECT_EQ(f.code[3].mod.types[0], DataType::E4M3x2);
  EXPECT_TRUE(f.code[3].mod.satfinite);
  EXPECT_EQ(f.code[4].op, Opcode::CpAsyncMbarrierArrive);
  EXPECT_TRUE(f.code[4].mod.noinc);
  EXPECT_EQ(f.code[5].ops[1].kind, OperandKind::Special);
  EXPECT_EQ(f.code[5].ops[1].reg, uint32_t(SpecialReg::Envreg0) + 2);
}

TEST(PtxCoverageParse, HopperSyntaxDecodes) {
  Module m = parse_ptx(
      kernel("wgmma.mma_async.sync.aligned.m64n8k16.f32.bf16.bf16 {%f1, %f2, %f3, %f4}, %rd1, %rd2, %p1, 1, -1, 0, 1;\n"
             "mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%r1], 1024;\n"
             "cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%r1], [%rd1, {%r2, %r3, %r4}], [%r5];\n"
             "elect.sync %r6|%p2, -1;\n"
             "wgmma.mma_async.sync.aligned.m64n256k16.f16.f16.f16 {" +
             [] {
               std::string regs;
               for (int i = 0; i < 64; ++i) regs += (i ? ", %r" : "%r") + std::to_string(i % 8);
               return regs;
             }() + "}, %rd1, %rd2, 1, 1, 1, 0, 0;\n"
             "ret;\n"),
      "t.ptx");
  const Function& f = m.functions.at(0);
  EXPECT_EQ(f.code[0].op, Opcode::WgmmaMmaAsync);
  EXPECT_EQ(f.code[0].nops, 8);
  EXPECT_EQ(f.code[0].mod.shape_n, 8);
  EXPECT_EQ(f.code[0].mod.types[1], DataType::BF16);
  EXPECT_EQ(int32_t(uint32_t(f.code[0].ops[5].imm)), -1);
  EXPECT_EQ(f.code[1].mod.sub, SubOp::MbarArriveExpectTx);
  EXPECT_EQ(f.code[1].ops[0].kind, OperandKind::Sink);
  EXPECT_EQ(f.code[2].op, Opcode::CpAsyncBulkTensor);
  EXPECT_EQ(f.code[2].mod.tensor_dims, 3);
  EXPECT_TRUE(f.code[2].mod.bulk_mbarrier);
  EXPECT_EQ(f.code[2].ops[1].count, 3);  // the coordinates
  EXPECT_EQ(f.code[3].op, Opcode::ElectSync);
  EXPECT_NE(f.code[3].ops[0].reg2, kNoReg);
  EXPECT_EQ(f.code[4].mod.shape_n, 256);
  EXPECT_EQ(f.code[4].ops[0].count, 64);
}

}  // namespace
}  // namespace gpusim::isa

namespace gpusim::isa {
namespace {

// __fns, L2 cache policies and the cache-policy operand of `.L2::cache_hint` accesses (which
// the executor drops: a policy changes no result).
TEST(PtxCoverageParse, BitSearchAndCachePolicySyntaxDecodes) {
  Module m = parse_ptx(testing::kernel("fns.b32 %r1, %r2, %r3, -2;\n"
                                       "createpolicy.fractional.L2::evict_last.b64 %rd1, 1.0;\n"
                                       "createpolicy.range.L2::evict_last.L2::evict_first.b64 %rd2, [%rd3], %r1, %r2;\n"
                                       "ld.global.L2::cache_hint.f32 %f1, [%rd3], %rd1;\n"
                                       "st.global.L2::cache_hint.v2.f32 [%rd3], {%f1, %f2}, %rd1;\n"
                                       "discard.global.L2 [%rd3], 128;\n"
                                       "applypriority.global.L2::evict_normal [%rd3], 128;\n"
                                       "ret;\n"),
                       "t.ptx");
  const Function& f = m.functions.at(0);
  EXPECT_EQ(f.code[0].op, Opcode::Fns);
  EXPECT_EQ(f.code[0].nops, 4);
  EXPECT_EQ(int32_t(f.code[0].ops[3].imm), -2);
  EXPECT_EQ(f.code[1].op, Opcode::CreatepolicyFractional);
  EXPECT_EQ(f.code[2].op, Opcode::CreatepolicyRange);
  EXPECT_EQ(f.code[3].op, Opcode::Ld);
  EXPECT_TRUE(f.code[3].mod.cache_hint);
  EXPECT_EQ(f.code[3].nops, 2);  // the policy operand is dropped
  EXPECT_EQ(f.code[4].nops, 2);
  EXPECT_EQ(f.code[5].op, Opcode::Discard);
  EXPECT_EQ(f.code[6].op, Opcode::Applypriority);
}

}  // namespace
}  // namespace gpusim::isa
