// PTX front end on hand-written PTX: immediates, operand conventions, modifier classification,
// layout rules, and malformed input failing at the exact line and column.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <map>

#include "isa/ptx_parser.h"
#include "isa/ptx_video_selectors.h"
#include "parser_test_util.h"

namespace gpusim::isa {
namespace {

using testing::find_inst;
using testing::kBodyLine;
using testing::kernel;

Function parse_body(const std::string& body) {
  Module m = parse_ptx(kernel(body), "t.ptx");
  return m.functions.at(0);
}

TEST(ParserImmediates, DecodeToTheSourceTypesBits) {
  Function f = parse_body(
      "add.s32 %r1, %r2, -1;\n"
      "add.s64 %rd1, %rd2, -1;\n"
      "mov.f32 %f1, 1.5;\n"
      "mov.f64 %fd1, 0f3F800000;\n"
      "add.f32 %f2, %f1, 0d3FF8000000000000;\n"
      "mov.u32 %r3, 0x10U;\n"
      "mov.u32 %r4, 010;\n"
      "shl.b64 %rd3, %rd2, 3;\n"
      "ld.global.u32 %r5, [%rd1+-4];\n"
      "mov.f64 %fd2, -0d4000000000000000;\n"
      "mov.b32 %r6, 0fBF800000;\n"
      "mov.f32 %f3, 2;\n"
      "add.u16 %r7, %r7, -2;\n"
      "ret;\n");
  EXPECT_EQ(find_inst(f, "add.s32").ops[2].imm, 0xFFFFFFFFull);
  EXPECT_EQ(find_inst(f, "add.s64").ops[2].imm, ~0ull);
  EXPECT_EQ(find_inst(f, "mov.f32 %f1").ops[1].imm, std::bit_cast<uint32_t>(1.5f));
  EXPECT_EQ(find_inst(f, "mov.f64 %fd1").ops[1].imm, std::bit_cast<uint64_t>(1.0));
  EXPECT_EQ(find_inst(f, "add.f32").ops[2].imm, std::bit_cast<uint32_t>(1.5f));
  EXPECT_EQ(find_inst(f, "0x10U").ops[1].imm, 16u);
  EXPECT_EQ(find_inst(f, "010").ops[1].imm, 8u);
  EXPECT_EQ(find_inst(f, "shl.b64").ops[2].imm, 3u);
  const Operand& addr = find_inst(f, "ld.global").ops[1];
  EXPECT_EQ(addr.kind, OperandKind::Address);
  EXPECT_EQ(int64_t(addr.imm), -4);
  EXPECT_EQ(find_inst(f, "mov.f64 %fd2").ops[1].imm, std::bit_cast<uint64_t>(-2.0));
  EXPECT_EQ(find_inst(f, "mov.b32 %r6").ops[1].imm, std::bit_cast<uint32_t>(-1.0f));
  EXPECT_EQ(find_inst(f, "mov.f32 %f3").ops[1].imm, std::bit_cast<uint32_t>(2.0f));
  EXPECT_EQ(find_inst(f, "add.u16").ops[2].imm, 0xFFFEu);
}

TEST(ParserImmediates, PositionsWithTheirOwnIntegerType) {
  Function f = parse_body(
      "shfl.sync.bfly.b32 %r1|%p1, %r2, 1, 31, -1;\n"
      "selp.f32 %f1, 0f3F800000, %f2, %p1;\n"
      "bfe.u64 %rd1, %rd2, 8, 4;\n"
      "setp.lt.f32 %p2, %f1, 0f00000000;\n"
      "ret;\n");
  const Instruction& shfl = find_inst(f, "shfl");
  EXPECT_EQ(shfl.ops[0].kind, OperandKind::Reg);
  EXPECT_EQ(f.regs[shfl.ops[0].reg].name, "%r1");
  EXPECT_EQ(f.regs[shfl.ops[0].reg2].name, "%p1");
  EXPECT_EQ(shfl.ops[2].imm, 1u);
  EXPECT_EQ(shfl.ops[4].imm, 0xFFFFFFFFu);
  EXPECT_EQ(find_inst(f, "selp").ops[1].imm, 0x3F800000u);
  EXPECT_EQ(find_inst(f, "bfe").ops[2].imm, 8u);
  EXPECT_EQ(find_inst(f, "setp").unit, Unit::Fp32);
}

TEST(ParserOperands, ConventionsTheExecutorRelies) {
  Function f = parse_body(
      "st.global.v4.f32 [%rd1+16], {%f1, %f2, %f3, 0f00000000};\n"
      "atom.global.cas.b32 %r1, [%rd1], %r2, 5;\n"
      "setp.ne.and.s32 %p1, %r1, 0, !%p2;\n"
      "mov.u32 %r3, %ctaid.y;\n"
      "ld.global.v2.u32 {%r4, _}, [%rd2];\n"
      "@!%p1 bra DONE;\n"
      "DONE:\n"
      "ret;\n");
  const Instruction& st = find_inst(f, "st.global");
  EXPECT_EQ(st.ops[0].kind, OperandKind::Address);
  EXPECT_EQ(st.ops[0].imm, 16u);
  EXPECT_EQ(st.ops[1].kind, OperandKind::Vector);
  EXPECT_EQ(st.ops[1].count, 4);
  EXPECT_EQ(st.mod.vec, 4);
  EXPECT_EQ(st.elems[st.ops[1].first + 3].kind, OperandKind::Imm);
  const Instruction& cas = find_inst(f, "atom");
  EXPECT_EQ(cas.ops[0].kind, OperandKind::Reg);
  EXPECT_EQ(cas.ops[1].kind, OperandKind::Address);
  EXPECT_EQ(cas.ops[3].imm, 5u);
  const Instruction& setp = find_inst(f, "setp");
  EXPECT_EQ(setp.mod.cmp, CmpOp::Ne);
  EXPECT_EQ(setp.mod.boolop, BoolOp::And);
  EXPECT_TRUE(setp.ops[3].negate);
  EXPECT_EQ(setp.unit, Unit::Int);
  const Instruction& mov = find_inst(f, "ctaid");
  EXPECT_EQ(mov.ops[1].kind, OperandKind::Special);
  EXPECT_EQ(mov.ops[1].reg, uint32_t(SpecialReg::CtaidY));
  const Instruction& ld = find_inst(f, "ld.global.v2");
  EXPECT_EQ(ld.elems[ld.ops[0].first + 1].kind, OperandKind::Sink);
  const Instruction& bra = find_inst(f, "bra");
  EXPECT_TRUE(bra.guard_negated);
  EXPECT_EQ(bra.ops[0].reg, 6u);
}

TEST(ParserModifiers, ClassifiedPerOpcode) {
  Function f = parse_body(
      "setp.lo.u32 %p1, %r1, %r2;\n"
      "mul.lo.s32 %r1, %r2, %r3;\n"
      "mul.wide.u32 %rd1, %r2, %r3;\n"
      "atom.shared.and.b32 %r1, [%r2], 1;\n"
      "setp.eq.or.s32 %p1, %r1, %r2, %p2;\n"
      "cvt.rn.f32.s32 %f1, %r1;\n"
      "cvta.to.global.u64 %rd1, %rd2;\n"
      "cvta.shared.u64 %rd1, %rd2;\n"
      "ld.shared::cta.u32 %r1, [%r2];\n"
      "ld.global.nc.L1::evict_last.L2::128B.f32 %f1, [%rd1];\n"
      "shf.l.wrap.b32 %r1, %r2, %r3, %r4;\n"
      "bar.sync 0;\n"
      "barrier.sync.aligned 1, 64;\n"
      "add.rn.f64 %fd1, %fd2, %fd3;\n"
      "rcp.approx.ftz.f32 %f1, %f2;\n"
      "sqrt.rn.f64 %fd1, %fd2;\n"
      "div.s32 %r1, %r2, %r3;\n"
      "add.f16 %r1, %r2, %r3;\n"
      "ret;\n");
  EXPECT_EQ(find_inst(f, "setp.lo").mod.cmp, CmpOp::Lo);
  EXPECT_EQ(find_inst(f, "mul.lo").mod.mul, MulMode::Lo);
  EXPECT_EQ(find_inst(f, "mul.wide").mod.mul, MulMode::Wide);
  EXPECT_EQ(find_inst(f, "atom.shared.and").mod.atom, AtomOp::And);
  EXPECT_EQ(find_inst(f, "atom.shared.and").mod.space, StateSpace::Shared);
  EXPECT_EQ(find_inst(f, "setp.eq.or").mod.boolop, BoolOp::Or);
  const Instruction& cvt = find_inst(f, "cvt.rn");
  EXPECT_EQ(cvt.mod.ntypes, 2);
  EXPECT_EQ(cvt.mod.types[0], DataType::F32);
  EXPECT_EQ(cvt.mod.types[1], DataType::S32);
  EXPECT_EQ(cvt.mod.rnd, Rounding::Rn);
  EXPECT_EQ(cvt.unit, Unit::Fp32);
  EXPECT_EQ(find_inst(f, "cvta.to").mod.sub, SubOp::CvtaToSpace);
  EXPECT_EQ(find_inst(f, "cvta.to").mod.space, StateSpace::Global);
  EXPECT_EQ(find_inst(f, "cvta.shared").mod.sub, SubOp::CvtaToGeneric);
  EXPECT_EQ(find_inst(f, "cvta.shared").mod.space, StateSpace::Shared);
  EXPECT_EQ(find_inst(f, "shared::cta").mod.space, StateSpace::Shared);
  EXPECT_TRUE(find_inst(f, "evict_last").mod.nc);
  EXPECT_EQ(find_inst(f, "shf").mod.shf, ShfMode::LeftWrap);
  EXPECT_EQ(find_inst(f, "bar.sync").mod.sub, SubOp::BarSync);
  EXPECT_EQ(find_inst(f, "bar.sync").op, Opcode::Bar);
  EXPECT_EQ(find_inst(f, "barrier").mod.sub, SubOp::BarSync);
  EXPECT_TRUE(find_inst(f, "barrier").mod.aligned);
  EXPECT_EQ(find_inst(f, "add.rn.f64").unit, Unit::Fp64);
  EXPECT_EQ(find_inst(f, "rcp").unit, Unit::Sfu);
  EXPECT_TRUE(find_inst(f, "rcp").mod.ftz);
  EXPECT_EQ(find_inst(f, "sqrt").unit, Unit::Fp64);
  EXPECT_EQ(find_inst(f, "div.s32").unit, Unit::Int);
  EXPECT_EQ(find_inst(f, "add.f16").unit, Unit::Fp32);
}

TEST(ParserLayout, SharedRegionsLocalsAndForwardCalls) {
  const std::string text =
      ".version 9.0\n.target sm_80\n.address_size 64\n"
      ".shared .align 4 .b8 a[16];\n"
      ".func helper_later(.param .b32 x);\n"
      ".visible .entry k1()\n{\n.shared .align 4 .b8 c[4];\n"
      ".local .align 8 .b8 depot[12];\n.local .align 4 .b8 more[4];\n"
      "st.shared.u32 [a], 1;\n"
      "{\n.param .b32 param0;\nst.param.b32 [param0], 1;\ncall.uni helper_later, (param0);\n}\n"
      "call.uni done;\nret;\n}\n"
      ".visible .entry k2()\n{\n.shared .align 16 .b8 d[32];\nret;\n}\n"
      ".func helper_later(.param .b32 x)\n{\n.shared .align 8 .b8 b[8];\nst.shared.u32 [b], 2;\nret;\n}\n"
      ".func done()\n{\nret;\n}\n";
  Module m = parse_ptx(text, "layout.ptx");
  std::map<std::string, const Symbol*> sym;
  for (const Symbol& s : m.symbols) sym[s.name] = &s;
  EXPECT_EQ(sym.at("a")->offset, 0u);
  EXPECT_EQ(sym.at("b")->offset, 16u);  // .func shared joins the module-wide region (k1 reaches both)
  EXPECT_EQ(sym.at("c")->offset, 24u);  // k1's own after the region variables it reaches
  EXPECT_EQ(sym.at("d")->offset, 0u);   // k2 reaches none of them
  EXPECT_EQ(m.find_function("k1")->static_shared_bytes, 28u);
  EXPECT_EQ(m.find_function("k2")->static_shared_bytes, 32u);
  EXPECT_EQ(sym.at("more")->offset, 12u);
  EXPECT_EQ(m.find_function("k1")->local_bytes, 16u);
  const Function& k1 = *m.find_function("k1");
  const Instruction& call = find_inst(k1, "helper_later");
  EXPECT_EQ(call.ops[1].reg, uint32_t(m.function_index("helper_later")));
  EXPECT_EQ(call.ops[0].count, 0);
  EXPECT_EQ(call.ops[2].count, 1);
  const Instruction& bare = find_inst(k1, "call.uni done");
  EXPECT_EQ(bare.ops[1].reg, uint32_t(m.function_index("done")));
  EXPECT_EQ(bare.ops[2].count, 0);
  EXPECT_EQ(m.find_function("helper_later")->params.size(), 1u);
  EXPECT_EQ(m.functions.size(), 4u);  // the prototype did not create a second helper_later
}

// nvcc -rdc declares each template kernel's __shared__ array at module scope (.weak .shared): a
// kernel is charged only for the region variables it reaches, and variables no kernel reaches
// together share offsets. A helper's array that both kernels reach stays clear of each one's own.
TEST(ParserLayout, KernelsAreChargedOnlyForTheModuleSharedVariablesTheyReach) {
  const std::string text =
      ".version 9.0\n.target sm_80\n.address_size 64\n"
      ".weak .shared .align 4 .b8 one[30720];\n"
      ".weak .shared .align 4 .b8 two[30720];\n"
      ".shared .align 8 .b8 common[64];\n"
      ".shared .align 4 .b8 unused[1024];\n"
      ".func helper()\n{\n.reg .b32 %r<2>;\nmov.u32 %r1, common;\nst.shared.u32 [%r1], 5;\nret;\n}\n"
      ".weak .entry k1()\n{\n.reg .b32 %r<2>;\nmov.u32 %r1, one;\nst.shared.u32 [%r1], 1;\ncall.uni helper, ();\nret;\n}\n"
      ".weak .entry k2()\n{\nst.shared.u32 [two+8], 2;\ncall.uni helper, ();\nret;\n}\n"
      ".visible .entry k3()\n{\nret;\n}\n";
  Module m = parse_ptx(text, "rdc_shared.ptx");
  std::map<std::string, const Symbol*> sym;
  for (const Symbol& s : m.symbols) sym[s.name] = &s;
  EXPECT_EQ(sym.at("one")->offset, 0u);
  EXPECT_EQ(sym.at("two")->offset, 0u);         // no kernel reaches both
  EXPECT_EQ(sym.at("common")->offset, 30720u);  // both kernels reach it: clear of one and of two
  EXPECT_EQ(m.find_function("k1")->static_shared_bytes, 30720u + 64u);
  EXPECT_EQ(m.find_function("k2")->static_shared_bytes, 30720u + 64u);
  EXPECT_EQ(m.find_function("k3")->static_shared_bytes, 0u);
}

TEST(ParserDirectives, AcceptedAndIgnoredOrDecoded) {
  const std::string text =
      "// header comment\n.version 9.0\n.target sm_80, debug\n.address_size 64\n/* block\n comment */\n"
      ".weak .global .align 4 .f32 grid[2][3] = {{1.0, 0f40000000, 3}, {4, 5, 6}};\n"
      ".common .global .align 2 .b16 halves[] = {1, -1};\n"
      ".extern .func (.param .b32 r) ext_fn (.param .b64 p);\n"
      ".visible .entry k(.param .u64 .ptr.global .align 16 k_p, .param .align 8 .b8 k_s[24])\n"
      ".maxntid 128, 1, 1\n.minnctapersm 2\n{\n"
      ".reg .b32 %r<3>;\n.reg .b64 %rd<2>;\n.pragma \"nounroll\";\n"
      ".loc 1 20 5, function_name $L__info_string0, inlined_at 1 30 7\n"
      "ld.global.u32 %r1, [64];\n"
      "{\n.param .b64 param0;\n.param .b32 retval0;\ncall (retval0), ext_fn, (param0);\n}\n"
      "ret;\n}\n"
      ".section .debug_str\n{\n$L__info_string0:\n.b8 107,0\n}\n";
  Module m = parse_ptx(text, "d.ptx");
  EXPECT_EQ(m.target, "sm_80,debug");
  std::map<std::string, const Symbol*> sym;
  for (const Symbol& s : m.symbols) sym[s.name] = &s;
  const Symbol& grid = *sym.at("grid");
  EXPECT_EQ(grid.size, 24u);
  ASSERT_EQ(grid.init.size(), 24u);
  float values[6];
  std::memcpy(values, grid.init.data(), sizeof(values));
  EXPECT_EQ(values[0], 1.0f);
  EXPECT_EQ(values[1], 2.0f);
  EXPECT_EQ(values[2], 3.0f);
  EXPECT_EQ(values[5], 6.0f);
  const Symbol& halves = *sym.at("halves");
  EXPECT_EQ(halves.size, 4u);
  EXPECT_EQ(halves.offset, 24u);
  EXPECT_EQ(halves.init, (std::vector<uint8_t>{1, 0, 0xFF, 0xFF}));
  const Function& k = *m.find_function("k");
  EXPECT_EQ(m.symbols[k.params[0]].align, 8u);  // ".ptr .align 16" is the pointee's alignment
  EXPECT_EQ(m.symbols[k.params[1]].offset, 8u);
  EXPECT_EQ(k.param_bytes, 32u);
  EXPECT_EQ(k.max_threads_per_block, 128u);  // .maxntid 128, 1, 1 (__launch_bounds__(128))
  const Instruction& ld = k.code.at(0);
  EXPECT_EQ(ld.ops[1].reg, kNoReg);
  EXPECT_EQ(ld.ops[1].sym, kNoSymbol);
  EXPECT_EQ(ld.ops[1].imm, 64u);
  const Instruction& call = k.code.at(1);
  EXPECT_EQ(call.op, Opcode::Call);
  EXPECT_FALSE(call.mod.uni);
  EXPECT_EQ(call.ops[1].reg, uint32_t(m.function_index("ext_fn")));
  EXPECT_TRUE(m.find_function("ext_fn")->code.empty());  // declared, defined elsewhere
  EXPECT_EQ(k.code.size(), 3u);
}

// CUDA's own headers (cuda_fp16.hpp's hexp, for one) write inline asm such as
// "{.reg.b32 f, C, nZ;" with no space between the directive and the type; ptxas reads two tokens.
TEST(ParserDirectives, DirectiveJoinedToItsTypeAsCudaHeadersWriteIt) {
  Function f = parse_body(
      "{.reg.b32 f, C;\n"
      " .reg.pred p;\n"
      " .local.align 8 .b8 buf[8];\n"
      " mov.b32 f, 7;\n"
      " setp.eq.u32 p, f, 7;\n"
      " selp.u32 C, 1, 0, p;\n"
      " st.local.u32 [buf], C;\n"
      "}\n"
      "ret;\n");
  const Instruction& mov = find_inst(f, "mov.b32 f");
  ASSERT_NE(mov.ops[0].reg, kNoReg);
  EXPECT_EQ(f.regs[mov.ops[0].reg].name, "f");
  EXPECT_EQ(f.regs[mov.ops[0].reg].type, DataType::B32);
  const Instruction& setp = find_inst(f, "setp.eq.u32 p");
  EXPECT_EQ(f.regs[setp.ops[0].reg].type, DataType::Pred);
  // An unknown joined type still fails at its own column, naming it.
  try {
    parse_body(".reg.b33 x;\nret;\n");
    ADD_FAILURE() << "'.reg.b33' accepted";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line, kBodyLine) << e.what();
    EXPECT_EQ(e.column, 5u) << e.what();
    EXPECT_NE(e.message.find("'.b33'"), std::string::npos) << e.what();
  }
}

// Expects parse_ptx(text) to fail at line:column with a message containing `what`.
void expect_error(const std::string& text, unsigned line, unsigned column, const std::string& what) {
  try {
    parse_ptx(text, "bad.ptx");
    ADD_FAILURE() << "no error; expected '" << what << "'";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line, line) << e.what();
    EXPECT_EQ(e.column, column) << e.what();
    EXPECT_NE(e.message.find(what), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("bad.ptx:" + std::to_string(line) + ":" + std::to_string(column) + ": error: ", 0), 0u);
  }
}

