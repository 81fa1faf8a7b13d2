#include "isa/step.h"

namespace gpusim::isa {

namespace {

using Handler = void (*)(ExecContext&, const Instruction&);

// Generated from isa/opcodes.def: one handler per opcode, indexed by the enum.
constexpr Handler kHandlers[] = {
#define X(E, N, U) &exec_##E,
#include "isa/opcodes.def"
#undef X
};
static_assert(sizeof(kHandlers) / sizeof(kHandlers[0]) == static_cast<size_t>(Opcode::Count));

// Handlers that move the PC themselves (control flow and barriers).
bool moves_pc(Opcode op) {
  switch (op) {
    case Opcode::Bra: case Opcode::Brx: case Opcode::Call: case Opcode::Ret: case Opcode::Exit: case Opcode::Trap:
    case Opcode::Bar: case Opcode::Barrier: case Opcode::BarWarpSync: case Opcode::Membar:
    case Opcode::Fence: case Opcode::Nanosleep: case Opcode::BarrierCluster:
      return true;
    default:
      return false;
  }
}

// Set lanes of a 32-bit mask, inline: the build targets baseline x86-64 (no POPCNT instruction),
// where __builtin_popcount is a libgcc call, and every step counts its lanes.
constexpr unsigned count_lanes(uint32_t m) {
  m = m - ((m >> 1) & 0x55555555u);
  m = (m & 0x33333333u) + ((m >> 2) & 0x33333333u);
  return (((m + (m >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24;
}
static_assert(count_lanes(0) == 0 && count_lanes(~0u) == 32 && count_lanes(0x80000001u) == 2 && count_lanes(0xff00u) == 8);

}  // namespace

StepResult step_warp(Warp& warp, CtaState& cta, LaunchState& launch, std::vector<MemAccess>* trace,
                     AffineAccess* summary) {
  StepResult r;
  ExecContext ctx(warp, cta, launch);
  ctx.trace = trace;
  if (summary) summary->lanes = 0;
  if (trace) ctx.summary = summary;
  const CallFrame& frame = warp.frame();
  const SimtEntry& tos = warp.top();
  r.pc = tos.pc;
  r.active = tos.mask;
  ctx.pc = tos.pc;
  if (tos.pc >= frame.fn->code.size()) {
    // Falling off the end of a function without `ret` behaves as a return.
    warp.ret(tos.mask);
    warp.settle();
    return r;
  }
  const Instruction& in = frame.fn->code[tos.pc];
  r.inst = &in;
  ctx.inst = &in;
  uint32_t mask = tos.mask;
  if (in.guard != kNoReg) {
    uint32_t g = 0;
    const uint64_t* regs = frame.regs.data() + size_t(in.guard) * 32;
    for_each_lane(mask, [&](unsigned l) { g |= uint32_t((regs[l] & 1) ^ uint64_t(in.guard_negated)) << l; });
    mask = g;
  }
  ctx.mask = mask;
  r.executed = mask;
  kHandlers[static_cast<size_t>(in.op)](ctx, in);
  if (!moves_pc(in.op)) warp.advance();
  warp.settle();
  launch.warp_instructions += 1;
  launch.thread_instructions += uint64_t(count_lanes(r.active));
  return r;
}

}  // namespace gpusim::isa
