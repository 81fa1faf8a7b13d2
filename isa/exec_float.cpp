// f32/f64 arithmetic (add/sub/mul/fma/mad/div with rounding modes, .ftz, .sat), the SFU
// functions (rcp, sqrt, rsqrt, ex2, lg2, sin, cos, tanh), abs/neg/min/max on all float types,
// copysign and testp. f16/bf16 arithmetic lives in exec_half.cpp.
#include <bit>
#include <cmath>
#include <string>

#include "isa/exec_alu_support.h"
#include "isa/numerics/approx.h"
#include "isa/numerics/half.h"
#include "isa/numerics/rounding.h"

namespace gpusim::isa {
using namespace alu;
using namespace numerics;

namespace {

// The IEEE rounding mode of an arithmetic instruction (none written = .rn).
Rounding arith_rounding(ExecContext& ctx, const Instruction& in) {
  switch (in.mod.rnd) {
    case Rounding::None: case Rounding::Rn: return Rounding::Rn;
    case Rounding::Rz: case Rounding::Rm: case Rounding::Rp: return in.mod.rnd;
    default: unsupported(ctx, in, "rounding modifier for a float arithmetic instruction");
  }
}

uint64_t flush_if(uint64_t v, FloatFormat f, bool ftz) { return ftz ? flush_subnormal(v, f) : v; }

// Applies `fn` to each 16-bit half of packed operands, or once to scalar ones.
template <typename Fn>
uint64_t per_element(DataType t, uint64_t a, Fn fn) {
  if (!is_packed_half(t)) return fn(a);
  return (fn(a & 0xffff) & 0xffff) | ((fn((a >> 16) & 0xffff) & 0xffff) << 16);
}

template <typename Fn>
void float_unary(ExecContext& ctx, const Instruction& in, Fn fn) {
  const DataType t = require_type(ctx, in);
  const FloatFormat f = format_of(ctx, t);
  for_each_lane(ctx.mask, [&](unsigned l) {
    ctx.set(in.ops[0], l, per_element(t, ctx.get(in.ops[1], l), [&](uint64_t v) { return fn(v, f); }));
  });
}

void require_f32(ExecContext& ctx, const Instruction& in, DataType t) {
  if (t != DataType::F32) unsupported(ctx, in, "type (only .f32 exists for this .approx function)");
}

// rcp/sqrt: IEEE-rounded forms for f32/f64, .approx forms through numerics/approx.
void rounded_or_approx(ExecContext& ctx, const Instruction& in, ApproxFn fn) {
  const DataType t = require_type(ctx, in);
  const bool ftz = in.mod.ftz;
  if (in.mod.approx) {
    if (t == DataType::F64) {
      if (fn == ApproxFn::Rcp && !ftz) unsupported(ctx, in, "rcp.approx.f64 (PTX requires .ftz)");
      return float_unary(ctx, in, [&](uint64_t v, FloatFormat) { return approx_f64(fn, v, ftz); });
    }
    require_f32(ctx, in, t);
    return float_unary(ctx, in, [&](uint64_t v, FloatFormat) { return uint64_t(approx_f32(fn, uint32_t(v), ftz)); });
  }
  if (in.mod.rnd == Rounding::None) unsupported(ctx, in, "form: needs .approx or a rounding modifier");
  const Rounding r = arith_rounding(ctx, in);
  const bool is_rcp = fn == ApproxFn::Rcp;
  float_unary(ctx, in, [&](uint64_t v, FloatFormat f) -> uint64_t {
    v = flush_if(v, f, ftz);
    uint64_t res;
    if (t == DataType::F32) res = is_rcp ? f32_rcp(uint32_t(v), r) : f32_sqrt(uint32_t(v), r);
    else if (t == DataType::F64) res = is_rcp ? f64_rcp(v, r) : f64_sqrt(v, r);
    else unsupported(ctx, in, "type");
    return flush_if(res, f, ftz);
  });
}

// ex2 / tanh also exist on f16 and bf16 (scalar and x2); the rest are f32 only.
void sfu_approx(ExecContext& ctx, const Instruction& in, ApproxFn fn, bool has_half_forms) {
  const DataType t = require_type(ctx, in);
  if (!in.mod.approx) unsupported(ctx, in, "form: PTX defines only the .approx variant");
  if (is_half_type(t) && has_half_forms) {
    const bool bf = t == DataType::BF16 || t == DataType::BF16x2;
    return float_unary(ctx, in, [&](uint64_t v, FloatFormat) { return uint64_t(approx_f16(fn, uint16_t(v), bf)); });
  }
  if (t == DataType::F64 && fn == ApproxFn::Rsqrt) {
    return float_unary(ctx, in, [&](uint64_t v, FloatFormat) { return approx_f64(fn, v, in.mod.ftz); });
  }
  require_f32(ctx, in, t);
  float_unary(ctx, in, [&](uint64_t v, FloatFormat) { return uint64_t(approx_f32(fn, uint32_t(v), in.mod.ftz)); });
}

}  // namespace

namespace alu {

// An add/sub ptxas contracts with the mul of one of its sources (isa/fma_contraction.h): one
// rounding of a*b + c from the mul's operands (ops[3], ops[4]); sub negates c (product first) or
// the product (product second), as the FMA ptxas emits does.
void fused_add_sub(ExecContext& ctx, const Instruction& in) {
  const DataType t = in.mod.types[0];
  const FloatFormat f = format_of(ctx, t);
  const uint64_t sign = t == DataType::F32 ? uint64_t(1) << 31 : uint64_t(1) << 63;
  const bool sub = in.op == Opcode::Sub, product_first = in.fused_product == 1;
  const Operand& other = in.ops[product_first ? 2 : 1];
  for_each_lane(ctx.mask, [&](unsigned l) {
    uint64_t a = flush_if(ctx.get(in.ops[3], l), f, in.mod.ftz), b = flush_if(ctx.get(in.ops[4], l), f, in.mod.ftz);
    uint64_t c = flush_if(ctx.get(other, l), f, in.mod.ftz);
    if (sub && product_first) c ^= sign;   // a*b - c
    if (sub && !product_first) a ^= sign;  // c - a*b = (-a)*b + c
    const uint64_t res = t == DataType::F32 ? f32_fma(uint32_t(a), uint32_t(b), uint32_t(c), Rounding::Rn)
                                            : f64_fma(a, b, c, Rounding::Rn);
    ctx.set(in.ops[0], l, finish_float_result(res, f, in.mod.ftz, false, false));
  });
}

void float_add_sub_mul(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  if (in.fused_product) return is_half_type(t) ? half_fused_add_sub(ctx, in) : fused_add_sub(ctx, in);
  if (is_half_type(t)) return half_add_sub_mul(ctx, in);
  const FloatFormat f = format_of(ctx, t);
  const Rounding r = arith_rounding(ctx, in);
  const ArithOp op = in.op == Opcode::Add ? ArithOp::Add : in.op == Opcode::Sub ? ArithOp::Sub : ArithOp::Mul;
  if (in.mod.mul != MulMode::None) unsupported(ctx, in, ".lo/.hi/.wide on a float type");
  if (t == DataType::F32 && !in.mod.ftz && !in.mod.sat) {
    // Plain f32 add/sub/mul: f32_arith's result is final (canonical NaN included).
    LaneSource a, b;
    take_lane_source(ctx, in.ops[1], a), take_lane_source(ctx, in.ops[2], b);
    uint32_t* d = register_row<uint32_t>(ctx, in.ops[0]);
    if (r == Rounding::Rn && a.ok && b.ok && d) {
      // Registers or immediates into a 32-bit register, round to nearest (the host's mode outside
      // numerics' scoped switches): f32_arith's host operation on the sources taken once as rows,
      // NaN made canonical.
      const uint32_t qnan = uint32_t(canonical_nan(kF32));
      auto each = [&](auto fn) {
        for_each_lane(ctx.mask, [&](unsigned l) {
          const float res = fn(std::bit_cast<float>(uint32_t(a.at(l))), std::bit_cast<float>(uint32_t(b.at(l))));
          d[l] = std::isnan(res) ? qnan : std::bit_cast<uint32_t>(res);
        });
      };
      if (op == ArithOp::Add) each([](float x, float y) { return x + y; });
      else if (op == ArithOp::Sub) each([](float x, float y) { return x - y; });
      else each([](float x, float y) { return x * y; });
      return;
    }
    for_each_lane(ctx.mask, [&](unsigned l) {
      ctx.set(in.ops[0], l, f32_arith(op, uint32_t(ctx.get(in.ops[1], l)), uint32_t(ctx.get(in.ops[2], l)), r));
    });
    return;
  }
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = flush_if(ctx.get(in.ops[1], l), f, in.mod.ftz), b = flush_if(ctx.get(in.ops[2], l), f, in.mod.ftz);
    uint64_t res;
    if (t == DataType::F32) res = f32_arith(op, uint32_t(a), uint32_t(b), r);
    else if (t == DataType::F64) res = f64_arith(op, a, b, r);
    else unsupported(ctx, in, "type");
    ctx.set(in.ops[0], l, finish_float_result(res, f, in.mod.ftz, in.mod.sat, false));
  });
}