// A label is local to its { } block: the same name in two blocks (an inline-asm block inlined
// twice, as CUTLASS's barrier waits are) is two labels, each branch reaching its own block's;
// an inner block's label hides an outer one of the same name; two in one block are an error.
TEST(ParserLabels, EachBlockHasItsOwnLabels) {
  const Function f = parse_body(
      "{\n  bra.uni DONE;\n  add.s32 %r1, %r1, 1;\nDONE:\n}\n"  // pcs 0, 1; DONE = 2
      "{\n  bra.uni DONE;\n  add.s32 %r1, %r1, 2;\nDONE:\n}\n"  // pcs 2, 3; DONE = 4
      "  bra.uni OUT;\n"                                           // pc 4, to the outer OUT
      "{\n  bra.uni OUT;\nOUT:\n}\n"                              // pc 5 to the inner OUT = 6
      "OUT:\n  ret;\n");                                          // outer OUT = 6 too (ret)
  ASSERT_GE(f.code.size(), 7u);
  EXPECT_EQ(f.code[0].ops[0].reg, 2u);
  EXPECT_EQ(f.code[2].ops[0].reg, 4u);
  EXPECT_EQ(f.code[5].ops[0].reg, 6u);
  EXPECT_EQ(f.code[4].ops[0].reg, 6u);
  expect_error(kernel("{\nA:\n  ret;\nA:\n}\n"), kBodyLine + 3, 1, "duplicate label 'A' in the same { } block");
}

