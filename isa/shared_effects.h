// Which instructions can see or change state that other CTAs (or other SMs) see: global memory and
// the device services (printf, malloc, assert). Parallel simulation is built on this split
// (docs/ARCHITECTURE.md, "Parallel simulation"): everything else a warp-instruction touches (its
// registers, local memory, its CTA's shared memory and barriers, the read-only parameter and
// constant banks) belongs to one CTA, so it can run on any host thread in any order.
#pragma once

#include "isa/ir.h"

namespace gpusim::isa {

// True when executing `in` may read or write global memory or call a device service: global and
// generic loads, stores, atomics, reductions, cp.async from global, wmma loads/stores and
// mbarrier operations through generic addresses, calls to bodiless functions and indirect calls.
// Decided from the instruction alone (conservative: a generic address counts as global; without a
// module every call counts).
bool may_touch_shared_state(const Module* module, const Instruction& in);

// True when `in` may touch shared state (above) but only reads it: global and generic loads
// (ld, ldu, wmma.load, ldmatrix) and prefetches. It writes no global memory and calls no device
// service, so several of them may run at once on different threads against the same global
// memory, and their results depend only on the writes ordered before them (the timing model's
// staged commit, docs/ARCHITECTURE.md "Parallel simulation"). False for everything else,
// including instructions that do not touch shared state at all.
bool only_reads_shared_state(const Module* module, const Instruction& in);

// True when the CTAs of `kernel` may communicate through memory, so that their result depends on
// the order in which they run: a global (or generic) atomic or reduction, a volatile or
// memory-model-ordered (relaxed/acquire/release/sc) global access, a fence or membar wider than
// the CTA, or a device-service call (printf output order), in the kernel or any function it can
// call. Such kernels run their CTAs one after another in functional mode.
bool ctas_may_communicate(const Module& module, const Function& kernel);

// True when a CTA of `kernel` may read what another CTA of the launch wrote and act on it, so
// that which work each CTA does depends on the others: a global (or generic) atomic whose result
// comes back (atom; red and fences alone only accumulate or order: a reduction's atomicAdd of its
// partial sum) or a volatile or memory-model-ordered global load (a flag). Persistent CTAs taking
// items from an atomic counter are the common case. The sampler does not run a subset of such CTAs
// on its own (sim/sampled_launch.h).
bool ctas_may_steer_each_other(const Module& module, const Function& kernel);

// True when a CTA of `kernel` may spin waiting for another: a loop (a backward branch) in the
// kernel or a function it can call holds a poll of global (or generic) memory, as isa/spin_yield.h
// counts them (a volatile or ordered load, an atom.cas/exch or an atomic that cannot change
// memory). Decoupled look-back scans and ticket chains are the common case: their spin
// iterations depend on when the awaited CTA runs, so counting them says nothing about the time.
bool ctas_may_wait_for_each_other(const Module& module, const Function& kernel);

}  // namespace gpusim::isa
