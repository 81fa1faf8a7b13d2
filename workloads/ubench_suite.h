// The microbenchmark suite of `gpusim ubench`: every microbenchmark of workloads/ubench.h, sized
// for a GPU configuration, next to the published silicon figures for that chip
// (/work/shared/reference/hardware.md; section 6 for latencies and bandwidth fractions).
#pragma once

#include <string>
#include <vector>

#include "runtime/device.h"
#include "sim/gpu_config.h"
#include "workloads/ubench.h"

namespace gpusim::workloads::ubench {

struct SuiteRow {
  std::string benchmark;   // e.g. "L1 hit latency (p-chase)"
  double simulated = 0;    // in `unit`
  std::string unit;        // e.g. "cycles"
  std::string published;   // e.g. "28-34", or "-" when no published figure applies
  std::string source;      // hardware.md tag, or "-"
  std::string note;        // how the number was obtained / model peak comparison
  // Why the benchmark has no number here (empty when it ran): the configuration cannot host it,
  // or, with SuiteOptions::keep_going, the error it failed with (then `failed`).
  std::string not_run;
  bool failed = false;
};

// Which published figures apply: by the configuration's name ("V100..." or "H100...").
enum class PublishedChip { V100, H100, None };
PublishedChip published_chip_for(const sim::GpuConfig& config);

struct SuiteOptions {
  // Multiplies the work of the throughput runs (iterations, bytes). A real GPU needs more work per
  // launch than a simulation can afford, so the launch overhead stays small next to the kernel.
  int work_scale = 1;
  // Only the microbenchmarks named here (SuiteRow::benchmark); empty = all. The calibration
  // (validation/calibration_rules.h) runs exactly the suite's benchmark it fits to.
  std::vector<std::string> only;
  // A benchmark that fails (or that the configuration cannot host) becomes a row saying so and the
  // suite goes on (gpusim ubench keeps the others); without it the first such benchmark throws.
  bool keep_going = false;
};

// The launch-path microbenchmarks' names (rows of run_suite).
inline constexpr const char* kEmptyKernelBenchmark = "empty kernel (event time)";
inline constexpr const char* kCtaDispatchBenchmark = "CTA dispatch (empty CTAs)";

// The suite's DRAM streaming copy: 16 MiB x work_scale copied by every resident thread of
// 256-thread blocks on `config`'s SMs. Shared with the DRAM-efficiency calibration, which must
// run exactly the copy the suite reports.
ThroughputResult measure_suite_stream_copy(runtime::Device& dev, const sim::GpuConfig& config, int work_scale = 1);

// The suite's DRAM read, write and 2:1 streams: arrays of max(16 MiB, 2 x L2) x work_scale (so
// the traffic is DRAM traffic, not the L2's), every resident thread of 256-thread blocks.
ThroughputResult measure_suite_stream(runtime::Device& dev, const sim::GpuConfig& config, StreamMix mix,
                                      int work_scale = 1);

// Runs every microbenchmark on `dev`: the simulator of `config` in timing mode, or a real GPU
// described by `config` (a matched configuration, validation/matched_config.h). Where a launch
// reports no cycle count (a real GPU), cycles are its measured seconds x config's core clock.
std::vector<SuiteRow> run_suite(runtime::Device& dev, const sim::GpuConfig& config, const SuiteOptions& options = {});

}  // namespace gpusim::workloads::ubench
