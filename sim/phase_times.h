// Host wall time spent in each part of the timing model's loop, to measure how much of a parallel
// run is serial (docs/PERFORMANCE.md). Off unless the environment sets GPUSIM_PHASE_TIMES (read
// once, when the model is built); then each launch prints one line on stderr at its end. Costs
// two clock reads per part per edge when on, one branch when off.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

namespace gpusim::sim {

class PhaseTimes {
 public:
  // The calling thread's parts of a cycle. L2Begin and L2End: the serial ends of the staged
  // commit's L2 round (MemoryPartitions::begin_l2_round / end_l2_round) around Local, whose round
  // runs the slice groups beside the SMs' local stages; L2 and Dram: edges ticked on their own.
  enum Phase { Dispatch, Tick, Ordered, L2Begin, Local, L2End, Finish, L2, Dram, Count };
  PhaseTimes();

  bool enabled() const { return enabled_; }
  static uint64_t now_ns() {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
  }
  // Charges the time since `since` to `phase` and moves `since` to now.
  void charge(Phase phase, uint64_t& since) {
    const uint64_t t = now_ns();
    ns_[phase] += t - since;
    since = t;
  }
  void reset() { ns_.fill(0); }
  // "phase times: dispatch 1.2 s (3.4 %) ... serial 8.9 %": shares of the calling thread's time;
  // every part but Tick and Local is serial.
  std::string report() const;

 private:
  bool enabled_ = false;
  std::array<uint64_t, Count> ns_{};
};

}  // namespace gpusim::sim
