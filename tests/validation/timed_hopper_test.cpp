// `gpusim compare` times every workload through TimedLaunchDevice (validation/timed_launch_device.h):
// the sm_90a workloads need it to forward the device's properties (their architecture check) and
// tensor-map encoding (the inner device's format: the real driver's on a GPU). Here the inner
// device is the simulated H100, so the results can be checked against the CPU reference.
#include <gtest/gtest.h>

#include "runtime/sim_device.h"
#include "validation/timed_launch_device.h"
#include "workloads/workload.h"

using namespace gpusim;

TEST(TimedHopper, SmNinetyWorkloadsRunThroughTheTimingDecorator) {
  runtime::SimDeviceOptions o;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
  auto sim = runtime::make_sim_device(o);
  validation::TimedLaunchDevice timed(*sim, {0, 1, 0});
  EXPECT_EQ(timed.properties().compute_major, 9);
  for (const char* name : {"hopper_gemm", "flash_attention"}) {
    const workloads::Workload* w = workloads::find_workload(name);
    ASSERT_NE(w, nullptr) << name;
    const workloads::WorkloadResult r = w->run(timed, {});
    EXPECT_TRUE(r.passed) << name << ": " << r.detail;
    EXPECT_EQ(r.launches.size(), 1u) << name;
  }
}
