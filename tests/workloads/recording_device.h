// A device that keeps every byte a workload copies back, and a workload run on a simulated device
// with the results parallel-simulation tests compare (stats JSON, counts, copied-back bytes).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/sim_device.h"
#include "workloads/workload.h"

namespace gpusim::workloads {

// Forwards to a simulated device and keeps every byte copied back to the host: the outputs the
// workload checks (and anything else it reads).
class RecordingDevice final : public runtime::Device {
 public:
  explicit RecordingDevice(std::unique_ptr<runtime::Device> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  runtime::DevPtr alloc(size_t bytes) override { return inner_->alloc(bytes); }
  void free(runtime::DevPtr p) override { inner_->free(p); }
  void copy_to_device(runtime::DevPtr dst, const void* src, size_t bytes) override { inner_->copy_to_device(dst, src, bytes); }
  void copy_to_host(void* dst, runtime::DevPtr src, size_t bytes) override {
    inner_->copy_to_host(dst, src, bytes);
    const auto* p = static_cast<const uint8_t*>(dst);
    copied_back.emplace_back(p, p + bytes);
  }
  void memset(runtime::DevPtr dst, int value, size_t bytes) override { inner_->memset(dst, value, bytes); }
  runtime::ModuleHandle load_ptx(const std::string& source_name, const std::string& ptx) override {
    return inner_->load_ptx(source_name, ptx);
  }
  runtime::LaunchStats launch(runtime::ModuleHandle m, const std::string& kernel, const runtime::LaunchConfig& cfg,
                              const runtime::KernelArgs& args) override {
    return inner_->launch(m, kernel, cfg, args);
  }
  void synchronize() override { inner_->synchronize(); }
  runtime::KernelArg encode_tensor_map_tiled(const runtime::TiledTensorMapSpec& s) override {
    return inner_->encode_tensor_map_tiled(s);
  }
  runtime::DeviceProperties properties() const override { return inner_->properties(); }

  std::vector<std::vector<uint8_t>> copied_back;

 private:
  std::unique_ptr<runtime::Device> inner_;
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
