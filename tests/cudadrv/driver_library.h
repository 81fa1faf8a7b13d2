// The simulated libcuda.so.1 opened with dlopen, as NVIDIA's driver is, with every entry point
// the tests call typed from the toolkit's cuda.h (so a mismatched signature fails to compile),
// and the PTX the tests load.
#pragma once

#include <cuda.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace gpusim::test_support {

// cuda.h maps most names to versioned ones (cuMemAlloc -> cuMemAlloc_v2): expand, then quote.
#define GPUSIM_QUOTE(x) #x
#define GPUSIM_ABI_NAME(x) GPUSIM_QUOTE(x)
#define GPUSIM_DRIVER_ENTRY(fn) decltype(&::fn) fn = symbol<decltype(&::fn)>(GPUSIM_ABI_NAME(fn))
// Any other entry point, typed from cuda.h: GPUSIM_DRIVER_SYMBOL(cuGraphCreate)(&graph, 0).
#define GPUSIM_DRIVER_SYMBOL(fn) \
  ::gpusim::test_support::DriverLibrary::get().symbol<decltype(&::fn)>(GPUSIM_ABI_NAME(fn))

class DriverLibrary {
 public:
  static DriverLibrary& get() {
    static DriverLibrary* library = new DriverLibrary;  // opened once per test process, like a driver
    return *library;
  }

  template <typename Fn>
  Fn symbol(const char* name) {
    void* p = dlsym(handle_, name);
    if (!p) throw std::runtime_error(std::string(GPUSIM_LIBCUDA) + " does not export " + name);
    return reinterpret_cast<Fn>(p);
  }

 private:
  void* handle_ = open();
  static void* open() {
    void* h = dlopen(GPUSIM_LIBCUDA, RTLD_NOW | RTLD_LOCAL);
    if (!h) throw std::runtime_error(std::string("dlopen ") + GPUSIM_LIBCUDA + ": " + dlerror());
    return h;
  }

 public:
  GPUSIM_DRIVER_ENTRY(cuInit);
  GPUSIM_DRIVER_ENTRY(cuDriverGetVersion);
  GPUSIM_DRIVER_ENTRY(cuGetErrorName);
  GPUSIM_DRIVER_ENTRY(cuGetErrorString);
  GPUSIM_DRIVER_ENTRY(cuDeviceGet);
  GPUSIM_DRIVER_ENTRY(cuDeviceGetCount);
  GPUSIM_DRIVER_ENTRY(cuDeviceGetName);
  GPUSIM_DRIVER_ENTRY(cuDeviceGetAttribute);
  GPUSIM_DRIVER_ENTRY(cuDeviceTotalMem);
  GPUSIM_DRIVER_ENTRY(cuDevicePrimaryCtxRetain);
  GPUSIM_DRIVER_ENTRY(cuDevicePrimaryCtxRelease);
  GPUSIM_DRIVER_ENTRY(cuCtxCreate);
  GPUSIM_DRIVER_ENTRY(cuCtxDestroy);
  GPUSIM_DRIVER_ENTRY(cuCtxPushCurrent);
  GPUSIM_DRIVER_ENTRY(cuCtxPopCurrent);
  GPUSIM_DRIVER_ENTRY(cuCtxSetCurrent);
  GPUSIM_DRIVER_ENTRY(cuCtxGetCurrent);
  GPUSIM_DRIVER_ENTRY(cuCtxSynchronize);
  GPUSIM_DRIVER_ENTRY(cuCtxSetLimit);
  GPUSIM_DRIVER_ENTRY(cuCtxGetLimit);
  GPUSIM_DRIVER_ENTRY(cuModuleLoad);
  GPUSIM_DRIVER_ENTRY(cuModuleLoadData);
  GPUSIM_DRIVER_ENTRY(cuModuleGetGlobal);
  GPUSIM_DRIVER_ENTRY(cuModuleLoadDataEx);
  GPUSIM_DRIVER_ENTRY(cuModuleUnload);
  GPUSIM_DRIVER_ENTRY(cuModuleGetFunction);
  GPUSIM_DRIVER_ENTRY(cuFuncGetAttribute);
  GPUSIM_DRIVER_ENTRY(cuFuncSetAttribute);
  GPUSIM_DRIVER_ENTRY(cuFuncGetParamInfo);
  GPUSIM_DRIVER_ENTRY(cuLaunchKernel);
  GPUSIM_DRIVER_ENTRY(cuMemAlloc);
  GPUSIM_DRIVER_ENTRY(cuMemFree);
  GPUSIM_DRIVER_ENTRY(cuMemGetInfo);
  GPUSIM_DRIVER_ENTRY(cuMemcpyHtoD);
  GPUSIM_DRIVER_ENTRY(cuMemcpyDtoH);
  GPUSIM_DRIVER_ENTRY(cuMemcpyDtoD);
  GPUSIM_DRIVER_ENTRY(cuMemcpyHtoDAsync);
  GPUSIM_DRIVER_ENTRY(cuMemsetD8);
  GPUSIM_DRIVER_ENTRY(cuMemsetD16);
  GPUSIM_DRIVER_ENTRY(cuMemsetD32);
  GPUSIM_DRIVER_ENTRY(cuStreamCreate);
  GPUSIM_DRIVER_ENTRY(cuStreamDestroy);
  GPUSIM_DRIVER_ENTRY(cuStreamSynchronize);
  GPUSIM_DRIVER_ENTRY(cuEventCreate);
  GPUSIM_DRIVER_ENTRY(cuEventDestroy);
  GPUSIM_DRIVER_ENTRY(cuEventRecord);
  GPUSIM_DRIVER_ENTRY(cuEventSynchronize);
  GPUSIM_DRIVER_ENTRY(cuEventElapsedTime);
  GPUSIM_DRIVER_ENTRY(cuOccupancyMaxActiveBlocksPerMultiprocessor);
  GPUSIM_DRIVER_ENTRY(cuGetProcAddress);
  GPUSIM_DRIVER_ENTRY(cuLaunchKernelEx);
  GPUSIM_DRIVER_ENTRY(cuTensorMapEncodeTiled);
  GPUSIM_DRIVER_ENTRY(cuTensorMapEncodeIm2col);
};

