// Independent thread scheduling (sm_70 and later) on top of the reconvergence stack.
//
// The stack runs one path of a divergent warp at a time and lets lanes wait at the immediate
// post-dominator until the others arrive. Since Volta, CUDA guarantees more: a thread makes
// progress even while other threads of its warp spin, so a lock taken by one lane and waited on
// by the others of the same warp works (the Volta whitepaper's starvation-free algorithms). On a
// plain stack it livelocks: the lanes that lost the lock spin on top of the stack, and the
// winner waits below them at the loop's exit, never reaching its unlock.
//
// What gpusim does, so that such programs finish and every other program runs exactly as before:
// - A warp counts the iterations of the loop it is in (backward branches taken by all its active
//   lanes) that only polled memory: read it in a way that sees other threads' writes (volatile,
//   relaxed or acquire loads, atom.cas and atom.exch, mbarrier test/try_wait, nanosleep) and wrote
//   nothing. Loops that compute or store never count.
// - After kSpinIterationsBeforeYield such iterations in a row, if lanes of the warp wait
//   elsewhere in the same function (a path not yet run, or lanes parked at a reconvergence point),
//   the nearest such lanes are split off and run now, from where they wait to that entry's
//   reconvergence point; the spinning lanes resume after them. The split path is an ordinary
//   entry on top of the stack, marked with the entry it came from.
// - A split path that reaches an instruction needing the warp converged (barriers, bar.warp.sync,
//   the .sync warp collectives, matrix and warpgroup instructions) does not execute it alone: its
//   lanes park there, on the entry they came from, and join that entry's lanes when those reach
//   the same instruction. Lanes waiting at such an instruction are never split off.
// - Lanes that execute nanosleep (libcu++'s back-off) yield to the waiting lanes at once, without
//   the count: they wait for someone, perhaps a lane of their own warp (the timing model lets
//   those run while the sleepers sleep, sim/subcore.cpp).
// The choice is made on the warp's own state only, so it is deterministic and the functional and
// timing modes (which both call step_warp) make the same one.
#pragma once

#include <cstdint>

#include "isa/ir.h"
#include "isa/warp.h"

namespace gpusim::isa {

// Polling iterations in a row before a spinning warp lets its waiting lanes run. Small enough
// that a lock handed between the 32 lanes of a warp costs a few thousand instructions, large
// enough that a short wait (a flag set a few iterations later) never splits the warp.
constexpr uint32_t kSpinIterationsBeforeYield = 16;

// An atom that cannot change memory whatever it finds there: add, or or xor of an immediate 0,
// and of all ones, a CAS whose compare and new values are the same operand (CUDA's idioms for a
// coherent read of a flag another thread sets).
bool atomic_leaves_memory_unchanged(const Instruction& in);

// How an instruction touches memory other threads can see, for the poll count.
enum class MemoryEffect : uint8_t { None, Poll, Write };
MemoryEffect memory_effect(const Instruction& in);
// True when other warps could notice `in` (whose memory_effect is `effect`): it writes memory
// outside the thread's local and parameter memory, is an atomic that changed memory
// (`atomic_changed_memory`, Warp::atomic_changed_memory: a CAS that failed changed nothing, and
// while nothing changes memory it fails again: a lock nobody releases is proven a hang), takes
// part in a barrier, exits, traps or calls (a device service, or code that may do any of these).
// Counted per warp (Warp::visible_effects).
bool visible_to_other_warps(const Instruction& in, MemoryEffect effect, bool atomic_changed_memory);

// Instructions whose semantics need every named (or every) lane of the warp to execute them
// together, and calls to functions that reach a CTA barrier: a split path parks in front of them.
bool needs_converged_warp(const Instruction& in, const Module& module);

// Splits off the lanes nearest below the executing path that wait to run (a path not yet
// started, or lanes parked at a reconvergence point) and pushes them as a path of their own on
// top; false when no lanes can run. Lanes waiting in front of an instruction that needs the warp
// converged stay where they are. Also used by isa/warp_sync_paths.h.
bool yield_to_waiting_lanes(Warp& warp);

// Called by step_warp after an instruction ran (and the warp settled): updates the poll count,
// yields to waiting lanes when the warp spins, parks a split path in front of an instruction
// that needs the warp converged, and joins parked lanes with their entry's lanes. `stack_before`
// and `depth_before` are the innermost stack size and the frame count before the instruction;
// `pc_before` its PC.
void after_step(Warp& warp, const Instruction& in, uint32_t pc_before, size_t stack_before, size_t depth_before);

}  // namespace gpusim::isa