// A SIMD video instruction's register operands may carry element selectors and a mask
// (isa/ptx_video_selectors.h): they parse into the operand (a register with a selector was taken
// for an unknown special register and refused the whole module); malformed ones are named.
TEST(ParserVideo, ElementSelectorsAndMasks) {
  const Function f = parse_body("vadd4.u32.u32.u32 %r1.b31, %r2.b7654, %r3.b0123, %r4;\n"
                                "vsub2.s32.s32.s32 %r1, %r2.h32, %r3, %r4;\nret;\n");
  const Instruction& v4 = f.code.at(0);
  EXPECT_EQ(f.regs[v4.ops[1].reg].name, "%r2");
  EXPECT_EQ(v4.ops[0].first, kVideoSelectorSet | 0b1010);  // elements 3 and 1
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(video_source_element(v4.ops[1].first, 1, i, 4), 4 + i) << i;  // b's bytes, in order
    EXPECT_EQ(video_source_element(v4.ops[2].first, 2, i, 4), 3 - i) << i;  // a's bytes, reversed
  }
  EXPECT_EQ(video_source_element(v4.ops[3].first, 1, 2, 4), 2u);  // no selector: the default
  const Instruction& v2 = f.code.at(1);
  EXPECT_EQ(video_source_element(v2.ops[1].first, 1, 0, 2), 2u);
  EXPECT_EQ(video_source_element(v2.ops[1].first, 1, 1, 2), 3u);
  EXPECT_TRUE(video_element_written(v2.ops[0].first, 1));
  const unsigned L = kBodyLine;
  expect_error(kernel("vadd4.u32.u32.u32 %r1, %r2.b321, %r3, %r4;\n"), L, 24, "4 digits");
  expect_error(kernel("vadd4.u32.u32.u32 %r1, %r2.b3218, %r3, %r4;\n"), L, 24, "byte 8 does not exist");
  expect_error(kernel("vadd2.u32.u32.u32 %r1.h01, %r2, %r3, %r4;\n"), L, 19, "highest first");
  expect_error(kernel("vadd2.u32.u32.u32 %r1, %r2.b10, %r3, %r4;\n"), L, 24, "no halfword selector");
}

