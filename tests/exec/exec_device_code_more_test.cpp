// `gpusim exec` on more device-code programs (tests/cuda_programs): every nvcuda::wmma fragment
// type, mma.sync shapes, inline PTX, the explicit-rounding intrinsics and cache operators, kernels
// in the style of the classic CUDA samples, libcu++'s synchronisation primitives, C++ features,
// DPX and block votes. Each program compares its results with a CPU computation and prints
// "NAME: OK"; all run in functional mode, the TensorCore ones and inline_ptx also on the timing
// model, dpx_and_block_votes also as sm_90 PTX.
#include <gtest/gtest.h>

#include <string>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::exec_program;
using gpusim::test_support::expect_program_passed;
using gpusim::test_support::h100_timing_options;
using gpusim::test_support::Outcome;

class MoreDeviceCode : public ::testing::TestWithParam<std::string> {};

TEST_P(MoreDeviceCode, PassesInFunctionalMode) {
  expect_program_passed(exec_program("--mode functional", GetParam()), GetParam(), false);
}

INSTANTIATE_TEST_SUITE_P(Programs, MoreDeviceCode,
                         ::testing::Values("wmma_fragments", "inline_ptx", "rounding_modes", "classic_kernels",
                                           "sync_primitives", "cpp_device_features", "dpx_and_block_votes",
                                           "mma_sync_shapes"));

// The sm_90 build of dpx_and_block_votes: its PTX needs the H100 configuration's architecture.
TEST(MoreDeviceCode, Sm90DpxBuildPassesOnTheH100Config) {
  const std::string h100 = "--config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini'";
  expect_program_passed(exec_program("--mode functional " + h100, "dpx_and_block_votes_sm90"), "dpx_and_block_votes",
                        false);
}

// Device printf of long long, long double (a double on the device), strings and %#llx.
TEST(MoreDeviceCode, PrintfOfWideAndLongDoubleArguments) {
  const Outcome o = exec_program("--mode functional", "cpp_device_features");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  // in[5] = (5 * 7919 + 13) % 2500 = 2108: 2108 << 33, 2108 + 1.5.
  EXPECT_TRUE(contains(o.output, "vocabulary: lane 5 ll=18107582119936 ld=2109.500 s=ok hex=0xabcdef12345\n")) << o.output;
}

class MoreDeviceCodeTimed : public ::testing::TestWithParam<std::string> {};

TEST_P(MoreDeviceCodeTimed, PassesInTimingModeOnTheH100Config) {
  expect_program_passed(exec_program(h100_timing_options(), GetParam()), GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(Programs, MoreDeviceCodeTimed, ::testing::Values("wmma_fragments", "inline_ptx", "mma_sync_shapes",
                                                                          "mma_sync_shapes_sm89"));

// The sm_89 build of mma_sync_shapes (FP8 mma.m16n8k32): its PTX needs an sm_89+ configuration.
TEST(MoreDeviceCode, Sm89Fp8MmaBuildPassesOnTheH100Config) {
  const std::string h100 = "--config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini'";
  expect_program_passed(exec_program("--mode functional " + h100, "mma_sync_shapes_sm89"), "mma_sync_shapes_sm89", false);
}

}  // namespace
