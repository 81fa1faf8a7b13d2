// The microbenchmark suite of `gpusim ubench`: every microbenchmark of workloads/ubench.h, sized
// for a GPU configuration, next to the published silicon figures for that chip
// (/work/shared/reference/hardware.md; section 6 for latencies and bandwidth fractions).
#pragma once

#include <string>
#include <vector>

#include "runtime/device.h"
#include "sim/gpu_config.h"

namespace gpusim::workloads::ubench {

struct SuiteRow {
  std::string benchmark;   // e.g. "L1 hit latency (p-chase)"
  double simulated = 0;    // in `unit`
  std::string unit;        // e.g. "cycles"
  std::string published;   // e.g. "28-34", or "-" when no published figure applies
  std::string source;      // hardware.md tag, or "-"
  std::string note;        // how the number was obtained / model peak comparison
};

// Which published figures apply: by the configuration's name ("V100..." or "H100...").
enum class PublishedChip { V100, H100, None };
PublishedChip published_chip_for(const sim::GpuConfig& config);

// Runs every microbenchmark on `dev` (which must simulate `config` in timing mode).
std::vector<SuiteRow> run_suite(runtime::Device& dev, const sim::GpuConfig& config);

}  // namespace gpusim::workloads::ubench
