// Shared helpers for the ALU/FPU/convert semantic handlers (exec_int, exec_bits, exec_float,
// exec_half, exec_compare, exec_convert, exec_move): operand-type queries and the bridges from
// PTX types to the bit-exact numerics in isa/numerics.
#pragma once

#include <cstdint>
#include <string>

#include "isa/exec_context.h"
#include "isa/numerics/convert.h"
#include "isa/numerics/float_format.h"

namespace gpusim::isa::alu {

inline DataType type_at(const Instruction& in, unsigned i = 0) {
  return i < in.mod.ntypes ? in.mod.types[i] : DataType::None;
}

// The instruction's (first) type, failing clearly when the parser left it out.
inline DataType require_type(ExecContext& ctx, const Instruction& in, unsigned i = 0) {
  const DataType t = type_at(in, i);
  if (t == DataType::None) ctx.fail_warp(std::string(opcode_name(in.op)) + ": instruction has no type");
  return t;
}

// The 32 lanes of a plain (non-predicate) register operand, or null for any other operand: lets a
// handler read its sources without the per-lane operand dispatch of ExecContext::get. The frame's
// registers are the ones ExecContext uses (an ALU instruction pushes no frame).
inline uint64_t* reg_lanes(ExecContext& ctx, const Operand& o) {
  if (o.kind != OperandKind::Reg || o.pred) return nullptr;
  return ctx.warp().frame().regs.data() + size_t(o.reg) * 32;
}

// A source operand that is a plain register or an immediate, read per lane without ExecContext::get's
// dispatch; `ok` is false for every other operand kind (the caller then takes the general path).
struct LaneSource {
  const uint64_t* lanes = nullptr;
  uint64_t imm = 0;
  bool ok = false;
  uint64_t at(unsigned lane) const { return lanes ? lanes[lane] : imm; }
};
inline LaneSource lane_source(ExecContext& ctx, const Operand& o) {
  LaneSource s;
  if (o.kind == OperandKind::Imm) s.imm = o.imm, s.ok = true;
  else if ((s.lanes = reg_lanes(ctx, o))) s.ok = true;
  return s;
}

inline bool is_float_type(DataType t) { return type_is_float(t); }
inline bool is_half_type(DataType t) {
  return t == DataType::F16 || t == DataType::F16x2 || t == DataType::BF16 || t == DataType::BF16x2;
}
inline bool is_packed_half(DataType t) { return t == DataType::F16x2 || t == DataType::BF16x2; }

inline numerics::FloatFormat format_of(ExecContext& ctx, DataType t) {
  switch (t) {
    case DataType::F16: case DataType::F16x2: return numerics::kF16;
    case DataType::BF16: case DataType::BF16x2: return numerics::kBF16;
    case DataType::TF32: return numerics::kTF32;
    case DataType::F32: return numerics::kF32;
    case DataType::F64: return numerics::kF64;
    default: ctx.fail_warp(std::string("type .") + type_name(t) + " is not a floating-point type");
  }
}

inline numerics::IntType int_type_of(DataType t) { return {type_bits(t), type_is_signed(t)}; }

inline uint64_t truncate(uint64_t v, DataType t) { return numerics::truncate_bits(v, type_bits(t)); }
inline int64_t as_signed(uint64_t v, DataType t) { return numerics::sign_extend(v, type_bits(t)); }
// Value of `v` as a 64-bit integer per the signedness of `t`.
inline uint64_t widen(uint64_t v, DataType t) {
  return type_is_signed(t) ? uint64_t(as_signed(v, t)) : truncate(v, t);
}

inline std::string describe(const Instruction& in) {
  std::string s = opcode_name(in.op);
  for (unsigned i = 0; i < in.mod.ntypes; ++i) s += std::string(".") + type_name(in.mod.types[i]);
  return s;
}

[[noreturn]] inline void unsupported(ExecContext& ctx, const Instruction& in, const std::string& what) {
  ctx.fail_warp(describe(in) + ": unsupported " + what, FaultKind::Unsupported);
}

// Float handlers for the mnemonics PTX shares between integer and float types.
void float_add_sub_mul(ExecContext& ctx, const Instruction& in);
void float_mad_fma(ExecContext& ctx, const Instruction& in);
void float_div(ExecContext& ctx, const Instruction& in);
void float_abs_neg(ExecContext& ctx, const Instruction& in);
void float_min_max(ExecContext& ctx, const Instruction& in);
// f16/bf16 (scalar and x2) versions, called by the above.
void half_add_sub_mul(ExecContext& ctx, const Instruction& in);
void half_fma(ExecContext& ctx, const Instruction& in);
void half_min_max(ExecContext& ctx, const Instruction& in);

}  // namespace gpusim::isa::alu
