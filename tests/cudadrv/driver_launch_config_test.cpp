// cuLaunchKernel's answers to launch configurations the device can never run. libcuda shares its
// checks with libcudart (runtime/launch_checks.h) and maps every configuration problem to
// CUDA_ERROR_INVALID_VALUE, as the CUDA driver API documents; the device's limits are read
// through cuDeviceGetAttribute, so each bad case lies just past a reported limit.
#include <vector>

#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

class DriverLaunchConfig : public DriverTest {
 protected:
  int attribute(CUdevice_attribute a) {
    int v = -1;
    EXPECT_CU(CUDA_SUCCESS, cu.cuDeviceGetAttribute(&v, a, 0));
    return v;
  }
  // store_at(p, v) launched with the given shape; its arguments are always valid.
  CUresult launch(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned shared = 0) {
    if (!out_) out_ = alloc(4);
    uint32_t v = 1;
    void* params[] = {&out_, &v};
    return cu.cuLaunchKernel(function("store_at"), gx, gy, gz, bx, by, bz, shared, nullptr, params, nullptr);
  }

 private:
  CUdeviceptr out_ = 0;
};

TEST_F(DriverLaunchConfig, EachBadConfigurationIsInvalidValue) {
  const unsigned max_threads = unsigned(attribute(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK));
  const unsigned max_bz = unsigned(attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z));
  const unsigned max_gy = unsigned(attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y));
  const unsigned max_gz = unsigned(attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z));
  const unsigned shared = unsigned(attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK));
  ASSERT_CU_OK(launch(1, 1, 1, 1, 1, 1));  // the kernel itself launches
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, launch(0, 1, 1, 32, 1, 1));                // zero grid dimension
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, launch(1, 1, 1, 32, 0, 1));                // zero block dimension
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, launch(1, 1, 1, max_threads + 32, 1, 1));  // too many threads
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, launch(1, 1, 1, 1, 1, max_bz + 1));        // block z over its limit
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, launch(1, max_gy + 1, 1, 32, 1, 1));       // grid y over its limit
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, launch(1, 1, max_gz + 1, 32, 1, 1));       // grid z over its limit
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, launch(1, 1, 1, 32, 1, 1, shared + 1));    // shared memory without opt-in
  ASSERT_CU_OK(launch(1, max_gy, 1, 1, 1, 1, shared));                           // exactly at the limits: runs
}

}  // namespace
