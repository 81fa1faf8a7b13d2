#include "sim/tail_schedule.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

double schedule_remaining_work(uint64_t slots, const std::vector<uint64_t>& resident_remaining,
                               const std::vector<uint64_t>& queued, double per_cta_rate) {
  if (slots == 0) throw std::invalid_argument("tail schedule: the GPU has no CTA slot");
  if (resident_remaining.size() > slots)
    throw std::invalid_argument("tail schedule: " + std::to_string(resident_remaining.size()) +
                                " resident CTAs on " + std::to_string(slots) + " slots");
  if (!(per_cta_rate > 0)) throw std::invalid_argument("tail schedule: the per-CTA rate must be positive");
  // Min-heap of the instants at which each slot frees up.
  std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
  double end = 0;
  for (uint64_t r : resident_remaining) {
    const double t = double(r) / per_cta_rate;
    free_at.push(t);
    end = std::max(end, t);
  }
  for (uint64_t s = resident_remaining.size(); s < slots; ++s) free_at.push(0.0);
  for (uint64_t q : queued) {
    const double start = free_at.top();
    free_at.pop();
    const double t = start + double(q) / per_cta_rate;
    free_at.push(t);
    end = std::max(end, t);
  }
  return end;
}

}  // namespace gpusim::sim
