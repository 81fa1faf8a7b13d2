// Comparison and selection: setp (with .and/.or/.xor combining and the "p|q" complement),
// set (integer or float result), selp, slct.
#include "isa/exec_alu_support.h"
#include "isa/numerics/float_format.h"

namespace gpusim::isa {
using namespace alu;
using namespace numerics;

namespace {

inline bool compare_int(CmpOp op, uint64_t a, uint64_t b, DataType t, ExecContext& ctx, const Instruction& in) {
  const uint64_t ua = truncate(a, t), ub = truncate(b, t);
  const int64_t sa = as_signed(a, t), sb = as_signed(b, t);
  const bool sgn = type_is_signed(t);
  switch (op) {
    case CmpOp::Eq: return ua == ub;
    case CmpOp::Ne: return ua != ub;
    case CmpOp::Lt: return sgn ? sa < sb : ua < ub;
    case CmpOp::Le: return sgn ? sa <= sb : ua <= ub;
    case CmpOp::Gt: return sgn ? sa > sb : ua > ub;
    case CmpOp::Ge: return sgn ? sa >= sb : ua >= ub;
    case CmpOp::Lo: return ua < ub;
    case CmpOp::Ls: return ua <= ub;
    case CmpOp::Hi: return ua > ub;
    case CmpOp::Hs: return ua >= ub;
    default: unsupported(ctx, in, "comparison for an integer type");
  }
}

// Float comparison of raw bits: ordered operators are false and unordered ones (…u) true when
// either input is NaN.
bool compare_float(CmpOp op, uint64_t a, uint64_t b, FloatFormat f, bool ftz, ExecContext& ctx,
                   const Instruction& in) {
  if (ftz) {
    a = flush_subnormal(a, f);
    b = flush_subnormal(b, f);
  }
  const bool unordered = is_nan(a, f) || is_nan(b, f);
  const double x = to_double(a, f), y = to_double(b, f);
  switch (op) {
    case CmpOp::Eq: return !unordered && x == y;
    case CmpOp::Ne: return !unordered && x != y;
    case CmpOp::Lt: return !unordered && x < y;
    case CmpOp::Le: return !unordered && x <= y;
    case CmpOp::Gt: return !unordered && x > y;
    case CmpOp::Ge: return !unordered && x >= y;
    case CmpOp::Equ: return unordered || x == y;
    case CmpOp::Neu: return unordered || x != y;
    case CmpOp::Ltu: return unordered || x < y;
    case CmpOp::Leu: return unordered || x <= y;
    case CmpOp::Gtu: return unordered || x > y;
    case CmpOp::Geu: return unordered || x >= y;
    case CmpOp::Num: return !unordered;
    case CmpOp::Nan: return unordered;
    default: unsupported(ctx, in, "comparison for a float type");
  }
}

bool combine(BoolOp op, bool t, bool c) {
  switch (op) {
    case BoolOp::And: return t && c;
    case BoolOp::Or: return t || c;
    case BoolOp::Xor: return t != c;
    default: return t;
  }
}

// The comparison result(s) for one lane: one per 16-bit half for packed types.
struct CompareResult { bool r[2]; unsigned n; };

CompareResult compare_lane(ExecContext& ctx, const Instruction& in, DataType t, unsigned l) {
  const uint64_t a = ctx.get(in.ops[1], l), b = ctx.get(in.ops[2], l);
  CompareResult res{{false, false}, 1};
  if (!is_float_type(t)) {
    res.r[0] = compare_int(in.mod.cmp, a, b, t, ctx, in);
    return res;
  }
  const FloatFormat f = format_of(ctx, t);
  if (!is_packed_half(t)) {
    res.r[0] = compare_float(in.mod.cmp, a, b, f, in.mod.ftz, ctx, in);
    return res;
  }
  res.n = 2;
  for (unsigned h = 0; h < 2; ++h)
    res.r[h] = compare_float(in.mod.cmp, (a >> (16 * h)) & 0xffff, (b >> (16 * h)) & 0xffff, f, in.mod.ftz, ctx, in);
  return res;
}

// Writes p (and q = !p) for every lane from `cmp` on the two sources' values.
template <typename Cmp>
void setp_lanes(ExecContext& ctx, const Instruction& in, const LaneSource& a, const LaneSource& b, Cmp cmp) {
  uint8_t* regs = ctx.register_rows();  // ExecContext's file; setp pushes no frame
  const uint32_t p = in.ops[0].slot;
  const bool has_q = in.ops[0].reg2 != kNoReg;
  const uint32_t q = has_q ? ctx.register_slot(in.ops[0].reg2) : 0;
  if (reg_slot::lane_shift(p) == 0 && reg_slot::lane_shift(q) == 0) {
    // Predicates (one byte per lane), the rows taken once.
    uint8_t* pl = regs + reg_slot::row_offset(p);
    uint8_t* ql = regs + reg_slot::row_offset(q);
    if (ctx.mask == ~0u) {  // a converged warp: plain loops the compiler can vectorise
      for (unsigned l = 0; l < 32; ++l) pl[l] = cmp(a.at(l), b.at(l));
      if (has_q)
        for (unsigned l = 0; l < 32; ++l) ql[l] = !pl[l];
      return;
    }
    for (uint32_t mask = ctx.mask; mask; mask &= mask - 1) {
      const unsigned l = unsigned(__builtin_ctz(mask));
      const bool r = cmp(a.at(l), b.at(l));
      pl[l] = r;
      if (has_q) ql[l] = !r;
    }
    return;
  }
  for (uint32_t mask = ctx.mask; mask; mask &= mask - 1) {
    const unsigned l = unsigned(__builtin_ctz(mask));
    const bool r = cmp(a.at(l), b.at(l));
    write_register_lane(regs, p, l, r);
    if (has_q) write_register_lane(regs, q, l, !r);
  }
}

// setp on an integer type from register/immediate sources: the operator chosen once per
// instruction, the values compared as compare_int does (signed or truncated unsigned).
void setp_int_lanes(ExecContext& ctx, const Instruction& in, DataType t, const LaneSource& a, const LaneSource& b) {
  const unsigned bits = type_bits(t);
  auto u = [bits](uint64_t v) { return numerics::truncate_bits(v, bits); };
  auto s = [bits](uint64_t v) { return numerics::sign_extend(v, bits); };
  const bool sgn = type_is_signed(t);
  switch (in.mod.cmp) {
    case CmpOp::Eq: return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return u(x) == u(y); });
    case CmpOp::Ne: return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return u(x) != u(y); });
    case CmpOp::Lt:
      if (sgn) return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return s(x) < s(y); });
      [[fallthrough]];
    case CmpOp::Lo: return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return u(x) < u(y); });
    case CmpOp::Le:
      if (sgn) return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return s(x) <= s(y); });
      [[fallthrough]];
    case CmpOp::Ls: return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return u(x) <= u(y); });
    case CmpOp::Gt:
      if (sgn) return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return s(x) > s(y); });
      [[fallthrough]];
    case CmpOp::Hi: return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return u(x) > u(y); });
    case CmpOp::Ge:
      if (sgn) return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return s(x) >= s(y); });
      [[fallthrough]];
    case CmpOp::Hs: return setp_lanes(ctx, in, a, b, [&](uint64_t x, uint64_t y) { return u(x) >= u(y); });
    default: unsupported(ctx, in, "comparison for an integer type");
  }
}

}  // namespace

