// Contexts, kernel faults and events of the simulated libcuda.so.1: a fault is returned with the
// code a GPU gives and leaves its context unusable (CUDA's sticky errors) while other contexts
// work on; the context stack; event times (simulated kernel time in GPUSIM_MODE=timing).
#include <cstdlib>
#include <string>

#include "sim/gpu_config.h"
#include "runtime/sim_environment.h"
#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

bool timing_mode() {
  const char* mode = std::getenv("GPUSIM_MODE");
  return mode && std::string(mode) == "timing";
}

}  // namespace

TEST_F(DriverTest, IllegalAddressIsStickyForItsContextOnly) {
  const CUfunction store = function("store_at");
  CUdeviceptr wild = 0x10;  // no allocation covers it
  uint32_t v = 5;
  void* params[] = {&wild, &v};
  EXPECT_CU(CUDA_ERROR_ILLEGAL_ADDRESS, cu.cuLaunchKernel(store, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr));
  // Every later call on the context reports the fault, as CUDA documents.
  CUdeviceptr p = 0;
  EXPECT_CU(CUDA_ERROR_ILLEGAL_ADDRESS, cu.cuCtxSynchronize());
  EXPECT_CU(CUDA_ERROR_ILLEGAL_ADDRESS, cu.cuMemAlloc(&p, 16));
  EXPECT_CU(CUDA_ERROR_ILLEGAL_ADDRESS, cu.cuLaunchKernel(store, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr));
  CUcontext other = nullptr;
  ASSERT_CU_OK(cu.cuCtxCreate(&other, nullptr, 0, 0));
  // The simulator's state is intact (in timing mode too), so another context works; on silicon
  // the fault would be sticky for the whole process: a documented difference.
  CUmodule m = nullptr;
  ASSERT_CU_OK(cu.cuModuleLoadData(&m, kDriverTestPtx));
  CUfunction f = nullptr;
  ASSERT_CU_OK(cu.cuModuleGetFunction(&f, m, "store_at"));
  ASSERT_CU_OK(cu.cuMemAlloc(&p, 4));
  void* good[] = {&p, &v};
  ASSERT_CU_OK(cu.cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, nullptr, good, nullptr));
  uint32_t got = 0;
  ASSERT_CU_OK(cu.cuMemcpyDtoH(&got, p, 4));
  EXPECT_EQ(got, 5u);
  // A kernel of the faulted context cannot run in this one.
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cu.cuLaunchKernel(store, 1, 1, 1, 1, 1, 1, 0, nullptr, good, nullptr));
  ASSERT_CU_OK(cu.cuCtxDestroy(other));
  CUcontext current = nullptr;
  ASSERT_CU_OK(cu.cuCtxGetCurrent(&current));
  EXPECT_EQ(current, context);  // the destroyed context left the stack: the one below is current
  EXPECT_CU(CUDA_ERROR_ILLEGAL_ADDRESS, cu.cuCtxSynchronize());  // still lost
}

TEST_F(DriverTest, MisalignedAccessAndTrapGetTheirOwnCodes) {
  const CUdeviceptr p = alloc(16);
  CUdeviceptr odd = p + 2;  // a 4-byte store needs 4-byte alignment
  uint32_t v = 1;
  void* params[] = {&odd, &v};
  EXPECT_CU(CUDA_ERROR_MISALIGNED_ADDRESS, cu.cuLaunchKernel(function("store_at"), 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr));
  CUcontext second = nullptr;
  ASSERT_CU_OK(cu.cuCtxCreate(&second, nullptr, 0, 0));
  CUmodule m = nullptr;
  ASSERT_CU_OK(cu.cuModuleLoadData(&m, kDriverTestPtx));
  CUfunction trapper = nullptr;
  ASSERT_CU_OK(cu.cuModuleGetFunction(&trapper, m, "trapper"));
  EXPECT_CU(CUDA_ERROR_LAUNCH_FAILED, cu.cuLaunchKernel(trapper, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr));
  ASSERT_CU_OK(cu.cuCtxDestroy(second));
}

TEST_F(DriverTest, PrimaryContextAndTheContextStack) {
  CUcontext primary = nullptr, again = nullptr, popped = nullptr, current = nullptr;
  ASSERT_CU_OK(cu.cuDevicePrimaryCtxRetain(&primary, 0));
  ASSERT_CU_OK(cu.cuDevicePrimaryCtxRetain(&again, 0));
  EXPECT_EQ(primary, again);
  EXPECT_NE(primary, context);
  ASSERT_CU_OK(cu.cuCtxPushCurrent(primary));
  ASSERT_CU_OK(cu.cuCtxGetCurrent(&current));
  EXPECT_EQ(current, primary);
  const CUdeviceptr p = alloc(8);  // owned by the primary context
  ASSERT_CU_OK(cu.cuCtxPopCurrent(&popped));
  EXPECT_EQ(popped, primary);
  ASSERT_CU_OK(cu.cuCtxGetCurrent(&current));
  EXPECT_EQ(current, context);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuMemFree(p));  // not this context's allocation
  EXPECT_CU(CUDA_ERROR_INVALID_CONTEXT, cu.cuCtxDestroy(primary));  // released, never destroyed
  ASSERT_CU_OK(cu.cuDevicePrimaryCtxRelease(0));
  ASSERT_CU_OK(cu.cuDevicePrimaryCtxRelease(0));
  EXPECT_CU(CUDA_ERROR_INVALID_CONTEXT, cu.cuCtxPushCurrent(primary));  // released to zero: gone
  EXPECT_CU(CUDA_ERROR_INVALID_CONTEXT, cu.cuCtxPushCurrent(reinterpret_cast<CUcontext>(0x40)));
}

