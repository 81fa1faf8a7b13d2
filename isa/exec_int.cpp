// Integer arithmetic: add/sub (+carry forms), mul/mad (.lo/.hi/.wide), mul24/mad24, sad,
// div/rem, abs/neg/min/max. The float forms of the shared mnemonics are forwarded to
// exec_float.cpp.
//
// Division by zero is left undefined by PTX; we define it as NVIDIA hardware behaves:
// unsigned x/0 = all ones, signed x/0 = -1, x%0 = x; and INT_MIN / -1 = INT_MIN with
// INT_MIN % -1 = 0 (two's complement wrap, no trap).
#include <algorithm>

#include "isa/exec_alu_support.h"

namespace gpusim::isa {
using namespace alu;

namespace {

using u128 = unsigned __int128;
using s128 = __int128;


// Full product of two values of type t (signed or unsigned), as 128 bits.
u128 full_product(uint64_t a, uint64_t b, DataType t) {
  if (type_is_signed(t)) return u128(s128(as_signed(a, t)) * s128(as_signed(b, t)));
  return u128(truncate(a, t)) * u128(truncate(b, t));
}

// mul/mad .lo/.hi/.wide selection of the full product.
uint64_t select_product(u128 p, DataType t, MulMode mode) {
  const unsigned w = type_bits(t);
  switch (mode) {
    case MulMode::Hi: return truncate(uint64_t(p >> w), t);
    case MulMode::Wide: return w >= 64 ? uint64_t(p) : numerics::truncate_bits(uint64_t(p), 2 * w);
    default: return truncate(uint64_t(p), t);
  }
}

int64_t clamp_s32(int64_t v) { return std::clamp<int64_t>(v, INT32_MIN, INT32_MAX); }

void int_add_sub(ExecContext& ctx, const Instruction& in, bool subtract, bool use_carry) {
  const DataType t = require_type(ctx, in);
  if (in.mod.sat && t != DataType::S32) unsupported(ctx, in, ".sat (only add/sub.sat.s32 exist)");
  const unsigned w = type_bits(t);
  if (!use_carry && !in.mod.cc && !in.mod.sat) {
    // Plain add/sub: no carry in or out, no clamp; the wrapped sum truncated to the type.
    LaneSource a, b;
    take_lane_source(ctx, in.ops[1], a), take_lane_source(ctx, in.ops[2], b);
    if (a.ok && b.ok && is_plain_register(in.ops[0])) {
      const uint64_t tm = truncate(~0ull, t);  // truncate() to the type, decided once
      if (subtract) write_register_row(ctx, in.ops[0], ctx.mask, [&](unsigned l) { return (a.at(l) - b.at(l)) & tm; });
      else write_register_row(ctx, in.ops[0], ctx.mask, [&](unsigned l) { return (a.at(l) + b.at(l)) & tm; });
      return;
    }
    for_each_lane(ctx.mask, [&](unsigned l) {
      const uint64_t a = ctx.get(in.ops[1], l), b = ctx.get(in.ops[2], l);
      ctx.set(in.ops[0], l, truncate(subtract ? a - b : a + b, t));
    });
    return;
  }
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = truncate(ctx.get(in.ops[1], l), t), b = truncate(ctx.get(in.ops[2], l), t);
    const uint64_t cin = use_carry && ctx.carry(l) ? 1 : 0;
    uint64_t r;
    bool cout;
    if (!subtract) {
      const u128 s = u128(a) + b + cin;
      r = uint64_t(s);
      cout = w == 64 ? (s >> 64) != 0 : ((s >> w) & 1) != 0;
    } else {
      // The condition code holds the hardware's carry, not a borrow: a - b is a + ~b + 1, so
      // sub.cc leaves CF = 1 when nothing was borrowed and subc computes a + ~b + CF
      // (= a - (b + borrow-in)). Chains of sub.cc/subc give the same words either way, but code
      // that reads the flag with addc after a subtraction (nvcc's own __int128 division does:
      // `subc.cc ...; addc.u32 %r, 0, 0` is 1 when the partial remainder stayed non-negative)
      // needs the carry.
      const uint64_t borrow_in = use_carry ? 1 - ctx.carry(l) : 0;
      r = a - b - borrow_in;
      cout = !(u128(a) < u128(b) + borrow_in);
    }
    if (in.mod.sat) {
      const int64_t x = as_signed(a, t), y = as_signed(b, t);
      r = uint64_t(clamp_s32(subtract ? x - y : x + y));
    }
    if (in.mod.cc) ctx.set_carry(l, cout);
    ctx.set(in.ops[0], l, truncate(r, t));
  });
}

