#include "sim/instruction_expansion.h"

#include <utility>

#include "isa/register_use.h"

namespace gpusim::sim {

namespace {

using isa::DataType;
using isa::Opcode;

// A sequence of `instructions` SASS instructions: `alu` on the type's ALU pipe, `sfu` MUFU or
// conversions, the rest only dispatched; its critical path has `sfu_steps` SFU steps and
// `alu_steps` ALU steps.
Expansion sequence(int instructions, int alu, int sfu, int sfu_steps, int alu_steps) {
  Expansion e;
  e.instructions = static_cast<uint16_t>(instructions);
  e.alu_ops = static_cast<uint16_t>(alu);
  e.sfu_ops = static_cast<uint16_t>(sfu);
  e.sfu_chain_steps = static_cast<uint16_t>(sfu_steps);
  e.alu_chain_steps = static_cast<uint16_t>(alu_steps);
  return e;
}

std::optional<Expansion> integer_division(const isa::Instruction& in, DataType type, bool reciprocal_hoisted) {
  // 64-bit division calls a subroutine (5-6 instructions at the call site, its body shared):
  // what runs inside was not measured, so it stays one instruction (docs/ARCHITECTURE.md).
  if (isa::type_bits(type) > 32) return std::nullopt;
  const bool is_signed = isa::type_is_signed(type);
  const bool divisor_immediate = in.nops > 2 && in.ops[2].kind == isa::OperandKind::Imm;
  if (divisor_immediate) {
    // A constant divisor: a multiply-high by its magic reciprocal and a shift (ptxas: 6.3 and
    // 9.7 instructions by 7, unsigned and signed); nvcc usually does this itself.
    return is_signed ? sequence(10, 7, 0, 0, 5) : sequence(6, 4, 0, 0, 3);
  }
  // A register divisor: I2F, MUFU.RCP and F2I give the reciprocal estimate, five IMADs (on the
  // FMA pipe) the quotient, compares and adds on the integer pipe correct it by up to 2, and a
  // select answers division by zero; the signed forms take absolute values first and fix the
  // sign after. ptxas 13, sm_90, each division its own divisor: rem / div .u32 17.0 / 18.0,
  // .s32 21.3 / 23.3 instructions (sm_75: 17 / 18, 23 / 25).
  const bool rem = in.op == Opcode::Rem;
  if (reciprocal_hoisted) {
    // The reciprocal is ready: IMAD.HI gives the quotient, IMADs the remainder, two compare-and-
    // add steps correct it and a select answers division by zero (ptxas 13, sm_90, a grid-stride
    // loop's body against the same loop with an add: rem / div .u32 8 / 9, .s32 12 / 14).
    if (is_signed) return rem ? sequence(12, 8, 0, 0, 9) : sequence(14, 10, 0, 0, 9);
    return rem ? sequence(8, 5, 0, 0, 7) : sequence(9, 6, 0, 0, 7);
  }
  if (is_signed) return rem ? sequence(21, 13, 3, 3, 12) : sequence(23, 15, 3, 3, 12);
  return rem ? sequence(17, 9, 3, 3, 10) : sequence(18, 10, 3, 3, 10);
}

std::optional<Expansion> float_division(const isa::Instruction& in, DataType type) {
  if (type == DataType::F64) {
    if (in.mod.approx) return std::nullopt;
    // MUFU.RCP64H, then DFMA Newton-Raphson steps, the quotient and its correction, integer range
    // checks and the branch to the shared slow path (26 instructions emitted per division, the
    // slow path's call set-up among them). 8 on the FP64 pipe reproduce the published V100 rate
    // there (1/7.75 of DMUL's).
    return sequence(20, 8, 1, 1, 7);
  }
  if (type != DataType::F32) return std::nullopt;
  // Each division its own divisor (ptxas 13, sm_90): div.approx 6 instructions (MUFU.RCP, the
  // product, and the scaling of a huge divisor), div.full 9.
  if (in.mod.approx) return sequence(6, 5, 1, 1, 2);
  if (in.mod.full) return sequence(9, 8, 1, 1, 3);
  // IEEE rounding: MUFU.RCP, FCHK, five dependent FFMAs and their moves, the branch to the slow
  // path (17 emitted with its call set-up): 12 on the FP32 pipe reproduce the published V100 rate
  // there (1/12.55 of FMUL's).
  return sequence(13, 12, 1, 1, 5);
}

// The unary float functions the MUFU unit only estimates. The counts are the executed path of
// what ptxas 13 emits for sm_90 (read off the cubin's instruction stream: the slow path for
// denormal, huge or special operands is a subroutine after the kernel's EXIT, and its call set-up
// is skipped by a branch). No published rates to size them by, unlike division, so the executed
// path is taken as it is.
std::optional<Expansion> special_function(const isa::Instruction& in, DataType type) {
  const Opcode op = in.op;
  if (type == DataType::F64) {
    // MUFU.RSQ64H / RCP64H give the high word's estimate; the full-precision forms refine it with
    // DFMAs after a range check (sqrt: IMAD moves, MUFU, 3 DMULs and 5 DFMAs; rcp: MUFU and 5
    // DFMAs), as does rsqrt.approx.f64 without .ftz (a denormal range check and 5 DFMA/DMULs).
    // The .ftz approximations are the MUFU and a move of the low word.
    if (op == Opcode::Sqrt && !in.mod.approx) return sequence(16, 8, 1, 1, 6);
    if (op == Opcode::Rcp && !in.mod.approx) return sequence(9, 5, 1, 1, 5);
    if (op == Opcode::Rsqrt) return in.mod.ftz ? sequence(2, 0, 1, 1, 0) : sequence(12, 5, 1, 1, 4);
    if (op == Opcode::Rcp) return sequence(2, 0, 1, 1, 0);
    return std::nullopt;
  }
  if (type != DataType::F32) return std::nullopt;
  switch (op) {
    case Opcode::Sqrt:
      // sqrt.rn: MUFU.RSQ, a range check and its branch, then x*r, r/2 and two FFMA corrections.
      if (!in.mod.approx) return sequence(8, 4, 1, 1, 3);
      [[fallthrough]];
    case Opcode::Rsqrt: case Opcode::Ex2: case Opcode::Lg2:
      // Without .ftz a denormal operand is scaled into range first and the result back after:
      // FSETP, FMUL, the MUFU, FMUL (lg2: FADD).
      return in.mod.ftz ? std::nullopt : std::optional<Expansion>(sequence(4, 3, 1, 1, 3));
    case Opcode::Rcp:
      // rcp.rn: MUFU.RCP and FFMA, FADD, FFMA refining it after a range check (3 integer ops and a
      // branch). rcp.approx without .ftz: two FSETP/FSEL pairs pick the scale, FMUL, MUFU, FMUL.
      if (!in.mod.approx) return sequence(8, 3, 1, 1, 3);
      return in.mod.ftz ? std::nullopt : std::optional<Expansion>(sequence(8, 6, 1, 1, 4));
    case Opcode::Sin: case Opcode::Cos:
      // The argument is scaled to turns (FMUL by 1/2pi) before MUFU.SIN / COS.
      return sequence(2, 1, 1, 1, 1);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<Expansion> ptxas_expansion(const isa::Instruction& in, bool reciprocal_hoisted) {
  if (in.mod.ntypes == 0) return std::nullopt;
  const DataType type = in.mod.types[0];
  switch (in.op) {
    case Opcode::Div:
      return isa::type_is_float(type) ? float_division(in, type) : integer_division(in, type, reciprocal_hoisted);
    case Opcode::Rem: return isa::type_is_float(type) ? std::nullopt : integer_division(in, type, reciprocal_hoisted);
    case Opcode::Sqrt: case Opcode::Rcp: case Opcode::Rsqrt: case Opcode::Ex2: case Opcode::Lg2:
    case Opcode::Sin: case Opcode::Cos:
      return special_function(in, type);
    default:
      return std::nullopt;
  }
}

std::vector<bool> hoisted_divisor_reciprocals(const isa::Function& fn) {
  const size_t n = fn.code.size();
  std::vector<bool> hoisted(n, false);
  // Loops: [target, branch] of each backward branch.
  std::vector<std::pair<uint32_t, uint32_t>> loops;
  for (uint32_t pc = 0; pc < n; ++pc) {
    const isa::Instruction& in = fn.code[pc];
    if (in.op == Opcode::Bra && in.nops > 0 && in.ops[0].kind == isa::OperandKind::Label && in.ops[0].reg <= pc)
      loops.emplace_back(in.ops[0].reg, pc);
  }
  if (loops.empty()) return hoisted;
  isa::RegisterUse use;
  for (uint32_t pc = 0; pc < n; ++pc) {
    const isa::Instruction& in = fn.code[pc];
    if ((in.op != Opcode::Div && in.op != Opcode::Rem) || in.mod.ntypes == 0 ||
        isa::type_is_float(in.mod.types[0]) || isa::type_bits(in.mod.types[0]) > 32 || in.nops < 3 ||
        in.ops[2].kind != isa::OperandKind::Reg)
      continue;
    const std::pair<uint32_t, uint32_t>* innermost = nullptr;
    for (const auto& loop : loops)
      if (loop.first <= pc && pc <= loop.second &&
          (!innermost || loop.second - loop.first < innermost->second - innermost->first))
        innermost = &loop;
    if (!innermost) continue;
    const uint32_t divisor = in.ops[2].reg;
    bool written = false;
    for (uint32_t at = innermost->first; at <= innermost->second && !written; ++at) {
      isa::register_use(fn.code[at], use);
      for (uint32_t r : use.destinations) written = written || r == divisor;
    }
    hoisted[pc] = !written;
  }
  return hoisted;
}

}  // namespace gpusim::sim
