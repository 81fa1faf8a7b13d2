// Workload sizes that cannot fit are refused up front, naming the size and the limit (gpusim
// issue 10, item 7). --max-host-memory keeps the tests independent of the machine's memory.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/cli/cli_test_util.h"

namespace {

using namespace gpusim::test_support;

TEST(ResourceLimitsCli, VecaddOfABillionIsRefusedUpFront) {
  // 3 vectors x 4 bytes x 1e9, three copies each: 36 GB; it used to allocate until bad_alloc.
  const auto start = std::chrono::steady_clock::now();
  const Outcome o = run_gpusim("run vecadd --size 1000000000 --max-host-memory 8G");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "vecadd 1000000000 (a, b, c on the host, on the device and as results or references) "
                                 "needs 33.5 GiB (36000000000 bytes) of host memory; the limit is 8.0 GiB"))
      << o.output;
}

TEST(ResourceLimitsCli, GemmSizesAreRefusedUpFront) {
  for (const char* args : {"sgemm_tiled --size 40000x40000x40000", "wmma_gemm --size 32768x32768x32768",
                           "sgemm_tiled --size 46000x46000x1"}) {
    const Outcome o = run_gpusim(std::string("run ") + args + " --max-host-memory 8G");
    EXPECT_EQ(o.exit_code, 1) << args << ": " << o.output;
    EXPECT_TRUE(contains(o.output, "of host memory; the limit is 8.0 GiB")) << args << ": " << o.output;
  }
}

TEST(ResourceLimitsCli, ProductsThatOverflowAreRefused) {
  const Outcome o = run_gpusim("run sgemm_tiled --size 999999999999x999999999999x999999999999");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "A would have more than 2^64 elements")) << o.output;
}

TEST(ResourceLimitsCli, LaunchWorkBudgetStopsABigGridBeforeItRuns) {
  const Outcome o = run_gpusim("run sgemm_tiled --size 1024x1024x1 --mode functional --max-launch-work 100000");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "launch of 'sgemm_tiled' (grid 64x64x1, block 16x16x1")) << o.output;
  EXPECT_TRUE(contains(o.output, "the budget per launch is 100000")) << o.output;
}

TEST(ResourceLimitsCli, MalformedLimitIsAUsageError) {
  const Outcome o = run_gpusim("run vecadd --size 64 --max-host-memory lots");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "'lots' is not a size")) << o.output;
}

TEST(ResourceLimitsCli, RecordedHugeSizeIsRefused) {
  const auto dir = scratch_dir("recorded_huge");
  const std::string file = write_file(
      dir / "rec.kernels.csv",
      "gpu_name,compute_capability,sm_count,sm_clock_mhz,measured_sm_clock_mhz,memory_clock_mhz,memory_bus_bits,"
      "l2_bytes,driver,cuda_version,date,workload,size,seed,launch,kernel,ctas,warmup,repetitions,median_us,min_us,"
      "max_us,launch_overhead_us,verified\n"
      "NVIDIA H200,9.0,132,1980,1980.00085,3201,6016,62914560,580.159.04,13.0,2026-11-27T05:35:44Z,vecadd,2000000000,"
      "1,0,vecadd,4096,2,10,11.07,9.72,15.10,5.50,yes\n");
  const Outcome o = run_gpusim("compare --recorded '" + file + "' --config " + GPUSIM_SOURCE_DIR +
                               "/configs/v100.ini --no-ubench --max-host-memory 8G");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "vecadd 2000000000")) << o.output;
  EXPECT_TRUE(contains(o.output, "the limit is 8.0 GiB")) << o.output;
}

// Under `gpusim exec`, a host memory limit given on the command line bounds the simulated device's
// memory too (its allocations live in host memory): the program sees a device of that size and
// an allocation past it fails with cudaErrorMemoryAllocation naming the option.
TEST(ResourceLimitsCli, ExecHostMemoryLimitIsTheDevicesMemory) {
  const Outcome o = run_gpusim("exec --max-host-memory 256M -- '" + std::string(GPUSIM_CUDA_PROGRAMS) +
                               "/allocation_failures' 256");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "totalGlobalMem 256 MiB, cudaMemGetInfo total 256 MiB")) << o.output;
  EXPECT_TRUE(contains(o.output, "of the device's 268435456 bytes (256.0 MiB) (--max-host-memory / "
                                 "GPUSIM_MAX_HOST_MEMORY 256.0 MiB (268435456 bytes) below the config's dram.capacity_mib)"))
      << o.output;
  EXPECT_TRUE(contains(o.output, "allocation_failures: OK")) << o.output;
}

}  // namespace
