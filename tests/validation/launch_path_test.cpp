// The launch path and CTA dispatch model: an event-timed launch includes launch.to_first_cta_ns +
// launch.completion_ns beside the CTAs' time; a dispatch interval of N cycles per SM spaces the
// CTAs an SM receives at least N cycles apart; the legacy tensor path at P % of the dense rate
// makes a tensor-bound MMA loop at most P % as fast.
#include <gtest/gtest.h>

#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "workloads/ubench.h"
#include "workloads/ubench_suite.h"

using namespace gpusim;

namespace {

const std::string kV100 = std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini";

std::unique_ptr<runtime::Device> timing_device(const std::vector<std::string>& overrides) {
  runtime::SimDeviceOptions o;
  o.config_path = kV100;
  o.overrides = overrides;
  o.mode = runtime::SimMode::Timing;
  return runtime::make_sim_device(o);
}

}  // namespace

TEST(LaunchPath, EventTimeIsKernelPlusConfiguredPath) {
  auto plain = timing_device({});
  const workloads::ubench::LaunchPathResult none = workloads::ubench::measure_empty_kernel(*plain);
  EXPECT_EQ(none.stats.launch_seconds, 0.0);
  auto dev = timing_device({"launch.to_first_cta_ns=4000", "launch.completion_ns=1500"});
  const workloads::ubench::LaunchPathResult r = workloads::ubench::measure_empty_kernel(*dev);
  EXPECT_DOUBLE_EQ(r.stats.launch_seconds, 5.5e-6);
  EXPECT_EQ(r.stats.cycles, none.stats.cycles);  // the CTAs' own time does not change
  EXPECT_NEAR(r.event_us, 5.5 + none.stats.seconds * 1e6, 1e-9);
}

TEST(LaunchPath, DispatchIntervalSpacesTheCtasOfAnSm) {
  const sim::GpuConfig c = sim::load_gpu_config(kV100);
  const uint32_t per_sm = 16, ctas = uint32_t(c.num_sms) * per_sm;
  auto fast = timing_device({});
  auto slow = timing_device({"launch.cta_dispatch_interval_cycles=200"});
  const workloads::ubench::DispatchResult f = workloads::ubench::measure_cta_dispatch(*fast, ctas);
  const workloads::ubench::DispatchResult s = workloads::ubench::measure_cta_dispatch(*slow, ctas);
  // Each SM receives its 16th CTA no earlier than 15 intervals after its first.
  EXPECT_GE(s.many.cycles, uint64_t(per_sm - 1) * 200);
  EXPECT_LT(f.many.cycles, uint64_t(per_sm - 1) * 200 / 2);
  EXPECT_EQ(s.one.cycles, f.one.cycles);  // a single CTA waits for nothing
}

TEST(LaunchPath, LegacyTensorRateScalesTheMmaLoop) {
  // The rate per SM is what the setting scales: 8 SMs show it as well as 80, in a tenth of the time.
  const std::string eight_sms = "sm.count=8";
  const sim::GpuConfig c = sim::load_gpu_config(kV100, {eight_sms});
  const uint32_t blocks = uint32_t(c.num_sms) * 4;
  auto full = timing_device({eight_sms});
  auto half = timing_device({eight_sms, "tensor.mma_sync_pct=50"});
  const double r100 = workloads::ubench::measure_wmma(*full, blocks, 256, 32).per_cycle();
  const double r50 = workloads::ubench::measure_wmma(*half, blocks, 256, 32).per_cycle();
  const double dense_peak = 2.0 * c.num_sms * c.tensor_cores_per_sm * c.tensor_fp16_fma_per_clock *
                            double(c.tensor_clock_mhz) / c.core_clock_mhz;
  EXPECT_LE(r100, dense_peak * 1.001);
  EXPECT_LE(r50, 0.5 * dense_peak * 1.001);
  EXPECT_GT(r50, 0.35 * dense_peak);  // still tensor-bound, not stalled elsewhere
}
