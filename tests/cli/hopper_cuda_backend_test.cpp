// `gpusim run hopper_gemm|flash_attention --backend cuda`: the sm_90a workloads on the CUDA backend.
// Without a GPU, the backend is driven through the simulator's own libcuda.so.1 (build/lib, found
// through LD_LIBRARY_PATH exactly as NVIDIA's driver is), so CudaDevice's real code path runs:
// cuTensorMapEncodeTiled for the TMA maps, the opt-in shared memory, the launch; a wrong argument
// anywhere would show up as a wrong result against the workload's CPU reference. Also the refusal
// on a non-sm_90 card, and the error where no driver is usable.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/cuda_device.h"
#include "tests/run_gpusim.h"

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

namespace {

std::string config(const std::string& name) { return std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name; }

// Sets environment variables for the gpusim processes a test starts, and restores them after.
class ScopedEnv {
 public:
  void set(const char* name, const std::string& value) {
    const char* old = std::getenv(name);
    saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) setenv(it->first, it->second->c_str(), 1);
      else unsetenv(it->first);
    }
  }

 private:
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

// Runs gpusim with the simulator's driver library as "the GPU", on configuration `ini`.
Outcome run_on_driver_library(const std::string& ini, const std::string& arguments) {
  ScopedEnv env;
  env.set("LD_LIBRARY_PATH", GPUSIM_LIBDIR);
  env.set("GPUSIM_CONFIG", config(ini));
  env.set("GPUSIM_MODE", "functional");
  return run_gpusim(arguments);
}

TEST(HopperCudaBackend, GemmRunsThroughTheDriversTensorMapEncoder) {
  // 2 x 2 CTAs, 5 K slices: the 4-stage ring wraps.
  const Outcome o = run_on_driver_library("h100.ini", "run hopper_gemm --backend cuda --size 256x512x320");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "result   PASS on the GPU")) << o.output;
}

TEST(HopperCudaBackend, AttentionRunsThroughTheDriversTensorMapEncoder) {
  const Outcome o = run_on_driver_library("h100.ini", "run flash_attention --backend cuda --size 2x128x64");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "result   PASS on the GPU")) << o.output;
}

TEST(HopperCudaBackend, NonHopperCardIsRefusedByName) {
  // configs/v100.ini reports compute capability 7.5 (sm_arch = sm_75) through the driver library.
  const Outcome o = run_on_driver_library("v100.ini", "run hopper_gemm --backend cuda");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "hopper_gemm needs an sm_90 GPU")) << o.output;
  EXPECT_TRUE(contains(o.output, "sm_75")) << o.output;
  EXPECT_FALSE(contains(o.output, "PASS")) << o.output;
}

TEST(HopperCudaBackend, WithoutAGpuTheErrorIsOneLine) {
  if (gpusim::runtime::probe_cuda().available) GTEST_SKIP() << "a CUDA driver and device are usable here";
  for (const char* workload : {"hopper_gemm", "flash_attention"}) {
    const Outcome o = run_gpusim(std::string("run ") + workload + " --backend cuda");
    EXPECT_EQ(o.exit_code, 1) << o.output;
    const size_t at = o.output.find("gpusim run: the cuda backend is unavailable: ");
    ASSERT_NE(at, std::string::npos) << o.output;
    const std::string line = o.output.substr(at, o.output.find('\n', at) - at);
    // The reason is on that line: the library that is missing, or the driver call that failed.
    EXPECT_TRUE(contains(line, "libcuda") || contains(line, "cu")) << line;
    EXPECT_FALSE(contains(o.output, "terminate")) << o.output;
    EXPECT_FALSE(contains(o.output, "Aborted")) << o.output;
  }
}

}  // namespace
