// `gpusim exec` on CUDA programs that exercise device-code features of ordinary CUDA C++ (the
// libraries' device APIs, intrinsics, numerics, indirect calls). Each program checks its results
// against a CPU computation and prints "OK"; these tests run it in both simulation modes.
#include <gtest/gtest.h>

#include <string>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::exec_program;
using gpusim::test_support::expect_program_passed;
using gpusim::test_support::h100_timing_options;

class DeviceCode : public ::testing::TestWithParam<std::string> {};

TEST_P(DeviceCode, PassesInFunctionalMode) {
  expect_program_passed(exec_program("--mode functional", GetParam()), GetParam(), false);
}

TEST_P(DeviceCode, PassesInTimingModeOnTheH100Config) {
  expect_program_passed(exec_program(h100_timing_options(), GetParam()), GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(Programs, DeviceCode, ::testing::Values("coop_groups", "int_intrinsics", "warp_intrinsics", "stack_and_calls",
                                                             "cub_primitives", "curand_device", "libcudacxx", "half_bf16_fp8",
                                                             "device_math", "fast_math", "atomics_wide", "video_selectors", "fma_contraction",
                                                             "fma_contraction_nofmad"));

}  // namespace