// fma and mad on f32/f64: one rounding of a*b+c (mad.f32 is fma.rn.f32 on every target we model).
void float_mad_fma(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  if (is_half_type(t)) return half_fma(ctx, in);
  const FloatFormat f = format_of(ctx, t);
  const Rounding r = arith_rounding(ctx, in);
  if (t == DataType::F32 && !in.mod.ftz && !in.mod.sat) {
    // The common fma.rn.f32 without .ftz/.sat: f32_fma already returns the canonical NaN, and
    // finish_float_result has nothing else to do, so the per-lane work is the fma alone.
    const uint32_t *a = register_row<uint32_t>(ctx, in.ops[1]), *b = register_row<uint32_t>(ctx, in.ops[2]);
    const uint32_t* c = register_row<uint32_t>(ctx, in.ops[3]);
    uint32_t* d = register_row<uint32_t>(ctx, in.ops[0]);
    if (r == Rounding::Rn && a && b && c && d) {
      // All 32-bit registers, round to nearest (the host's mode outside numerics' scoped
      // switches): the same host fma as f32_fma, on register lanes taken once, NaN results made
      // canonical. (A 32-bit-wide lane keeps all 32 bits: no truncation to do.)
      const uint32_t qnan = uint32_t(canonical_nan(kF32));
      for_each_lane(ctx.mask, [&](unsigned l) {
        const float res = std::fma(std::bit_cast<float>(a[l]), std::bit_cast<float>(b[l]), std::bit_cast<float>(c[l]));
        d[l] = std::isnan(res) ? qnan : std::bit_cast<uint32_t>(res);
      });
      return;
    }
    for_each_lane(ctx.mask, [&](unsigned l) {
      ctx.set(in.ops[0], l, f32_fma(uint32_t(ctx.get(in.ops[1], l)), uint32_t(ctx.get(in.ops[2], l)),
                                    uint32_t(ctx.get(in.ops[3], l)), r));
    });
    return;
  }
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = flush_if(ctx.get(in.ops[1], l), f, in.mod.ftz), b = flush_if(ctx.get(in.ops[2], l), f, in.mod.ftz);
    const uint64_t c = flush_if(ctx.get(in.ops[3], l), f, in.mod.ftz);
    uint64_t res;
    if (t == DataType::F32) res = f32_fma(uint32_t(a), uint32_t(b), uint32_t(c), r);
    else if (t == DataType::F64) res = f64_fma(a, b, c, r);
    else unsupported(ctx, in, "type");
    ctx.set(in.ops[0], l, finish_float_result(res, f, in.mod.ftz, in.mod.sat, false));
  });
}

