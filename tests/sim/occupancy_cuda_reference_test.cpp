// Occupancy against NVIDIA's own occupancy calculator (cuda_occupancy.h from the CUDA toolkit,
// a host-only header), swept over block sizes, register counts and shared-memory sizes for the
// V100 (cc 7.0) and H100 (cc 9.0) device properties.
#include <gtest/gtest.h>

#include <climits>

#include "sim/gpu_config.h"
#include "sim/occupancy.h"

#if __has_include("/usr/local/cuda/include/cuda_occupancy.h")
#include "/usr/local/cuda/include/cuda_occupancy.h"
#define GPUSIM_HAVE_CUDA_OCCUPANCY 1
#endif

namespace gpusim::sim {
namespace {

#ifdef GPUSIM_HAVE_CUDA_OCCUPANCY
// The device properties cudaGetDeviceProperties reports (hardware.md: S9 deviceQuery), with the
// driver's default (48 KiB) and opt-in per-block shared limits.
cudaOccDeviceProp device_properties(int major, const GpuConfig& c) {
  cudaOccDeviceProp p{};
  p.computeMajor = major;
  p.computeMinor = 0;
  p.maxThreadsPerBlock = 1024;
  p.maxThreadsPerMultiprocessor = 2048;
  p.regsPerBlock = 65536;
  p.regsPerMultiprocessor = 65536;
  p.warpSize = 32;
  p.sharedMemPerBlock = 49152;
  p.sharedMemPerMultiprocessor = major == 7 ? 98304 : 233472;
  p.numSms = c.num_sms;
  p.sharedMemPerBlockOptin = major == 7 ? 98304 : 232448;
  p.reservedSharedMemPerBlock = major == 7 ? 0 : 1024;
  return p;
}

int reference_ctas_per_sm(const cudaOccDeviceProp& device, int threads, int regs, int static_smem, int dynamic_smem) {
  cudaOccFuncAttributes attributes{};
  attributes.maxThreadsPerBlock = INT_MAX;
  attributes.numRegs = regs;
  attributes.sharedSizeBytes = size_t(static_smem);
  attributes.partitionedGCConfig = PARTITIONED_GC_OFF;
  // The simulator grants the opt-in per-block limit to every kernel.
  attributes.shmemLimitConfig = FUNC_SHMEM_LIMIT_OPTIN;
  attributes.maxDynamicSharedSizeBytes = device.sharedMemPerBlockOptin - static_smem;
  attributes.numBlockBarriers = 1;
  attributes.virtualResourceCount = 0;
  cudaOccDeviceState state;
  cudaOccResult result{};
  if (cudaOccMaxActiveBlocksPerMultiprocessor(&result, &device, &attributes, &state, threads, size_t(dynamic_smem)) !=
      CUDA_OCC_SUCCESS)
    return -1;
  return result.activeBlocksPerMultiprocessor;
}

void sweep(const GpuConfig& config, int major) {
  cudaOccDeviceProp device = device_properties(major, config);
  int compared = 0;
  for (int threads : {1, 32, 33, 64, 96, 100, 128, 192, 256, 257, 384, 512, 544, 640, 768, 1000, 1024}) {
    for (int regs : {0, 16, 24, 32, 37, 40, 48, 63, 64, 72, 96, 120, 128, 168, 200, 255}) {
      for (int static_smem : {0, 100, 1024, 8000, 13000, 24576, 40000, 49152, 98304}) {
        for (int dynamic_smem : {0, 4096, 50000}) {
          if (static_smem + dynamic_smem > int(device.sharedMemPerBlockOptin)) continue;  // both say 0; covered elsewhere
          int expected = reference_ctas_per_sm(device, threads, regs, static_smem, dynamic_smem);
          ASSERT_GE(expected, 0);
          Occupancy o = compute_occupancy(config, KernelResources{threads, regs, static_smem, dynamic_smem});
          ASSERT_EQ(o.ctas_per_sm, expected) << config.name << ": " << threads << " threads, " << regs << " regs, "
                                             << static_smem << " + " << dynamic_smem << " B shared";
          ++compared;
        }
      }
    }
  }
  EXPECT_GT(compared, 5000);
}
#endif

TEST(OccupancyCudaReference, V100MatchesCudaOccupancyCalculator) {
#ifdef GPUSIM_HAVE_CUDA_OCCUPANCY
  sweep(default_gpu_config(), 7);
#else
  GTEST_SKIP() << "cuda_occupancy.h not installed";
#endif
}

TEST(OccupancyCudaReference, H100MatchesCudaOccupancyCalculator) {
#ifdef GPUSIM_HAVE_CUDA_OCCUPANCY
  sweep(load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini"), 9);
#else
  GTEST_SKIP() << "cuda_occupancy.h not installed";
#endif
}

}  // namespace
}  // namespace gpusim::sim
