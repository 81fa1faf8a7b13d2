// A kernel's predicted cycles do not depend on what the process simulated before it. `gpusim
// compare --recorded` simulates every recorded workload on a fresh device in one process, but
// SystemC time keeps running across devices, so only the first kernel starts at time 0; `--only
// NAME` makes any kernel the first. The card's recording timed each kernel after an L2 flush, so
// the two must give the same cycles. window_sum_shared 1M is a launch where the DRAM channels'
// arithmetic in absolute time once broke a tie differently (7020 cycles alone, 7018 after another
// kernel). About ten seconds: a Validation test (the sanitizer build skips it, scripts/test.sh).
#include <gtest/gtest.h>

#include <string>

#include "sim/clock_schedule.h"
#include "validation/comparison.h"
#include "workloads/workload_support.h"

using namespace gpusim;

namespace {

const std::string kConfig = std::string(GPUSIM_SOURCE_DIR) + "/configs/measured/h200_2026-11-27.calibrated.ini";

// Runs every launch with the clock schedule of sim/systemc_driver.cpp starting at simulated time
// 0, as the first timed launch of a fresh `gpusim` process does.
sim::LaunchTiming run_from_time_zero(sim::GpuModel& model, isa::LaunchState& launch, const sim::KernelResources& r) {
  sim::ClockSchedule schedule(model.config());
  model.begin_launch(&launch, r);
  schedule.start(0);
  while (!model.finished()) schedule.tick_next(model, launch);
  return model.end_launch();
}

uint64_t cycles(const std::string& name, uint64_t size, const runtime::TimedLaunchRunner& runner = {}) {
  runtime::SimDeviceOptions options;
  options.config_path = kConfig;
  options.timed_launch_runner = runner;
  const workloads::WorkloadResult r =
      validation::simulate_workload(*workloads::find_workload(name), {{size}, 1}, options);
  EXPECT_TRUE(r.passed) << name << ": " << r.detail;
  return r.launches.empty() ? 0 : r.launches.front().cycles;
}

}  // namespace

TEST(CompareStartTimeValidation, KernelTimesTheSameAloneAndAfterAnotherKernel) {
  const uint64_t alone = cycles("window_sum_shared", 1 << 20, run_from_time_zero);
  // Another workload on its own device first, through the SystemC driver: the kernel below
  // starts where that one ended, as in one `gpusim compare` run.
  cycles("vecadd", 4096);
  const uint64_t after_another = cycles("window_sum_shared", 1 << 20);
  EXPECT_GT(alone, 0u);
  EXPECT_EQ(after_another, alone);
}
