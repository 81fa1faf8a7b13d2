#include "sim/tail_schedule.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <stdexcept>
#include <string>
#include <utility>

namespace gpusim::sim {

double schedule_remaining_work_by_sm(const std::vector<SmTail>& sms, const std::vector<ResidentCta>& resident,
                                     const std::vector<uint64_t>& queued) {
  std::vector<uint64_t> used(sms.size(), 0);
  for (const SmTail& sm : sms) {
    if (sm.slots == 0) throw std::invalid_argument("tail schedule: an SM has no CTA slot");
    if (!(sm.per_cta_rate > 0)) throw std::invalid_argument("tail schedule: the per-CTA rate must be positive");
  }
  // Min-heap of (instant a slot frees, its SM): ties go to the lower SM, so the schedule is fixed.
  using Slot = std::pair<double, size_t>;
  std::priority_queue<Slot, std::vector<Slot>, std::greater<>> free_at;
  double end = 0;
  for (const ResidentCta& c : resident) {
    if (c.sm >= sms.size()) throw std::invalid_argument("tail schedule: a resident CTA on an SM that does not exist");
    if (++used[c.sm] > sms[c.sm].slots)
      throw std::invalid_argument("tail schedule: more resident CTAs on SM " + std::to_string(c.sm) + " than its " +
                                  std::to_string(sms[c.sm].slots) + " slots");
    const double t = double(c.remaining) / sms[c.sm].per_cta_rate;
    free_at.push({t, c.sm});
    end = std::max(end, t);
  }
  for (size_t s = 0; s < sms.size(); ++s)
    for (uint64_t k = used[s]; k < sms[s].slots; ++k) free_at.push({0.0, s});
  for (uint64_t q : queued) {
    const auto [start, sm] = free_at.top();
    free_at.pop();
    const double t = start + double(q) / sms[sm].per_cta_rate;
    free_at.push({t, sm});
    end = std::max(end, t);
  }
  return end;
}

double schedule_remaining_work(uint64_t slots, const std::vector<uint64_t>& resident_remaining,
                               const std::vector<uint64_t>& queued, double per_cta_rate) {
  if (slots == 0) throw std::invalid_argument("tail schedule: the GPU has no CTA slot");
  // The machine as one SM holding every slot at one rate.
  std::vector<ResidentCta> resident;
  for (uint64_t r : resident_remaining) resident.push_back({0, r});
  return schedule_remaining_work_by_sm({{slots, per_cta_rate}}, resident, queued);
}

}  // namespace gpusim::sim
