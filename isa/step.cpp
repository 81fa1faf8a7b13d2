#include "isa/step.h"
#include "isa/bit_count.h"
#include "isa/global_footprint.h"
#include "isa/shared_race_check.h"
#include "isa/spin_yield.h"
#include "isa/warp_sync_paths.h"

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

// The CTA's race shadow, made at its first step.
SharedRaceShadow* race_shadow_of(CtaState& cta, const std::shared_ptr<SharedRaceCheck>& check) {
  if (!cta.race_shadow) cta.race_shadow = std::make_unique<SharedRaceShadow>(cta, check);
  return cta.race_shadow.get();
}

}  // namespace

StepResult step_warp(Warp& warp, CtaState& cta, LaunchState& launch, std::vector<MemAccess>* trace,
                     AffineAccess* summary) {
  StepResult r;
  ExecContext ctx(warp, cta, launch);
  if (summary) summary->lanes = 0;
  // --racecheck needs every access as a record (no affine summary), in functional mode too.
  SharedRaceShadow* race = launch.race_check ? race_shadow_of(cta, launch.race_check) : nullptr;
  if (race) {
    if (!trace) {
      // A caller that passes its own trace clears it; the scratch vector is ours to clear.
      trace = &race->scratch();
      trace->clear();
    }
    summary = nullptr;
  }
  ctx.trace = trace;
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
  const uint32_t mask = guarded_lanes(frame, in, tos.mask);
  ctx.mask = mask;
  r.executed = mask;
  const size_t stack_before = frame.stack.size(), depth_before = warp.depth();
  const Handler handler = kHandlers[static_cast<size_t>(in.op)];
  // A collective of a divergent warp may name lanes on another path (isa/warp_sync_paths.h).
  const CrossPathResult across = mask != warp.live() && is_warp_collective(in)
                                     ? run_across_paths(ctx, in, handler)
                                     : CrossPathResult::Local;
  if (across == CrossPathResult::Local) handler(ctx, in);
  if (race) race->on_step(warp, in, *trace);
  if (ctx.waiting) {  // held where it is: a GPU's warp would not issue until the wait can complete
    r.executed = 0;
    r.waiting = true;
    return r;
  }
  if (across == CrossPathResult::Yielded) r.executed = 0;
  else if (!moves_pc(in.op)) warp.advance();
  warp.settle();
  after_step(warp, in, r.pc, stack_before, depth_before);
  launch.warp_instructions += 1;
  launch.thread_instructions += uint64_t(lane_count(r.active));
  return r;
}

}  // namespace gpusim::isa
