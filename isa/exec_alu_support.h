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

// Whether a handler may take `o`'s 32 lanes as a row of the register file: a plain (non-predicate)
// register operand. The frame's registers are the ones ExecContext uses (an ALU instruction
// pushes no frame).
inline bool is_plain_register(const Operand& o) { return o.kind == OperandKind::Reg && !o.pred; }

// The lanes of plain register `o` as an array of `T` when its lanes are sizeof(T) bytes wide
// (uint32_t: a 32-bit register, uint64_t: a 64-bit one); null for any other operand or width.
template <typename T>
inline T* register_row(ExecContext& ctx, const Operand& o) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  if (!is_plain_register(o) || reg_slot::lane_shift(o.slot) != (sizeof(T) == 8 ? 3u : 2u)) return nullptr;
  return reinterpret_cast<T*>(ctx.register_rows() + reg_slot::row_offset(o.slot));
}

// A source operand that is a plain register or an immediate, read per lane without ExecContext::get's
// dispatch; `ok` is false for every other operand kind (the caller then takes the general path).
// A register's lanes are copied out, zero-extended, once for the instruction (one typed loop over
// the row) rather than decoded per lane.
struct LaneSource {
  uint64_t lanes[32];
  uint64_t imm = 0;
  bool is_register = false;
  bool ok = false;
  uint64_t at(unsigned lane) const { return is_register ? lanes[lane] : imm; }
};
inline void take_lane_source(ExecContext& ctx, const Operand& o, LaneSource& s) {
  if (o.kind == OperandKind::Imm) {
    s.imm = o.imm, s.ok = true;
  } else if (is_plain_register(o)) {
    read_register_lanes(ctx.register_rows(), o.slot, ~0u, s.lanes);
    s.is_register = s.ok = true;
  }
}

// take_lane_source for predicate registers too: their lanes read as ExecContext::get reads them
// (0 or 1, flipped for "!%p").
inline void take_value_source(ExecContext& ctx, const Operand& o, LaneSource& s) {
  if (o.kind == OperandKind::Reg && o.pred) {
    read_register_lanes(ctx.register_rows(), o.slot, ~0u, s.lanes);
    const uint64_t flip = o.negate ? 1 : 0;
    for (unsigned l = 0; l < 32; ++l) s.lanes[l] = (s.lanes[l] & 1) ^ flip;
    s.is_register = s.ok = true;
    return;
  }
  take_lane_source(ctx, o, s);
}

// Writes value(lane), truncated to the register's width, into register `dst` (a predicate too:
// the same bits ExecContext::set writes) for the lanes in `mask`: the lane width chosen once for
// the instruction rather than per lane.
template <typename Value>
inline void write_register_row(ExecContext& ctx, const Operand& dst, uint32_t mask, Value value) {
  uint8_t* rows = ctx.register_rows();
  const uint64_t keep = ~0ull >> dst.value_shift;
  if (reg_slot::lane_shift(dst.slot) == 2) {
    uint32_t* d = reinterpret_cast<uint32_t*>(rows + reg_slot::row_offset(dst.slot));
    if (mask == ~0u) {  // a converged warp: a plain loop the compiler can vectorise
      for (unsigned l = 0; l < 32; ++l) d[l] = uint32_t(value(l) & keep);
      return;
    }
    for_each_lane(mask, [&](unsigned l) { d[l] = uint32_t(value(l) & keep); });
  } else if (reg_slot::lane_shift(dst.slot) == 3) {
    uint64_t* d = reinterpret_cast<uint64_t*>(rows + reg_slot::row_offset(dst.slot));
    if (mask == ~0u) {
      for (unsigned l = 0; l < 32; ++l) d[l] = value(l) & keep;
      return;
    }
    for_each_lane(mask, [&](unsigned l) { d[l] = value(l) & keep; });
  } else if (reg_slot::lane_shift(dst.slot) == 0) {  // predicates and 8-bit registers
    uint8_t* d = rows + reg_slot::row_offset(dst.slot);
    for_each_lane(mask, [&](unsigned l) { d[l] = uint8_t(value(l) & keep); });
  } else {
    for_each_lane(mask, [&](unsigned l) { write_register_lane(rows, dst.slot, l, value(l) & keep); });
  }
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
// An f16/bf16 add/sub ptxas contracts with its mul (isa/fma_contraction.h): one rounding.
void half_fused_add_sub(ExecContext& ctx, const Instruction& in);
void half_fma(ExecContext& ctx, const Instruction& in);
void half_min_max(ExecContext& ctx, const Instruction& in);

}  // namespace gpusim::isa::alu
