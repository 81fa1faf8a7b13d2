// cvt: integer <-> integer (extend/truncate, .sat), float -> integer (.rni/.rzi/.rmi/.rpi,
// saturating; NaN -> 0 or MININT as numerics/convert.h says), integer -> float and float -> float (rounded once under
// .rn/.rz/.rm/.rp/.rna, .ftz, .sat, .relu), same-size float rounding to integral values, and the
// packing forms cvt.rn.{f16x2,bf16x2}.f32 d, a, b (a -> upper half, b -> lower half), .satfinite,
// the FP8 pairs (cvt.rn.satfinite.{e4m3x2,e5m2x2}.{f32,f16x2}, cvt.rn.f16x2.{e4m3x2,e5m2x2}) and
// the integer packing cvt.pack.sat.
#include <bit>

#include "isa/exec_alu_support.h"
#include "isa/numerics/fp8.h"
#include "isa/numerics/half.h"
#include "isa/numerics/rounding.h"

namespace gpusim::isa {
using namespace alu;
using namespace numerics;

namespace {

bool is_integer_rounding(Rounding r) {
  return r == Rounding::Rni || r == Rounding::Rzi || r == Rounding::Rmi || r == Rounding::Rpi;
}
bool is_float_rounding(Rounding r) {
  return r == Rounding::Rn || r == Rounding::Rz || r == Rounding::Rm || r == Rounding::Rp || r == Rounding::Rna;
}

uint64_t largest_finite(const FloatFormat& f) {
  const uint64_t exp = (uint64_t(1) << f.exp_bits) - 2, mant = (uint64_t(1) << f.mant_bits) - 1;
  return ((exp << f.mant_bits) | mant) << f.pad_bits();
}

uint64_t float_to_float(ExecContext& ctx, const Instruction& in, uint64_t v, DataType st, DataType dt) {
  const FloatFormat sf = format_of(ctx, st), df = format_of(ctx, dt);
  const Rounding r = in.mod.rnd;
  if (in.mod.ftz && st == DataType::F32) v = flush_subnormal(v, sf);
  uint64_t res;
  if (st == dt || (sf.exp_bits == df.exp_bits && sf.mant_bits == df.mant_bits)) {
    if (is_integer_rounding(r)) {
      if (st == DataType::F32) res = f32_round_integral(uint32_t(v), r);
      else if (st == DataType::F64) res = f64_round_integral(v, r);
      else res = from_double(std::bit_cast<double>(f64_round_integral(std::bit_cast<uint64_t>(to_double(v, sf)), r)), df, Rounding::Rn);
    } else if (r == Rounding::None) {
      res = is_nan(v, sf) ? canonical_nan(df) : v;
    } else {
      unsupported(ctx, in, "rounding modifier for a same-type float cvt (use .rni/.rzi/.rmi/.rpi)");
    }
  } else {
    const bool widening = sf.mant_bits <= df.mant_bits && sf.exp_bits <= df.exp_bits;
    if (!widening && !is_float_rounding(r)) unsupported(ctx, in, "narrowing float cvt without .rn/.rz/.rm/.rp/.rna");
    if (r == Rounding::Rna && dt != DataType::TF32) unsupported(ctx, in, ".rna (only cvt.rna.tf32.f32)");
    if (is_integer_rounding(r)) unsupported(ctx, in, "integer rounding on a float-to-float cvt between formats");
    res = convert_float(v, sf, df, widening ? Rounding::Rn : r);
  }
  const bool flush_out = in.mod.ftz && dt == DataType::F32;
  res = finish_float_result(res, df, flush_out, in.mod.sat, in.mod.relu);
  // .satfinite: a result beyond the largest finite value (infinite inputs included) becomes the
  // largest finite value of the same sign; NaN stays NaN.
  if (in.mod.satfinite && is_inf(res, df)) res = (res & df.sign_mask()) | largest_finite(df);
  return res;
}

uint64_t convert_scalar(ExecContext& ctx, const Instruction& in, uint64_t v, DataType st, DataType dt) {
  const bool sfloat = is_float_type(st), dfloat = is_float_type(dt);
  if (!sfloat && !dfloat) {
    if (in.mod.rnd != Rounding::None) unsupported(ctx, in, "rounding modifier on an integer-to-integer cvt");
    return convert_int(v, int_type_of(st), int_type_of(dt), in.mod.sat);
  }
  if (sfloat && !dfloat) {
    if (!is_integer_rounding(in.mod.rnd)) unsupported(ctx, in, "float-to-integer cvt without .rni/.rzi/.rmi/.rpi");
    return float_to_int(v, format_of(ctx, st), int_type_of(dt), in.mod.rnd, in.mod.ftz && st == DataType::F32);
  }
  if (!sfloat) {
    Rounding r = in.mod.rnd == Rounding::None ? Rounding::Rn : in.mod.rnd;
    if (!is_float_rounding(r) || r == Rounding::Rna) unsupported(ctx, in, "rounding modifier for an integer-to-float cvt");
    const FloatFormat df = format_of(ctx, dt);
    const uint64_t res = int_to_float(v, int_type_of(st), df, r);
    return finish_float_result(res, df, in.mod.ftz && dt == DataType::F32, in.mod.sat, in.mod.relu);
  }
  return float_to_float(ctx, in, v, st, dt);
}

Fp8Kind fp8_kind(DataType t) { return t == DataType::E4M3x2 ? Fp8Kind::E4M3 : Fp8Kind::E5M2; }
bool is_fp8_pair(DataType t) { return t == DataType::E4M3x2 || t == DataType::E5M2x2; }

// cvt.rn.satfinite{.relu}.{e4m3x2,e5m2x2}.f32 d, a, b (a -> upper byte) and .f16x2 d, a.
void convert_to_fp8(ExecContext& ctx, const Instruction& in, DataType dt, DataType st) {
  if (in.mod.rnd != Rounding::Rn || !in.mod.satfinite)
    unsupported(ctx, in, "FP8 conversion without .rn.satfinite");
  if (st != DataType::F32 && st != DataType::F16x2) unsupported(ctx, in, "FP8 conversion from a type other than f32/f16x2");
  const bool pair_of_f32 = st == DataType::F32;
  if (pair_of_f32 != (in.nops == 3)) unsupported(ctx, in, "FP8 pair conversion operand count");
  const FloatFormat sf = pair_of_f32 ? kF32 : kF16;
  for_each_lane(ctx.mask, [&](unsigned l) {
    uint64_t hi, lo;
    if (pair_of_f32) {
      hi = ctx.get(in.ops[1], l), lo = ctx.get(in.ops[2], l);
    } else {
      const uint64_t v = ctx.get(in.ops[1], l);
      hi = (v >> 16) & 0xffff, lo = v & 0xffff;
    }
    const uint8_t h = encode_fp8_satfinite(unpack(hi, sf), fp8_kind(dt), in.mod.relu);
    const uint8_t b = encode_fp8_satfinite(unpack(lo, sf), fp8_kind(dt), in.mod.relu);
    ctx.set(in.ops[0], l, (uint64_t(h) << 8) | b);
  });
}

// cvt.rn{.relu}.f16x2.{e4m3x2,e5m2x2} d, a: both bytes widened exactly.
void convert_from_fp8(ExecContext& ctx, const Instruction& in, DataType dt, DataType st) {
  if (dt != DataType::F16x2 || in.mod.rnd != Rounding::Rn) unsupported(ctx, in, "FP8 source (only cvt.rn.f16x2.<fp8x2>)");
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t v = ctx.get(in.ops[1], l);
    uint64_t r = 0;
    for (unsigned half = 0; half < 2; ++half) {
      uint64_t h = fp8_to_f16(uint8_t(v >> (8 * half)), fp8_kind(st));
      if (in.mod.relu && !is_nan(h, kF16) && (h & 0x8000)) h = 0;
      r |= h << (16 * half);
    }
    ctx.set(in.ops[0], l, r);
  });
}

