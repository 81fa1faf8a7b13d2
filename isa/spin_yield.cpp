#include "isa/spin_yield.h"

namespace gpusim::isa {

bool atomic_leaves_memory_unchanged(const Instruction& in) {
  if (in.op != Opcode::Atom) return false;
  auto same = [](const Operand& a, const Operand& b) {
    return a.kind == b.kind && ((a.kind == OperandKind::Imm && a.imm == b.imm) || (a.kind == OperandKind::Reg && a.reg == b.reg));
  };
  if (in.mod.atom == AtomOp::Cas) return in.nops == 4 && same(in.ops[2], in.ops[3]);
  if (in.nops != 3 || in.ops[2].kind != OperandKind::Imm) return false;
  const unsigned bits = type_bits(in.mod.types[0]);
  const uint64_t all_ones = bits >= 64 ? ~0ull : (1ull << bits) - 1;
  const uint64_t v = in.ops[2].imm & all_ones;
  switch (in.mod.atom) {
    case AtomOp::Add: case AtomOp::Or: case AtomOp::Xor: return v == 0;
    case AtomOp::And: return v == all_ones;
    default: return false;
  }
}

MemoryEffect memory_effect(const Instruction& in) {
  switch (in.op) {
    case Opcode::Ld: case Opcode::Ldu: {
      const MemOrder o = in.mod.order;
      return o == MemOrder::Volatile || o == MemOrder::Relaxed || o == MemOrder::Acquire || o == MemOrder::Sc
                 ? MemoryEffect::Poll
                 : MemoryEffect::None;
    }
    // A failed compare-and-swap, or an exchange that writes back what a spinning lock already
    // holds, only reads; so does an atomic that cannot change memory (CUDA's idioms for a
    // coherent read: `atomicAdd(&flag, 0)`, `atomicOr(&flag, 0)`, `atomicCAS(&flag, x, x)`); any
    // other atomic changes memory.
    case Opcode::Atom:
      return in.mod.atom == AtomOp::Cas || in.mod.atom == AtomOp::Exch || atomic_leaves_memory_unchanged(in)
                 ? MemoryEffect::Poll
                 : MemoryEffect::Write;
    case Opcode::Mbarrier:
      if (in.mod.sub == SubOp::MbarTestWait || in.mod.sub == SubOp::MbarTryWait) return MemoryEffect::Poll;
      return in.mod.sub == SubOp::MbarPendingCount ? MemoryEffect::None : MemoryEffect::Write;
    case Opcode::Nanosleep:
      return MemoryEffect::Poll;
    case Opcode::St: case Opcode::Red: case Opcode::Sust: case Opcode::WmmaStore: case Opcode::Stmatrix:
    case Opcode::CpAsync: case Opcode::CpAsyncBulk: case Opcode::CpAsyncBulkTensor: case Opcode::StAsync:
    case Opcode::RedAsync:
      return MemoryEffect::Write;
    default:
      return MemoryEffect::None;
  }
}

bool visible_to_other_warps(const Instruction& in, MemoryEffect effect, bool atomic_changed_memory) {
  switch (in.op) {
    case Opcode::Atom:
      return !atomic_leaves_memory_unchanged(in) && atomic_changed_memory;
    case Opcode::Bar: case Opcode::Barrier: case Opcode::BarrierCluster: case Opcode::Exit:
    case Opcode::Call: case Opcode::Trap:
      return true;
    default:
      // A write to the thread's own local memory (a spill) or .param frame stays with the warp.
      return effect == MemoryEffect::Write && in.mod.space != StateSpace::Local && in.mod.space != StateSpace::Param;
  }
}

bool needs_converged_warp(const Instruction& in, const Module& module) {
  switch (in.op) {
    // A call to a function that reaches a CTA barrier: lanes split off wait in front of it, so
    // that the warp enters it together (a -G build's non-inlined __barrier_sync, which the master
    // lane of cooperative groups' grid.sync() reaches only after spinning in the caller).
    case Opcode::Call:
      return in.nops > 1 && in.ops[1].kind == OperandKind::Function && in.ops[1].reg < module.functions.size() &&
             module.functions[in.ops[1].reg].reaches_cta_barrier;
    case Opcode::Bar: case Opcode::Barrier: case Opcode::BarWarpSync: case Opcode::BarrierCluster:
    case Opcode::Shfl: case Opcode::Vote: case Opcode::Match: case Opcode::Redux: case Opcode::ElectSync:
    case Opcode::WmmaLoad: case Opcode::WmmaStore: case Opcode::WmmaMma: case Opcode::Mma:
    case Opcode::Ldmatrix: case Opcode::Stmatrix: case Opcode::Movmatrix: case Opcode::Setmaxnreg:
    case Opcode::WgmmaFence: case Opcode::WgmmaCommit: case Opcode::WgmmaWaitGroup: case Opcode::WgmmaMmaAsync:
      return true;
    default:
      return false;
  }
}

// Splits off the lanes nearest below the top entry that wait to run (a path not yet started, or
// lanes parked at a reconvergence point) and pushes them as a path of their own. Entries whose
// PC is their reconvergence PC only pass lanes on to the entry below, so they are skipped; lanes
// waiting in front of an instruction that needs the warp converged stay where they are.
bool yield_to_waiting_lanes(Warp& warp) {
  CallFrame& f = warp.frame();
  std::vector<SimtEntry>& st = f.stack;
  // A path that is itself a hand-over and spins too hands the warp to the lanes that have waited
  // longest (the deepest entry), not back to the nearest: two groups of lanes spinning at
  // different places (a semaphore and a lock) otherwise hand the warp to each other for ever
  // while the lanes that would let them through (the lock's holder, waiting at a reconvergence
  // point further down) never run.
  const bool deepest = st.back().split_from >= 0;
  // Lanes accounted for by the entries above the one looked at: running there, or parked on them
  // further on in their region.
  uint32_t running = st.back().mask | st.back().parked_mask;
  size_t chosen = st.size();
  uint32_t chosen_lanes = 0;
  for (size_t i = st.size() - 1; i-- > 0;) {
    SimtEntry& e = st[i];
    // Parked lanes that a collective across paths released (isa/warp_sync_paths.h) wait in
    // front of an ordinary instruction: they go on as a path of their own.
    if (e.parked_mask && e.parked_pc < f.fn->code.size() && !needs_converged_warp(f.fn->code[e.parked_pc], warp.module())) {
      SimtEntry split{e.parked_pc, e.rpc, e.parked_mask};
      split.split_from = static_cast<int32_t>(i);
      e.parked_mask = 0;
      st.push_back(split);
      return true;
    }
    if (e.pc == e.rpc) {
      running |= e.parked_mask;
      continue;
    }
    const uint32_t waiting = e.mask & ~running;
    running |= e.mask | e.parked_mask;
    if (!waiting || e.pc >= f.fn->code.size() || needs_converged_warp(f.fn->code[e.pc], warp.module())) continue;
    chosen = i;
    chosen_lanes = waiting;
    if (!deepest) break;
  }
  if (chosen == st.size()) return false;
  SimtEntry& e = st[chosen];
  e.mask &= ~chosen_lanes;
  for (size_t j = chosen + 1; j < st.size(); ++j)
    if (st[j].pc == st[j].rpc) st[j].mask &= ~chosen_lanes;
  SimtEntry split{e.pc, e.rpc, chosen_lanes};
  split.split_from = static_cast<int32_t>(chosen);
  // A split path whose lanes all go on as the new one is dead (settle would pop it on surfacing).
  // Two groups of lanes that spin for ever in turn (a probe loop over a full hash table) handed
  // the warp to each other at every yield, each hand-over leaving one such entry: the stack grew
  // without end (30,000 entries in 17M warp-instructions), and the endless-loop proof, which
  // compares whole states, never saw one repeat. The new path takes the old one's place and parks
  // where it would have, unless another path parks on the old entry.
  const auto parks_on = [&](size_t i) {
    for (size_t j = i + 1; j < st.size(); ++j)
      if (st[j].split_from == static_cast<int32_t>(i)) return true;
    return false;
  };
  if (e.mask == 0 && e.parked_mask == 0 && e.split_from >= 0 && !parks_on(chosen)) {
    split.split_from = e.split_from;
    st.erase(st.begin() + static_cast<std::ptrdiff_t>(chosen));
    for (size_t j = chosen; j < st.size(); ++j)
      if (st[j].split_from > static_cast<int32_t>(chosen)) --st[j].split_from;
  }
  st.push_back(split);
  return true;
}

namespace {

// Joins parked lanes with their entry's lanes when those reach the same instruction, and parks a
// split path in front of an instruction that needs the warp converged. Repeats while the top
// entry changes.
void settle_split_paths(Warp& warp) {
  while (!warp.done()) {
    CallFrame& f = warp.frame();
    SimtEntry& t = f.stack.back();
    if (t.parked_mask && t.pc == t.parked_pc) {
      t.mask |= t.parked_mask;
      t.parked_mask = 0;
    }
    if (t.split_from < 0 || t.pc >= f.fn->code.size() || !needs_converged_warp(f.fn->code[t.pc], warp.module())) return;
    SimtEntry& from = f.stack[static_cast<size_t>(t.split_from)];
    // One waiting place per entry: a second split path stopping elsewhere runs on alone (as a
    // divergent warp would without independent scheduling).
    if (from.parked_mask && from.parked_pc != t.pc) return;
    from.parked_pc = t.pc;
    from.parked_mask |= t.mask;
    f.stack.pop_back();
    warp.settle();
  }
}

}  // namespace

void after_step(Warp& warp, const Instruction& in, uint32_t pc_before, size_t stack_before, size_t depth_before) {
  SpinWatch& spin = warp.spin;
  const MemoryEffect effect = memory_effect(in);
  ++warp.steps;
  if (visible_to_other_warps(in, effect, warp.atomic_changed_memory)) ++warp.visible_effects;
  if (effect == MemoryEffect::Poll) spin.polled = true;
  else if (effect == MemoryEffect::Write) spin.wrote = true;
  if (warp.done()) return;
  // Lanes that sleep (nanosleep: libcu++'s back-off in semaphores, latches and atomic waits) wait
  // for someone, who may be another lane of the warp: those run now rather than after
  // kSpinIterationsBeforeYield iterations, each sleeping longer (a back-off that grows with the
  // time waited reached 1 ms sleeps before the holder of a semaphore, in the same warp, ran).
  if (in.op == Opcode::Nanosleep) {
    spin.iterations = 0;
    yield_to_waiting_lanes(warp);
  }
  // A backward branch that every active lane took, staying on the same entry, ends an iteration.
  if (in.op == Opcode::Bra && warp.depth() == depth_before && warp.frame().stack.size() == stack_before &&
      warp.top().pc <= pc_before) {
    spin.iterations = spin.polled && !spin.wrote ? spin.iterations + 1 : 0;
    spin.polled = spin.wrote = false;
    if (spin.iterations >= kSpinIterationsBeforeYield) {
      spin.iterations = 0;
      yield_to_waiting_lanes(warp);
    }
  }
  const SimtEntry& t = warp.top();
  if (t.split_from >= 0 || t.parked_mask) settle_split_paths(warp);
}

}  // namespace gpusim::isa
