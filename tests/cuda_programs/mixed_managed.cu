// Managed memory hinted through one CUDA API and queried through the other, as on NVIDIA's stack
// where the runtime sits on the driver and keeps no hints of its own: cuMemAdvise and
// cuMemPrefetchAsync on cudaMallocManaged memory read back by cudaMemRangeGetAttribute(s), and
// cudaMemAdvise / cudaMemPrefetchAsync on cuMemAllocManaged memory read back by
// cuMemRangeGetAttribute(s); a kernel then works on both allocations. The expected values follow
// CUDA's documentation of each attribute (a range answers a location only when all of it has that
// location; none is cudaInvalidDeviceId, the host cudaCpuDeviceId); the kernel's results are
// checked against the host.
#include <cuda_runtime.h>

#include <cstdio>

#include "check_jit.cuh"

__global__ void add_into(float* out, const float* in, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] += in[i] * 2.0f;
}

#define EXPECT_CU(expected, call) EXPECT((call) == (expected))

static int rt_int(cudaMemRangeAttribute a, const void* p, size_t bytes) {
  int v = 12345;
  CHECK(cudaMemRangeGetAttribute(&v, sizeof v, a, p, bytes));
  return v;
}

static int cu_int(CUmem_range_attribute a, CUdeviceptr p, size_t bytes) {
  int v = 12345;
  CU(cuMemRangeGetAttribute(&v, sizeof v, a, p, bytes));
  return v;
}