// The product of mul/mad .lo or .wide of a 32-bit type (lanes zero-extended), without the 128-bit
// product: the low 32 bits are the same signed or unsigned, the wide one is the 64-bit product of
// the sign- or zero-extended halves.
template <DataType kType, MulMode kMode>
inline uint64_t product32(uint64_t a, uint64_t b) {
  if constexpr (kMode == MulMode::Lo) return uint32_t(uint32_t(a) * uint32_t(b));
  else if constexpr (kType == DataType::S32) return uint64_t(int64_t(int32_t(a)) * int64_t(int32_t(b)));
  else return uint64_t(uint32_t(a)) * uint32_t(b);
}

// mul / mad (no carry, no .sat) of plain registers and immediates, the operands taken once as
// rows: `term` is c's lanes for mad, null for mul. False (nothing written) for operand kinds
// the row form does not take; the caller then runs the per-lane loop.
template <DataType kType, MulMode kMode>
bool product_rows32(ExecContext& ctx, const Instruction& in, bool mad) {
  LaneSource a, b, c;
  take_lane_source(ctx, in.ops[1], a), take_lane_source(ctx, in.ops[2], b);
  if (mad) take_lane_source(ctx, in.ops[3], c);
  else c.ok = true;  // imm 0
  if (!a.ok || !b.ok || !c.ok || !is_plain_register(in.ops[0])) return false;
  constexpr uint64_t kResultMask = kMode == MulMode::Wide ? ~0ull : 0xffffffffull;
  write_register_row(ctx, in.ops[0], ctx.mask, [&](unsigned l) {
    return (product32<kType, kMode>(a.at(l), b.at(l)) + (c.at(l) & kResultMask)) & kResultMask;
  });
  return true;
}

// The row form of mul/mad for the types and modes nearly every kernel uses (.lo and .wide of
// .s32/.u32 for indices and addresses); false when it does not apply.
bool product_rows(ExecContext& ctx, const Instruction& in, DataType t, MulMode mode, bool mad) {
  if (!ctx.mask || in.mod.sat || in.mod.cc) return false;
  const bool s32 = t == DataType::S32, u32 = t == DataType::U32 || t == DataType::B32;
  if (mode == MulMode::Lo && (s32 || u32)) return product_rows32<DataType::U32, MulMode::Lo>(ctx, in, mad);
  if (mode == MulMode::Wide && s32) return product_rows32<DataType::S32, MulMode::Wide>(ctx, in, mad);
  if (mode == MulMode::Wide && u32) return product_rows32<DataType::U32, MulMode::Wide>(ctx, in, mad);
  return false;
}

// mad / madc (integer): (a*b).mode + c [+ CF].
void int_mad(ExecContext& ctx, const Instruction& in, bool use_carry) {
  const DataType t = require_type(ctx, in);
  const MulMode mode = in.mod.mul == MulMode::None ? MulMode::Lo : in.mod.mul;
  if (in.mod.sat && !(t == DataType::S32 && mode == MulMode::Hi)) unsupported(ctx, in, ".sat (only mad.hi.sat.s32)");
  const unsigned rw = mode == MulMode::Wide ? 2 * type_bits(t) : type_bits(t);
  if (rw > 64) unsupported(ctx, in, ".wide on a 64-bit type");
  if (!use_carry && product_rows(ctx, in, t, mode, true)) return;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t p = select_product(full_product(ctx.get(in.ops[1], l), ctx.get(in.ops[2], l), t), t, mode);
    const uint64_t c = numerics::truncate_bits(ctx.get(in.ops[3], l), rw);
    const uint64_t cin = use_carry && ctx.carry(l) ? 1 : 0;
    const u128 s = u128(p) + c + cin;
    uint64_t r = numerics::truncate_bits(uint64_t(s), rw);
    if (in.mod.sat) {
      r = uint64_t(clamp_s32(as_signed(p, t) + as_signed(c, t)));
    }
    if (in.mod.cc) ctx.set_carry(l, rw == 64 ? (s >> 64) != 0 : ((s >> rw) & 1) != 0);
    ctx.set(in.ops[0], l, numerics::truncate_bits(r, rw));
  });
}

