// The measurement and comparison machinery, run with the simulator standing in for the GPU (its
// timing mode reports a kernel time like CUDA events do), and on a real GPU where one is usable.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/cuda_device.h"
#include "runtime/forwarding_device.h"
#include "runtime/sim_device.h"
#include "validation/comparison.h"
#include "validation/gpu_measure.h"
#include "validation/timed_launch_device.h"
#include "workloads/workload.h"

using namespace gpusim;
using namespace gpusim::validation;

namespace {

std::unique_ptr<runtime::Device> timing_sim() {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.overrides = {"sm.count=4"};
  return runtime::make_sim_device(o);
}

// Counts launches and memsets on the way through to the simulator.
class CountingDevice final : public runtime::ForwardingDevice {
 public:
  explicit CountingDevice(runtime::Device& d) : ForwardingDevice(d) {}
  void memset(runtime::DevPtr dst, int v, size_t n) override {
    ++memsets;
    memset_bytes = n;
    inner().memset(dst, v, n);
  }
  runtime::LaunchStats launch(runtime::ModuleHandle m, const std::string& k, const runtime::LaunchConfig& c,
                              const runtime::KernelArgs& a) override {
    ++launches;
    return inner().launch(m, k, c, a);
  }
  int launches = 0, memsets = 0;
  size_t memset_bytes = 0;
};

}  // namespace

TEST(Median, OddEvenAndEmpty) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_THROW(median({}), std::invalid_argument);
}

TEST(TimedLaunchDevice, RepeatsEachLaunchAfterAFlushAndReportsTheMedian) {
  auto sim = timing_sim();
  CountingDevice counting(*sim);
  TimedLaunchDevice timed(counting, {2, 3, 4096});
  EXPECT_EQ(counting.memsets, 1);  // the flush buffer is zeroed once
  EXPECT_EQ(counting.memset_bytes, 4096u);
  const workloads::Workload* w = workloads::find_workload("vecadd");
  const workloads::WorkloadResult r = w->run(timed, {{1000}, 1});
  EXPECT_TRUE(r.passed) << r.detail;
  EXPECT_EQ(counting.launches, 10);  // 2 warm-up + 3 timed, each after a flush-read launch
  ASSERT_EQ(timed.last_samples().size(), 3u);
  EXPECT_DOUBLE_EQ(r.launches[0].seconds, median(timed.last_samples()));
  EXPECT_THROW(TimedLaunchDevice(counting, {0, 0, 0}), std::invalid_argument);
}

TEST(MeasureWorkload, EveryRunIsVerifiedAndTimedPerLaunch) {
  auto sim = timing_sim();
  CountingDevice counting(*sim);
  const workloads::Workload* w = workloads::find_workload("sgemm_tiled");
  const WorkloadMeasurement m = measure_workload(counting, 1 << 20, *w, {{32, 48, 40}, 3}, {1, 3}, 2.5);
  EXPECT_TRUE(m.verified) << m.detail;
  EXPECT_EQ(counting.launches, 8);  // 1 warm-up + 3 timed whole runs, each launch after a flush read
  ASSERT_EQ(m.kernels.size(), 1u);
  const MeasuredKernel& k = m.kernels[0];
  EXPECT_EQ(k.workload, "sgemm_tiled");
  EXPECT_EQ(k.kernel, "sgemm_tiled");
  EXPECT_EQ(k.size, "32x48x40");
  EXPECT_EQ(k.seed, 3u);
  EXPECT_EQ(k.ctas, 6u);  // 2 x 3 tiles of 16 x 16
  EXPECT_EQ(k.repetitions, 3);
  EXPECT_DOUBLE_EQ(k.launch_overhead_us, 2.5);
  EXPECT_GT(k.median_us, 0);
  EXPECT_LE(k.min_us, k.median_us);
  EXPECT_GE(k.max_us, k.median_us);
}

