// runtime/launch_checks.h, the one implementation of the launch-configuration checks libcudart
// and libcuda share: each bad configuration is named with the right LaunchProblem (which the
// APIs map to their error codes) and a message naming the kernel and the limit. The limits are
// set here by hand, so each case sits exactly one past a limit.
#include <gtest/gtest.h>

#include "runtime/launch_checks.h"
#include "sim/gpu_config.h"

namespace gpusim::runtime {
namespace {

DeviceProperties limits() {
  DeviceProperties p;
  p.max_threads_per_block = 1024;
  p.shared_per_block = 48 * 1024;
  p.shared_per_block_optin = 227 * 1024;
  return p;  // block dims 1024x1024x64, grid 2^31-1 x 65535 x 65535 (the struct's defaults)
}

LaunchRequest request(Dim3 grid, Dim3 block, uint64_t dynamic_shared = 0) {
  LaunchRequest r;
  r.kernel = "reverse";
  r.grid = grid;
  r.block = block;
  r.dynamic_shared_bytes = dynamic_shared;
  r.raise_limit_with = "the attribute";
  return r;
}

void expect_problem(const LaunchRequest& r, LaunchProblem want, const std::string& text,
                    const DeviceProperties& device = limits()) {
  const auto got = check_launch_request(device, r);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(int(got->problem), int(want)) << got->message;
  EXPECT_NE(got->message.find("launch of 'reverse'"), std::string::npos) << got->message;
  EXPECT_NE(got->message.find(text), std::string::npos) << got->message;
}

TEST(LaunchChecks, ValidConfigurationsAtTheLimitsPass) {
  EXPECT_FALSE(check_launch_request(limits(), request({2147483647u, 65535, 65535}, {1024, 1, 1}, 48 * 1024)));
  EXPECT_FALSE(check_launch_request(limits(), request({1, 1, 1}, {16, 1, 64})));
  LaunchRequest opted = request({1, 1, 1}, {32, 1, 1}, 100 * 1024);
  opted.max_dynamic_shared_bytes = 100 * 1024;  // raised through the API's attribute
  EXPECT_FALSE(check_launch_request(limits(), opted));
}

TEST(LaunchChecks, BlockOverTheKernelsLaunchBoundsIsOutOfResources) {
  LaunchRequest r = request({4, 1, 1}, {16, 8, 2});  // 256 threads
  r.kernel_max_threads = 256;                         // __launch_bounds__(256): exactly at the bound
  EXPECT_FALSE(check_launch_request(limits(), r));
  r.block = {16, 8, 3};                               // 384 threads
  expect_problem(r, LaunchProblem::OverKernelThreadLimit, "384 threads, but the kernel was compiled for at most 256");
}

TEST(LaunchChecks, EachBadConfigurationNamesItsProblem) {
  expect_problem(request({1, 0, 1}, {32, 1, 1}), LaunchProblem::ZeroDimension, "a dimension is 0");
  expect_problem(request({1, 1, 1}, {0, 1, 1}), LaunchProblem::ZeroDimension, "grid (1,1,1), block (0,1,1)");
  expect_problem(request({1, 1, 1}, {1025, 1, 1}), LaunchProblem::BlockTooLarge, "1025 threads");
  expect_problem(request({1, 1, 1}, {1, 1, 65}), LaunchProblem::BlockTooLarge, "1024x1024x64");
  expect_problem(request({1, 65536, 1}, {32, 1, 1}), LaunchProblem::GridTooLarge, "2147483647x65535x65535");
  expect_problem(request({1, 1, 65536}, {32, 1, 1}), LaunchProblem::GridTooLarge, "over its limit");
  expect_problem(request({1, 1, 1}, {32, 1, 1}, 48 * 1024 + 1), LaunchProblem::TooMuchSharedMemory,
                 "49153 bytes of dynamic shared memory (+0 static) exceed the 49152-byte limit (the attribute raises it, "
                 "up to 232448 bytes of dynamic shared memory here)");
  // Past the opt-in maximum no attribute helps: the message says so rather than pointing at it.
  expect_problem(request({1, 1, 1}, {32, 1, 1}, 227 * 1024 + 1), LaunchProblem::TooMuchSharedMemory,
                 "exceed the 49152-byte limit and the 232448-byte opt-in maximum per block, which the attribute cannot "
                 "exceed");
  LaunchRequest with_static = request({1, 1, 1}, {32, 1, 1}, 40 * 1024);
  with_static.static_shared_bytes = 9 * 1024;  // 49 KiB together, over the default 48 KiB
  expect_problem(with_static, LaunchProblem::TooMuchSharedMemory, "(+9216 static, 50176 in all)");
  // Dynamic bytes under the opt-in maximum, their sum with the static bytes over it: the message
  // names the sum as what the maximum is exceeded by.
  LaunchRequest sum_over = request({1, 1, 1}, {32, 1, 1}, 216080);
  sum_over.static_shared_bytes = 16384;
  sum_over.max_dynamic_shared_bytes = 216064;
  expect_problem(sum_over, LaunchProblem::TooMuchSharedMemory,
                 "216080 bytes of dynamic shared memory (+16384 static, 232464 in all) exceed the 216064-byte limit and, "
                 "with the static bytes, the 232448-byte opt-in maximum per block");
  // Static bytes alone over the chip's maximum (a 40 KiB __shared__ array on a 16 KiB teaching
  // chip): no attribute raises that, so none is suggested.
  DeviceProperties small = limits();
  small.shared_per_block = small.shared_per_block_optin = 16 * 1024;
  LaunchRequest too_static = request({1, 1, 1}, {32, 1, 1}, 0);
  too_static.static_shared_bytes = 40 * 1024;
  too_static.raise_limit_with = "the attribute";
  expect_problem(too_static, LaunchProblem::TooMuchSharedMemory,
                 "the kernel's 40960 bytes of static shared memory exceed the 16384-byte maximum per block of this "
                 "configuration (no attribute raises it)",
                 small);
  // Static bytes over ptxas' 48 KB, whatever the chip and the attribute: a GPU's JIT refuses the
  // kernel (a compression user's 64 KB static hash table ran here once the attribute was set).
  LaunchRequest over_ptxas = request({1, 1, 1}, {128, 1, 1}, 0);
  over_ptxas.static_shared_bytes = 64 * 1024;
  over_ptxas.max_dynamic_shared_bytes = 16 * 1024;
  over_ptxas.raise_limit_with = "the attribute";
  expect_problem(over_ptxas, LaunchProblem::StaticSharedOverPtxasLimit,
                 "the kernel's 65536 bytes of static __shared__ memory exceed the 49152 that ptxas accepts on every GPU");
  over_ptxas.static_shared_bytes = 48 * 1024;  // exactly 48 KB compiles, and fits with the attribute
  over_ptxas.max_dynamic_shared_bytes = 0;
  EXPECT_FALSE(check_launch_request(limits(), over_ptxas).has_value());
  LaunchRequest raised = request({1, 1, 1}, {32, 1, 1}, 64 * 1024 + 1);
  raised.max_dynamic_shared_bytes = 64 * 1024;
  expect_problem(raised, LaunchProblem::TooMuchSharedMemory, "65536-byte limit");
}

// A C++ kernel is named as its author wrote it, not by nvcc's mangled name (an outside user's
// students met '_Z3incPi' in every launch error).
TEST(LaunchChecks, MangledKernelNamesAreShownDemangled) {
  LaunchRequest r = request({1, 1, 1}, {1025, 1, 1});
  r.kernel = "_Z3incPi";
  const auto got = check_launch_request(limits(), r);
  ASSERT_TRUE(got.has_value());
  EXPECT_NE(got->message.find("launch of 'inc(int*)'"), std::string::npos) << got->message;
  EXPECT_EQ(got->message.find("_Z3incPi"), std::string::npos) << got->message;
}

TEST(LaunchChecks, CooperativeGridMustBeResidentAtOnce) {
  const sim::GpuConfig config = sim::load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini", {});
  sim::KernelResources k;
  k.threads_per_block = 1024;  // at most max_threads_per_sm / 1024 CTAs per SM
  const uint64_t per_sm = uint64_t(config.max_threads_per_sm / 1024);
  const uint32_t fits = uint32_t(per_sm * config.num_sms);
  EXPECT_FALSE(check_cooperative_fit(config, k, "grid_sync", {fits, 1, 1}));
  const auto too_large = check_cooperative_fit(config, k, "grid_sync", {fits + 1, 1, 1});
  ASSERT_TRUE(too_large.has_value());
  EXPECT_EQ(int(too_large->problem), int(LaunchProblem::CooperativeTooLarge));
  EXPECT_NE(too_large->message.find("at most " + std::to_string(fits) + " CTAs"), std::string::npos) << too_large->message;
}


// The register file check real GPUs make at launch (CUDA's rule: registers are allocated per
// warp in units of 256 and a block may use 64 K of them), so a 1024-thread block fits kernels of
// at most 64 registers per thread and any kernel fits a block of 256 threads (255 registers:
// 8 warps x 8192 = 65536). Figures derived here by hand, not by the code under test.
TEST(LaunchChecks, RegisterFileLimitsTheBlock) {
  for (const char* name : {"v100.ini", "h100.ini"}) {
    const sim::GpuConfig config = sim::load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name, {});
    EXPECT_FALSE(check_launch_registers(config, "k", {1, 1, 1}, {1024, 1, 1}, 64)) << name;
    const auto refused = check_launch_registers(config, "k", {1, 1, 1}, {1024, 1, 1}, 65);
    ASSERT_TRUE(refused.has_value()) << name;
    EXPECT_EQ(int(refused->problem), int(LaunchProblem::TooManyRegisters));
    // 65 registers x 32 lanes = 2080, allocated as 2304 per warp, x 32 warps.
    EXPECT_NE(refused->message.find("73728 registers"), std::string::npos) << refused->message;
    EXPECT_NE(refused->message.find("too many resources requested for launch"), std::string::npos);
    EXPECT_FALSE(check_launch_registers(config, "k", {1, 1, 1}, {512, 1, 1}, 128)) << name;
    EXPECT_TRUE(check_launch_registers(config, "k", {1, 1, 1}, {512, 1, 1}, 129).has_value()) << name;
    EXPECT_FALSE(check_launch_registers(config, "k", {1, 1, 1}, {16, 8, 2}, 255)) << name;  // 256 threads
    EXPECT_FALSE(check_launch_registers(config, "k", {1, 1, 1}, {1024, 1, 1}, 0)) << "unknown count: not refused";
    // Only blocks over 256 threads can run out, so only they need ptxas' count.
    EXPECT_FALSE(block_may_exceed_registers(config, 256)) << name;
    EXPECT_TRUE(block_may_exceed_registers(config, 257)) << name;
    EXPECT_TRUE(block_may_exceed_registers(config, 1024)) << name;
    // cudaFuncGetAttributes' maxThreadsPerBlock: 92 registers = 3072 per warp; 20 warps (a
    // multiple of the 4 sub-cores) use 61440, 21 are checked as 24 (73728). 70 registers: 2304
    // per warp, 28 warps = 64512.
    EXPECT_EQ(max_threads_for_registers(config, 92), 640u) << name;
    EXPECT_EQ(max_threads_for_registers(config, 70), 896u) << name;
    EXPECT_EQ(max_threads_for_registers(config, 64), 1024u) << name;
    EXPECT_EQ(max_threads_for_registers(config, 255), 256u) << name;
  }
}

}  // namespace
}  // namespace gpusim::runtime
