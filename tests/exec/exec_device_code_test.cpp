// `gpusim exec` on CUDA programs that exercise device-code features of ordinary CUDA C++ (the
// libraries' device APIs, intrinsics, numerics, indirect calls). Each program checks its results
// against a CPU computation and prints "OK"; these tests run it in both simulation modes.
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

Outcome exec(const std::string& options, const std::string& name) {
  return run_gpusim("exec " + options + " -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/" + name + "'");
}

class DeviceCode : public ::testing::TestWithParam<std::string> {};

TEST_P(DeviceCode, PassesInFunctionalMode) {
  const Outcome o = exec("--mode functional", GetParam());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, GetParam() + ": OK")) << o.output;
}

TEST_P(DeviceCode, PassesInTimingModeOnTheH100Config) {
  const Outcome o = exec("--mode timing --config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini'", GetParam());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, GetParam() + ": OK")) << o.output;
  EXPECT_TRUE(contains(o.output, "timing mode")) << o.output;
}

INSTANTIATE_TEST_SUITE_P(Programs, DeviceCode, ::testing::Values("coop_groups", "int_intrinsics", "warp_intrinsics", "stack_and_calls",
                                                             "cub_primitives", "curand_device", "libcudacxx", "half_bf16_fp8",
                                                             "device_math", "fast_math", "atomics_wide"));

}  // namespace
