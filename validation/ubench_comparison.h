// The microbenchmarks side by side: the simulator's figures (clock64 latencies, per-SM
// throughputs) next to the same microbenchmarks measured on a real GPU, with the published range.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/device.h"
#include "sim/gpu_config.h"
#include "validation/measured_record.h"
#include "workloads/ubench_suite.h"

namespace gpusim::validation {

// Runs the suite on a real GPU described by `matched` (its SM count and measured clock turn times
// into per-SM, per-cycle figures): each launch after an L2 flush, 2 warm-ups, median of 5, with
// 8x the simulator's work per throughput launch. The microbenchmark kernels are idempotent, so
// repeating a launch is safe.
std::vector<workloads::ubench::SuiteRow> measure_ubench_on_gpu(runtime::Device& gpu, const sim::GpuConfig& matched,
                                                               long long l2_bytes);

std::vector<MeasuredUbench> to_measured(const std::vector<workloads::ubench::SuiteRow>& rows);

struct UbenchPair {
  std::string benchmark, unit, published;
  double simulated = 0, measured = 0;
  double error_pct = 0;  // 100 * (simulated - measured) / measured; NaN when measured is 0
};

// Pairs by benchmark name (and unit); benchmarks missing on either side are left out.
std::vector<UbenchPair> pair_ubench(const std::vector<workloads::ubench::SuiteRow>& simulated,
                                    const std::vector<MeasuredUbench>& measured);

void print_ubench_pairs(std::ostream& os, const std::vector<UbenchPair>& pairs);
void write_ubench_pairs_csv(const std::string& path, const std::string& config_name, const GpuIdentity& gpu,
                            const std::vector<UbenchPair>& pairs);

}  // namespace gpusim::validation
