// Driver API functions reached through the runtime (cudaGetDriverEntryPoint[ByVersion]) by a
// program that does not link libcuda, the way TMA code gets cuTensorMapEncodeTiled: the driver
// functions act on the runtime's device and memory (one device, one primary context).
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cstring>
#include <vector>
#include "check.cuh"

__global__ void add_one(unsigned* p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] += 1;
}

template <typename Fn>
static Fn entry(const char* name, unsigned version) {
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult status = cudaDriverEntryPointSymbolNotFound;
  CHECK(cudaGetDriverEntryPointByVersion(name, &fn, version, cudaEnableDefault, &status));
  EXPECT(status == cudaDriverEntryPointSuccess && fn != nullptr);
  return reinterpret_cast<Fn>(fn);
}

int main() {
  const int n = 4096;
  unsigned* d = nullptr;
  CHECK(cudaMalloc(&d, n * sizeof(unsigned)));  // the runtime initialises the device first

  // The runtime has initialised the driver: a device query as the first driver call needs no
  // cuInit (it was CUDA_ERROR_NOT_INITIALIZED until a context-using call came first).
  auto device_get = entry<PFN_cuDeviceGet_v2000>("cuDeviceGet", 12000);
  CUdevice dev = -1;
  EXPECT(device_get(&dev, 0) == CUDA_SUCCESS && dev == 0);

  // A memset through the driver on runtime memory, then a runtime launch and copy on it.
  auto memset_d32 = entry<PFN_cuMemsetD32_v3020>("cuMemsetD32", 12000);
  EXPECT(memset_d32(reinterpret_cast<CUdeviceptr>(d), 0xA0u, n) == CUDA_SUCCESS);
  add_one<<<n / 256, 256>>>(d, n);
  std::vector<unsigned> h(n);
  CHECK(cudaMemcpy(h.data(), d, n * sizeof(unsigned), cudaMemcpyDeviceToHost));
  for (unsigned v : h) EXPECT(v == 0xA1u);

  // The driver's view of the device agrees with the runtime's.
  auto get_attribute = entry<PFN_cuDeviceGetAttribute_v2000>("cuDeviceGetAttribute", 12000);
  int driver_sms = 0, runtime_sms = 0;
  EXPECT(get_attribute(&driver_sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 0) == CUDA_SUCCESS);
  CHECK(cudaDeviceGetAttribute(&runtime_sms, cudaDevAttrMultiProcessorCount, 0));
  EXPECT(driver_sms == runtime_sms && driver_sms > 0);
  auto get_name = entry<PFN_cuDeviceGetName_v2000>("cuDeviceGetName", 12000);
  char name[256] = {};
  EXPECT(get_name(name, sizeof name, 0) == CUDA_SUCCESS);
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  EXPECT(std::strcmp(name, prop.name) == 0);

  // The unversioned query answers for the runtime's own CUDA version.
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult status = cudaDriverEntryPointSymbolNotFound;
  CHECK(cudaGetDriverEntryPoint("cuTensorMapEncodeTiled", &fn, cudaEnableDefault, &status));
  EXPECT(status == cudaDriverEntryPointSuccess && fn != nullptr);

  // A name the driver lacks: success, a null pointer, and the status says so.
  fn = reinterpret_cast<void*>(0x1);
  CHECK(cudaGetDriverEntryPointByVersion("cuNoSuchFunction", &fn, 12000, cudaEnableDefault, &status));
  EXPECT(fn == nullptr && status == cudaDriverEntryPointSymbolNotFound);
  EXPECT(cudaGetDriverEntryPointByVersion(nullptr, &fn, 12000, cudaEnableDefault, &status) == cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);
  CHECK(cudaFree(d));
  std::printf("driver_entry_point: OK\n");
  return 0;
}
