#include "sim/instruction_expansion.h"

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

std::optional<Expansion> integer_division(const isa::Instruction& in, DataType type) {
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

}  // namespace

std::optional<Expansion> ptxas_expansion(const isa::Instruction& in) {
  if ((in.op != Opcode::Div && in.op != Opcode::Rem) || in.mod.ntypes == 0) return std::nullopt;
  const DataType type = in.mod.types[0];
  if (isa::type_is_float(type)) return in.op == Opcode::Div ? float_division(in, type) : std::nullopt;
  return integer_division(in, type);
}

}  // namespace gpusim::sim