// mul24/mad24: 24-bit operands (sign-extended for .s32), 48-bit product; .lo = bits 31..0,
// .hi = bits 47..16.
void mul24(ExecContext& ctx, const Instruction& in, bool add) {
  const DataType t = require_type(ctx, in);
  if (t != DataType::U32 && t != DataType::S32) unsupported(ctx, in, "type (mul24/mad24 take .u32/.s32)");
  if (in.mod.sat && !(add && t == DataType::S32 && in.mod.mul == MulMode::Hi)) unsupported(ctx, in, ".sat");
  const bool hi = in.mod.mul == MulMode::Hi;
  for_each_lane(ctx.mask, [&](unsigned l) {
    auto op24 = [&](unsigned i) {
      const uint64_t v = ctx.get(in.ops[i], l) & 0xffffff;
      return t == DataType::S32 ? numerics::sign_extend(v, 24) : int64_t(v);
    };
    const int64_t p = op24(1) * op24(2);
    uint64_t r = hi ? uint64_t(p >> 16) : uint64_t(p);
    if (add) {
      const uint64_t c = ctx.get(in.ops[3], l);
      r = in.mod.sat ? uint64_t(clamp_s32(as_signed(r, t) + as_signed(c, t))) : r + c;
    }
    ctx.set(in.ops[0], l, truncate(r, t));
  });
}

template <typename Fn>
void int_binary(ExecContext& ctx, const Instruction& in, Fn fn) {
  const DataType t = require_type(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned l) {
    ctx.set(in.ops[0], l, truncate(fn(ctx.get(in.ops[1], l), ctx.get(in.ops[2], l), t), t));
  });
}

uint64_t divide(uint64_t a, uint64_t b, DataType t, bool remainder) {
  if (type_is_signed(t)) {
    const int64_t x = as_signed(a, t), y = as_signed(b, t);
    if (y == 0) return remainder ? uint64_t(x) : ~uint64_t(0);
    if (y == -1) return remainder ? 0 : uint64_t(0) - uint64_t(x);  // wraps for INT_MIN
    return uint64_t(remainder ? x % y : x / y);
  }
  const uint64_t x = truncate(a, t), y = truncate(b, t);
  if (y == 0) return remainder ? x : ~uint64_t(0);
  return remainder ? x % y : x / y;
}

bool is_16x2(DataType t) { return t == DataType::S16x2 || t == DataType::U16x2; }

// add/sub/min/max .s16x2/.u16x2 (sm_90; the DPX intrinsics): each 16-bit half on its own.
// add/sub wrap; min/max .relu (signed halves only) clamps each half at 0.
void int_16x2(ExecContext& ctx, const Instruction& in, char op) {
  const DataType t = require_type(ctx, in);
  const bool is_signed = t == DataType::S16x2;
  if (in.mod.sat || in.mod.cc) unsupported(ctx, in, ".sat/.cc on a 16x2 type");
  if (in.mod.relu && (!is_signed || op == '+' || op == '-')) unsupported(ctx, in, ".relu (only min/max.relu.s16x2)");
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint32_t a = uint32_t(ctx.get(in.ops[1], l)), b = uint32_t(ctx.get(in.ops[2], l));
    uint32_t d = 0;
    for (unsigned half = 0; half < 2; ++half) {
      const uint32_t ua = (a >> (16 * half)) & 0xffff, ub = (b >> (16 * half)) & 0xffff;
      const int32_t x = is_signed ? int16_t(ua) : int32_t(ua), y = is_signed ? int16_t(ub) : int32_t(ub);
      int32_t r = op == '+' ? x + y : op == '-' ? x - y : op == '<' ? std::min(x, y) : std::max(x, y);
      if (in.mod.relu && r < 0) r = 0;
      d |= (uint32_t(r) & 0xffff) << (16 * half);
    }
    ctx.set(in.ops[0], l, d);
  });
}

}  // namespace