// "CUDA_ERROR_ILLEGAL_ADDRESS" for 700, so a failed EXPECT names the code.
inline std::string error_name(CUresult r) {
  const char* name = nullptr;
  DriverLibrary::get().cuGetErrorName(r, &name);
  return name ? name : "CUresult " + std::to_string(r);
}
#define EXPECT_CU(expected, call) EXPECT_EQ(gpusim::test_support::error_name(call), gpusim::test_support::error_name(expected))
#define ASSERT_CU_OK(call) ASSERT_EQ(gpusim::test_support::error_name(call), "CUDA_SUCCESS")

// Hand-written PTX: element-wise add, a store through a pointer argument, a trap, a spin of a
// given number of clock64 cycles, and a kernel using dynamic shared memory.
inline const char* const kDriverTestPtx = R"PTX(.version 7.0
.target sm_70
.address_size 64

.extern .shared .align 4 .b8 dyn[];

.visible .entry vecadd(.param .u64 a, .param .u64 b, .param .u64 c, .param .u32 n)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .f32 %f<4>;
  .reg .b64 %rd<11>;
  ld.param.u64 %rd1, [a];
  ld.param.u64 %rd2, [b];
  ld.param.u64 %rd3, [c];
  ld.param.u32 %r1, [n];
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, %tid.x;
  mad.lo.s32 %r5, %r2, %r3, %r4;
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra DONE;
  mul.wide.u32 %rd7, %r5, 4;
  add.s64 %rd8, %rd1, %rd7;
  add.s64 %rd9, %rd2, %rd7;
  add.s64 %rd10, %rd3, %rd7;
  ld.global.f32 %f1, [%rd8];
  ld.global.f32 %f2, [%rd9];
  add.rn.f32 %f3, %f1, %f2;
  st.global.f32 [%rd10], %f3;
DONE:
  ret;
}

.visible .entry store_at(.param .u64 p, .param .u32 v)
{
  .reg .b32 %r<2>;
  .reg .b64 %rd<2>;
  ld.param.u64 %rd1, [p];
  ld.param.u32 %r1, [v];
  st.global.u32 [%rd1], %r1;
  ret;
}

.visible .entry trapper()
{
  trap;
  ret;
}

.visible .entry spin(.param .u64 cycles)
{
  .reg .pred %p<2>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [cycles];
  mov.u64 %rd2, %clock64;
LOOP:
  mov.u64 %rd3, %clock64;
  sub.s64 %rd4, %rd3, %rd2;
  setp.lt.u64 %p1, %rd4, %rd1;
  @%p1 bra LOOP;
  ret;
}

.visible .entry dyn_fill(.param .u64 out, .param .u32 words)
{
  .reg .pred %p<2>;
  .reg .b32 %r<8>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  ld.param.u32 %r1, [words];
  mov.u32 %r2, %tid.x;
  setp.ge.u32 %p1, %r2, %r1;
  @%p1 bra DONE;
  mov.u32 %r3, dyn;
  shl.b32 %r4, %r2, 2;
  add.s32 %r5, %r3, %r4;
  add.s32 %r6, %r2, 7;
  st.shared.u32 [%r5], %r6;
  ld.shared.u32 %r7, [%r5];
  mul.wide.u32 %rd2, %r2, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r7;
DONE:
  ret;
}
)PTX";

// The test's own context on the simulated device, with the module above loaded.
class DriverTest : public ::testing::Test {
 protected:
  DriverLibrary& cu = DriverLibrary::get();
  CUcontext context = nullptr;
  CUmodule module = nullptr;

  void SetUp() override {
    ASSERT_CU_OK(cu.cuInit(0));
    CUdevice device = 0;
    ASSERT_CU_OK(cu.cuDeviceGet(&device, 0));
    ASSERT_CU_OK(cu.cuCtxCreate(&context, nullptr, 0, device));
    ASSERT_CU_OK(cu.cuModuleLoadData(&module, kDriverTestPtx));
  }
  void TearDown() override {
    if (context) {
      EXPECT_CU(CUDA_SUCCESS, cu.cuCtxDestroy(context));
    }
  }
  CUfunction function(const char* name) {
    CUfunction f = nullptr;
    EXPECT_CU(CUDA_SUCCESS, cu.cuModuleGetFunction(&f, module, name));
    return f;
  }
  CUdeviceptr alloc(size_t bytes) {
    CUdeviceptr p = 0;
    EXPECT_CU(CUDA_SUCCESS, cu.cuMemAlloc(&p, bytes));
    return p;
  }
};

}  // namespace gpusim::test_support
