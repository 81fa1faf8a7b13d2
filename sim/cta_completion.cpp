#include "sim/cta_completion.h"

#include <sstream>

#include "isa/step.h"

namespace gpusim::sim {

namespace {

void check_budget(const isa::CtaState& cta, const isa::LaunchState& launch, const isa::FunctionalLimits& limits) {
  if (launch.warp_instructions <= limits.max_warp_instructions) return;
  std::ostringstream os;
  os << cta.where() << ": more than " << limits.max_warp_instructions
     << " warp-instructions executed; the kernel probably never terminates";
  throw isa::ExecError(os.str(), isa::FaultKind::Runaway);
}

}  // namespace

std::vector<uint64_t> complete_resident_ctas(std::vector<std::unique_ptr<isa::CtaState>>& ctas,
                                             isa::LaunchState& launch, const isa::FunctionalLimits& limits) {
  std::vector<uint64_t> executed(ctas.size(), 0);
  std::vector<bool> done(ctas.size(), false);
  for (size_t remaining = ctas.size(); remaining;) {
    bool any_progress = false;
    const isa::CtaState* stuck = nullptr;
    for (size_t k = 0; k < ctas.size(); ++k) {
      if (done[k]) continue;
      isa::CtaState& cta = *ctas[k];
      const uint64_t before = launch.warp_instructions;
      bool all_done = true, progressed = false;
      for (auto& wp : cta.warps) {
        isa::Warp& w = *wp;
        for (unsigned i = 0; i < limits.slice && !w.done() && !w.at_barrier; ++i) {
          if (isa::step_warp(w, cta, launch, nullptr).waiting) break;  // held at barrier.cluster.wait
          launch.clock += 1;
          progressed = true;
        }
        all_done = all_done && w.done();
      }
      executed[k] += launch.warp_instructions - before;
      check_budget(cta, launch, limits);
      // Exits may release a barrier too (exited threads never hold one up).
      const bool released = cta.release_ready_barriers();
      if (all_done) done[k] = true, --remaining, any_progress = true;
      else if (progressed || released) any_progress = true;
      else if (!stuck) stuck = &cta;
    }
    if (!any_progress && stuck) throw isa::ExecError(isa::describe_barrier_deadlock(*stuck), isa::FaultKind::Barrier);
  }
  return executed;
}

std::vector<uint64_t> run_counted_ctas(isa::LaunchState& launch, const isa::FunctionalLimits& limits, uint64_t first,
                                       uint64_t end) {
  std::vector<uint64_t> executed;
  executed.reserve(end > first ? end - first : 0);
  const isa::Dim3& g = launch.grid;
  for (uint64_t id = first; id < end; ++id) {
    const isa::Dim3 ctaid{static_cast<uint32_t>(id % g.x), static_cast<uint32_t>(id / g.x % g.y),
                          static_cast<uint32_t>(id / (uint64_t(g.x) * g.y))};
    isa::CtaState cta(launch, ctaid);
    const uint64_t before = launch.warp_instructions;
    isa::run_cta_functional(cta, launch, limits);
    executed.push_back(launch.warp_instructions - before);
  }
  return executed;
}

}  // namespace gpusim::sim
