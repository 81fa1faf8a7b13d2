// mov: register/immediate/special-register/symbol-address moves, plus the vector pack and unpack
// forms (mov.b64 %rd, {%r1, %r2}; mov.b32 {%rs1, %rs2}, %r1) where element 0 is the least
// significant part.
#include "isa/exec_alu_support.h"

namespace gpusim::isa {
using namespace alu;

void exec_Mov(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  const Operand& dst = in.ops[0];
  const Operand& src = in.ops[1];
  const unsigned width = type_bits(t);
  // Registers hold at most 64 bits; a .b128 pack would keep only its low half (an outside user's
  // mov.b128 round trip returned the wrong halves with no error).
  if (width > 64)
    unsupported(ctx, in, "128-bit move (.b128 registers are not supported: nvcc declares them for sm_90's 128-bit "
                         "atomicCAS/atomicExch on 16-byte types, atom.cas.b128 and atom.exch.b128)");
  if (src.kind == OperandKind::Vector) {
    if (src.count == 0 || width % src.count != 0) unsupported(ctx, in, "vector pack shape");
    const unsigned w = width / src.count;
    for_each_lane(ctx.mask, [&](unsigned l) {
      uint64_t v = 0;
      for (unsigned i = 0; i < src.count; ++i) v |= numerics::truncate_bits(ctx.get(ctx.elem(src, i), l), w) << (w * i);
      ctx.set(dst, l, v);
    });
    return;
  }
  if (dst.kind == OperandKind::Vector) {
    if (dst.count == 0 || width % dst.count != 0) unsupported(ctx, in, "vector unpack shape");
    const unsigned w = width / dst.count;
    for_each_lane(ctx.mask, [&](unsigned l) {
      const uint64_t v = ctx.get(src, l);
      for (unsigned i = 0; i < dst.count; ++i) ctx.set(ctx.elem(dst, i), l, numerics::truncate_bits(v >> (w * i), w));
    });
    return;
  }
  if (ctx.mask && is_plain_register(dst)) {
    // The forms every kernel starts with (mov %r, %ctaid.x / %ntid.x / %tid.x) and register or
    // immediate copies: the source decoded once for the instruction, the lanes written as a row.
    if (src.kind == OperandKind::Special) {
      uint64_t lanes[32];
      ctx.special_lanes(src, ctx.mask, lanes);
      const uint64_t tm = truncate(~0ull, t);
      write_register_row(ctx, dst, ctx.mask, [&](unsigned l) { return lanes[l] & tm; });
      return;
    }
    if (src.kind == OperandKind::Symbol) {
      // A variable's address (mov.u32 %r, smem): the same for every lane of the warp.
      const uint64_t v = truncate(ctx.get(src, unsigned(__builtin_ctz(ctx.mask))), t);
      write_register_row(ctx, dst, ctx.mask, [&](unsigned) { return v; });
      return;
    }
    LaneSource from;
    take_lane_source(ctx, src, from);
    if (from.ok) {
      const uint64_t tm = truncate(~0ull, t);
      write_register_row(ctx, dst, ctx.mask, [&](unsigned l) { return from.at(l) & tm; });
      return;
    }
  }
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(dst, l, truncate(ctx.get(src, l), t)); });
}

}  // namespace gpusim::isa