TEST(ParserErrors, LocatedExactly) {
  const unsigned L = kBodyLine;
  expect_error(kernel("  frob.u32 %r1, %r2;\n"), L, 3, "unknown opcode 'frob.u32'");
  expect_error(kernel("add.zz.s32 %r1, %r2, %r3;\n"), L, 4, "unknown modifier '.zz'");
  expect_error(kernel("ret;\nadd.rn.s32 %r1, %r2, %r3;\n"), L + 1, 4, "rounding modifier is not allowed on integer add");
  expect_error(kernel("mul.s32 %r1, %r2, %r3;\n"), L, 1, "requires .lo, .hi or .wide");
  expect_error(kernel("ld.global.shared.u32 %r1, [%rd1];\n"), L, 10, "more than one state space");
  expect_error(kernel("setp.s32 %p1, %r1, %r2;\n"), L, 1, "setp requires a comparison operator");
  expect_error(kernel("add.s32 %r1, %r9, %r2;\n"), L, 14, "undeclared register '%r9'");
  expect_error(kernel("mov.u32 %r1, %tid.w;\n"), L, 14, "unknown special register '%tid.w'");
  expect_error(kernel("\n  bra.uni $L_nowhere;\n"), L + 1, 11, "undefined label '$L_nowhere'");
  expect_error(kernel("mov.f32 %f1, 0f3F80;\n"), L, 14, "0f literal needs exactly 8 hex digits");
  expect_error(kernel("add.s32 %r1, %r2, 12abc;\n"), L, 19, "malformed number '12abc'");
  expect_error(kernel("add.s32 %r1, %r2, 1.5;\n"), L, 19, "floating-point literal");
  // The inner '{' is closed by the kernel's '}', so the kernel's own '{' (line 5) is unclosed.
  expect_error(kernel("{\nret;\n"), 5, 1, "unterminated block");
  expect_error(".version 9.0\n.target sm_80\n.section .debug_info\n{\n.b8 1\n", 3, 1, "unterminated .section");
  expect_error(kernel("{\n.param .b32 r;\n.param .b32 p;\ncall.uni (r), %rd1, (p);\n}\n"), L + 3, 24,
               "an indirect call needs a .callprototype label after its arguments");
  expect_error(kernel("brx.idx %r1, tbl;\n"), L, 14, "'tbl' is not a .branchtargets list of this function");
  expect_error(kernel("call.uni missing;\n"), L, 10, "call to undeclared function 'missing'");
  expect_error(kernel("add.s32 %r1, %r2;\n"), L, 1, "add takes 3 operand(s), got 2");
  expect_error(kernel("setp.lt.f32 %p1, %f1, %f2 %f3;\n"), L, 27, "expected ',' between operands, got '%f3'");
  expect_error(kernel("mov.u32 %r1, 1\n"), L + 1, 1, "expected ',' between operands, got '}'");
  expect_error(kernel(".reg .b32 %r1;\n"), L, 11, "register '%r1' is already declared");
  expect_error(kernel("cvt.s32.f32 %r1, %f1;\n"), L, 1, "float-to-integer cvt requires an integer rounding");
  expect_error(kernel("fma.f32 %f1, %f2, %f3, %f4;\n"), L, 1, "fma requires a rounding modifier");
  expect_error(kernel("shfl.sync.and.b32 %r1, %r2, 1, 31, -1;\n"), L, 10, "modifier '.and' is not valid for shfl");
  // A vector operand as wide as the .vN: the executors index its elements by N.
  expect_error(kernel("ld.global.v4.f32 {%f1, %f2}, [%rd1];\n"), L, 1, "ld.v4: operand 1 has 2 element(s), the instruction moves 4");
  expect_error(kernel("st.global.v2.f32 [%rd1], %f1;\n"), L, 1, "st.v2: operand 2 has 1 element(s), the instruction moves 2");
  expect_error(kernel("ld.global.f32 {%f1, %f2}, [%rd1];\n"), L, 1, "ld: operand 1 has 2 element(s), the instruction moves 1");
  expect_error(kernel("atom.global.add.v2.f32 %f1, [%rd1], {%f2, %f3};\n"), L, 1,
               "atom.v2: operand 1 has 1 element(s), the instruction moves 2");
}

