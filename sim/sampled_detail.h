// The two parts every sampled launch has, shared by the prefix sampler (sim/sampled_launch.h) and
// the window sampler (sim/window_sampling.h): the detailed run with the sampler steering the
// dispatcher, and the CTAs it left out, run functionally so the results stay complete.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"
#include "sim/gpu_model.h"
#include "sim/systemc_driver.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

// Process CPU time (all threads): the split between the detailed and the functional part of a
// sampled launch is reported in CPU seconds, which a loaded machine moves less than wall time.
double process_cpu_seconds();

struct DetailedPart {
  LaunchTiming timing;
  double cpu_seconds = 0;
  uint64_t ctas = 0;                      // CTAs the sampler let run in detail
  std::vector<uint64_t> wave_end_cycles;  // from launch start, one per full detailed wave
};

// Runs `launch` on the cycle-level model with `sampler` armed by `arm(sampler)` (a listener that
// limits and steers the dispatcher: WaveSampler, WindowSampler). The sampler is disarmed when the
// launch ends, faulted or not: its limits must not outlive the launch.
template <class Sampler, class Arm>
DetailedPart run_detailed_part(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources,
                               Sampler& sampler, Arm&& arm) {
  struct Disarm {
    Sampler& s;
    ~Disarm() { s.disarm(); }
  } disarm{sampler};
  DetailedPart d;
  const uint64_t start = model.core_cycle();
  arm(sampler);
  const double t0 = process_cpu_seconds();
  d.timing = run_timed_launch(model, launch, resources);
  d.cpu_seconds = process_cpu_seconds() - t0;
  d.ctas = sampler.detailed_ctas();
  for (uint64_t c : sampler.wave_ends()) d.wave_end_cycles.push_back(c - start);
  return d;
}

// Runs the CTAs with linear ids [first, end) of `launch` functionally, independent ones on
// `pool`'s threads (isa::run_ctas_functional: the same results for any thread count); returns the
// process CPU seconds (all threads'). Throws like run_cta_functional.
double run_ctas_functionally(isa::LaunchState& launch, const isa::FunctionalLimits& limits, uint64_t first,
                             uint64_t end, isa::WorkerPool* pool);

}  // namespace gpusim::sim
