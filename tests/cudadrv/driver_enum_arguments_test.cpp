// A program may pass any number where cuda.h declares an enum (a stale header, a computed value, a
// wrong cast). Each driver entry point taking one answers with an error code, not undefined
// behaviour: it reads the argument as the integer it is (runtime/cudadrv/raw_enum.h). The numbers
// here lie outside every enumeration's range, so CI's UBSan pass (-fsanitize=enum) fails if one of
// these entry points loads them through the enum type; the expected codes are those cuda.h
// documents for an invalid argument (NOT_SUPPORTED where the value names an unsupported feature).
#include <cstdint>

#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

#define ENTRY(fn) GPUSIM_DRIVER_SYMBOL(fn)

// Far outside any CUDA enumeration (the largest have enumerators below 2^10).
constexpr int kOutOfRange = 1 << 20;
template <typename Enum>
Enum bad() {
  return static_cast<Enum>(kOutOfRange);
}

class DriverEnumArguments : public DriverTest {};

TEST_F(DriverEnumArguments, AttributeQueriesRefuseUnknownNumbers) {
  CUdeviceptr p = alloc(256);
  unsigned long long word = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuPointerGetAttribute)(&word, bad<CUpointer_attribute>(), p));
  CUpointer_attribute attributes[2] = {CU_POINTER_ATTRIBUTE_DEVICE_POINTER, bad<CUpointer_attribute>()};
  unsigned long long values[2] = {0, 0};
  void* data[2] = {&values[0], &values[1]};
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuPointerGetAttributes)(2, attributes, data, p));

  const CUfunction f = function("vecadd");
  int v = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuFuncGetAttribute)(&v, bad<CUfunction_attribute>(), f));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuFuncSetAttribute)(f, bad<CUfunction_attribute>(), 0));
  // The attribute that is known still answers: the kernel's PTX declares no static shared memory.
  ASSERT_CU_OK(ENTRY(cuFuncGetAttribute)(&v, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f));
  EXPECT_EQ(v, 0);

  CUmemoryPool pool = nullptr;
  ASSERT_CU_OK(ENTRY(cuDeviceGetDefaultMemPool)(&pool, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemPoolGetAttribute)(pool, bad<CUmemPool_attribute>(), &word));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemPoolSetAttribute)(pool, bad<CUmemPool_attribute>(), &word));
  size_t limit = 0;
  EXPECT_CU(CUDA_ERROR_UNSUPPORTED_LIMIT, ENTRY(cuCtxGetLimit)(&limit, bad<CUlimit>()));
  int attribute = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuDeviceGetAttribute)(&attribute, bad<CUdevice_attribute>(), 0));
}

TEST_F(DriverEnumArguments, ConfigurationsAndHintsRefuseUnknownNumbers) {
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuCtxSetCacheConfig)(bad<CUfunc_cache>()));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuFuncSetCacheConfig)(function("vecadd"), bad<CUfunc_cache>()));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // deprecated, still exported and called
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuCtxSetSharedMemConfig)(bad<CUsharedconfig>()));
#pragma GCC diagnostic pop

  CUdeviceptr managed = 0;
  ASSERT_CU_OK(ENTRY(cuMemAllocManaged)(&managed, 4096, CU_MEM_ATTACH_GLOBAL));
  const CUmemLocation device{CU_MEM_LOCATION_TYPE_DEVICE, 0};
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAdvise)(managed, 4096, bad<CUmem_advise>(), device));
  const CUmemLocation nowhere{bad<CUmemLocationType>(), 0};
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAdvise)(managed, 4096, CU_MEM_ADVISE_SET_PREFERRED_LOCATION, nowhere));
  int v = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemRangeGetAttribute)(&v, sizeof v, bad<CUmem_range_attribute>(), managed, 4096));
  ASSERT_CU_OK(ENTRY(cuMemFree)(managed));
}