TEST_F(DriverTest, LimitsStartAtCudasDefaultsAndKeepWhatIsSet) {
  size_t v = 0;
  ASSERT_CU_OK(cu.cuCtxGetLimit(&v, CU_LIMIT_STACK_SIZE));
  EXPECT_EQ(v, 1024u);  // CUDA's documented defaults
  ASSERT_CU_OK(cu.cuCtxGetLimit(&v, CU_LIMIT_MALLOC_HEAP_SIZE));
  EXPECT_EQ(v, size_t(8) << 20);
  ASSERT_CU_OK(cu.cuCtxSetLimit(CU_LIMIT_MALLOC_HEAP_SIZE, size_t(32) << 20));
  ASSERT_CU_OK(cu.cuCtxGetLimit(&v, CU_LIMIT_MALLOC_HEAP_SIZE));
  EXPECT_EQ(v, size_t(32) << 20);
  ASSERT_CU_OK(cu.cuCtxSetLimit(CU_LIMIT_MALLOC_HEAP_SIZE, size_t(8) << 20));  // the device is shared by the tests
  EXPECT_CU(CUDA_ERROR_UNSUPPORTED_LIMIT, cu.cuCtxGetLimit(&v, static_cast<CUlimit>(0x77)));
}

TEST_F(DriverTest, EventsTimeTheWorkBetweenThem) {
  CUevent start = nullptr, stop = nullptr, unrecorded = nullptr;
  ASSERT_CU_OK(cu.cuEventCreate(&start, CU_EVENT_DEFAULT));
  ASSERT_CU_OK(cu.cuEventCreate(&stop, CU_EVENT_DEFAULT));
  ASSERT_CU_OK(cu.cuEventCreate(&unrecorded, CU_EVENT_DEFAULT));
  CUstream stream = nullptr;
  ASSERT_CU_OK(cu.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
  unsigned long long cycles = 2000;
  void* params[] = {&cycles};
  ASSERT_CU_OK(cu.cuEventRecord(start, stream));
  ASSERT_CU_OK(cu.cuLaunchKernel(function("spin"), 1, 1, 1, 1, 1, 1, 0, stream, params, nullptr));
  ASSERT_CU_OK(cu.cuEventRecord(stop, stream));
  ASSERT_CU_OK(cu.cuEventSynchronize(stop));
  ASSERT_CU_OK(cu.cuStreamSynchronize(stream));
  float ms = -1;
  ASSERT_CU_OK(cu.cuEventElapsedTime(&ms, start, stop));
  EXPECT_GT(ms, 0.0f);
  // cuda.h: "If cuEventRecord() has not been called on either event, then CUDA_ERROR_INVALID_HANDLE".
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cu.cuEventElapsedTime(&ms, start, unrecorded));
  ASSERT_CU_OK(cu.cuEventDestroy(unrecorded));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cu.cuEventRecord(unrecorded, nullptr));
  ASSERT_CU_OK(cu.cuStreamDestroy(stream));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cu.cuStreamSynchronize(stream));
}

// Registered in ctest a second time with GPUSIM_MODE=timing (tests/CMakeLists.txt).
TEST_F(DriverTest, TimingModeEventsMeasureSimulatedKernelTime) {
  if (!timing_mode()) GTEST_SKIP() << "needs GPUSIM_MODE=timing (ctest runs it as SimDriverTiming.*)";
  int khz = 0;
  ASSERT_CU_OK(cu.cuDeviceGetAttribute(&khz, CU_DEVICE_ATTRIBUTE_CLOCK_RATE, 0));
  CUevent e[4];
  for (CUevent& x : e) ASSERT_CU_OK(cu.cuEventCreate(&x, CU_EVENT_DEFAULT));
  const CUfunction spin = function("spin");
  auto run_spin = [&](unsigned long long cycles) {
    void* params[] = {&cycles};
    ASSERT_CU_OK(cu.cuLaunchKernel(spin, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr));
  };
  const unsigned long long n = 20000;
  ASSERT_CU_OK(cu.cuEventRecord(e[0], nullptr));
  run_spin(n);
  ASSERT_CU_OK(cu.cuEventRecord(e[1], nullptr));
  // Copies take no simulated time (documented); a second, longer spin follows.
  const CUdeviceptr p = alloc(1 << 16);
  ASSERT_CU_OK(cu.cuMemsetD8(p, 1, 1 << 16));
  ASSERT_CU_OK(cu.cuEventRecord(e[2], nullptr));
  run_spin(2 * n);
  ASSERT_CU_OK(cu.cuEventRecord(e[3], nullptr));
  float first = 0, copy = -1, second = 0, all = 0;
  ASSERT_CU_OK(cu.cuEventElapsedTime(&first, e[0], e[1]));
  ASSERT_CU_OK(cu.cuEventElapsedTime(&copy, e[1], e[2]));
  ASSERT_CU_OK(cu.cuEventElapsedTime(&all, e[0], e[3]));
  ASSERT_CU_OK(cu.cuEventElapsedTime(&second, e[2], e[3]));
  // The kernel spins until clock64 has advanced n cycles: at least n / clock, and the launch's
  // fixed costs add at most a few microseconds on any configuration.
  const double spin_ms = double(n) / khz;
  EXPECT_GE(first, spin_ms * 0.999);
  EXPECT_LT(first, spin_ms + 0.010);
  EXPECT_GE(second, 2 * spin_ms * 0.999);
  EXPECT_LT(second, 2 * spin_ms + 0.010);
  EXPECT_EQ(copy, 0.0f);
  EXPECT_NEAR(all, first + second, 1e-4);
}
