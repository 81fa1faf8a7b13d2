#include "sim/warp_scheduler.h"

#include <stdexcept>
#include <string>

namespace gpusim::sim {

int WarpScheduler::select(uint64_t eligible, std::span<const uint64_t> ages) const {
  if (eligible == 0) return kNone;
  switch (policy_) {
    case WarpSchedulerPolicy::LooseRoundRobin: {
      // First eligible slot strictly after the last issuer, wrapping around.
      const int start = last_ == kNone ? 0 : (last_ + 1) % kMaxSlots;
      const uint64_t rotated = start == 0 ? eligible : (eligible >> start) | (eligible << (kMaxSlots - start));
      return (start + __builtin_ctzll(rotated)) % kMaxSlots;
    }
    case WarpSchedulerPolicy::GreedyThenOldest: {
      if (last_ != kNone && (eligible >> last_ & 1)) return last_;
      int best = kNone;
      for (uint64_t m = eligible; m; m &= m - 1) {
        const int slot = __builtin_ctzll(m);
        if (static_cast<size_t>(slot) >= ages.size())
          throw std::out_of_range("warp scheduler: no age for slot " + std::to_string(slot));
        if (best == kNone || ages[slot] < ages[best]) best = slot;
      }
      return best;
    }
  }
  throw std::logic_error("warp scheduler: unknown policy");
}

std::vector<int> WarpScheduler::priority_order(uint64_t slots, std::span<const uint64_t> ages) const {
  std::vector<int> order;
  for (uint64_t remaining = slots; remaining;) {
    const int next = select(remaining, ages);
    order.push_back(next);
    remaining &= ~(uint64_t(1) << next);
  }
  return order;
}

}  // namespace gpusim::sim
