// Shadow-SM sampling (`--sample` on grids of a few CTA generations whose CTAs share data through
// the L2: GEMMs; sim/sharing_probe.h decides): the launch runs on the full-size chip with 1 SM in
// `scale` simulated in detail and the others as shadow SMs (sim/shadow_sms.h: functional CTAs,
// paced by the detailed ones, whose global accesses go through the real L2 and DRAM). Unlike a
// scaled-machine proxy (sim/proxy_sampling.h), the L2 holds the CTAs of the whole chip at once,
// so the GEMM's tile reuse, and with it the DRAM traffic per CTA, is the full chip's.
//
// Prediction: the simulated run reproduces the chip up to the grid's last dispatch; its tail ends
// too early (the shadows free their slots in groups and spread the last CTAs thinly). The launch's
// end is bracketed by the simulated end and the last dispatch plus the longest a detailed CTA was
// resident; the prediction is the bracket's middle (shadow_sampling.cpp; docs/PERFORMANCE.md).
// Every CTA executes exactly once (detailed or shadow): outputs are complete.
#pragma once

#include <cstdint>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"
#include "sim/gpu_model.h"
#include "sim/occupancy.h"
#include "sim/sharing_probe.h"

namespace gpusim::sim {

struct ShadowOptions {
  bool enabled = false;         // --sample-shadow
  unsigned scale = 8;           // 1 SM in `scale` in detail (v100.ini: 10 of 80)
  unsigned min_detailed_sms = 4;  // fewer: too few CTAs to pace the shadows by
  // Of CTA 0's global read lines, at least this fraction read by a neighbour too: data shared
  // through the L2 (GEMM tiles: about half with each neighbour; disjoint kernels: 0).
  double min_shared_fraction = 0.25;
  double error_floor = 0.03;    // of the prediction, on top of the two ends' difference
  double max_error = 0.05;      // the NOT TRUSTED line (the scheme is never trusted yet)
};

struct ShadowRun {
  LaunchTiming timing;            // cycles = the prediction; SM counters: the detailed SMs; memory: the chip
  unsigned scale = 0;
  int detailed_sms = 0;
  uint64_t detailed_ctas = 0, shadow_ctas = 0;
  uint64_t detailed_warp_instructions = 0, shadow_warp_instructions = 0;
  uint64_t detailed_end_cycles = 0;  // the last detailed CTA retired (from the launch's start)
  uint64_t simulated_cycles = 0;     // the launch's end with the shadows (timing.cycles: the prediction)
  uint64_t last_dispatch_cycles = 0; // the grid's last CTA dispatched (from the launch's start)
  uint64_t longest_cta_cycles = 0;   // the longest a detailed CTA was resident
  double mean_pace = 0;           // warp-instructions per detailed CTA and cycle
  SharingProbe probe;
  uint64_t error_cycles = 0;
  bool trusted = true;
  double cpu_seconds = 0;
};

// Whether shadow SMs fit this chip (enough detailed SMs), with `why` when not.
bool shadow_sms_fit(const GpuConfig& config, const ShadowOptions& options, std::string& why);

// The prediction from a shadow run's ends (core cycles from the launch's start): the middle of
// [simulated end, last dispatch + longest detailed CTA] (either order), and as error the bracket's
// half-width (rounded up) + |simulated end - detailed SMs' end| + error_floor of the prediction
// (rounded up).
struct TailBracket {
  uint64_t cycles = 0, error_cycles = 0;
};
TailBracket bracket_tail(uint64_t simulated, uint64_t last_dispatch, uint64_t longest_cta, uint64_t detailed_end,
                         double error_floor);

// Runs the launch with shadow SMs on `model` (its SMs of index not a multiple of options.scale).
ShadowRun run_shadow_sampled_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources,
                                    const ShadowOptions& options);

}  // namespace gpusim::sim
