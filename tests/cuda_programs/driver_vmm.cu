// Virtual memory management as NVIDIA's vectorAddMMAP sample uses it (granularity, reserve,
// create, map, set access, a kernel over the mapping, unmap, release, free), plus what growable
// allocators rely on: two physical allocations mapped back to back form one buffer a kernel and
// a copy cross; one allocation mapped at two addresses aliases; memory lives on after
// cuMemRelease while mapped. Results against the CPU; misuse against CUDA's error codes.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "nvrtc_ptx.cuh"

static const char* kSource = R"(
extern "C" __global__ void vec_add(const float* a, const float* b, float* c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) c[i] = a[i] + b[i];
}
extern "C" __global__ void scale(unsigned* v, unsigned k, size_t n) {
  size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (i < n) v[i] = v[i] * k + (unsigned)i;
}
)";

int main() {
  CU(cuInit(0));
  CUdevice dev;
  CU(cuDeviceGet(&dev, 0));
  int vmm = 0;
  CU(cuDeviceGetAttribute(&vmm, CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED, dev));
  EXPECT(vmm == 1);
  CUcontext ctx;
  CU(cuDevicePrimaryCtxRetain(&ctx, dev));
  CU(cuCtxSetCurrent(ctx));
  const std::string ptx = compile_ptx(kSource, "vmm.cu");
  CUmodule mod;
  CU(cuModuleLoadData(&mod, ptx.c_str()));
  CUfunction vec_add, scale;
  CU(cuModuleGetFunction(&vec_add, mod, "vec_add"));
  CU(cuModuleGetFunction(&scale, mod, "scale"));

  CUmemAllocationProp prop = {};
  prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
  prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  prop.location.id = dev;
  size_t granularity = 0;
  CU(cuMemGetAllocationGranularity(&granularity, &prop, CU_MEM_ALLOC_GRANULARITY_MINIMUM));
  EXPECT(granularity > 0);
  CUmemAccessDesc access = {};
  access.location = prop.location;
  access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;

  // vectorAddMMAP: three buffers, each one physical allocation rounded up to the granularity.
  const int n = 50000;
  const size_t bytes = (n * sizeof(float) + granularity - 1) / granularity * granularity;
  CUdeviceptr buffers[3];
  CUmemGenericAllocationHandle handles[3];
  for (int k = 0; k < 3; ++k) {
    CU(cuMemAddressReserve(&buffers[k], bytes, 0, 0, 0));
    CU(cuMemCreate(&handles[k], bytes, &prop, 0));
    CU(cuMemMap(buffers[k], bytes, 0, handles[k], 0));
    CU(cuMemRelease(handles[k]));  // the mapping keeps the memory
    CU(cuMemSetAccess(buffers[k], bytes, &access, 1));
  }
  std::vector<float> a(n), b(n), c(n);
  for (int i = 0; i < n; ++i) a[i] = 1.0f * i, b[i] = 0.25f * (n - i);
  CU(cuMemcpyHtoD(buffers[0], a.data(), n * sizeof(float)));
  CU(cuMemcpyHtoD(buffers[1], b.data(), n * sizeof(float)));
  int count = n;
  void* args[] = {&buffers[0], &buffers[1], &buffers[2], &count};
  CU(cuLaunchKernel(vec_add, (n + 255) / 256, 1, 1, 256, 1, 1, 0, nullptr, args, nullptr));
  CU(cuMemcpyDtoH(c.data(), buffers[2], n * sizeof(float)));
  for (int i = 0; i < n; ++i) EXPECT(c[i] == a[i] + b[i]);
  unsigned long long flags = 0;
  CU(cuMemGetAccess(&flags, &access.location, buffers[2] + 100));
  EXPECT(flags == CU_MEM_ACCESS_FLAGS_PROT_READWRITE);
  CUmemGenericAllocationHandle retained;
  CU(cuMemRetainAllocationHandle(&retained, reinterpret_cast<void*>(buffers[1] + 8)));
  EXPECT(retained == handles[1]);
  CUmemAllocationProp back = {};
  CU(cuMemGetAllocationPropertiesFromHandle(&back, retained));
  EXPECT(back.type == CU_MEM_ALLOCATION_TYPE_PINNED && back.location.id == dev);
  CU(cuMemRelease(retained));
  for (int k = 0; k < 3; ++k) {
    CU(cuMemUnmap(buffers[k], bytes));
    CU(cuMemAddressFree(buffers[k], bytes));
  }

  // A growable buffer: two allocations back to back in one reservation; one kernel and one copy
  // each cross the seam.
  CUdeviceptr grow;
  CU(cuMemAddressReserve(&grow, 4 * granularity, 0, 0, 0));
  CUmemGenericAllocationHandle first, second;
  CU(cuMemCreate(&first, granularity, &prop, 0));
  CU(cuMemCreate(&second, granularity, &prop, 0));
  CU(cuMemMap(grow, granularity, 0, first, 0));
  CU(cuMemMap(grow + granularity, granularity, 0, second, 0));
  CU(cuMemSetAccess(grow, 2 * granularity, &access, 1));
  const size_t words = 2 * granularity / sizeof(unsigned);
  std::vector<unsigned> host(words), out(words);
  for (size_t i = 0; i < words; ++i) host[i] = static_cast<unsigned>(i * 2654435761u);
  CU(cuMemcpyHtoD(grow, host.data(), words * sizeof(unsigned)));
  unsigned k = 3;
  size_t total = words;
  void* scale_args[] = {&grow, &k, &total};
  CU(cuLaunchKernel(scale, static_cast<unsigned>((words + 255) / 256), 1, 1, 256, 1, 1, 0, nullptr, scale_args, nullptr));
  CU(cuMemcpyDtoH(out.data(), grow, words * sizeof(unsigned)));
  for (size_t i = 0; i < words; ++i) EXPECT(out[i] == host[i] * 3u + static_cast<unsigned>(i));

  // The second allocation mapped again further up: the same bytes under two addresses.
  CU(cuMemMap(grow + 3 * granularity, granularity, 0, second, 0));
  CU(cuMemSetAccess(grow + 3 * granularity, granularity, &access, 1));
  CU(cuMemsetD32(grow + 3 * granularity, 0xdeadbeef, 16));
  unsigned seen[16];
  CU(cuMemcpyDtoH(seen, grow + granularity, sizeof seen));
  for (unsigned v : seen) EXPECT(v == 0xdeadbeefu);
  // A device-to-device copy from across the seam into the alias (bytes 256.. of the second
  // allocation, which the source does not overlap), read back through the first address.
  CU(cuMemcpyDtoD(grow + 3 * granularity + 256, grow + granularity - 64, 128));
  CU(cuMemcpyDtoH(seen, grow + granularity + 256, 64));
  for (int i = 0; i < 16; ++i) EXPECT(seen[i] == out[words / 2 - 16 + i]);

  // Misuse.
  CUdeviceptr unused;
  EXPECT(cuMemAddressReserve(&unused, granularity + 1, 0, 0, 0) == CUDA_ERROR_INVALID_VALUE);
  CUmemGenericAllocationHandle h;
  EXPECT(cuMemCreate(&h, granularity / 2, &prop, 0) == CUDA_ERROR_INVALID_VALUE);
  EXPECT(cuMemMap(grow, granularity, 0, first, 0) == CUDA_ERROR_INVALID_VALUE);          // already mapped
  EXPECT(cuMemMap(grow + 2 * granularity, 2 * granularity, 0, first, 0) == CUDA_ERROR_INVALID_VALUE);  // past it
  EXPECT(cuMemUnmap(grow, granularity / 2) == CUDA_ERROR_INVALID_VALUE);                 // cuts a mapping
  EXPECT(cuMemAddressFree(grow, 4 * granularity) == CUDA_ERROR_INVALID_VALUE);           // still mapped
  EXPECT(cuMemRelease(12345) == CUDA_ERROR_INVALID_VALUE);
  CUmemAllocationProp host_prop = prop;
  host_prop.location.id = 3;
  EXPECT(cuMemGetAllocationGranularity(&granularity, &host_prop, CU_MEM_ALLOC_GRANULARITY_MINIMUM) ==
         CUDA_ERROR_INVALID_DEVICE);

  CU(cuMemUnmap(grow, 4 * granularity));  // all three mappings
  CU(cuMemRelease(first));
  CU(cuMemRelease(second));
  CU(cuMemAddressFree(grow, 4 * granularity));
  EXPECT(cuMemGetAllocationPropertiesFromHandle(&back, first) == CUDA_ERROR_INVALID_VALUE);  // gone
  CU(cuDevicePrimaryCtxRelease(dev));
  std::printf("driver_vmm: OK\n");
  return 0;
}