// div.rn/rz/rm/rp: IEEE quotient. div.full.f32: the correctly rounded quotient (within the
// documented 2 ulp). div.approx.f32: a * rcp.approx(b), two roundings as the ISA describes; the
// reciprocal of 2^126 < |b| < 2^128 is subnormal and flushed, with or without .ftz, so the
// quotient is 0 for finite a and NaN for infinite a (CUDA's __fdividef documents both); a
// subnormal b (without .ftz) is scaled into range first.
void float_div(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  const FloatFormat f = format_of(ctx, t);
  const bool ftz = in.mod.ftz;
  if ((in.mod.approx || in.mod.full) && t != DataType::F32) unsupported(ctx, in, ".approx/.full (f32 only)");
  if (!in.mod.approx && !in.mod.full && in.mod.rnd == Rounding::None) unsupported(ctx, in, "div without .approx/.full/rounding");
  const Rounding r = (in.mod.approx || in.mod.full) ? Rounding::Rn : arith_rounding(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = flush_if(ctx.get(in.ops[1], l), f, ftz), b = flush_if(ctx.get(in.ops[2], l), f, ftz);
    uint64_t res;
    if (in.mod.approx && !ftz && (uint32_t(b) & 0x7f800000u) == 0 && (uint32_t(b) & 0x7fffffu) != 0) {
      // A subnormal divisor without .ftz: 1/b would overflow, yet the hardware gives a finite
      // quotient (libdevice's fmodf divides subnormals this way and is exact on GPUs). Both
      // operands scaled by 2^24 first (exact for b; a quotient that overflows stays infinite).
      const uint32_t scale = 0x4b800000u;  // 2^24
      res = f32_arith(ArithOp::Mul, f32_arith(ArithOp::Mul, uint32_t(a), scale, Rounding::Rn),
                      approx_f32(ApproxFn::Rcp, f32_arith(ArithOp::Mul, uint32_t(b), scale, Rounding::Rn), false),
                      Rounding::Rn);
    } else if (in.mod.approx) {
      const uint32_t reciprocal = uint32_t(flush_subnormal(approx_f32(ApproxFn::Rcp, uint32_t(b), ftz), f));
      res = f32_arith(ArithOp::Mul, uint32_t(a), reciprocal, Rounding::Rn);
    } else if (t == DataType::F32) {
      res = f32_arith(ArithOp::Div, uint32_t(a), uint32_t(b), r);
    } else if (t == DataType::F64) {
      res = f64_arith(ArithOp::Div, a, b, r);
    } else {
      unsupported(ctx, in, "type");
    }
    ctx.set(in.ops[0], l, finish_float_result(res, f, ftz, false, false));
  });
}

