// A read-only picture of one SM taken on demand (for the interactive stepper, tools/stepper/):
// its resident warps with their state, each sub-core's scheduler order and busy pipes, and the
// depth of its memory queues. Taking one costs nothing when nobody asks; the hot path keeps no
// extra state for it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "isa/launch_state.h"
#include "sim/gpu_config.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

// A register whose result is not yet readable.
struct PendingRegister {
  uint32_t reg = 0;                 // index into the warp's current function's registers
  StallReason why = StallReason::Wait;
  uint64_t ready_cycle = 0;         // kNeverCycle (sim/scoreboard.h): waits on a memory result
};

struct WarpSnapshot {
  int sm_warp = 0;                  // SM-wide warp slot (sub-core = sm_warp % subcores)
  int subcore = 0, slot = 0;        // the sub-core and its local slot
  int cta_slot = 0;
  const isa::Warp* warp = nullptr;
  const isa::CtaState* cta = nullptr;
  bool finished = false;            // every lane exited (its memory operations may be in flight)
  StallReason reason = StallReason::NoInstruction;  // as of the last cycle evaluated
  uint64_t reason_until = 0;        // the cycle up to which the model will not re-examine it
  std::vector<PendingRegister> pending;
  size_t memory_ops_in_flight = 0;
};

struct SubcoreSnapshot {
  int index = 0;
  WarpSchedulerPolicy policy = WarpSchedulerPolicy::LooseRoundRobin;
  int last_issued_slot = -1;        // the scheduler's greedy / rotation anchor, -1 when none
  std::vector<int> priority;        // the local slots of resident warps in the scheduler's order
  std::array<uint64_t, static_cast<size_t>(Pipe::Count)> pipe_free_at{};  // a pipe is busy while > cycle
  uint64_t dispatch_free_at = 0;
};

struct SmSnapshot {
  int sm = 0;
  int resident_ctas = 0;
  std::vector<WarpSnapshot> warps;  // by SM warp slot
  std::vector<SubcoreSnapshot> subcores;
  size_t mio_queue = 0, lg_queue = 0, queue_capacity = 0;
};

}  // namespace gpusim::sim
