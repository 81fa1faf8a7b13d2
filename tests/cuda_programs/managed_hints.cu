// Managed-memory hints read back with cudaMemRangeGetAttribute(s), as a program tuning unified
// memory checks them; cudaHostGetFlags; cudaGetFuncBySymbol and cudaFuncGetParamInfo. The
// expected values come from CUDA's documentation of each attribute (a range answers a location
// only when every page of it has that location; an unset one is cudaInvalidDeviceId), the
// expected parameter layout from the host compiler's layout of the same members (offsetof).
#include <cstddef>
#include <cstdio>
#include <set>
#include "check.cuh"

__managed__ int managed_counter[256];

struct Small {
  short a;
  char b;
};

__global__ void params(char c, double d, int3 v, float4 f, const float* p, Small s, float* out) {
  out[0] = c + d + v.x + v.y + v.z + f.x + f.w + p[0] + s.a + s.b;
}
struct ParamsLayout {  // the same members in the same order: the C++ layout the PTX .param list follows
  char c;
  double d;
  int3 v;
  float4 f;
  const float* p;
  Small s;
  float* out;
};

__global__ void sum_and_count(const float* x, int n, float* total) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    atomicAdd(total, x[i]);
    atomicAdd(&managed_counter[i % 256], 1);
  }
}

static int get_int(cudaMemRangeAttribute a, const void* p, size_t bytes) {
  int v = 12345;
  CHECK(cudaMemRangeGetAttribute(&v, sizeof v, a, p, bytes));
  return v;
}

static std::set<int> accessed_by(const void* p, size_t bytes) {
  int ids[4];
  CHECK(cudaMemRangeGetAttribute(ids, sizeof ids, cudaMemRangeAttributeAccessedBy, p, bytes));
  std::set<int> s;
  for (int id : ids)
    if (id != cudaInvalidDeviceId) s.insert(id);
  for (int i = int(s.size()); i < 4; ++i) EXPECT(ids[i] == cudaInvalidDeviceId);  // padding at the end
  return s;
}

static void expect_error(cudaError_t got, cudaError_t want) {
  EXPECT(got == want);
  EXPECT(cudaGetLastError() == want);
}

