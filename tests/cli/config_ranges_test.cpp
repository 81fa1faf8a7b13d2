// Every cycle count a configuration accepts (its documented range, `gpusim info --help`) must also
// be one the timing model can run with: shared.latency_cycles=65536 passed the check and then
// failed every kernel with "instruction timing: latency of 65536 cycles out of range in
// 'reduce_sum' line 30", naming no key (under exec: every launch cudaErrorInvalidValue).
#include <gtest/gtest.h>

#include <string>

#include "sim/gpu_config_options.h"
#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

TEST(ConfigRanges, EveryCycleCountAtItsMaximumRunsInTimingMode) {
  int checked = 0;
  for (const gpusim::sim::GpuConfigField& f : gpusim::sim::gpu_config_fields()) {
    if (std::string(f.unit) != "cycles") continue;
    const std::string set = std::string(f.key) + "=" + std::to_string(f.max_value);
    const std::string workload = std::string(f.key).rfind("tensor.wgmma", 0) == 0
                                     ? "hopper_gemm --config '" + std::string(GPUSIM_SOURCE_DIR) +
                                           "/configs/h100.ini' --size 128x256x64"
                                     : "reduce_sum --size 8192 --set sm.count=2";
    const Outcome o = run_gpusim("run " + workload + " --mode timing --set " + set);
    EXPECT_EQ(o.exit_code, 0) << set << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "PASS")) << set << "\n" << o.output;
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST(ConfigRanges, OneBeyondIsRefusedNamingTheKey) {
  const Outcome o = run_gpusim("run reduce_sum --size 8192 --mode timing --set shared.latency_cycles=65536");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "shared.latency_cycles (65536, --set) is implausibly large (range 1 to 65535)")) << o.output;
}

}  // namespace