void exec_Add(ExecContext& ctx, const Instruction& in) {
  if (is_float_type(require_type(ctx, in))) return float_add_sub_mul(ctx, in);
  if (is_16x2(in.mod.types[0])) return int_16x2(ctx, in, '+');
  int_add_sub(ctx, in, false, false);
}
void exec_Sub(ExecContext& ctx, const Instruction& in) {
  if (is_float_type(require_type(ctx, in))) return float_add_sub_mul(ctx, in);
  if (is_16x2(in.mod.types[0])) return int_16x2(ctx, in, '-');
  int_add_sub(ctx, in, true, false);
}
void exec_Addc(ExecContext& ctx, const Instruction& in) { int_add_sub(ctx, in, false, true); }
void exec_Subc(ExecContext& ctx, const Instruction& in) { int_add_sub(ctx, in, true, true); }
void exec_Madc(ExecContext& ctx, const Instruction& in) { int_mad(ctx, in, true); }

void exec_Mul(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  if (is_float_type(t)) return float_add_sub_mul(ctx, in);
  const MulMode mode = in.mod.mul == MulMode::None ? MulMode::Lo : in.mod.mul;
  if (mode == MulMode::Wide && type_bits(t) == 64) unsupported(ctx, in, ".wide on a 64-bit type");
  if (product_rows(ctx, in, t, mode, false)) return;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const u128 p = full_product(ctx.get(in.ops[1], l), ctx.get(in.ops[2], l), t);
    ctx.set(in.ops[0], l, select_product(p, t, mode));
  });
}

void exec_Mad(ExecContext& ctx, const Instruction& in) {
  if (is_float_type(require_type(ctx, in))) return float_mad_fma(ctx, in);
  int_mad(ctx, in, false);
}
void exec_Mul24(ExecContext& ctx, const Instruction& in) { mul24(ctx, in, false); }
void exec_Mad24(ExecContext& ctx, const Instruction& in) { mul24(ctx, in, true); }

void exec_Sad(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = widen(ctx.get(in.ops[1], l), t), b = widen(ctx.get(in.ops[2], l), t);
    const bool a_less = type_is_signed(t) ? int64_t(a) < int64_t(b) : a < b;
    const uint64_t diff = a_less ? b - a : a - b;
    ctx.set(in.ops[0], l, truncate(ctx.get(in.ops[3], l) + diff, t));
  });
}

void exec_Div(ExecContext& ctx, const Instruction& in) {
  if (is_float_type(require_type(ctx, in))) return float_div(ctx, in);
  int_binary(ctx, in, [](uint64_t a, uint64_t b, DataType t) { return divide(a, b, t, false); });
}
void exec_Rem(ExecContext& ctx, const Instruction& in) {
  int_binary(ctx, in, [](uint64_t a, uint64_t b, DataType t) { return divide(a, b, t, true); });
}

void exec_Abs(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  if (is_float_type(t)) return float_abs_neg(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned l) {
    const int64_t v = as_signed(ctx.get(in.ops[1], l), t);
    ctx.set(in.ops[0], l, truncate(v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v), t));
  });
}
void exec_Neg(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  if (is_float_type(t)) return float_abs_neg(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, truncate(uint64_t(0) - ctx.get(in.ops[1], l), t)); });
}

namespace {
void int_min_max(ExecContext& ctx, const Instruction& in, bool want_min) {
  const DataType t = require_type(ctx, in);
  if (in.mod.relu && t != DataType::S32) unsupported(ctx, in, ".relu (integer form is .s32 only)");
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = widen(ctx.get(in.ops[1], l), t), b = widen(ctx.get(in.ops[2], l), t);
    const bool a_less = type_is_signed(t) ? int64_t(a) < int64_t(b) : a < b;
    uint64_t r = (a_less == want_min) ? a : b;
    if (in.mod.relu && int64_t(r) < 0) r = 0;
    ctx.set(in.ops[0], l, truncate(r, t));
  });
}
}  // namespace

void exec_Min(ExecContext& ctx, const Instruction& in) {
  if (is_float_type(require_type(ctx, in))) return float_min_max(ctx, in);
  if (is_16x2(in.mod.types[0])) return int_16x2(ctx, in, '<');
  int_min_max(ctx, in, true);
}
void exec_Max(ExecContext& ctx, const Instruction& in) {
  if (is_float_type(require_type(ctx, in))) return float_min_max(ctx, in);
  if (is_16x2(in.mod.types[0])) return int_16x2(ctx, in, '>');
  int_min_max(ctx, in, false);
}

}  // namespace gpusim::isa
