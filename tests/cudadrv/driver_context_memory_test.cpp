// Host memory a context made goes with the context: page-locked and managed allocations are freed
// and registrations undone at cuCtxDestroy and cuDevicePrimaryCtxReset (CUDA's rule), so a program
// that outlives many contexts does not keep their memory, and the same host range can be
// registered again in the next context.
#include <vector>

#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

#define ENTRY(fn) GPUSIM_DRIVER_SYMBOL(fn)

TEST_F(DriverTest, ContextDestructionFreesItsHostMemory) {
  void* pinned = nullptr;
  ASSERT_CU_OK(ENTRY(cuMemAllocHost)(&pinned, 4096));
  CUdeviceptr managed = 0;
  ASSERT_CU_OK(ENTRY(cuMemAllocManaged)(&managed, 4096, CU_MEM_ATTACH_GLOBAL));
  std::vector<char> buffer(8192);
  ASSERT_CU_OK(ENTRY(cuMemHostRegister)(buffer.data(), buffer.size(), 0));
  unsigned flags = 0;
  ASSERT_CU_OK(ENTRY(cuMemHostGetFlags)(&flags, pinned));
  EXPECT_CU(CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED, ENTRY(cuMemHostRegister)(buffer.data(), buffer.size(), 0));

  ASSERT_CU_OK(cu.cuCtxDestroy(context));
  CUdevice device = 0;
  ASSERT_CU_OK(cu.cuDeviceGet(&device, 0));
  ASSERT_CU_OK(cu.cuCtxCreate(&context, nullptr, 0, device));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemHostGetFlags)(&flags, pinned));  // freed with its context
  CUmemorytype type{};
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE,
            ENTRY(cuPointerGetAttribute)(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, managed));
  ASSERT_CU_OK(ENTRY(cuMemHostRegister)(buffer.data(), buffer.size(), 0));  // unregistered with it
  ASSERT_CU_OK(ENTRY(cuMemHostUnregister)(buffer.data()));
}

TEST_F(DriverTest, PrimaryContextResetFreesItsHostMemory) {
  CUdevice device = 0;
  ASSERT_CU_OK(cu.cuDeviceGet(&device, 0));
  CUcontext primary = nullptr;
  ASSERT_CU_OK(cu.cuDevicePrimaryCtxRetain(&primary, device));
  ASSERT_CU_OK(cu.cuCtxPushCurrent(primary));
  void* pinned = nullptr;
  ASSERT_CU_OK(ENTRY(cuMemAllocHost)(&pinned, 4096));
  unsigned flags = 0;
  ASSERT_CU_OK(ENTRY(cuMemHostGetFlags)(&flags, pinned));
  ASSERT_CU_OK(ENTRY(cuDevicePrimaryCtxReset)(device));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemHostGetFlags)(&flags, pinned));
  CUcontext popped = nullptr;
  ASSERT_CU_OK(cu.cuCtxPopCurrent(&popped));
  ASSERT_CU_OK(cu.cuDevicePrimaryCtxRelease(device));
}

}  // namespace
