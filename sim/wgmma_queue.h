// The queue in front of one sub-core's tensor cores for Hopper's asynchronous warpgroup MMAs.
//
// wgmma.mma_async is asynchronous on the hardware: the tensor cores have their own execution
// pipeline into which a warp's MMAs are queued and executed in order, so the warp goes on issuing
// (the next wgmma, conversions, barrier traffic) while they run, and synchronises only at
// wgmma.wait_group (docs/ARCHITECTURE.md, "Hopper timing", has the sources). With a queue depth
// of D, a sub-core accepts a wgmma while fewer than D accepted wgmmas are still waiting for the
// tensor cores; an accepted wgmma costs its warp only the issue slot, and starts when the tensor
// cores have finished the ones ahead of it. D = 0 is the model without a queue: a wgmma issues
// only when the tensor cores are free (the warp stalls in math_pipe_throttle meanwhile).
// Throughput and completion times are unchanged by D; only how early the warp moves on.
#pragma once

#include <array>
#include <cstdint>

namespace gpusim::sim {

class WgmmaQueue {
 public:
  // The most waiting wgmmas a configuration may allow (tensor.wgmma_queue_depth).
  static constexpr int kMaxDepth = 32;

  // Whether a wgmma issued at `cycle` can be accepted with at most `depth` waiting.
  bool has_room(uint64_t cycle, int depth) {
    drop_started(cycle);
    return count_ < depth;
  }
  // The cycle from which has_room() can change: when the oldest waiting wgmma starts.
  uint64_t room_at() const { return starts_[head_]; }
  // A wgmma accepted while the tensor cores are busy; it starts at `start`. Starts are in issue
  // order (the tensor cores work through the queue in order), so the oldest is at the head.
  void push(uint64_t start) {
    starts_[(head_ + count_) % kMaxDepth] = start;
    count_ += 1;
  }
  int waiting() const { return count_; }

 private:
  void drop_started(uint64_t cycle) {
    while (count_ > 0 && starts_[head_] <= cycle) head_ = (head_ + 1) % kMaxDepth, count_ -= 1;
  }

  std::array<uint64_t, kMaxDepth> starts_{};
  int head_ = 0;
  int count_ = 0;
};

}  // namespace gpusim::sim