// setp.cmp[.bool].type p[|q], a, b[, c]: p = cmp BOOL c, q = !cmp BOOL c. For f16x2/bf16x2 the
// lower half's result goes to p and the upper half's to q.
void exec_Setp(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  const bool has_c = in.mod.boolop != BoolOp::None;
  const uint32_t p = in.ops[0].reg, q = in.ops[0].reg2;
  if (!has_c && !is_float_type(t) && in.ops[0].kind == OperandKind::Reg && in.mod.cmp >= CmpOp::Eq &&
      in.mod.cmp <= CmpOp::Hs) {
    // Integer compare without a combining predicate (the loop-bound test): compare_int inline,
    // the operator known valid so that no lane can fault.
    LaneSource a, b;
    take_lane_source(ctx, in.ops[1], a), take_lane_source(ctx, in.ops[2], b);
    if (a.ok && b.ok) return setp_int_lanes(ctx, in, t, a, b);
    for_each_lane(ctx.mask, [&](unsigned l) {
      const bool r = compare_int(in.mod.cmp, ctx.get(in.ops[1], l), ctx.get(in.ops[2], l), t, ctx, in);
      ctx.set(p, l, r);
      if (q != kNoReg) ctx.set(q, l, !r);
    });
    return;
  }
  for_each_lane(ctx.mask, [&](unsigned l) {
    const CompareResult cr = compare_lane(ctx, in, t, l);
    const bool c = has_c ? ctx.get(in.ops[3], l) != 0 : false;
    if (cr.n == 2) {
      if (p != kNoReg) ctx.set(p, l, combine(in.mod.boolop, cr.r[0], c));
      if (q != kNoReg) ctx.set(q, l, combine(in.mod.boolop, cr.r[1], c));
      return;
    }
    if (p != kNoReg && in.ops[0].kind == OperandKind::Reg) ctx.set(p, l, combine(in.mod.boolop, cr.r[0], c));
    if (q != kNoReg) ctx.set(q, l, combine(in.mod.boolop, !cr.r[0], c));
  });
}

