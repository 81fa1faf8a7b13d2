// Per-launch statistics of the timing model as JSON (`--stats FILE`) and as a readable summary:
// cycles, time, instructions, IPC, issue-slot use, stall reasons, achieved occupancy, cache hit
// rates, sectors per request, bank conflicts, DRAM traffic and bandwidth, TensorCore use.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sim/gpu_config.h"
#include "sim/gpu_model.h"

namespace gpusim::sim {

// Derived metrics, computed in one place so JSON and text agree.
struct TimingMetrics {
  double ipc_per_sm = 0;             // warp-instructions per active SM cycle
  double issue_slot_utilization = 0; // issued / issue slots
  double achieved_occupancy = 0;     // resident warps / max warps, over active cycles
  double l1_hit_rate = 0, l2_hit_rate = 0;
  double sectors_per_request = 0;    // global loads
  double sectors_per_store_request = 0;  // global stores
  uint64_t shared_bank_conflicts = 0;
  double dram_bytes = 0, dram_bandwidth_gbs = 0, dram_bandwidth_fraction = 0;
  double tensor_utilization = 0;     // tensor-pipe busy cycles / (sub-cores x active cycles)
};

TimingMetrics derive_metrics(const GpuConfig& config, const LaunchTiming& t);
// `fingerprint`: sim/config_fingerprint.h's of `config`, worked out once by the caller (it describes every value).
nlohmann::json timing_to_json(const GpuConfig& config, const std::string& fingerprint, const std::string& kernel,
                              const LaunchTiming& t);
std::string timing_summary(const GpuConfig& config, const std::string& kernel, const LaunchTiming& t);

}  // namespace gpusim::sim
