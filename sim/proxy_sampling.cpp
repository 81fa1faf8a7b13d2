#include "sim/proxy_sampling.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "sim/l2_warming.h"
#include "sim/sampled_detail.h"
#include "sim/systemc_driver.h"

namespace gpusim::sim {

GpuConfig scale_gpu_config(const GpuConfig& config, unsigned scale) {
  GpuConfig c = config;
  const int s = static_cast<int>(scale);
  c.num_sms = config.num_sms / s;
  c.l2_slices = config.l2_slices / s;
  c.l2_size_kib = config.l2_size_kib / s;
  c.dram_channels = config.dram_channels / s;
  return c;
}

namespace {

// The chip divides by `s` into equal parts: the same SMs per slice and per channel, the same L2
// bytes per slice, the L2 partitions (H100) still splitting SMs and channels evenly. GPCs are not
// scaled (cluster launches never get here).
bool divides_evenly(const GpuConfig& c, unsigned s, unsigned min_sms) {
  const int si = static_cast<int>(s);
  return c.num_sms % si == 0 && c.l2_slices % si == 0 && c.dram_channels % si == 0 && c.l2_size_kib % si == 0 &&
         c.num_sms / si >= int(min_sms) && (c.dram_channels / si) % c.l2_partitions == 0 &&
         c.num_sms / si >= c.l2_partitions;
}

LaunchTiming run_proxy(const GpuConfig& config, isa::WorkerPool* pool, isa::LaunchState& launch,
                       const KernelResources& resources, uint64_t first, uint64_t end, double& cpu_seconds) {
  // A fresh chip per proxy: it starts cold, as a launch on a fresh device does (the full chip's
  // caches from earlier launches are not carried over; docs/PERFORMANCE.md).
  GpuModel proxy(config);
  proxy.set_worker_pool(pool);
  proxy.set_cta_start(first);
  proxy.set_cta_limit(end);
  const double t0 = process_cpu_seconds();
  LaunchTiming t = run_timed_launch(proxy, launch, resources);
  cpu_seconds += process_cpu_seconds() - t0;
  return t;
}

}  // namespace

unsigned choose_proxy_scale(const GpuConfig& config, uint64_t total_ctas, const ProxyOptions& options,
                            std::string& why) {
  why.clear();
  for (unsigned s : options.fine_scales) {
    if (!divides_evenly(config, 2 * s, options.min_proxy_sms)) continue;
    // Each proxy's CTAs must be the grid's 1/s (1/2s) exactly: the same generations and wave
    // quantisation; at least one CTA per coarse-proxy SM.
    if (total_ctas % (2 * s) != 0 || total_ctas / (2 * s) < uint64_t(config.num_sms / (2 * s))) continue;
    return s;
  }
  why = "no scaled-machine proxy: no fine scale among";
  for (unsigned s : options.fine_scales) why += " " + std::to_string(s);
  why += " (coarse twice that) divides the chip (" + std::to_string(config.num_sms) + " SMs, " +
         std::to_string(config.l2_slices) + " L2 slices, " + std::to_string(config.dram_channels) +
         " DRAM channels; the coarse proxy at least " + std::to_string(options.min_proxy_sms) + " SMs) and the grid (" +
         std::to_string(total_ctas) + " CTAs, at least one per coarse-proxy SM) evenly";
  return 0;
}

ProxyRun run_proxy_sampled_launch(const GpuConfig& config, isa::WorkerPool* pool, isa::LaunchState& launch,
                                  const KernelResources& resources, const isa::FunctionalLimits& limits,
                                  unsigned scale, const ProxyOptions& options, GpuModel* chip) {
  ProxyRun r;
  r.scale = scale;
  const uint64_t total = launch.grid.count();
  r.coarse_ctas = total / (2 * scale);
  r.fine_ctas = total / scale;
  const GpuConfig coarse = scale_gpu_config(config, 2 * scale), fine = scale_gpu_config(config, scale);
  r.coarse_sms = coarse.num_sms;
  r.fine_sms = fine.num_sms;
  const uint32_t nsmid = launch.nsmid;
  const uint64_t issued_before = launch.warp_instructions;
  const LaunchTiming c = run_proxy(coarse, pool, launch, resources, 0, r.coarse_ctas, r.detailed_cpu_seconds);
  const uint64_t coarse_instructions = launch.warp_instructions - issued_before;
  const uint64_t issued_before_fine = launch.warp_instructions;
  r.timing = run_proxy(fine, pool, launch, resources, r.coarse_ctas, r.coarse_ctas + r.fine_ctas,
                       r.detailed_cpu_seconds);
  const uint64_t fine_instructions = launch.warp_instructions - issued_before_fine;
  launch.nsmid = nsmid;  // each proxy set its own SM count; the functional rest sees the chip's
  const double t0 = process_cpu_seconds();
  // Ascending ids, as the full chip dispatches them.
  if (chip) warm_l2_with_ctas(*chip, launch, limits, r.coarse_ctas + r.fine_ctas, total);
  else run_ctas_functionally(launch, limits, r.coarse_ctas + r.fine_ctas, total, pool);
  r.functional_cpu_seconds = process_cpu_seconds() - t0;

  r.coarse_cycles = c.cycles;
  r.coarse_dram_read_per_cta = double(c.memory.dram_read_bytes) / double(r.coarse_ctas);
  r.fine_dram_read_per_cta = double(r.timing.memory.dram_read_bytes) / double(r.fine_ctas);
  r.fine_cycles = r.timing.cycles;
  // Every CTA has run by now: the grid's work per CTA against each proxy's. Each proxy's cycles,
  // scaled by its own range's work, predict the launch; their difference is what the scale moves.
  const double grid_per_cta = double(launch.warp_instructions - issued_before) / double(total);
  r.work = compare_work_rates(double(fine_instructions) / double(r.fine_ctas), grid_per_cta, options.work);
  const WorkScaling coarse_work =
      compare_work_rates(double(coarse_instructions) / double(r.coarse_ctas), grid_per_cta, options.work);
  r.timing.cycles = static_cast<uint64_t>(std::llround(r.work.scale_cycles(double(r.fine_cycles))));
  r.timing.seconds = double(r.timing.cycles) / (config.core_clock_mhz * 1e6);
  const double diff = std::fabs(r.work.scale_cycles(double(r.fine_cycles)) -
                                coarse_work.scale_cycles(double(r.coarse_cycles)));
  r.error_cycles = static_cast<uint64_t>(
      std::ceil(diff + r.work.scale_error(options.error_floor * double(r.fine_cycles), double(r.fine_cycles))));
  const double dram_max = std::max(r.fine_dram_read_per_cta, r.coarse_dram_read_per_cta);
  r.shares_data = std::fabs(r.fine_dram_read_per_cta - r.coarse_dram_read_per_cta) >
                  options.max_dram_per_cta_change * dram_max;
  if (r.coarse_cycles && double(r.fine_cycles) > options.max_scale_growth * double(r.coarse_cycles)) {
    // Serialised CTAs add a fixed time each: the line through the two proxies, at the whole grid.
    const double per_cta = double(r.fine_cycles - r.coarse_cycles) / double(r.fine_ctas - r.coarse_ctas);
    r.serialised = true;
    r.serial_bound_cycles = static_cast<uint64_t>(
        std::ceil(r.work.scale_cycles(double(r.fine_cycles) + per_cta * double(total - r.fine_ctas))));
    const uint64_t reach = r.serial_bound_cycles > r.timing.cycles ? r.serial_bound_cycles - r.timing.cycles : 0;
    r.error_cycles = std::max(r.error_cycles,
                              reach + static_cast<uint64_t>(std::ceil(options.error_floor * double(r.serial_bound_cycles))));
  }
  r.trusted = r.fine_cycles && !r.shares_data && !r.serialised &&
              double(r.error_cycles) <= options.max_error * double(r.timing.cycles);
  return r;
}

}  // namespace gpusim::sim