// set.cmp[.bool].dtype.stype d, a, b[, c]: integer destinations get all ones / 0, f32 gets
// 1.0 / 0.0; packed f16x2 sources produce a packed result per half.
void exec_Set(ExecContext& ctx, const Instruction& in) {
  const DataType dt = require_type(ctx, in, 0), st = require_type(ctx, in, 1);
  const bool has_c = in.mod.boolop != BoolOp::None;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const CompareResult cr = compare_lane(ctx, in, st, l);
    const bool c = has_c ? ctx.get(in.ops[3], l) != 0 : false;
    uint64_t out = 0;
    if (cr.n == 2) {
      for (unsigned h = 0; h < 2; ++h) {
        const bool r = combine(in.mod.boolop, cr.r[h], c);
        uint64_t v = 0;
        if (r) v = dt == DataType::F16x2 ? 0x3c00 : dt == DataType::BF16x2 ? 0x3f80 : 0xffff;
        out |= v << (16 * h);
      }
    } else {
      const bool r = combine(in.mod.boolop, cr.r[0], c);
      if (is_float_type(dt)) out = r ? from_double(1.0, format_of(ctx, dt), Rounding::Rn) : 0;
      else out = r ? truncate(~uint64_t(0), dt) : 0;
    }
    ctx.set(in.ops[0], l, out);
  });
}

void exec_Selp(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned l) {
    ctx.set(in.ops[0], l, ctx.get(in.ops[3], l) ? ctx.get(in.ops[1], l) : ctx.get(in.ops[2], l));
  });
}

// slct.dtype.ctype d, a, b, c: a when c >= 0 (c is s32, or f32 where -0 counts as >= 0 and NaN
// selects b), else b.
void exec_Slct(ExecContext& ctx, const Instruction& in) {
  const DataType ct = require_type(ctx, in, 1);
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t c = ctx.get(in.ops[3], l);
    bool take_a;
    if (ct == DataType::F32) {
      const uint64_t cf = in.mod.ftz ? flush_subnormal(c, kF32) : c;
      take_a = !is_nan(cf, kF32) && to_double(cf, kF32) >= 0.0;
    } else {
      take_a = as_signed(c, ct) >= 0;
    }
    ctx.set(in.ops[0], l, take_a ? ctx.get(in.ops[1], l) : ctx.get(in.ops[2], l));
  });
}

}  // namespace gpusim::isa