TEST_F(DriverEnumArguments, VirtualMemoryRefusesUnknownNumbers) {
  CUmemAllocationProp prop{};
  prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
  prop.location = {CU_MEM_LOCATION_TYPE_DEVICE, 0};
  size_t granularity = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE,
            ENTRY(cuMemGetAllocationGranularity)(&granularity, &prop, bad<CUmemAllocationGranularity_flags>()));
  ASSERT_CU_OK(ENTRY(cuMemGetAllocationGranularity)(&granularity, &prop, CU_MEM_ALLOC_GRANULARITY_MINIMUM));
  EXPECT_GT(granularity, 0u);
  CUmemAllocationProp wrong_type = prop;
  wrong_type.type = bad<CUmemAllocationType>();
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemGetAllocationGranularity)(&granularity, &wrong_type, CU_MEM_ALLOC_GRANULARITY_MINIMUM));
  CUmemAllocationProp wrong_location = prop;
  wrong_location.location.type = bad<CUmemLocationType>();
  CUmemGenericAllocationHandle handle = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemCreate)(&handle, granularity, &wrong_location, 0));

  prop.requestedHandleTypes = CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR;
  ASSERT_CU_OK(ENTRY(cuMemCreate)(&handle, granularity, &prop, 0));
  int fd = -1;
  EXPECT_CU(CUDA_ERROR_NOT_SUPPORTED, ENTRY(cuMemExportToShareableHandle)(&fd, handle, bad<CUmemAllocationHandleType>(), 0));
  ASSERT_CU_OK(ENTRY(cuMemRelease)(handle));
}

TEST_F(DriverEnumArguments, OptionArraysAndLinkInputsRefuseOrIgnoreUnknownNumbers) {
  // An option the driver does not know, in a JIT option array, is skipped (the load succeeds);
  // the error log named beside it is still written.
  char log[64] = "untouched";
  CUjit_option options[3] = {bad<CUjit_option>(), CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void* values[3] = {nullptr, log, reinterpret_cast<void*>(uintptr_t(sizeof log))};
  CUmodule m = nullptr;
  ASSERT_CU_OK(ENTRY(cuModuleLoadDataEx)(&m, kDriverTestPtx, 3, options, values));
  EXPECT_STREQ(log, "");
  ASSERT_CU_OK(ENTRY(cuModuleUnload)(m));

  CUlinkState link = nullptr;
  ASSERT_CU_OK(ENTRY(cuLinkCreate)(3, options, values, &link));
  EXPECT_CU(CUDA_ERROR_NOT_SUPPORTED,
            ENTRY(cuLinkAddData)(link, bad<CUjitInputType>(), const_cast<char*>(kDriverTestPtx), 0, "bad", 0, nullptr, nullptr));
  ASSERT_CU_OK(ENTRY(cuLinkDestroy)(link));
}

TEST_F(DriverEnumArguments, CaptureModesAndTensorMapsRefuseUnknownNumbers) {
  CUstream stream = nullptr;
  ASSERT_CU_OK(ENTRY(cuStreamCreate)(&stream, CU_STREAM_NON_BLOCKING));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuStreamBeginCapture_v2)(stream, bad<CUstreamCaptureMode>()));
  ASSERT_CU_OK(ENTRY(cuStreamDestroy)(stream));

  CUdeviceptr p = alloc(64 * 64 * 4);
  CUtensorMap map{};
  const cuuint64_t dims[2] = {64, 64};
  const cuuint64_t strides[1] = {64 * 4};
  const cuuint32_t box[2] = {16, 16};
  const cuuint32_t element_strides[2] = {1, 1};
  auto encode = [&](CUtensorMapDataType type, CUtensorMapInterleave interleave, CUtensorMapSwizzle swizzle,
                    CUtensorMapFloatOOBfill fill) {
    return ENTRY(cuTensorMapEncodeTiled)(&map, type, 2, reinterpret_cast<void*>(p), dims, strides, box, element_strides,
                                         interleave, swizzle, CU_TENSOR_MAP_L2_PROMOTION_NONE, fill);
  };
  ASSERT_CU_OK(encode(CU_TENSOR_MAP_DATA_TYPE_FLOAT32, CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_NONE,
                      CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode(bad<CUtensorMapDataType>(), CU_TENSOR_MAP_INTERLEAVE_NONE,
                                             CU_TENSOR_MAP_SWIZZLE_NONE, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE));
  EXPECT_CU(CUDA_ERROR_NOT_SUPPORTED, encode(CU_TENSOR_MAP_DATA_TYPE_FLOAT32, bad<CUtensorMapInterleave>(),
                                             CU_TENSOR_MAP_SWIZZLE_NONE, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE));
  EXPECT_CU(CUDA_ERROR_NOT_SUPPORTED, encode(CU_TENSOR_MAP_DATA_TYPE_FLOAT32, CU_TENSOR_MAP_INTERLEAVE_NONE,
                                             bad<CUtensorMapSwizzle>(), CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE));
}

}  // namespace