int main() {
  CHECK(cudaFree(nullptr));  // the runtime's primary context; the driver shares it
  CU(cuInit(0));
  const int n = 4096;
  const size_t bytes = n * sizeof(float);
  const size_t half = bytes / 2;
  const CUmemLocation cu_device{CU_MEM_LOCATION_TYPE_DEVICE, 0};
  const CUmemLocation cu_host{CU_MEM_LOCATION_TYPE_HOST, 0};
  const cudaMemLocation rt_device{cudaMemLocationTypeDevice, 0};
  const cudaMemLocation rt_host{cudaMemLocationTypeHost, 0};

  // Runtime memory, driver hints, runtime queries.
  float* a = nullptr;
  CHECK(cudaMallocManaged(&a, bytes));
  const CUdeviceptr da = reinterpret_cast<CUdeviceptr>(a);
  EXPECT(rt_int(cudaMemRangeAttributeReadMostly, a, bytes) == 0);
  EXPECT(rt_int(cudaMemRangeAttributePreferredLocation, a, bytes) == cudaInvalidDeviceId);
  CU(cuMemAdvise(da, half, CU_MEM_ADVISE_SET_READ_MOSTLY, cu_device));
  EXPECT(rt_int(cudaMemRangeAttributeReadMostly, a, half) == 1);
  EXPECT(rt_int(cudaMemRangeAttributeReadMostly, a, bytes) == 0);  // the second half is not
  CU(cuMemAdvise(da, bytes, CU_MEM_ADVISE_SET_PREFERRED_LOCATION, cu_device));
  CU(cuMemAdvise(da + half, half, CU_MEM_ADVISE_SET_PREFERRED_LOCATION, cu_host));
  EXPECT(rt_int(cudaMemRangeAttributePreferredLocation, a, half) == 0);
  EXPECT(rt_int(cudaMemRangeAttributePreferredLocation, a + n / 2, half) == cudaCpuDeviceId);
  EXPECT(rt_int(cudaMemRangeAttributePreferredLocation, a, bytes) == cudaInvalidDeviceId);  // two locations
  EXPECT(rt_int(cudaMemRangeAttributePreferredLocationType, a + n / 2, half) == cudaMemLocationTypeHost);
  CU(cuMemAdvise(da, bytes, CU_MEM_ADVISE_SET_ACCESSED_BY, cu_host));
  CU(cuMemAdvise(da, bytes, CU_MEM_ADVISE_SET_ACCESSED_BY, cu_device));
  int ids[3] = {7, 7, 7};
  CHECK(cudaMemRangeGetAttribute(ids, sizeof ids, cudaMemRangeAttributeAccessedBy, a, bytes));
  EXPECT(ids[0] == cudaCpuDeviceId && ids[1] == 0 && ids[2] == cudaInvalidDeviceId);
  CU(cuMemPrefetchAsync(da, bytes, cu_device, 0, nullptr));
  // The runtime's advice on top of the driver's, read back through the driver.
  CHECK(cudaMemAdvise(a, bytes, cudaMemAdviseUnsetAccessedBy, rt_host));
  int cu_ids[2] = {7, 7};
  CU(cuMemRangeGetAttribute(cu_ids, sizeof cu_ids, CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY, da, bytes));
  EXPECT(cu_ids[0] == 0 && cu_ids[1] == CU_DEVICE_INVALID);
  {
    int last = 7, last_type = 7, read_mostly = 7;
    void* data[] = {&last, &last_type, &read_mostly};
    size_t sizes[] = {sizeof last, sizeof last_type, sizeof read_mostly};
    cudaMemRangeAttribute attrs[] = {cudaMemRangeAttributeLastPrefetchLocation, cudaMemRangeAttributeLastPrefetchLocationType,
                                     cudaMemRangeAttributeReadMostly};
    CHECK(cudaMemRangeGetAttributes(data, sizes, attrs, 3, a, half));
    EXPECT(last == 0 && last_type == cudaMemLocationTypeDevice && read_mostly == 1);
  }

  // Driver memory, runtime hints, driver queries.
  CUdeviceptr db = 0;
  CU(cuMemAllocManaged(&db, bytes, CU_MEM_ATTACH_GLOBAL));
  float* b = reinterpret_cast<float*>(db);
  EXPECT(cu_int(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION, db, bytes) == CU_DEVICE_INVALID);
  CHECK(cudaMemPrefetchAsync(b, bytes, rt_host, 0, nullptr));
  CHECK(cudaMemPrefetchAsync(b, half, rt_device, 0, nullptr));
  EXPECT(cu_int(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION, db, half) == 0);
  EXPECT(cu_int(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION, db + half, half) == CU_DEVICE_CPU);
  EXPECT(cu_int(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION, db, bytes) == CU_DEVICE_INVALID);
  EXPECT(cu_int(CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION_TYPE, db + half, half) == CU_MEM_LOCATION_TYPE_HOST);
  CHECK(cudaMemAdvise(b, bytes, cudaMemAdviseSetReadMostly, rt_device));
  CU(cuMemAdvise(db + half, half, CU_MEM_ADVISE_UNSET_READ_MOSTLY, cu_device));
  EXPECT(cu_int(CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, db, half) == 1);
  EXPECT(cu_int(CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, db, bytes) == 0);
  CHECK(cudaMemAdvise(b, bytes, cudaMemAdviseSetPreferredLocation, rt_device));
  EXPECT(cu_int(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_TYPE, db, bytes) == CU_MEM_LOCATION_TYPE_DEVICE);
  EXPECT(cu_int(CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_ID, db, bytes) == 0);
  EXPECT(rt_int(cudaMemRangeAttributePreferredLocation, b, bytes) == 0);  // the runtime reads the driver's memory too

  // Refusals name the same things through both APIs.
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cuMemRangeGetAttribute(ids, sizeof ids, CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY, db, bytes + 4));
  EXPECT_CU(CUDA_ERROR_INVALID_DEVICE, cuMemAdvise(da, bytes, CU_MEM_ADVISE_SET_ACCESSED_BY, CUmemLocation{CU_MEM_LOCATION_TYPE_DEVICE, 3}));
  float* plain = nullptr;
  CHECK(cudaMalloc(&plain, bytes));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cuMemAdvise(reinterpret_cast<CUdeviceptr>(plain), bytes, CU_MEM_ADVISE_SET_READ_MOSTLY, cu_device));
  EXPECT(cudaMemRangeGetAttribute(ids, 4, cudaMemRangeAttributeReadMostly, plain, bytes) == cudaErrorInvalidValue);
  (void)cudaGetLastError();

  // The hints change nothing a kernel computes: b += 2 a over both APIs' managed memory.
  for (int i = 0; i < n; ++i) a[i] = float(i % 97), b[i] = float(i % 13) - 6.0f;
  add_into<<<(n + 255) / 256, 256>>>(b, a, n);
  CHECK(cudaDeviceSynchronize());
  for (int i = 0; i < n; ++i)
    if (b[i] != float(i % 13) - 6.0f + 2.0f * float(i % 97)) {
      std::fprintf(stderr, "element %d: got %g\n", i, b[i]);
      return 1;
    }

  // Freed through its own API, the memory is no longer managed for either.
  CU(cuMemFree(db));
  EXPECT(cudaMemRangeGetAttribute(ids, 4, cudaMemRangeAttributeReadMostly, b, half) == cudaErrorInvalidValue);
  (void)cudaGetLastError();
  CHECK(cudaFree(a));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cuMemRangeGetAttribute(ids, 4, CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, da, half));
  CHECK(cudaFree(plain));
  std::printf("mixed_managed: OK\n");
  return 0;
}