TEST(ParserErrors, WhatIncludesTheSourceLine) {
  try {
    parse_ptx(kernel("  frob.u32 %r1;\n"), "x.ptx");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()), "x.ptx:11:3: error: unknown opcode 'frob.u32'\n    frob.u32 %r1;");
  }
}

// The header as ptxas 13.0 reads it: a .version newer than CUDA 13.0's 9.0 has its own error
// (the driver's UNSUPPORTED_PTX_VERSION), a malformed one and an unknown .target are errors.
TEST(ParserErrors, VersionAndTargetAreChecked) {
  const std::string body = ".address_size 64\n.visible .entry k()\n{\nret;\n}\n";
  try {
    parse_ptx(".version 9.1\n.target sm_80\n" + body, "new.ptx");
    FAIL() << "PTX 9.1 must be refused";
  } catch (const UnsupportedPtxVersion& e) {
    EXPECT_EQ(e.line, 1u);
    EXPECT_NE(e.message.find("PTX .version 9.1 is newer than this driver reads (CUDA 13.0: up to 9.0)"), std::string::npos)
        << e.message;
  }
  expect_error(".version 10.0\n.target sm_80\n" + body, 1, 10, "newer than this driver reads");
  expect_error(".version 9\n.target sm_80\n" + body, 1, 10, "'.version 9': expected MAJOR.MINOR");
  expect_error(".version 9.0.1\n.target sm_80\n" + body, 1, 10, "expected MAJOR.MINOR");
  expect_error(".version 9.0\n.target sm_99\n" + body, 2, 9, "'.target sm_99': not an architecture PTX can target");
  expect_error(".version 9.0\n.target sm_80a\n" + body, 2, 9, "not an architecture");  // a/f: sm_90 on
  expect_error(".version 9.0\n.target compute_80\n" + body, 2, 9, "not an architecture");
  for (const char* target : {"sm_52", "sm_75", "sm_89", "sm_90a", "sm_100f", "sm_121a", "sm_80, debug"})
    EXPECT_NO_THROW(parse_ptx(".version 9.0\n.target " + std::string(target) + "\n" + body, "ok.ptx")) << target;
  EXPECT_NO_THROW(parse_ptx(".version 7.0\n.target sm_70\n" + body, "old.ptx"));
}

}  // namespace
}  // namespace gpusim::isa