int main() {
  const int n = 1 << 16;  // 256 KiB of floats
  const size_t bytes = n * sizeof(float), half = bytes / 2, quarter = bytes / 4;
  float* x;
  CHECK(cudaMallocManaged(&x, bytes));
  char* c = reinterpret_cast<char*>(x);
  const cudaMemLocation dev0{cudaMemLocationTypeDevice, 0}, host{cudaMemLocationTypeHost, 0};

  // Nothing advised or prefetched yet.
  EXPECT(get_int(cudaMemRangeAttributeReadMostly, x, bytes) == 0);
  EXPECT(get_int(cudaMemRangeAttributePreferredLocation, x, bytes) == cudaInvalidDeviceId);
  EXPECT(get_int(cudaMemRangeAttributeLastPrefetchLocation, x, bytes) == cudaInvalidDeviceId);
  EXPECT(get_int(cudaMemRangeAttributePreferredLocationType, x, bytes) == cudaMemLocationTypeInvalid);
  EXPECT(get_int(cudaMemRangeAttributeLastPrefetchLocationType, x, bytes) == cudaMemLocationTypeInvalid);
  EXPECT(accessed_by(x, bytes).empty());

  // Read-mostly over the whole range, then cleared in the middle.
  CHECK(cudaMemAdvise(x, bytes, cudaMemAdviseSetReadMostly, dev0));
  EXPECT(get_int(cudaMemRangeAttributeReadMostly, x, bytes) == 1);
  CHECK(cudaMemAdvise(c + quarter, quarter, cudaMemAdviseUnsetReadMostly, dev0));
  EXPECT(get_int(cudaMemRangeAttributeReadMostly, x, bytes) == 0);
  EXPECT(get_int(cudaMemRangeAttributeReadMostly, x, quarter) == 1);
  EXPECT(get_int(cudaMemRangeAttributeReadMostly, c + half, half) == 1);
  EXPECT(get_int(cudaMemRangeAttributeReadMostly, c + quarter - 4, 8) == 0);  // straddles the boundary

  // Preferred location: the device for the first half, the host for the second.
  CHECK(cudaMemAdvise(x, half, cudaMemAdviseSetPreferredLocation, dev0));
  EXPECT(get_int(cudaMemRangeAttributePreferredLocation, x, bytes) == cudaInvalidDeviceId);  // half has none
  EXPECT(get_int(cudaMemRangeAttributePreferredLocation, x, half) == 0);
  EXPECT(get_int(cudaMemRangeAttributePreferredLocationType, x, half) == cudaMemLocationTypeDevice);
  EXPECT(get_int(cudaMemRangeAttributePreferredLocationId, x, half) == 0);
  CHECK(cudaMemAdvise(c + half, half, cudaMemAdviseSetPreferredLocation, host));
  EXPECT(get_int(cudaMemRangeAttributePreferredLocation, c + half, half) == cudaCpuDeviceId);
  EXPECT(get_int(cudaMemRangeAttributePreferredLocationType, c + half, 16) == cudaMemLocationTypeHost);
  EXPECT(get_int(cudaMemRangeAttributePreferredLocation, x, bytes) == cudaInvalidDeviceId);  // two locations
  CHECK(cudaMemAdvise(x, bytes, cudaMemAdviseUnsetPreferredLocation, dev0));
  EXPECT(get_int(cudaMemRangeAttributePreferredLocation, x, half) == cudaInvalidDeviceId);

  // Accessed-by: the device everywhere, the host on the first quarter; then the device cleared on the second half.
  CHECK(cudaMemAdvise(x, bytes, cudaMemAdviseSetAccessedBy, dev0));
  CHECK(cudaMemAdvise(x, quarter, cudaMemAdviseSetAccessedBy, host));
  EXPECT(accessed_by(x, bytes) == std::set<int>{0});
  EXPECT((accessed_by(x, quarter) == std::set<int>{0, cudaCpuDeviceId}));
  CHECK(cudaMemAdvise(c + half, half, cudaMemAdviseUnsetAccessedBy, dev0));
  EXPECT(accessed_by(x, bytes).empty());
  EXPECT(accessed_by(c + half, half).empty());
  EXPECT(accessed_by(x, half) == std::set<int>{0});
  int one_slot = 7;  // fewer slots than devices: as many as fit
  CHECK(cudaMemRangeGetAttribute(&one_slot, sizeof one_slot, cudaMemRangeAttributeAccessedBy, x, quarter));
  EXPECT(one_slot == 0 || one_slot == cudaCpuDeviceId);

  // Prefetches: the last location every page was sent to.
  cudaStream_t s;
  CHECK(cudaStreamCreate(&s));
  CHECK(cudaMemPrefetchAsync(x, bytes, dev0, 0, s));
  EXPECT(get_int(cudaMemRangeAttributeLastPrefetchLocation, x, bytes) == 0);
  CHECK(cudaMemPrefetchAsync(c + half, half, host, 0, s));
  EXPECT(get_int(cudaMemRangeAttributeLastPrefetchLocation, x, bytes) == cudaInvalidDeviceId);
  EXPECT(get_int(cudaMemRangeAttributeLastPrefetchLocation, c + half, half) == cudaCpuDeviceId);
  EXPECT(get_int(cudaMemRangeAttributeLastPrefetchLocationType, c + half, half) == cudaMemLocationTypeHost);
  EXPECT(get_int(cudaMemRangeAttributeLastPrefetchLocationType, x, half) == cudaMemLocationTypeDevice);
  EXPECT(get_int(cudaMemRangeAttributeLastPrefetchLocationId, x, half) == 0);

  // Several attributes in one call.
  int rm = -1, pref = -1, pf = -1;
  void* data[] = {&rm, &pref, &pf};
  size_t sizes[] = {4, 4, 4};
  cudaMemRangeAttribute attrs[] = {cudaMemRangeAttributeReadMostly, cudaMemRangeAttributePreferredLocation,
                                   cudaMemRangeAttributeLastPrefetchLocation};
  CHECK(cudaMemRangeGetAttributes(data, sizes, attrs, 3, x, quarter));
  EXPECT(rm == 1 && pref == cudaInvalidDeviceId && pf == 0);

  // The hints change no data: a kernel still reads every element.
  for (int i = 0; i < n; ++i) x[i] = float(i % 8);
  float* total;
  CHECK(cudaMallocManaged(&total, sizeof(float)));
  *total = 0;
  CHECK(cudaMemAdvise(managed_counter, sizeof managed_counter, cudaMemAdviseSetReadMostly, dev0));
  EXPECT(get_int(cudaMemRangeAttributeReadMostly, managed_counter, sizeof managed_counter) == 1);
  EXPECT(get_int(cudaMemRangeAttributeReadMostly, managed_counter + 8, 16) == 1);
  CHECK(cudaStreamAttachMemAsync(s, managed_counter, 0, cudaMemAttachGlobal));  // __managed__ is managed memory
  sum_and_count<<<64, 256, 0, s>>>(x, n, total);
  CHECK(cudaStreamSynchronize(s));
  EXPECT(*total == float(n / 8 * 28));
  for (int i = 0; i < 256; ++i) EXPECT(managed_counter[i] == n / 256);

  // Misuse: CUDA's codes.
  float* dev;
  CHECK(cudaMalloc(&dev, 64));
  int v;
  expect_error(cudaMemRangeGetAttribute(&v, 4, cudaMemRangeAttributeReadMostly, dev, 64), cudaErrorInvalidValue);
  expect_error(cudaMemAdvise(dev, 64, cudaMemAdviseSetReadMostly, dev0), cudaErrorInvalidValue);
  expect_error(cudaMemRangeGetAttribute(&v, 8, cudaMemRangeAttributeReadMostly, x, 64), cudaErrorInvalidValue);
  expect_error(cudaMemRangeGetAttribute(&v, 6, cudaMemRangeAttributeAccessedBy, x, 64), cudaErrorInvalidValue);
  expect_error(cudaMemRangeGetAttribute(&v, 4, cudaMemRangeAttributeReadMostly, x, bytes + 4096), cudaErrorInvalidValue);
  expect_error(cudaMemAdvise(x, bytes, cudaMemAdviseSetPreferredLocation, cudaMemLocation{cudaMemLocationTypeDevice, 5}),
               cudaErrorInvalidDevice);
  expect_error(cudaMemPrefetchAsync(x, bytes, dev0, 1, s), cudaErrorInvalidValue);

  // cudaHostGetFlags: the allocation's own flags; device and managed memory have none.
  void *wc, *plain, *reg_buf = std::malloc(1 << 16);
  unsigned flags = 0;
  CHECK(cudaHostAlloc(&wc, 4096, cudaHostAllocWriteCombined | cudaHostAllocPortable));
  CHECK(cudaHostGetFlags(&flags, static_cast<char*>(wc) + 100));
  EXPECT((flags & (cudaHostAllocWriteCombined | cudaHostAllocPortable)) == (cudaHostAllocWriteCombined | cudaHostAllocPortable));
  CHECK(cudaMallocHost(&plain, 4096));
  CHECK(cudaHostGetFlags(&flags, plain));
  EXPECT((flags & (cudaHostAllocWriteCombined | cudaHostAllocPortable)) == 0);
  CHECK(cudaHostRegister(reg_buf, 1 << 16, cudaHostRegisterPortable));
  CHECK(cudaHostGetFlags(&flags, reg_buf));
  EXPECT(flags & cudaHostAllocPortable);
  CHECK(cudaHostUnregister(reg_buf));
  expect_error(cudaHostGetFlags(&flags, reg_buf), cudaErrorInvalidValue);
  expect_error(cudaHostGetFlags(&flags, dev), cudaErrorInvalidValue);
  expect_error(cudaHostGetFlags(&flags, x), cudaErrorInvalidValue);

  // cudaGetFuncBySymbol and cudaFuncGetParamInfo.
  cudaFunction_t fn = nullptr;
  CHECK(cudaGetFuncBySymbol(&fn, reinterpret_cast<const void*>(params)));
  EXPECT(fn != nullptr);
  expect_error(cudaGetFuncBySymbol(&fn, reinterpret_cast<const void*>(&main)), cudaErrorInvalidDeviceFunction);
  const size_t want_offset[] = {offsetof(ParamsLayout, c), offsetof(ParamsLayout, d), offsetof(ParamsLayout, v),
                                offsetof(ParamsLayout, f), offsetof(ParamsLayout, p), offsetof(ParamsLayout, s),
                                offsetof(ParamsLayout, out)};
  const size_t want_size[] = {1, 8, sizeof(int3), sizeof(float4), sizeof(void*), sizeof(Small), sizeof(void*)};
  for (size_t i = 0; i < 7; ++i) {
    size_t off = 999, size = 999;
    CHECK(cudaFuncGetParamInfo(reinterpret_cast<const void*>(params), i, &off, &size));
    if (off != want_offset[i] || size != want_size[i])
      std::fprintf(stderr, "parameter %zu: offset %zu size %zu, expected %zu %zu\n", i, off, size, want_offset[i], want_size[i]);
    EXPECT(off == want_offset[i] && size == want_size[i]);
  }
  size_t off, size;
  expect_error(cudaFuncGetParamInfo(reinterpret_cast<const void*>(params), 7, &off, &size), cudaErrorInvalidValue);

  CHECK(cudaFreeHost(wc));
  CHECK(cudaFreeHost(plain));
  CHECK(cudaFree(dev));
  CHECK(cudaFree(total));
  CHECK(cudaFree(x));
  CHECK(cudaStreamDestroy(s));
  std::free(reg_buf);
  std::printf("managed_hints: OK\n");
  return 0;
}
