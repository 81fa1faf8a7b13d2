// Endless loops in timing mode, proven as functional mode proves them (isa/repeat_watch.h), so a
// hung kernel ends in its fault instead of running to the 2^36 warp-instruction budget (about a
// day at timing speed).
//
// The SMs' warps advance at their own pace, so the GPU's whole state never comes back at one
// instant; each warp's own state does. The watch takes every resident warp's state image
// (isa::Warp::append_state) at the start of an interval and looks again every 1,024 core cycles.
// (Loops that store, even the same value again and again, are not proven here: functional mode
// proves those.)
// The interval proves an endless loop when, across it, no warp anywhere did anything another warp
// could notice (isa::Warp::visible_effects: no store outside local memory, atomic that changed a
// word (a failed CAS changes none: a lock nobody releases is proven), barrier,
// mbarrier arrival, exit, trap or call), the resident CTAs stayed the same with none waiting for
// a free SM and none finishing (all its warps done, its memory operations draining), and every warp either came back to its image after running at least one instruction
// or is finished or waiting at a barrier. Then shared and global memory stay as they are (only
// such instructions change them), each warp's future is a function of its own state and that
// memory, so each repeats what it just did, forever, and no barrier wait can end (arrivals are
// among those instructions). Kernels whose code can complete work later on its own (cp.async,
// bulk and tensor copies, wgmma) are watched only across checks at which no global, local or bulk
// operation is in flight (in any SM's pipelines, the interconnect, L2 or DRAM; shared-memory ops
// of spinning warps may be): issuing such work is a
// visible effect, so none can be in flight anywhere inside such an interval (a TMA kernel whose
// mbarrier waits for bytes that never come was simulated for days).
// Decisions are taken on the calling thread at fixed cycles from the functional state, so the
// cycle at which a launch stops is the same for every --threads.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/launch_state.h"

namespace gpusim::sim {

class EndlessLoopWatch {
 public:
  void begin_launch(const isa::LaunchState& launch, uint64_t cycle);
  // Whether `check` should run at the end of core cycle `cycle`: every 1,024 cycles once the
  // launch has run 65,536 (a warp spinning on a load runs a few instructions per thousand cycles,
  // so instruction counts would start the watch far too late). A check sums the warps' effect
  // counters and compares PCs; state images are taken only after 1,024 cycles in which the whole
  // GPU did nothing visible, which a kernel making progress hardly ever has.
  bool due(uint64_t cycle) const {
    return enabled_ && (cycle & (kCheckEveryCycles - 1)) == 0 && cycle - start_ >= kStartAfterCycles;
  }
  // `resident`: every CTA resident on the SMs; `may_dispatch`: a CTA waits and an SM has room for
  // it; `memory_idle`: no global, local or bulk operation in flight (needed for async kernels). Throws
  // isa::EndlessLoopError once an endless loop is proven.
  void check(std::vector<const isa::CtaState*>& resident, bool may_dispatch, bool memory_idle);
  // Whether check() needs `memory_idle` (the launched kernel can complete work later).
  bool needs_memory_idle() const { return async_; }

 private:
  static constexpr uint64_t kCheckEveryCycles = 1024;
  static constexpr uint64_t kStartAfterCycles = 65536;
  static constexpr unsigned kMaxChecks = 256;  // then the interval starts afresh
  struct WarpMark {
    std::vector<uint8_t> image;
    uint64_t steps = 0;
    const isa::Function* fn = nullptr;  // where the image was taken (a cheap first comparison)
    uint32_t pc = 0;
    bool back = false;  // came back to `image`, finished or waiting at a barrier
  };
  void start_interval(const std::vector<const isa::CtaState*>& resident);

  bool enabled_ = false;
  bool async_ = false;  // the kernel can complete work later: quiet only while memory is idle
  uint64_t start_ = 0;
  bool in_interval_ = false;
  unsigned checks_ = 0;
  std::vector<uint64_t> ctas_;  // the interval's resident CTAs (linear ids, ascending)
  uint64_t effects_ = 0;        // their warps' visible effects at its start
  std::vector<WarpMark> marks_; // every warp of those CTAs, CTA by CTA
  std::vector<uint8_t> scratch_;
};

}  // namespace gpusim::sim