// abs/neg are sign-bit operations (NaN payloads kept, neg(NaN) flips the sign); .ftz first
// flushes a subnormal input.
void float_abs_neg(ExecContext& ctx, const Instruction& in) {
  const bool is_abs = in.op == Opcode::Abs;
  float_unary(ctx, in, [&](uint64_t v, FloatFormat f) {
    v = flush_if(v, f, in.mod.ftz);
    return is_abs ? (v & ~f.sign_mask()) : (v ^ f.sign_mask());
  });
}

void float_min_max(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  if (is_half_type(t)) return half_min_max(ctx, in);
  const FloatFormat f = format_of(ctx, t);
  MinMaxMods m;
  m.ftz = in.mod.ftz;
  m.propagate_nan = in.mod.nan;
  m.xorsign_abs = in.mod.xorsign;
  const bool is_min = in.op == Opcode::Min;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = ctx.get(in.ops[1], l), b = ctx.get(in.ops[2], l);
    ctx.set(in.ops[0], l, is_min ? float_min(a, b, f, m) : float_max(a, b, f, m));
  });
}

}  // namespace alu

void exec_Fma(ExecContext& ctx, const Instruction& in) {
  if (in.mod.rnd == Rounding::None) unsupported(ctx, in, "fma without a rounding modifier");
  float_mad_fma(ctx, in);
}
void exec_Rcp(ExecContext& ctx, const Instruction& in) { rounded_or_approx(ctx, in, ApproxFn::Rcp); }
void exec_Sqrt(ExecContext& ctx, const Instruction& in) { rounded_or_approx(ctx, in, ApproxFn::Sqrt); }
void exec_Rsqrt(ExecContext& ctx, const Instruction& in) { sfu_approx(ctx, in, ApproxFn::Rsqrt, false); }
void exec_Ex2(ExecContext& ctx, const Instruction& in) { sfu_approx(ctx, in, ApproxFn::Ex2, true); }
void exec_Lg2(ExecContext& ctx, const Instruction& in) { sfu_approx(ctx, in, ApproxFn::Lg2, false); }
void exec_Sin(ExecContext& ctx, const Instruction& in) { sfu_approx(ctx, in, ApproxFn::Sin, false); }
void exec_Cos(ExecContext& ctx, const Instruction& in) { sfu_approx(ctx, in, ApproxFn::Cos, false); }
void exec_Tanh(ExecContext& ctx, const Instruction& in) { sfu_approx(ctx, in, ApproxFn::Tanh, true); }

// copysign.type d, a, b: b's magnitude with a's sign (PTX operand order).
void exec_Copysign(ExecContext& ctx, const Instruction& in) {
  const FloatFormat f = format_of(ctx, require_type(ctx, in));
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = ctx.get(in.ops[1], l), b = ctx.get(in.ops[2], l);
    ctx.set(in.ops[0], l, (b & ~f.sign_mask()) | (a & f.sign_mask()));
  });
}


void exec_Testp(ExecContext& ctx, const Instruction& in) {
  const FloatFormat f = format_of(ctx, require_type(ctx, in));
  const TestpProperty op = in.mod.testp;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t v = ctx.get(in.ops[1], l);
    const bool nan = is_nan(v, f), inf = is_inf(v, f), zero = is_zero(v, f), sub = is_subnormal(v, f);
    bool r = false;
    switch (op) {
      case TestpProperty::Finite: r = !nan && !inf; break;
      case TestpProperty::Infinite: r = inf; break;
      case TestpProperty::Number: r = !nan; break;
      case TestpProperty::NotANumber: r = nan; break;
      case TestpProperty::Normal: r = !nan && !inf && !zero && !sub; break;
      case TestpProperty::Subnormal: r = sub; break;
      case TestpProperty::None: ctx.fail_warp("testp without a property");
    }
    ctx.set(in.ops[0], l, r ? 1 : 0);
  });
}

}  // namespace gpusim::isa
