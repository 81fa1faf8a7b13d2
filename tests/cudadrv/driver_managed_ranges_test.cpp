// cuMemAdvise and cuMemPrefetchAsync recorded, and cuMemRangeGetAttribute(s) reading them back,
// in libcuda on its own (tests/cuda_programs/mixed_managed.cu covers hints given through one API
// and read through the other). Expected values are worked by hand from cuda.h's description of
// each attribute: a range answers a location only when all of it has that one location (else
// CU_DEVICE_INVALID), read-mostly only when all of it is, accessed-by lists the locations advised
// for all of it, in the order given, padded with CU_DEVICE_INVALID; the host is CU_DEVICE_CPU.
#include <cstdint>

#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

#define ENTRY(fn) GPUSIM_DRIVER_SYMBOL(fn)

class DriverManagedRanges : public DriverTest {
 protected:
  static constexpr size_t kBytes = 8192, kHalf = kBytes / 2, kQuarter = kBytes / 4;
  CUdeviceptr p = 0;
  const CUmemLocation device{CU_MEM_LOCATION_TYPE_DEVICE, 0};
  const CUmemLocation host{CU_MEM_LOCATION_TYPE_HOST, 0};

  void SetUp() override {
    DriverTest::SetUp();
    ASSERT_CU_OK(ENTRY(cuMemAllocManaged)(&p, kBytes, CU_MEM_ATTACH_GLOBAL));
  }
  int get(CUmem_range_attribute a, CUdeviceptr at, size_t bytes) {
    int v = 12345;
    EXPECT_CU(CUDA_SUCCESS, ENTRY(cuMemRangeGetAttribute)(&v, sizeof v, a, at, bytes));
    return v;
  }
  void advise(CUdeviceptr at, size_t bytes, CUmem_advise advice, CUmemLocation where) {
    EXPECT_CU(CUDA_SUCCESS, ENTRY(cuMemAdvise)(at, bytes, advice, where));
  }
};

TEST_F(DriverManagedRanges, NothingAdvisedAnswersTheDefaults) {
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p, kBytes), 0);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION, p, kBytes), CU_DEVICE_INVALID);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION, p, kBytes), CU_DEVICE_INVALID);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_TYPE, p, kBytes), CU_MEM_LOCATION_TYPE_INVALID);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_ID, p, kBytes), CU_DEVICE_INVALID);
  int ids[2] = {7, 7};
  ASSERT_CU_OK(ENTRY(cuMemRangeGetAttribute)(ids, sizeof ids, CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY, p, kBytes));
  EXPECT_EQ(ids[0], CU_DEVICE_INVALID);
  EXPECT_EQ(ids[1], CU_DEVICE_INVALID);
}

TEST_F(DriverManagedRanges, AdviceAnswersForTheBytesItCovers) {
  advise(p, kHalf, CU_MEM_ADVISE_SET_READ_MOSTLY, device);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p, kHalf), 1);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p + kQuarter, kHalf), 0);  // straddles the advised half
  advise(p, kQuarter, CU_MEM_ADVISE_UNSET_READ_MOSTLY, device);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p, kHalf), 0);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p + kQuarter, kQuarter), 1);

  advise(p, kBytes, CU_MEM_ADVISE_SET_PREFERRED_LOCATION, device);
  advise(p + kHalf, kHalf, CU_MEM_ADVISE_SET_PREFERRED_LOCATION, host);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION, p, kHalf), 0);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION, p + kHalf, kHalf), CU_DEVICE_CPU);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION, p, kBytes), CU_DEVICE_INVALID);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_TYPE, p + kHalf, kHalf), CU_MEM_LOCATION_TYPE_HOST);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_ID, p + kHalf, kHalf), 0);
  advise(p, kHalf, CU_MEM_ADVISE_UNSET_PREFERRED_LOCATION, device);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION, p, kHalf), CU_DEVICE_INVALID);

  advise(p, kBytes, CU_MEM_ADVISE_SET_ACCESSED_BY, host);
  advise(p, kBytes, CU_MEM_ADVISE_SET_ACCESSED_BY, device);
  advise(p, kBytes, CU_MEM_ADVISE_SET_ACCESSED_BY, host);  // once in the list
  int ids[3] = {7, 7, 7};
  ASSERT_CU_OK(ENTRY(cuMemRangeGetAttribute)(ids, sizeof ids, CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY, p, kBytes));
  EXPECT_EQ(ids[0], CU_DEVICE_CPU);
  EXPECT_EQ(ids[1], 0);
  EXPECT_EQ(ids[2], CU_DEVICE_INVALID);
  advise(p, kQuarter, CU_MEM_ADVISE_UNSET_ACCESSED_BY, host);
  ASSERT_CU_OK(ENTRY(cuMemRangeGetAttribute)(ids, sizeof ids, CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY, p, kBytes));
  EXPECT_EQ(ids[0], 0);  // the host no longer for all of it
  EXPECT_EQ(ids[1], CU_DEVICE_INVALID);
}

