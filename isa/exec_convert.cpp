// cvt: integer <-> integer (extend/truncate, .sat), float -> integer (.rni/.rzi/.rmi/.rpi,
// saturating, NaN -> 0), integer -> float and float -> float (rounded once under
// .rn/.rz/.rm/.rp/.rna, .ftz, .sat, .relu), same-size float rounding to integral values, and the
// packing forms cvt.rn.{f16x2,bf16x2}.f32 d, a, b (a -> upper half, b -> lower half).
#include <bit>

#include "isa/exec_alu_support.h"
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
  return finish_float_result(res, df, flush_out, in.mod.sat, in.mod.relu);
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

}  // namespace

void exec_Cvt(ExecContext& ctx, const Instruction& in) {
  const DataType dt = require_type(ctx, in, 0), st = require_type(ctx, in, 1);
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
