// The rest of a launch after progress-rate sampling stopped its cycle-level model
// (sim/progress_sampling.h): how long the machine takes to run the work the CTAs still had, given
// the steady rate at which one resident CTA progressed. Kept apart from the simulator so that it
// can be tested against hand-computed schedules.
//
// Model: the GPU has `slots` CTA slots (CTAs per SM x SMs). Each CTA executes its remaining
// warp-instructions at `per_cta_rate` (warp-instructions per cycle) whatever else runs, the CTAs
// resident at the stop on their slots from time 0, and the CTAs not yet dispatched, in dispatch
// (linear id) order, each on the slot that frees first, as the dispatcher hands them out. The rest
// takes until the last slot is done: this gives the grid's tail, where fewer CTAs than the
// machine holds remain and the machine-wide rate falls.
//
// What the model leaves out (the error floor covers it): a CTA on a part-empty SM in the tail runs
// faster than at full occupancy (it shares the SM's issue slots and memory bandwidth with fewer
// others), the dispatcher's interval between hand-outs, and work whose per-instruction cost
// differs from the measured part's (an epilogue with other instructions).
#pragma once

#include <cstdint>
#include <vector>

namespace gpusim::sim {

// Cycles until every CTA has finished. Throws std::invalid_argument when slots == 0, when more
// CTAs are resident than there are slots, or when per_cta_rate <= 0.
double schedule_remaining_work(uint64_t slots, const std::vector<uint64_t>& resident_remaining,
                               const std::vector<uint64_t>& queued, double per_cta_rate);

// The same schedule with a per-CTA rate for each SM: a CTA progresses at the rate measured for one
// CTA on its SM (the SM's warp-instructions per cycle over the CTAs it held). A grid that does not
// divide evenly among the SMs (256 CTAs on 80 SMs: 16 SMs hold 4 CTAs, 64 hold 3) leaves the
// SMs with more CTAs running each one slower when the SM's pipes are the limit, so they end last;
// one machine-wide per-CTA rate ended them with the others (a compute-bound kernel predicted 16 %
// fast). Resident CTAs stay on their SM; a queued CTA takes the slot that frees first (ties: the
// lower SM). Throws std::invalid_argument for an SM without slots or with more resident CTAs than
// slots, a rate <= 0, or a resident CTA on an SM that does not exist.
struct SmTail {
  uint64_t slots = 0;
  double per_cta_rate = 0;
};
struct ResidentCta {
  size_t sm = 0;
  uint64_t remaining = 0;
};
double schedule_remaining_work_by_sm(const std::vector<SmTail>& sms, const std::vector<ResidentCta>& resident,
                                     const std::vector<uint64_t>& queued);

}  // namespace gpusim::sim
