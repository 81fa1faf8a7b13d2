// What a program learns about the device; the test compares it with `gpusim info` for the config.
#include "check.cuh"

int main() {
  int count = 0, device = -1;
  CHECK(cudaGetDeviceCount(&count));
  CHECK(cudaSetDevice(0));
  CHECK(cudaGetDevice(&device));
  cudaDeviceProp p;
  CHECK(cudaGetDeviceProperties(&p, 0));
  int sms = 0, optin = 0, major = 0, l2 = 0;
  CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0));
  CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0));
  CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0));
  EXPECT(sms == p.multiProcessorCount && optin == int(p.sharedMemPerBlockOptin) && major == p.major && l2 == p.l2CacheSize);
  // Attributes of capabilities gpusim does not model are answered (0: absent), so a program that
  // checks every call goes on; the memory synchronisation domains: 4 on Hopper, 1 before.
  for (cudaDeviceAttr a : {cudaDevAttrCanFlushRemoteWrites, cudaDevAttrGPUDirectRDMAFlushWritesOptions,
                           cudaDevAttrGPUDirectRDMAWritesOrdering, cudaDevAttrDeferredMappingCudaArraySupported,
                           cudaDevAttrD3D12CigSupported, cudaDevAttrVulkanCigSupported, cudaDevAttrGpuPciDeviceId,
                           cudaDevAttrGpuPciSubsystemId, cudaDevAttrHostNumaMemoryPoolsSupported,
                           cudaDevAttrHostNumaMultinodeIpcSupported, cudaDevAttrHostMemoryPoolsSupported,
                           cudaDevAttrOnlyPartialHostNativeAtomicSupported}) {
    int v = -1;
    CHECK(cudaDeviceGetAttribute(&v, a, 0));
  }
  int domains = 0;
  CHECK(cudaDeviceGetAttribute(&domains, cudaDevAttrMemSyncDomainCount, 0));
  EXPECT(domains == (p.major >= 9 ? 4 : 1));
  EXPECT(cudaSetDevice(1) == cudaErrorInvalidDevice);
  cudaGetLastError();
  int driver = 0, runtime = 0;
  CHECK(cudaDriverGetVersion(&driver));
  CHECK(cudaRuntimeGetVersion(&runtime));
  std::printf("devices=%d current=%d\n", count, device);
  std::printf("name=%s\n", p.name);
  std::printf("cc=%d.%d sms=%d warp=%d\n", p.major, p.minor, p.multiProcessorCount, p.warpSize);
  std::printf("global_mib=%zu l2_kib=%d shared_per_block=%zu optin=%zu shared_per_sm=%zu\n", p.totalGlobalMem >> 20,
              p.l2CacheSize / 1024, p.sharedMemPerBlock, p.sharedMemPerBlockOptin, p.sharedMemPerMultiprocessor);
  std::printf("regs_per_sm=%d threads_per_sm=%d threads_per_block=%d bus_bits=%d\n", p.regsPerMultiprocessor,
              p.maxThreadsPerMultiProcessor, p.maxThreadsPerBlock, p.memoryBusWidth);
  return 0;
}
