// The checks must be able to fail: a device that corrupts one element of what it copies back
// makes every workload report FAIL, so the tolerances are not so loose that they hide errors.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <functional>

#include "runtime/forwarding_device.h"
#include "runtime/sim_device.h"
#include "workloads/workload.h"

namespace gpusim::workloads {
namespace {

// Forwards to the simulator; copy_to_host corrupts the middle float of each copy.
class CorruptingDevice final : public runtime::ForwardingDevice {
 public:
  // `config_path` empty: the embedded default (V100-like).
  explicit CorruptingDevice(std::function<float(float)> corrupt, const std::string& config_path = "")
      : ForwardingDevice(make_inner(config_path)), corrupt_(std::move(corrupt)) {}

  std::string name() const override { return "corrupting " + inner().name(); }
  void copy_to_host(void* dst, runtime::DevPtr src, size_t bytes) override {
    inner().copy_to_host(dst, src, bytes);
    const size_t floats = bytes / sizeof(float);
    if (floats == 0) return;
    float* middle = static_cast<float*>(dst) + floats / 2;
    *middle = corrupt_(*middle);
  }

 private:
  static std::unique_ptr<runtime::Device> make_inner(const std::string& config_path) {
    runtime::SimDeviceOptions o;
    o.config_path = config_path;
    return runtime::make_sim_device(o);
  }

  std::function<float(float)> corrupt_;
};

// The H100 configuration, for the workloads whose kernels are sm_90a (Workload::required_sm()).
const std::string kH100 = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";

WorkloadResult run_small(const std::string& name, runtime::Device& dev) {
  WorkloadParams p;
  if (find_workload(name)->required_sm() != 0) p.size = find_workload(name)->default_size();  // already small
  else if (name.rfind("sgemm", 0) == 0) p.size = {24, 20, 28};
  else if (name == "wmma_gemm") p.size = {32, 32, 32};
  else if (name == "softmax") p.size = {4, 40};
  else if (name.rfind("transpose", 0) == 0) p.size = {20, 36};
  else p.size = {700};
  return find_workload(name)->run(dev, p);
}

TEST(DetectsErrors, EveryWorkloadFailsOnAPerturbedElement) {
  // +1% (and at least 0.01): far above every tolerance, far below a gross failure.
  const auto corrupt = [](float x) { return x + 0.01f + 0.01f * std::fabs(x); };
  CorruptingDevice dev(corrupt), hopper(corrupt, kH100);
  for (const auto& w : all_workloads()) {
    const WorkloadResult r = run_small(w->name(), w->required_sm() != 0 ? hopper : dev);
    EXPECT_FALSE(r.passed) << w->name() << ": " << r.detail;
    EXPECT_GT(r.max_abs_error, 0.0) << w->name();
  }
}

TEST(DetectsErrors, ExactWorkloadsCatchOneUlp) {
  CorruptingDevice dev([](float x) { return std::bit_cast<float>(std::bit_cast<uint32_t>(x) ^ 1u); });
  for (const char* name : {"vecadd", "window_sum_naive", "window_sum_shared", "reduce_sum", "wmma_gemm",
                           "transpose_padded", "transpose_unpadded"}) {
    const WorkloadResult r = run_small(name, dev);
    EXPECT_FALSE(r.passed) << name << ": " << r.detail;
  }
}

TEST(DetectsErrors, UncorruptedRunsPass) {
  const auto identity = [](float x) { return x; };
  CorruptingDevice dev(identity), hopper(identity, kH100);
  for (const auto& w : all_workloads())
    EXPECT_TRUE(run_small(w->name(), w->required_sm() != 0 ? hopper : dev).passed) << w->name();
}

}  // namespace
}  // namespace gpusim::workloads