TEST(Comparison, PairsLaunchesAndComputesErrorsFromTheMeasurement) {
  const workloads::Workload* w = workloads::find_workload("vecadd");
  runtime::SimDeviceOptions o;
  o.overrides = {"sm.count=4"};
  const workloads::WorkloadResult sim = simulate_workload(*w, {{4096}, 1}, o);
  ASSERT_TRUE(sim.passed);
  ASSERT_EQ(sim.launches.size(), 1u);
  ASSERT_GT(sim.launches[0].cycles, 0u);  // timing mode, whatever the options said
  const double predicted_us = sim.launches[0].seconds * 1e6;

  MeasuredKernel k{"vecadd", "4096", 1, 0, "vecadd", 16, 2, 10, predicted_us * 2, predicted_us, predicted_us * 3, 1.0, true};
  const std::vector<ComparisonRow> rows = pair_launches(sim, {k});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NEAR(rows[0].error_pct, -50.0, 1e-9);
  // Against the measurement less the 1 us launch overhead: p vs 2p - 1.
  EXPECT_NEAR(rows[0].error_excl_overhead_pct, 100.0 * (predicted_us - (2 * predicted_us - 1)) / (2 * predicted_us - 1),
              1e-9);
  EXPECT_EQ(rows[0].predicted_cycles, sim.launches[0].cycles);

  ComparisonRow other = rows[0];
  other.predicted_us = 30;
  other.predicted_kernel_us = 30;  // no launch path configured: kernel alone = with launch
  other.measured_us = 20;  // +50 %
  other.gpu_verified = false;
  const ComparisonSummary s = summarize({rows[0], other});
  EXPECT_NEAR(s.mape_pct, 50.0, 1e-9);
  // The second row's 20 us less 1 us overhead: |30 - 19| / 19.
  EXPECT_NEAR(s.mape_excl_overhead_pct, (std::fabs(rows[0].error_excl_overhead_pct) + 100.0 * 11 / 19) / 2, 1e-9);
  EXPECT_EQ(s.unverified, 1u);
  EXPECT_EQ(s.kernels, 2u);

  k.kernel = "some_other_kernel";
  EXPECT_THROW(pair_launches(sim, {k}), std::runtime_error);
  k.kernel = "vecadd";
  EXPECT_THROW(pair_launches(sim, {k, k}), std::runtime_error);
}

// ---- on a real GPU (skipped with the reason elsewhere) ----

class ValidationGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    const runtime::CudaAvailability a = runtime::probe_cuda();
    if (!a.available) GTEST_SKIP() << "no usable CUDA GPU: " << a.reason;
    gpu = runtime::make_cuda_device();
  }
  std::unique_ptr<runtime::Device> gpu;
};

TEST_F(ValidationGpu, CardCharacterisationIsPlausible) {
  const double overhead = measure_launch_overhead_us(*gpu);
  const double mhz = measure_sm_clock_mhz(*gpu, 5.0);
  const runtime::CudaDeviceInfo& info = *runtime::cuda_device_info(*gpu);
  if (info.name.rfind("gpusim ", 0) == 0) {
    // The simulator behind the driver API (build/lib/libcuda.so.1): the ranges below are facts
    // about silicon, not about it. Its launch "overhead" is host time (functional mode) or the
    // model's launch cost (timing mode), and its %globaltimer is the simulated clock in ns.
    // What must hold is that the measurements run and give positive values.
    EXPECT_GT(overhead, 0.0);
    EXPECT_GT(mhz, 0.0);
  } else {
    EXPECT_GT(overhead, 0.3);
    EXPECT_LT(overhead, 100.0);
    EXPECT_GT(mhz, 300.0);
    EXPECT_LT(mhz, info.core_clock_khz / 1000.0 * 1.1);  // never far above the maximum boost clock
  }
  const GpuIdentity id = identify_gpu(info, mhz);
  EXPECT_EQ(id.sm_count, info.sm_count);
  EXPECT_FALSE(id.cuda_version.empty());
}

TEST_F(ValidationGpu, MeasuredWorkloadIsVerifiedWithOrderedStatistics) {
  const runtime::CudaDeviceInfo& info = *runtime::cuda_device_info(*gpu);
  const workloads::Workload* w = workloads::find_workload("reduce_sum");  // atomics: repeats must not accumulate
  const WorkloadMeasurement m = measure_workload(*gpu, info.l2_bytes, *w, {{1 << 20}, 1}, {1, 5}, 0);
  EXPECT_TRUE(m.verified) << m.detail;
  ASSERT_FALSE(m.kernels.empty());
  for (const MeasuredKernel& k : m.kernels) {
    EXPECT_GT(k.min_us, 0);
    EXPECT_LE(k.min_us, k.median_us);
    EXPECT_LE(k.median_us, k.max_us);
  }
}
