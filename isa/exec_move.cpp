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
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(dst, l, truncate(ctx.get(src, l), t)); });
}

}  // namespace gpusim::isa