// cvt.pack.sat.{u16,s16}.s32 d, a, b and cvt.pack.sat.{u8,s8,u4,s4,u2,s2}.s32.b32 d, a, b, c:
// a and b saturate to the field type; a lands above b, and c's low bits fill the rest of d.
void convert_pack(ExecContext& ctx, const Instruction& in) {
  const DataType dt = require_type(ctx, in, 0);
  const unsigned size = type_bits(dt);
  const bool wide = size == 16;
  if (type_at(in, 1) != DataType::S32 || (wide ? in.mod.ntypes != 2 || in.nops != 3 : in.mod.ntypes != 3 || in.nops != 4))
    unsupported(ctx, in, "cvt.pack form (expected .u16/.s16.s32 d,a,b or .u8/.s8/.u4/.s4/.u2/.s2.s32.b32 d,a,b,c)");
  const int64_t lo = type_is_signed(dt) ? -(int64_t(1) << (size - 1)) : 0;
  const int64_t hi = type_is_signed(dt) ? (int64_t(1) << (size - 1)) - 1 : (int64_t(1) << size) - 1;
  const uint64_t field = (uint64_t(1) << size) - 1;
  auto sat = [&](uint64_t v) {
    int64_t x = int64_t(int32_t(uint32_t(v)));
    x = x < lo ? lo : (x > hi ? hi : x);
    return uint64_t(x) & field;
  };
  for_each_lane(ctx.mask, [&](unsigned l) {
    uint64_t d = (sat(ctx.get(in.ops[1], l)) << size) | sat(ctx.get(in.ops[2], l));
    if (!wide) d |= ctx.get(in.ops[3], l) << (2 * size);
    ctx.set(in.ops[0], l, d & 0xffffffffu);
  });
}

}  // namespace

void exec_Cvt(ExecContext& ctx, const Instruction& in) {
  if (in.mod.pack) return convert_pack(ctx, in);
  const DataType dt = require_type(ctx, in, 0), st = require_type(ctx, in, 1);
  if (is_fp8_pair(dt)) return convert_to_fp8(ctx, in, dt, st);
  if (is_fp8_pair(st)) return convert_from_fp8(ctx, in, dt, st);
  if (is_packed_half(st)) unsupported(ctx, in, "packed source type");
  if (is_packed_half(dt)) {
    if (st != DataType::F32) unsupported(ctx, in, "packed destination from a non-f32 source");
    if (!is_float_rounding(in.mod.rnd) || in.mod.rnd == Rounding::Rna) unsupported(ctx, in, "packing cvt without .rn/.rz/.rm/.rp");
    const DataType elem = dt == DataType::F16x2 ? DataType::F16 : DataType::BF16;
    for_each_lane(ctx.mask, [&](unsigned l) {
      const uint64_t hi = float_to_float(ctx, in, ctx.get(in.ops[1], l), st, elem);
      const uint64_t lo = float_to_float(ctx, in, ctx.get(in.ops[2], l), st, elem);
      ctx.set(in.ops[0], l, ((hi & 0xffff) << 16) | (lo & 0xffff));
    });
    return;
  }
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, convert_scalar(ctx, in, ctx.get(in.ops[1], l), st, dt)); });
}

}  // namespace gpusim::isa
