// f16 / bf16 arithmetic, scalar and packed (x2: the operation on each 16-bit half):
// add/sub/mul/fma with .rn (and the directed modes the numerics support), .ftz, .sat, .relu;
// min/max with .ftz, .NaN, .xorsign.abs.
#include "isa/exec_alu_support.h"
#include "isa/numerics/half.h"

namespace gpusim::isa::alu {
using namespace numerics;

namespace {

HalfMods half_mods(ExecContext& ctx, const Instruction& in) {
  HalfMods m;
  switch (in.mod.rnd) {
    case Rounding::None: case Rounding::Rn: m.rnd = Rounding::Rn; break;
    case Rounding::Rz: case Rounding::Rm: case Rounding::Rp: m.rnd = in.mod.rnd; break;
    default: unsupported(ctx, in, "rounding modifier on a half-precision instruction");
  }
  m.ftz = in.mod.ftz;
  m.sat = in.mod.sat;
  m.relu = in.mod.relu;
  return m;
}

// Applies fn to the low (and for x2 types also the high) 16-bit halves of the operands.
template <typename Fn>
void per_half(ExecContext& ctx, const Instruction& in, unsigned nsrc, Fn fn) {
  const DataType t = require_type(ctx, in);
  const unsigned halves = is_packed_half(t) ? 2 : 1;
  for_each_lane(ctx.mask, [&](unsigned l) {
    uint64_t src[3] = {0, 0, 0};
    for (unsigned i = 0; i < nsrc; ++i) src[i] = ctx.get(in.ops[1 + i], l);
    uint64_t r = 0;
    for (unsigned h = 0; h < halves; ++h) {
      auto part = [&](unsigned i) { return uint16_t(src[i] >> (16 * h)); };
      r |= uint64_t(uint16_t(fn(part(0), part(1), part(2)))) << (16 * h);
    }
    ctx.set(in.ops[0], l, r);
  });
}

FloatFormat half_format(DataType t) {
  return (t == DataType::BF16 || t == DataType::BF16x2) ? kBF16 : kF16;
}

}  // namespace

void half_add_sub_mul(ExecContext& ctx, const Instruction& in) {
  const FloatFormat f = half_format(require_type(ctx, in));
  const HalfMods m = half_mods(ctx, in);
  const HalfOp op = in.op == Opcode::Add ? HalfOp::Add : in.op == Opcode::Sub ? HalfOp::Sub : HalfOp::Mul;
  per_half(ctx, in, 2, [&](uint16_t a, uint16_t b, uint16_t) { return half_arith(op, a, b, f, m); });
}

void half_fused_add_sub(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  const FloatFormat f = half_format(t);
  const HalfMods m = half_mods(ctx, in);
  const unsigned halves = is_packed_half(t) ? 2 : 1;
  const bool sub = in.op == Opcode::Sub, product_first = in.fused_product == 1;
  const Operand& other = in.ops[product_first ? 2 : 1];
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = ctx.get(in.ops[3], l), b = ctx.get(in.ops[4], l), c = ctx.get(other, l);
    uint64_t r = 0;
    for (unsigned h = 0; h < halves; ++h) {
      uint16_t x = uint16_t(a >> (16 * h)), z = uint16_t(c >> (16 * h));
      const uint16_t y = uint16_t(b >> (16 * h));
      if (sub && product_first) z ^= 0x8000;   // a*b - c
      if (sub && !product_first) x ^= 0x8000;  // c - a*b
      r |= uint64_t(numerics::half_fma(x, y, z, f, m)) << (16 * h);
    }
    ctx.set(in.ops[0], l, r);
  });
}

void half_fma(ExecContext& ctx, const Instruction& in) {
  const FloatFormat f = half_format(require_type(ctx, in));
  const HalfMods m = half_mods(ctx, in);
  per_half(ctx, in, 3, [&](uint16_t a, uint16_t b, uint16_t c) { return numerics::half_fma(a, b, c, f, m); });
}

void half_min_max(ExecContext& ctx, const Instruction& in) {
  const FloatFormat f = half_format(require_type(ctx, in));
  MinMaxMods m;
  m.ftz = in.mod.ftz;
  m.propagate_nan = in.mod.nan;
  m.xorsign_abs = in.mod.xorsign;
  const bool is_min = in.op == Opcode::Min;
  const bool relu = in.mod.relu;
  per_half(ctx, in, 2, [&](uint16_t a, uint16_t b, uint16_t) {
    uint64_t r = is_min ? float_min(a, b, f, m) : float_max(a, b, f, m);
    return relu ? finish_float_result(r, f, false, false, true) : r;
  });
}

}  // namespace gpusim::isa::alu
