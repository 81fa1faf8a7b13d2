#include "isa/global_footprint.h"

#include <algorithm>

#include "isa/exec_context.h"

namespace gpusim::isa {

bool global_footprint(Warp& warp, CtaState& cta, LaunchState& launch, GlobalMemory& memory, GlobalFootprint& out) {
  if (warp.done()) return false;
  const CallFrame& frame = warp.frame();
  const SimtEntry& tos = warp.top();
  if (tos.pc >= frame.fn->code.size()) return false;
  const Instruction& in = frame.fn->code[tos.pc];
  size_t address_op = 0;
  switch (in.op) {
    case Opcode::Ld: case Opcode::Ldu: address_op = 1; break;
    case Opcode::St: address_op = 0; break;
    default: return false;
  }
  // Generic addresses (nvcc's for any pointer it cannot prove global) count when they resolve to
  // global memory: checked below against the windows of the other spaces.
  const bool generic = in.mod.space == StateSpace::None || in.mod.space == StateSpace::Generic;
  if ((!generic && in.mod.space != StateSpace::Global) || in.nops < 2) return false;
  const Operand& address = in.ops[address_op];
  const Operand& data = in.ops[1 - address_op];
  if (address.kind != OperandKind::Address) return false;
  const unsigned bits = type_bits(in.mod.types[0]);
  if (bits < 8 || bits > 64) return false;  // sub-byte and 16-byte elements take the general path (and may fault)
  const unsigned total = bits / 8 * (data.kind == OperandKind::Vector ? data.count : 1u);
  if (total == 0 || (total & (total - 1)) != 0) return false;  // odd vector shapes: alignment by division
  const uint32_t lanes = guarded_lanes(frame, in, tos.mask);
  out.write = in.op == Opcode::St;
  if (lanes == 0) {  // no lane executes: nothing touched, nothing can fault
    out.lo = out.hi = 0;
    return true;
  }
  ExecContext ctx(warp, cta, launch);
  uint64_t lo = UINT64_MAX, hi = 0, address_bits = 0;
  for_each_lane(lanes, [&](unsigned lane) {
    const uint64_t a = ctx.address(address, lane);
    address_bits |= a;
    lo = std::min(lo, a);
    hi = std::max(hi, a);
  });
  if ((address_bits & (total - 1)) != 0) return false;  // some lane misaligned: it faults
  if (hi > UINT64_MAX - total) return false;
  hi += total;
  // Every lane's address lies in [lo, hi): when that meets no window of shared, local, const or
  // parameter space, each resolves to global memory (isa/exec_context.h).
  if (generic)
    for (uint64_t window : {kSharedWindowBase, kLocalWindowBase, kConstBase, kParamWindowBase})
      if (lo < window + kWindowSize && window < hi) return false;
  // The allocation the warp used last (the usual case: no lookup), else the memory's answer.
  const Warp::GlobalSpanCache& c = warp.global_span;
  const bool cached = c.owner == &memory && c.generation == memory.generation() && lo >= c.base && hi - c.base <= c.size;
  GlobalSpan span;
  if (!cached && (!memory.span_at(lo, span) || hi - span.base > span.size)) return false;
  out.lo = lo, out.hi = hi;
  return true;
}

}  // namespace gpusim::isa
