// What programs ask of their streams besides ordering: priorities (clamped to the device's
// range), ids, the stream's device, stream attributes (an L2 access policy window, as the
// cuda-samples set it), copying attributes between streams, attaching managed memory to a stream
// (the UnifiedMemoryStreams pattern), callbacks with their status, query loops that end, and
// creation flags outside the documented sets.
#include <vector>
#include "check.cuh"

__global__ void scale(float* p, int n, float f) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] *= f;
}

struct Trace {
  std::vector<int> order;
};
static void CUDART_CB record_status(cudaStream_t, cudaError_t status, void* user) {
  static_cast<Trace*>(user)->order.push_back(100 + static_cast<int>(status));
}
static void CUDART_CB record_value(void* user) { static_cast<Trace*>(user)->order.push_back(1); }

int main() {
  // --- priorities: the range, creation clamps, read back
  int least = 1, greatest = 1;
  CHECK(cudaDeviceGetStreamPriorityRange(&least, &greatest));
  EXPECT(greatest < least || greatest == least);
  cudaStream_t high, low, plain;
  CHECK(cudaStreamCreateWithPriority(&high, cudaStreamNonBlocking, greatest - 10));  // beyond the range
  CHECK(cudaStreamCreateWithPriority(&low, cudaStreamDefault, least));
  CHECK(cudaStreamCreate(&plain));
  int priority = 0;
  CHECK(cudaStreamGetPriority(high, &priority));
  EXPECT(priority == greatest);
  CHECK(cudaStreamGetPriority(low, &priority));
  EXPECT(priority == least);
  unsigned flags = 0;
  CHECK(cudaStreamGetFlags(high, &flags));
  EXPECT(flags == cudaStreamNonBlocking);
  cudaStream_t bad_stream;
  cudaEvent_t bad_event;
  EXPECT(cudaStreamCreateWithFlags(&bad_stream, 0x4) == cudaErrorInvalidValue);  // not a stream flag
  EXPECT(cudaEventCreateWithFlags(&bad_event, 0x100) == cudaErrorInvalidValue);  // not an event flag
  EXPECT(cudaEventCreateWithFlags(&bad_event, cudaEventInterprocess) == cudaErrorInvalidValue);  // needs DisableTiming
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);

  // --- ids: distinct per stream, stable per stream; the device of a stream
  unsigned long long id_high = 0, id_low = 0, id_again = 0;
  CHECK(cudaStreamGetId(high, &id_high));
  CHECK(cudaStreamGetId(low, &id_low));
  CHECK(cudaStreamGetId(high, &id_again));
  EXPECT(id_high != id_low && id_high == id_again);
  int device = -1;
  CHECK(cudaStreamGetDevice(low, &device));
  EXPECT(device == 0);

  // --- attributes: an access policy window set on one stream, read back, copied to another
  const int n = 1 << 14;
  float* d = nullptr;
  CHECK(cudaMalloc(&d, n * sizeof(float)));
  cudaStreamAttrValue window = {};
  window.accessPolicyWindow.base_ptr = d;
  window.accessPolicyWindow.num_bytes = n * sizeof(float);
  window.accessPolicyWindow.hitRatio = 0.6f;
  window.accessPolicyWindow.hitProp = cudaAccessPropertyPersisting;
  window.accessPolicyWindow.missProp = cudaAccessPropertyStreaming;
  CHECK(cudaStreamSetAttribute(high, cudaStreamAttributeAccessPolicyWindow, &window));
  cudaStreamAttrValue read = {};
  CHECK(cudaStreamGetAttribute(high, cudaStreamAttributeAccessPolicyWindow, &read));
  EXPECT(read.accessPolicyWindow.base_ptr == d && read.accessPolicyWindow.hitRatio == 0.6f);
  CHECK(cudaStreamCopyAttributes(plain, high));
  read = {};
  CHECK(cudaStreamGetAttribute(plain, cudaStreamAttributeAccessPolicyWindow, &read));
  EXPECT(read.accessPolicyWindow.num_bytes == n * sizeof(float));
  CHECK(cudaStreamGetAttribute(plain, cudaStreamAttributePriority, &read));
  EXPECT(read.priority == greatest);
  window.accessPolicyWindow.hitRatio = 2.0f;  // not a ratio
  EXPECT(cudaStreamSetAttribute(high, cudaStreamAttributeAccessPolicyWindow, &window) == cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);

  // --- managed memory attached to one stream, the host reading it after that stream synchronises
  float* m = nullptr;
  CHECK(cudaMallocManaged(&m, n * sizeof(float)));
  CHECK(cudaStreamAttachMemAsync(low, m, 0, cudaMemAttachSingle));
  for (int i = 0; i < n; ++i) m[i] = static_cast<float>(i);
  scale<<<n / 256, 256, 0, low>>>(m, n, 0.5f);
  CHECK(cudaStreamSynchronize(low));
  for (int i = 0; i < n; ++i) EXPECT(m[i] == 0.5f * i);
  CHECK(cudaStreamAttachMemAsync(low, m, 0, cudaMemAttachGlobal));
  EXPECT(cudaStreamAttachMemAsync(low, d, 0, cudaMemAttachSingle) == cudaErrorInvalidValue);  // not managed
  EXPECT(cudaStreamAttachMemAsync(low, m, 4, cudaMemAttachHost) == cudaErrorInvalidValue);  // part of it
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);

  // --- host work in stream order, after an event from another stream; callbacks see success
  Trace trace;
  cudaEvent_t ready;
  CHECK(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming));
  scale<<<n / 256, 256, 0, high>>>(m, n, 4.0f);
  CHECK(cudaEventRecord(ready, high));
  CHECK(cudaStreamWaitEvent(plain, ready, 0));
  CHECK(cudaLaunchHostFunc(plain, record_value, &trace));
  CHECK(cudaStreamAddCallback(plain, record_status, &trace, 0));
  // Polling loops a program spins in must end.
  while (cudaStreamQuery(plain) == cudaErrorNotReady) {}
  while (cudaEventQuery(ready) == cudaErrorNotReady) {}
  EXPECT(cudaStreamQuery(plain) == cudaSuccess && cudaEventQuery(ready) == cudaSuccess);
  EXPECT(trace.order.size() == 2 && trace.order[0] == 1 && trace.order[1] == 100 + cudaSuccess);
  for (int i = 0; i < n; ++i) EXPECT(m[i] == 2.0f * i);

  // --- the device's cache preference reads back as set
  CHECK(cudaDeviceSetCacheConfig(cudaFuncCachePreferShared));
  cudaFuncCache cache = cudaFuncCachePreferNone;
  CHECK(cudaDeviceGetCacheConfig(&cache));
  EXPECT(cache == cudaFuncCachePreferShared);
  EXPECT(cudaDeviceSetCacheConfig(static_cast<cudaFuncCache>(9)) == cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);

  CHECK(cudaEventDestroy(ready));
  for (cudaStream_t s : {high, low, plain}) CHECK(cudaStreamDestroy(s));
  EXPECT(cudaStreamGetId(high, &id_again) == cudaErrorInvalidResourceHandle);  // destroyed
  EXPECT(cudaGetLastError() == cudaErrorInvalidResourceHandle);
  CHECK(cudaFree(m));
  CHECK(cudaFree(d));
  std::printf("stream_attributes: OK\n");
  return 0;
}
