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
