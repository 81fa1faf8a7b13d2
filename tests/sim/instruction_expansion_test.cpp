// Division and remainder are timed as the SASS sequences ptxas makes of them
// (sim/instruction_expansion.h), checked against two independent references: ptxas itself (the
// sequence lengths, when the CUDA toolkit is installed, as setup.sh requires) and the published
// V100 rates of IEEE float and double division (1/12.55 and 1/7.75 of the multiply's).
#include <gtest/gtest.h>
#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "isa/ptx_parser.h"
#include "runtime/sim_device.h"
#include "sim/instruction_expansion.h"
#include "tests/ptxas_cubin.h"

using namespace gpusim;
using gpusim::test_support::ptxas_path;

namespace {

// A kernel that loads 33 values, applies `op` to 32 of them with the 33rd (or an immediate) as
// the second operand, each its own dependent chain, and stores them: ptxas's .text size of it,
// against the same kernel with `add` instead, gives the instructions per `op`.
std::string ops_kernel(const std::string& op, const std::string& type, bool immediate, int chains) {
  const std::string reg = type == "f64" ? "%fd" : type == "f32" ? "%f" : "%r";
  const std::string decl = type == "f64" ? ".f64" : type == "f32" ? ".f32" : ".b32";
  std::string body;
  for (int i = 0; i <= chains; ++i) body += "  ld.global." + type + " " + reg + std::to_string(i) + ", [%base+" + std::to_string(8 * i) + "];\n";
  // Each op has its own divisor (the chain's neighbour), so that ptxas shares no reciprocal.
  for (int i = 0; i < chains; ++i) {
    const std::string divisor = immediate ? "7" : reg + std::to_string(i + 1);
    body += "  " + op + " " + reg + std::to_string(i) + ", " + reg + std::to_string(i) + ", " + divisor + ";\n";
  }
  for (int i = 0; i < chains; ++i)
    body += "  st.global." + type + " [%base+" + std::to_string(512 + 8 * i) + "], " + reg + std::to_string(i) + ";\n";
  return ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k(.param .u64 p)\n{\n  .reg " + decl + " " +
         reg + "<40>;\n  .reg .u64 %base;\n  ld.param.u64 %base, [p];\n  cvta.to.global.u64 %base, %base;\n" + body +
         "  ret;\n}\n";
}

// The cubin ptxas makes of `ptx` for sm_90 (empty when ptxas failed).
std::string compile(const std::string& ptxas, const std::string& ptx) { return test_support::ptxas_cubin(ptxas, ptx, "sm_90"); }

std::string text_sections(const std::string& elf) { return test_support::cubin_text_sections(elf); }

// Bytes of the cubin's .text sections, -1 when ptxas failed.
long text_bytes(const std::string& ptxas, const std::string& ptx) {
  const std::string elf = compile(ptxas, ptx);
  return elf.empty() ? -1 : long(text_sections(elf).size());
}

sim::Expansion table_entry(const std::string& ptx_line) {
  const std::string ptx = ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k()\n{\n"
                          "  .reg .b32 %r<4>;\n  .reg .f32 %f<4>;\n  .reg .f64 %fd<4>;\n  " + ptx_line + "\n  ret;\n}\n";
  const isa::Module m = isa::parse_ptx(ptx, "expansion.ptx");
  const std::optional<sim::Expansion> e = sim::ptxas_expansion(m.functions.at(0).code.at(0));
  return e ? *e : sim::Expansion{};
}

struct Form {
  const char* op;
  const char* type;
  bool immediate;
  const char* line;     // the same form for the table
  bool straight_line;   // every emitted instruction runs (no slow path)
};

TEST(InstructionExpansion, SequenceLengthsMatchWhatPtxasEmits) {
  const std::string ptxas = ptxas_path();
  if (ptxas.empty()) GTEST_SKIP() << "ptxas not installed (the CUDA toolkit: scripts/setup.sh)";
  const Form forms[] = {
      {"rem.u32", "u32", false, "rem.u32 %r0, %r1, %r2;", true},
      {"div.u32", "u32", false, "div.u32 %r0, %r1, %r2;", true},
      {"rem.s32", "s32", false, "rem.s32 %r0, %r1, %r2;", true},
      {"div.s32", "s32", false, "div.s32 %r0, %r1, %r2;", true},
      {"rem.u32", "u32", true, "rem.u32 %r0, %r1, 7;", true},
      {"rem.s32", "s32", true, "rem.s32 %r0, %r1, 7;", true},
      {"div.approx.f32", "f32", false, "div.approx.f32 %f0, %f1, %f2;", true},
      {"div.full.f32", "f32", false, "div.full.f32 %f0, %f1, %f2;", true},
      {"div.rn.f32", "f32", false, "div.rn.f32 %f0, %f1, %f2;", false},
      {"div.rn.f64", "f64", false, "div.rn.f64 %fd0, %fd1, %fd2;", false},
  };
  constexpr int kChains = 24;
  for (const Form& f : forms) {
    const long with = text_bytes(ptxas, ops_kernel(f.op, f.type, f.immediate, kChains));
    const std::string add = std::string(f.type).front() == 'f' ? std::string("add.rn.") + f.type : std::string("add.") + f.type;
    const long base = text_bytes(ptxas, ops_kernel(add, f.type, f.immediate, kChains));
    ASSERT_GT(with, 0) << f.op;
    ASSERT_GT(base, 0) << f.op;
    const double emitted = 1.0 + double(with - base) / 16.0 / kChains;  // SASS instructions per op
    const sim::Expansion e = table_entry(f.line);
    if (f.straight_line) {
      EXPECT_NEAR(e.instructions, emitted, 1.0) << f.line;
    } else {
      // The executed fast path is part of what is emitted, the slow path's set-up the rest.
      EXPECT_LE(e.instructions, emitted) << f.line;
      EXPECT_GE(e.instructions, 0.6 * emitted) << f.line;
    }
    EXPECT_LE(e.alu_ops + e.sfu_ops, e.instructions) << f.line;
  }
}

// A kernel that loads one value, applies the unary `op` and stores the result.
std::string unary_kernel(const std::string& op, const std::string& type) {
  const std::string reg = type == "f64" ? "%fd" : "%f";
  return ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k(.param .u64 p)\n{\n  .reg ." + type + " " +
         reg + "<4>;\n  .reg .u64 %b;\n  ld.param.u64 %b, [p];\n  cvta.to.global.u64 %b, %b;\n  ld.global." + type + " " +
         reg + "0, [%b];\n  " + op + " " + reg + "1, " + reg + "0;\n  st.global." + type + " [%b+8], " + reg +
         "1;\n  ret;\n}\n";
}

// The kernel body's SASS before its first EXIT: instruction count and CALLs among them. A slow
// path ptxas moves out of line sits after the EXIT; its call set-up stays in the body, behind a
// branch the ordinary operands take. Opcodes are the low 12 bits of an instruction (sm_70 on).
struct Body {
  int instructions = -1;
  int calls = 0;
};
Body kernel_body(const std::string& ptxas, const std::string& ptx) {
  const std::string text = text_sections(compile(ptxas, ptx));
  constexpr uint32_t kExit = 0x94d, kCall = 0x944;
  Body b;
  for (size_t at = 0; at + 16 <= text.size(); at += 16) {
    const uint32_t opcode = (uint8_t(text[at]) | uint32_t(uint8_t(text[at + 1])) << 8) & 0xfff;
    if (opcode == kExit) {
      b.instructions = int(at / 16);
      return b;
    }
    if (opcode == kCall) ++b.calls;
  }
  return b;
}

TEST(InstructionExpansion, SpecialFunctionPathsMatchWhatPtxasEmits) {
  const std::string ptxas = ptxas_path();
  if (ptxas.empty()) GTEST_SKIP() << "ptxas not installed (the CUDA toolkit: scripts/setup.sh)";
  // What nvcc emits for sqrtf, 1.0f/x, rsqrtf, __expf, __logf, __sinf, sqrt, 1.0/x and rsqrt of a
  // double without -use_fast_math, and the .ftz forms -use_fast_math gives (one MUFU each).
  const char* forms[][2] = {
      {"sqrt.rn.f32", "f32"}, {"rcp.rn.f32", "f32"}, {"rsqrt.approx.f32", "f32"}, {"sqrt.approx.f32", "f32"},
      {"ex2.approx.f32", "f32"}, {"lg2.approx.f32", "f32"}, {"rcp.approx.f32", "f32"}, {"sin.approx.f32", "f32"},
      {"cos.approx.ftz.f32", "f32"}, {"ex2.approx.ftz.f32", "f32"}, {"rsqrt.approx.ftz.f32", "f32"},
      {"sqrt.approx.ftz.f32", "f32"}, {"sqrt.rn.f64", "f64"}, {"rcp.rn.f64", "f64"}, {"rsqrt.approx.f64", "f64"},
      {"rsqrt.approx.ftz.f64", "f64"}, {"rcp.approx.ftz.f64", "f64"}};
  for (const auto& [op, type] : forms) {
    const Body with = kernel_body(ptxas, unary_kernel(op, type));
    const Body base = kernel_body(ptxas, unary_kernel(std::string("neg.") + type, type));  // one FADD/DADD
    ASSERT_GT(with.instructions, 0) << op;
    ASSERT_GT(base.instructions, 0) << op;
    const int body = with.instructions - base.instructions + 1;  // SASS instructions the op made
    const std::string reg = std::string(type) == "f64" ? "%fd" : "%f";
    const sim::Expansion e = table_entry(std::string(op) + " " + reg + "0, " + reg + "1;");
    if (with.calls > base.calls) {
      // The call set-up (a move of the operand, the CALL, the branch back or around it, and a
      // reload the call forces) is in the body but not on the ordinary path.
      EXPECT_GE(e.instructions, body - 5) << op;
      EXPECT_LE(e.instructions, body - 3) << op;
    } else {
      EXPECT_NEAR(e.instructions, body, 1.0) << op << ": straight-line code, all of it runs";
    }
    EXPECT_LE(e.alu_ops + e.sfu_ops, e.instructions) << op;
  }
}

// A grid-stride-style loop applying `op` to the index and a divisor `n`, which `n_step` (empty or
// an instruction) may change every pass.
std::string loop_kernel(const std::string& op, const std::string& n_step) {
  return ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k(.param .u64 p, .param .u32 n, .param .u32 c)\n"
         "{\n  .reg .u32 %i, %n, %c, %acc, %t;\n  .reg .pred %p;\n  .reg .u64 %a, %e;\n  ld.param.u64 %a, [p];\n"
         "  ld.param.u32 %n, [n];\n  ld.param.u32 %c, [c];\n  cvta.to.global.u64 %a, %a;\n  mov.u32 %i, %tid.x;\n"
         "  mov.u32 %acc, 0;\nLOOP:\n  .pragma \"nounroll\";\n  " + op + " %t, %i, %n;\n  mul.wide.u32 %e, %t, 4;\n  add.s64 %e, %a, %e;\n"
         "  ld.global.u32 %t, [%e];\n  add.u32 %acc, %acc, %t;\n" + n_step + "  add.u32 %i, %i, 256;\n"
         "  setp.lt.u32 %p, %i, %c;\n  @%p bra LOOP;\n  st.global.u32 [%a], %acc;\n  ret;\n}\n";
}

// SASS instructions from the last backward branch's target to the branch (the loop's body), or
// -1. BRA's signed offset (bytes from the next instruction, a multiple of 4) is encoded in bits
// 16-23 (offset bits 2-9) and 34-81 (bits 10-57), as read off ptxas 13's own branches; the
// self-branch ptxas puts after EXIT checks the decoding (target = itself).
int loop_body(const std::string& ptxas, const std::string& ptx) {
  const std::string text = text_sections(compile(ptxas, ptx));
  constexpr uint32_t kBra = 0x947;
  int body = -1;
  bool self_branch = false;
  for (size_t at = 0; at + 16 <= text.size(); at += 16) {
    uint64_t lo = 0, hi = 0;
    std::memcpy(&lo, text.data() + at, 8);
    std::memcpy(&hi, text.data() + at + 8, 8);
    if ((lo & 0xfff) != kBra) continue;
    int64_t offset = int64_t(((lo >> 16) & 0xff) << 2 | (lo >> 34) << 10 | (hi & 0x3ffff) << 40);
    offset = (offset << 6) >> 6;  // sign-extend the 58-bit field
    const int64_t pc = int64_t(at / 16), target = pc + 1 + offset / 16;
    if (target == pc) self_branch = true;
    else if (target < pc) body = int(pc - target + 1);
  }
  return self_branch ? body : -1;
}

TEST(InstructionExpansion, LoopInvariantDivisorsAreChargedWithoutTheirReciprocal) {
  const std::string ptxas = ptxas_path();
  if (ptxas.empty()) GTEST_SKIP() << "ptxas not installed (the CUDA toolkit: scripts/setup.sh)";
  const std::string changing_n = "  add.u32 %n, %n, %acc;\n";
  for (const char* op : {"rem.u32", "div.u32", "rem.s32", "div.s32"}) {
    for (bool invariant : {true, false}) {
      const std::string step = invariant ? "" : changing_n;
      const int with = loop_body(ptxas, loop_kernel(op, step));
      const int base = loop_body(ptxas, loop_kernel("add.u32", step));
      ASSERT_GT(with, 0) << op << ": no loop (or BRA not decoded) in ptxas's output";
      ASSERT_GT(base, 0) << op;
      const isa::Module m = isa::parse_ptx(loop_kernel(op, step), "loop.ptx");
      const isa::Function& fn = m.functions.at(0);
      const std::vector<bool> hoisted = sim::hoisted_divisor_reciprocals(fn);
      uint32_t pc = 0;
      while (pc < fn.code.size() && fn.code[pc].op != isa::Opcode::Div && fn.code[pc].op != isa::Opcode::Rem) ++pc;
      ASSERT_LT(pc, fn.code.size());
      EXPECT_EQ(hoisted[pc], invariant) << op;
      const std::optional<sim::Expansion> e = sim::ptxas_expansion(fn.code[pc], hoisted[pc]);
      ASSERT_TRUE(e.has_value()) << op;
      // A signed divisor that changes every pass came out 2 longer in the loop (ptxas 13: 23 / 25)
      // than in straight-line code (21.3 / 23.3, the table's).
      EXPECT_NEAR(e->instructions, with - base + 1, invariant ? 1.0 : 2.0) << op << (invariant ? ", divisor loop-invariant" : "");
    }
  }
}

// A timing-mode simulator on one of configs/, with --set style overrides.
auto timing_device(const std::string& config, std::vector<std::string> overrides = {}) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/" + config;
  o.overrides = std::move(overrides);
  return runtime::make_sim_device(o);
}

// 8 warps per sub-core (one CTA of 1024 threads), each thread 8 independent chains of `ops` x `op`:
// the cycles per extra op, from two lengths, leave the kernel's loads and stores out.
std::string rate_kernel(const std::string& name, const std::string& op, const std::string& type, int ops) {
  const std::string reg = type == "f64" ? "%fd" : "%f";
  std::string body;
  for (int c = 0; c < 8; ++c) body += "  ld.global." + type + " " + reg + std::to_string(c) + ", [%a];\n";
  for (int i = 0; i < ops; ++i)
    for (int c = 0; c < 8; ++c)
      body += "  " + op + " " + reg + std::to_string(c) + ", " + reg + std::to_string(c) + ", " + reg + "9;\n";
  for (int c = 0; c < 8; ++c) body += "  st.global." + type + " [%a], " + reg + std::to_string(c) + ";\n";
  return ".visible .entry " + name + "(.param .u64 p)\n{\n  .reg ." + type + " " + reg + "<10>;\n  .reg .u64 %a;\n"
         "  ld.param.u64 %a, [p];\n  ld.global." + type + " " + reg + "9, [%a+8];\n" + body + "  ret;\n}\n";
}

double cycles_per_op(runtime::Device& dev, runtime::ModuleHandle m, const std::string& stem, runtime::DevPtr p) {
  runtime::LaunchConfig c;
  c.grid = runtime::Dim3{1, 1, 1};
  c.block = runtime::Dim3{1024, 1, 1};
  dev.launch(m, stem + "_16", c, runtime::args(p));  // both timed runs find the loaded words in the L2
  const uint64_t short_run = dev.launch(m, stem + "_16", c, runtime::args(p)).cycles;
  const uint64_t long_run = dev.launch(m, stem + "_48", c, runtime::args(p)).cycles;
  return double(long_run - short_run) / (32.0 * 8);
}

TEST(InstructionExpansion, V100DivisionRatesMatchThePublishedOnes) {
  std::string ptx = ".version 8.0\n.target sm_70\n.address_size 64\n";
  const struct { const char* stem; const char* op; const char* type; } kernels[] = {
      {"mulf", "mul.rn.f32", "f32"}, {"divf", "div.rn.f32", "f32"}, {"muld", "mul.rn.f64", "f64"}, {"divd", "div.rn.f64", "f64"}};
  for (const auto& k : kernels)
    for (int ops : {16, 48}) ptx += rate_kernel(std::string(k.stem) + "_" + std::to_string(ops), k.op, k.type, ops);
  auto dev = timing_device("v100.ini");
  const runtime::ModuleHandle m = dev->load_ptx("rates.ptx", ptx);
  const runtime::DevPtr p = dev->alloc(64);
  const double float_ratio = cycles_per_op(*dev, m, "divf", p) / cycles_per_op(*dev, m, "mulf", p);
  const double double_ratio = cycles_per_op(*dev, m, "divd", p) / cycles_per_op(*dev, m, "muld", p);
  // Published V100 measurements: float division at 1/12.55 of the multiply's rate, double at 1/7.75.
  EXPECT_NEAR(float_ratio, 12.55, 0.1 * 12.55);  // the table: 12.0
  EXPECT_NEAR(double_ratio, 7.75, 0.1 * 7.75);    // the table: 8.0
}

// The MUFU steps of an expanded instruction share the SFU lanes with MUFU instructions: with few
// SFU lanes, independent divisions issue at the SFU's rate, not the FP32 pipe's (they ran at the
// FP32 rate whatever units.sfu_lanes_per_sm said).
TEST(InstructionExpansion, DivisionsWaitForTheSfuLanes) {
  std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n";
  for (int ops : {16, 48}) ptx += rate_kernel("divf_" + std::to_string(ops), "div.rn.f32", "f32", ops);
  const sim::Expansion e = table_entry("div.rn.f32 %f0, %f1, %f2;");
  ASSERT_GE(e.sfu_ops, 1);
  for (int sfu_lanes : {4, 8, 16}) {
    auto dev = timing_device("h100.ini", {"units.sfu_lanes_per_sm=" + std::to_string(sfu_lanes)});
    const runtime::ModuleHandle m = dev->load_ptx("div.ptx", ptx);
    const runtime::DevPtr p = dev->alloc(64);
    // 8 warps per sub-core: cycles per op is 8 warp-instructions' issue intervals; a division's
    // SFU steps take 32 / (sfu_lanes / 4 sub-cores) cycles each, its 12-odd FP32 steps one each.
    const double sfu_bound = 8.0 * e.sfu_ops * 32.0 / (sfu_lanes / 4);
    const double alu_bound = 8.0 * e.alu_ops;
    const double measured = cycles_per_op(*dev, m, "divf", p);
    SCOPED_TRACE("units.sfu_lanes_per_sm=" + std::to_string(sfu_lanes));
    EXPECT_NEAR(measured, std::max(sfu_bound, alu_bound), 0.1 * std::max(sfu_bound, alu_bound));
  }
}

// Cycles each step of a dependent chain adds: kernels STEM16 and STEM48 of `ptx` (16 and 48 steps
// on one thread, h100.ini) run after a warm-up launch that leaves their loads in the L2.
double cycles_per_chain_step(const std::string& ptx, const std::string& stem, const void* init, size_t init_bytes) {
  auto dev = timing_device("h100.ini");
  const runtime::ModuleHandle m = dev->load_ptx(stem + ".ptx", ptx);
  const runtime::DevPtr p = dev->alloc(64);
  dev->copy_to_device(p, init, init_bytes);
  runtime::LaunchConfig c;
  c.grid = runtime::Dim3{1, 1, 1};
  c.block = runtime::Dim3{1, 1, 1};
  dev->launch(m, stem + "16", c, runtime::args(p));
  const uint64_t short_chain = dev->launch(m, stem + "16", c, runtime::args(p)).cycles;
  const uint64_t long_chain = dev->launch(m, stem + "48", c, runtime::args(p)).cycles;
  return double(long_chain - short_chain) / 32.0;
}

// The latency a dependent reader sees is the sequence's chain, not one ALU step: each rem.u32 of
// a dependent chain on one thread (with an add between) adds the whole chain.
TEST(InstructionExpansion, DependentRemaindersWaitForTheWholeSequence) {
  auto chain = [](int steps) {
    std::string body;
    for (int i = 0; i < steps; ++i) body += "  rem.u32 %x, %x, %d;\n  add.u32 %x, %x, 1000;\n";
    return ".visible .entry rems" + std::to_string(steps) + "(.param .u64 p)\n{\n  .reg .u32 %x, %d;\n  .reg .u64 %a;\n"
           "  ld.param.u64 %a, [p];\n  ld.global.u32 %x, [%a];\n  ld.global.u32 %d, [%a+4];\n" + body +
           "  st.global.u32 [%a], %x;\n  ret;\n}\n";
  };
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n" + chain(16) + chain(48);
  const uint32_t init[2] = {123456789u, 97u};
  const double measured = cycles_per_chain_step(ptx, "rems", init, sizeof init);
  // h100.ini: 3 SFU steps of 21 cycles and 10 integer steps of 4, then the add's 4.
  const sim::Expansion e = table_entry("rem.u32 %r0, %r1, %r2;");
  const double step = e.sfu_chain_steps * 21.0 + e.alu_chain_steps * 4.0 + 4.0;
  EXPECT_GE(e.sfu_chain_steps, 3);
  EXPECT_GE(e.alu_chain_steps, 8);
  EXPECT_NEAR(measured, step, 0.05 * step);
}

// A dependent sqrt.rn.f32 waits for the refinement after the MUFU, not the MUFU alone.
TEST(InstructionExpansion, DependentSquareRootsWaitForTheRefinement) {
  auto chain = [](int steps) {
    std::string body;
    for (int i = 0; i < steps; ++i) body += "  sqrt.rn.f32 %x, %x;\n  add.rn.f32 %x, %x, 0f42C80000;\n";
    return ".visible .entry roots" + std::to_string(steps) + "(.param .u64 p)\n{\n  .reg .f32 %x;\n  .reg .u64 %a;\n"
           "  ld.param.u64 %a, [p];\n  ld.global.f32 %x, [%a];\n" + body + "  st.global.f32 [%a], %x;\n  ret;\n}\n";
  };
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n" + chain(16) + chain(48);
  const float init = 2.0f;
  const double measured = cycles_per_chain_step(ptx, "roots", &init, sizeof init);
  // h100.ini: one SFU step of 21 cycles and 3 FP32 steps of 4, then the add's 4 (one MUFU: 25).
  const sim::Expansion e = table_entry("sqrt.rn.f32 %f0, %f1;");
  const double step = e.sfu_chain_steps * 21.0 + e.alu_chain_steps * 4.0 + 4.0;
  EXPECT_EQ(e.sfu_chain_steps, 1);
  EXPECT_GE(e.alu_chain_steps, 2);
  EXPECT_NEAR(measured, step, 0.05 * step);
}

}  // namespace
