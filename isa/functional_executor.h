// Functional (untimed) execution of a whole grid, the warps of a CTA interleaved in fixed slices
// until barriers release them. CTAs that cannot communicate (isa/shared_effects.h) run
// independently, spread over a WorkerPool's threads; kernels whose CTAs may communicate run them
// one after another, more at once taking turns when the running ones wait on later ones (a
// cooperative launch: all CTAs at once, taking turns). Deterministic by
// construction, with the same result for every thread count (docs/ARCHITECTURE.md).
#pragma once

#include <cstdint>

#include "isa/launch_state.h"
#include "isa/worker_pool.h"

namespace gpusim::isa {

// Told of a functional launch's progress (the status line on the terminal:
// sim/functional_progress_line.h). Called after every CTA round from whichever of the pool's
// threads ran it, so implementations are thread-safe; it only watches, so results do not change.
struct FunctionalProgress {
  virtual ~FunctionalProgress() = default;
  // `warp_instructions` executed in the round; `cta_finished`: the round ended its CTA.
  virtual void on_round(uint64_t warp_instructions, bool cta_finished) = 0;
};

struct FunctionalLimits {
  // A kernel that runs longer than this is reported as a probable infinite loop.
  uint64_t max_warp_instructions = uint64_t(1) << 36;
  // Warp-instructions a warp runs before the next warp gets a turn (lets spin-waits progress).
  unsigned slice = 256;
  // CTAs that may communicate run one after another; when those running have executed this many
  // warp-instructions each with none finishing, as many more join them (a CTA may be waiting
  // for a later one, as it may on a GPU that holds both), up to max_resident_ctas at once and
  // max_resident_threads in all (about what a large GPU holds: 132 SMs x 2,048 threads).
  uint64_t patience = uint64_t(1) << 20;
  uint64_t max_resident_ctas = 1024;
  uint64_t max_resident_threads = uint64_t(1) << 18;
  // After this many warp-instructions of the CTAs running together (one CTA, or those resident
  // at once), watch for their state repeating exactly, which proves an endless loop long before
  // the budget above is spent (isa/repeat_watch.h); 0: never.
  uint64_t repeat_check_after = uint64_t(1) << 24;
  // Called after every CTA round (a few hundred warp-instructions per warp); may throw to stop the
  // launch, and the exception reaches the caller as a fault would (the runtime's Ctrl-C check).
  void (*poll)() = nullptr;
  FunctionalProgress* progress = nullptr;  // null: nobody watches
};

// Receives the global-memory accesses of CTAs run functionally, in execution order (the wave
// sampler warms the timing model's L2 with them: sim/l2_warming.h). Atomics count as writes.
struct GlobalAccessSink {
  virtual ~GlobalAccessSink() = default;
  virtual void on_global_access(uint64_t address, uint32_t bytes, bool write) = 0;
};

// Runs every CTA of the launch on `pool`'s threads (null: the calling thread only). Throws
// ExecError on a fault or a barrier that cannot complete.
//
// Independent CTAs each count their own warp-instructions against the budget and see %clock
// count from 0 at their start, so neither depends on which CTAs ran before; a fault reported is
// the one of the lowest-numbered faulting CTA. (Memory written by the other CTAs of a faulting
// launch is unspecified, as after a fault on a GPU.)
void run_grid_functional(LaunchState& launch, const FunctionalLimits& limits = {}, WorkerPool* pool = nullptr);

// Runs the CTAs with linear ids [first, end) of the launch, each to its end, as run_grid_functional
// runs a grid's: independent CTAs on `pool`'s threads, others one after another on the calling
// thread (the functional rest of a sampled timing run: sim/sampled_detail.h).
// With `sink`, every CTA runs on the calling thread (the accesses arrive in one order whatever the
// pool) and each global access is reported to it.
void run_ctas_functional(LaunchState& launch, const FunctionalLimits& limits, uint64_t first, uint64_t end,
                         WorkerPool* pool = nullptr, GlobalAccessSink* sink = nullptr);

// Runs one CTA to completion (used by run_grid_functional and by tests).
void run_cta_functional(CtaState& cta, LaunchState& launch, const FunctionalLimits& limits);

// The error message for a CTA in which every unfinished warp waits at a barrier that can never
// be released; shared with the timing model.
std::string describe_barrier_deadlock(const CtaState& cta);

}  // namespace gpusim::isa
