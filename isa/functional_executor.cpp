#include "isa/functional_executor.h"

#include <sstream>

#include "isa/step.h"

namespace gpusim::isa {

std::string describe_barrier_deadlock(const CtaState& cta) {
  std::ostringstream os;
  os << cta.where() << ": barrier can never complete:";
  for (unsigned id = 0; id < 16; ++id) {
    const NamedBarrier& b = cta.barriers[id];
    if (b.waiting.empty()) continue;
    os << " barrier " << id << " has " << b.arrived_threads << " of "
       << (b.expected_threads ? b.expected_threads : cta.live_threads()) << " threads (waiting warps:";
    for (const Warp* w : b.waiting) os << " " << w->id();
    os << ");";
  }
  unsigned exited = 0;
  for (const auto& w : cta.warps) exited += __builtin_popcount(w->present() & ~w->live());
  if (exited) os << " " << exited << " threads have exited;";
  os << " every participating thread must reach the same barrier";
  return os.str();
}

void run_cta_functional(CtaState& cta, LaunchState& launch, const FunctionalLimits& limits) {
  for (;;) {
    bool progressed = false;
    bool all_done = true;
    for (auto& wp : cta.warps) {
      Warp& w = *wp;
      for (unsigned i = 0; i < limits.slice && !w.done() && !w.at_barrier; ++i) {
        step_warp(w, cta, launch, nullptr);
        progressed = true;
        launch.clock += 1;
      }
      all_done = all_done && w.done();
    }
    if (launch.warp_instructions > limits.max_warp_instructions) {
      std::ostringstream os;
      os << cta.where() << ": more than " << limits.max_warp_instructions
         << " warp-instructions executed; the kernel probably never terminates";
      throw ExecError(os.str(), FaultKind::Runaway);
    }
    // Exits may have released a barrier (exited threads never hold one up).
    const bool released = cta.release_ready_barriers();
    if (all_done) return;
    if (!progressed && !released) throw ExecError(describe_barrier_deadlock(cta), FaultKind::Barrier);
  }
}

void run_grid_functional(LaunchState& launch, const FunctionalLimits& limits) {
  for (uint32_t z = 0; z < launch.grid.z; ++z)
    for (uint32_t y = 0; y < launch.grid.y; ++y)
      for (uint32_t x = 0; x < launch.grid.x; ++x) {
        CtaState cta(launch, Dim3{x, y, z});
        run_cta_functional(cta, launch, limits);
      }
}

}  // namespace gpusim::isa
