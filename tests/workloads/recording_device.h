// A device that keeps every byte a workload copies back, and a workload run on a simulated device
// with the results parallel-simulation tests compare (stats JSON, counts, copied-back bytes).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/forwarding_device.h"
#include "runtime/sim_device.h"
#include "workloads/workload.h"

namespace gpusim::workloads {

// Forwards to a simulated device and keeps every byte copied back to the host: the outputs the
// workload checks (and anything else it reads).
class RecordingDevice final : public runtime::ForwardingDevice {
 public:
  explicit RecordingDevice(std::unique_ptr<runtime::Device> inner) : ForwardingDevice(std::move(inner)) {}
  void copy_to_host(void* dst, runtime::DevPtr src, size_t bytes) override {
    inner().copy_to_host(dst, src, bytes);
    const auto* p = static_cast<const uint8_t*>(dst);
    copied_back.emplace_back(p, p + bytes);
  }

  std::vector<std::vector<uint8_t>> copied_back;
};

struct Outcome {
  bool passed = false;
  std::vector<std::string> stats_json;
  std::vector<uint64_t> cycles, warp_instructions, thread_instructions;
  std::vector<std::vector<uint8_t>> copied_back;
};

// `staged_commit`: SimDeviceOptions::staged_commit (timing mode).
inline Outcome run_on(const std::string& workload, const std::vector<uint64_t>& size, runtime::SimMode mode,
                      unsigned threads, bool staged_commit = true) {
  runtime::SimDeviceOptions o;
  o.mode = mode;
  o.threads = threads;
  o.staged_commit = staged_commit;
  // Hopper-only workloads (sm_90a kernels) run on the H100 configuration; the rest on the default.
  if (find_workload(workload)->required_sm() != 0) o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
  RecordingDevice dev(runtime::make_sim_device(o));
  WorkloadParams params;
  params.size = size;
  params.seed = 7;
  const WorkloadResult r = find_workload(workload)->run(dev, params);
  Outcome out;
  out.passed = r.passed;
  for (const runtime::LaunchStats& l : r.launches) {
    out.stats_json.push_back(l.report_json);
    out.cycles.push_back(l.cycles);
    out.warp_instructions.push_back(l.warp_instructions);
    out.thread_instructions.push_back(l.thread_instructions);
  }
  out.copied_back = std::move(dev.copied_back);
  return out;
}

}  // namespace gpusim::workloads
