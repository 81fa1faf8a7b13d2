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
  e = parse_error(kernel("ret;\ncp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%r1], [%rd1], %r2, [%r3];\n"));
  EXPECT_NE(e.find(line), std::string::npos) << e;
  EXPECT_NE(e.find("cp.async.bulk"), std::string::npos) << e;
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

}  // namespace
}  // namespace gpusim::isa