TEST_F(DriverManagedRanges, PrefetchesAreTheLastLocationAndQueriesComeTogether) {
  CUstream stream = nullptr;
  ASSERT_CU_OK(ENTRY(cuStreamCreate)(&stream, CU_STREAM_NON_BLOCKING));
  ASSERT_CU_OK(ENTRY(cuMemPrefetchAsync)(p, kBytes, device, 0, stream));
  // The current host NUMA node is node 0, the only one.
  ASSERT_CU_OK(ENTRY(cuMemPrefetchAsync)(p + kHalf, kHalf, CUmemLocation{CU_MEM_LOCATION_TYPE_HOST_NUMA_CURRENT, 5}, 0, stream));
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION, p, kHalf), 0);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION, p + kHalf, kHalf), CU_DEVICE_CPU);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION, p, kBytes), CU_DEVICE_INVALID);

  int type = 7, id = 7, read_mostly = 7;
  void* data[] = {&type, &id, &read_mostly};
  size_t sizes[] = {sizeof type, sizeof id, sizeof read_mostly};
  CUmem_range_attribute attrs[] = {CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION_TYPE,
                                   CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION_ID, CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY};
  ASSERT_CU_OK(ENTRY(cuMemRangeGetAttributes)(data, sizes, attrs, 3, p + kHalf, kQuarter));
  EXPECT_EQ(type, CU_MEM_LOCATION_TYPE_HOST_NUMA);
  EXPECT_EQ(id, 0);
  EXPECT_EQ(read_mostly, 0);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemRangeGetAttributes)(data, sizes, attrs, 0, p, kBytes));
  ASSERT_CU_OK(ENTRY(cuStreamDestroy)(stream));
}

TEST_F(DriverManagedRanges, BadQueriesAndHintsAreRefused) {
  int v = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemRangeGetAttribute)(&v, sizeof v, CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p, kBytes + 1));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemRangeGetAttribute)(&v, sizeof v, CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemRangeGetAttribute)(&v, 8, CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p, kBytes));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemRangeGetAttribute)(nullptr, 4, CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p, kBytes));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE,
            ENTRY(cuMemRangeGetAttribute)(&v, sizeof v, static_cast<CUmem_range_attribute>(99), p, kBytes));
  EXPECT_CU(CUDA_ERROR_INVALID_DEVICE, ENTRY(cuMemAdvise)(p, kBytes, CU_MEM_ADVISE_SET_PREFERRED_LOCATION,
                                                          CUmemLocation{CU_MEM_LOCATION_TYPE_DEVICE, 1}));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAdvise)(p, kBytes, CU_MEM_ADVISE_SET_ACCESSED_BY,
                                                         CUmemLocation{CU_MEM_LOCATION_TYPE_HOST_NUMA, 2}));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemPrefetchAsync)(p, kBytes, CUmemLocation{CU_MEM_LOCATION_TYPE_INVALID, 0}, 0, nullptr));
  // A refused hint leaves no trace.
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION, p, kBytes), CU_DEVICE_INVALID);
  EXPECT_EQ(get(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION, p, kBytes), CU_DEVICE_INVALID);

  CUdeviceptr plain = 0;
  ASSERT_CU_OK(ENTRY(cuMemAlloc)(&plain, 256));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemRangeGetAttribute)(&v, sizeof v, CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, plain, 256));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAdvise)(plain, 256, CU_MEM_ADVISE_SET_READ_MOSTLY, device));
  ASSERT_CU_OK(ENTRY(cuMemFree)(plain));
  // Freed, the managed memory is no range any more.
  ASSERT_CU_OK(ENTRY(cuMemFree)(p));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemRangeGetAttribute)(&v, sizeof v, CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, p, kBytes));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemPrefetchAsync)(p, kBytes, device, 0, nullptr));
  p = 0;
}

}  // namespace
