// Scaled-machine proxy (`--sample` on grids of a few CTA generations): 1/s of the chip runs 1/s
// of the grid's CTAs in detail and its cycles are the prediction for the whole launch.
//
// Why this works where a prefix of the launch does not (docs/PERFORMANCE.md): a grid of one to
// three generations of CTAs on 80 SMs has no steady state to measure a rate in (the first
// generation drifts, bandwidth is shared, phases run in lockstep). A machine with SMs/s, L2
// slices/s (same capacity per slice) and DRAM channels/s keeps every per-SM share (bandwidth,
// L2 capacity, crossbar port) and, given N/s CTAs, the same number of generations with the same
// wave quantisation; it replays the launch's time course instead of extrapolating it.
//
// Error: the scale itself is the unknown (a GEMM's CTAs reuse each other's tiles through the L2,
// and a smaller chip holds fewer of them at once: sgemm_tiled 512^3 and wmma_gemm 1024^3 on
// v100.ini came out +1.5 % and +13.7 % off on 1/16 of the chip, -1.4 % and +4.2 % on 1/8). So two
// proxies run, on disjoint contiguous CTA ranges (contiguous, so that neighbouring CTAs share L2
// lines as in the full grid): a coarse one (1/2s of the chip and of the CTAs) and a fine one
// (1/s). The prediction is the fine proxy's cycles; the printed error is their difference (how
// far the result still moves with the scale) plus a floor measured against full runs (what the
// difference cannot see: the fine proxy's own range-to-range jitter). Above max_error, or when the
// proxies' DRAM reads per CTA differ (the CTAs share data through the L2, a bias the difference
// does not bound), the prediction is printed as NOT TRUSTED. The remaining CTAs run functionally, so the outputs are
// complete. Every decision uses the configuration and the grid shape only: the same result for
// any --threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/launch_state.h"
#include "sim/gpu_config.h"
#include "sim/gpu_model.h"
#include "sim/occupancy.h"
#include "sim/work_scaling.h"

namespace gpusim::sim {

struct ProxyOptions {
  // Fine scales tried in order (the coarse proxy is twice as small): the first at which the chip
  // and the grid divide evenly. 8 on v100.ini (10 SMs fine, 5 coarse): 3/16 of the CTAs in detail.
  std::vector<unsigned> fine_scales = {8, 4};
  unsigned min_proxy_sms = 4;  // the coarse proxy's: fewer SMs share L2 and DRAM among too few
  // Of the prediction, on top of the two proxies' difference: on v100.ini at the large sizes the
  // 1/8 proxy of a second CTA range came out -1.0 to -2.0 % off where the difference of the first
  // range's two scales was 0.3-0.6 % (reduce_sum 8M; docs/PERFORMANCE.md).
  double error_floor = 0.02;
  double max_error = 0.05;  // above: printed as NOT TRUSTED (the proxies cannot be re-run in full)
  double max_dram_per_cta_change = 0.10;  // between the proxies; above: NOT TRUSTED (ProxyRun)
  // The fine proxy (twice the chip, twice the CTAs of the coarse one) taking this much longer than
  // the coarse one: its time grows with the CTA count, not the chip's share (ProxyRun::serialised).
  double max_scale_growth = 1.5;
  // The grid's warp-instructions per CTA against the fine proxy's (sim/work_scaling.h): its CTA
  // range is the grid's second sixteenth, and later CTAs may do more or less work.
  WorkScalingOptions work;
};

struct ProxyRun {
  LaunchTiming timing;          // cycles/seconds = the prediction; counters: the fine proxy's CTAs
  unsigned scale = 0;           // the fine proxy's
  int fine_sms = 0, coarse_sms = 0;
  uint64_t fine_ctas = 0, coarse_ctas = 0;
  uint64_t fine_cycles = 0, coarse_cycles = 0;
  // DRAM bytes read per CTA on each proxy: equal when the CTAs share no data through the L2
  // (reduce_sum, softmax: within 1 %); larger on the coarse chip when they do (a GEMM's tiles:
  // sgemm_tiled 384x384x512 28,540 against 14,686), and then the result moves with the scale in
  // a way the two proxies' difference does not bound (that GEMM: both 10-13 % under the full chip,
  // 3.4 % apart). Such a prediction is NOT TRUSTED whatever its estimated error.
  double fine_dram_read_per_cta = 0, coarse_dram_read_per_cta = 0;
  bool shares_data = false;  // the two differ by more than max_dram_per_cta_change
  uint64_t error_cycles = 0;
  bool trusted = true;
  // The fine proxy took over max_scale_growth times the coarse one's cycles: something the scaled
  // chips do not scale serialises the CTAs (every CTA's atomics on one address, in one L2 slice:
  // an outside user's hotspot was predicted 8x low). The whole grid may then take as long as the
  // line through the two proxies (cycles against CTAs) says at its CTA count: the error reaches
  // that far (plus the floor) and the result is NOT TRUSTED.
  bool serialised = false;
  uint64_t serial_bound_cycles = 0;
  // The whole grid's warp-instructions per CTA against the fine proxy's CTAs', and the prediction
  // before it was scaled by them (the fine proxy's cycles).
  WorkScaling work;
  double detailed_cpu_seconds = 0, functional_cpu_seconds = 0;
};

// The chip 1/scale the size: SMs, L2 slices and size, DRAM channels divided by `scale`; every
// per-SM and per-slice parameter unchanged.
GpuConfig scale_gpu_config(const GpuConfig& config, unsigned scale);

// The fine scale for this launch, or 0 with `why` saying what prevents one (the chip does not
// divide evenly, the grid is too small).
unsigned choose_proxy_scale(const GpuConfig& config, uint64_t total_ctas, const ProxyOptions& options,
                            std::string& why);

// Runs the coarse proxy on CTAs [0, N/2s), the fine one on the next N/s (on `pool`, as the device's
// model would), then the rest of the grid functionally. With `chip`, the rest's global accesses
// warm its L2 (sim/l2_warming.h, in CTA order on the calling thread), so that the next launch
// finds the lines this grid left there, as after a full run, instead of an L2 this launch never
// touched (the proxies have their own).
ProxyRun run_proxy_sampled_launch(const GpuConfig& config, isa::WorkerPool* pool, isa::LaunchState& launch,
                                  const KernelResources& resources, const isa::FunctionalLimits& limits,
                                  unsigned scale, const ProxyOptions& options, GpuModel* chip = nullptr);

}  // namespace gpusim::sim
