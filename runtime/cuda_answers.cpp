#include "runtime/cuda_answers.h"

#include <cstdio>

#include <driver_types.h>

namespace gpusim::runtime {

namespace {
// Texture and surface size limits. The CUDA C++ Programming Guide's table of technical
// specifications gives the same ones for compute capability 7.0 through 9.0 (V100, A100, H100
// alike), as cudaGetDeviceProperties reports them on those GPUs: no per-architecture choice.
std::optional<int> texture_limit(int a) {
  switch (a) {
    case cudaDevAttrMaxTexture1DWidth: return 131072;
    case cudaDevAttrMaxTexture1DLinearWidth: return 268435456;  // 2^28 texels
    case cudaDevAttrMaxTexture1DMipmappedWidth: return 32768;
    case cudaDevAttrMaxTexture2DWidth: case cudaDevAttrMaxTexture2DLinearWidth: return 131072;
    case cudaDevAttrMaxTexture2DHeight: return 65536;
    case cudaDevAttrMaxTexture2DLinearHeight: return 65000;
    case cudaDevAttrMaxTexture2DLinearPitch: return 2097120;  // bytes
    case cudaDevAttrMaxTexture2DMipmappedWidth: case cudaDevAttrMaxTexture2DMipmappedHeight: return 32768;
    case cudaDevAttrMaxTexture2DGatherWidth: case cudaDevAttrMaxTexture2DGatherHeight: return 32768;
    case cudaDevAttrMaxTexture3DWidth: case cudaDevAttrMaxTexture3DHeight: case cudaDevAttrMaxTexture3DDepth: return 16384;
    case cudaDevAttrMaxTexture3DWidthAlt: case cudaDevAttrMaxTexture3DHeightAlt: return 8192;
    case cudaDevAttrMaxTexture3DDepthAlt: return 32768;
    case cudaDevAttrMaxTexture1DLayeredWidth: return 32768;
    case cudaDevAttrMaxTexture2DLayeredWidth: case cudaDevAttrMaxTexture2DLayeredHeight: return 32768;
    case cudaDevAttrMaxTexture1DLayeredLayers: case cudaDevAttrMaxTexture2DLayeredLayers: return 2048;
    case cudaDevAttrMaxTextureCubemapWidth: case cudaDevAttrMaxTextureCubemapLayeredWidth: return 32768;
    case cudaDevAttrMaxTextureCubemapLayeredLayers: return 2046;
    case cudaDevAttrMaxSurface1DWidth: return 32768;
    case cudaDevAttrMaxSurface2DWidth: return 131072;
    case cudaDevAttrMaxSurface2DHeight: return 65536;
    case cudaDevAttrMaxSurface3DWidth: case cudaDevAttrMaxSurface3DHeight: case cudaDevAttrMaxSurface3DDepth: return 16384;
    case cudaDevAttrMaxSurface1DLayeredWidth: return 32768;
    case cudaDevAttrMaxSurface2DLayeredWidth: case cudaDevAttrMaxSurface2DLayeredHeight: return 32768;
    case cudaDevAttrMaxSurface1DLayeredLayers: case cudaDevAttrMaxSurface2DLayeredLayers: return 2048;
    case cudaDevAttrMaxSurfaceCubemapWidth: case cudaDevAttrMaxSurfaceCubemapLayeredWidth: return 32768;
    case cudaDevAttrMaxSurfaceCubemapLayeredLayers: return 2046;
    case cudaDevAttrSurfaceAlignment: return 512;
    default: return std::nullopt;
  }
}
}  // namespace

std::optional<int> cuda_device_attribute(const DeviceProperties& p, int a) {
  if (const auto limit = texture_limit(a)) return limit;
  switch (a) {
    case cudaDevAttrMaxThreadsPerBlock: return p.max_threads_per_block;
    case cudaDevAttrMaxBlockDimX: return p.max_block_dim[0];
    case cudaDevAttrMaxBlockDimY: return p.max_block_dim[1];
    case cudaDevAttrMaxBlockDimZ: return p.max_block_dim[2];
    case cudaDevAttrMaxGridDimX: return p.max_grid_dim[0];
    case cudaDevAttrMaxGridDimY: return p.max_grid_dim[1];
    case cudaDevAttrMaxGridDimZ: return p.max_grid_dim[2];
    case cudaDevAttrMaxSharedMemoryPerBlock: return p.shared_per_block;
    case cudaDevAttrTotalConstantMemory: return static_cast<int>(p.total_const_bytes);
    case cudaDevAttrWarpSize: return p.warp_size;
    case cudaDevAttrMaxPitch: return 2147483647;
    case cudaDevAttrMaxRegistersPerBlock: return p.registers_per_block;
    case cudaDevAttrClockRate: return p.core_clock_khz;
    case cudaDevAttrTextureAlignment: return 512;
    case cudaDevAttrTexturePitchAlignment: return 32;
    case cudaDevAttrMultiProcessorCount: return p.sm_count;
    case cudaDevAttrKernelExecTimeout: return 0;
    case cudaDevAttrIntegrated: return 0;
    case cudaDevAttrCanMapHostMemory: return 1;
    case cudaDevAttrComputeMode: return cudaComputeModeDefault;
    case cudaDevAttrConcurrentKernels: return 1;
    case cudaDevAttrEccEnabled: return 0;
    case cudaDevAttrPciBusId: case cudaDevAttrPciDeviceId: case cudaDevAttrPciDomainId: return 0;
    case cudaDevAttrTccDriver: return 0;
    case cudaDevAttrMemoryClockRate: return p.memory_clock_khz;
    case cudaDevAttrGlobalMemoryBusWidth: return p.memory_bus_width_bits;
    case cudaDevAttrL2CacheSize: return p.l2_bytes;
    case cudaDevAttrMaxThreadsPerMultiProcessor: return p.max_threads_per_sm;
    // Copies never overlap kernels here: launches and copies complete inside their calls.
    case cudaDevAttrGpuOverlap: case cudaDevAttrAsyncEngineCount: return 0;
    case cudaDevAttrUnifiedAddressing: return 1;
    case cudaDevAttrComputeCapabilityMajor: return p.compute_major;
    case cudaDevAttrComputeCapabilityMinor: return p.compute_minor;
    case cudaDevAttrStreamPrioritiesSupported: return 1;
    case cudaDevAttrGlobalL1CacheSupported: case cudaDevAttrLocalL1CacheSupported: return 1;
    case cudaDevAttrMaxSharedMemoryPerMultiprocessor: return p.shared_per_sm;
    case cudaDevAttrMaxRegistersPerMultiprocessor: return p.registers_per_sm;
    case cudaDevAttrManagedMemory: return 1;
    case cudaDevAttrIsMultiGpuBoard: case cudaDevAttrMultiGpuBoardGroupID: return 0;
    case cudaDevAttrHostNativeAtomicSupported: return 0;
    case cudaDevAttrSingleToDoublePrecisionPerfRatio: return 2;
    case cudaDevAttrPageableMemoryAccess: return 0;
    case cudaDevAttrConcurrentManagedAccess: return 1;
    case cudaDevAttrComputePreemptionSupported: return 1;
    case cudaDevAttrCanUseHostPointerForRegisteredMem: return 1;
    case cudaDevAttrCooperativeLaunch: return 1;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin: return p.shared_per_block_optin;
    case cudaDevAttrHostRegisterSupported: return 1;
    case cudaDevAttrPageableMemoryAccessUsesHostPageTables: return 0;
    case cudaDevAttrDirectManagedMemAccessFromHost: return 1;
    case cudaDevAttrMaxBlocksPerMultiprocessor: return p.max_blocks_per_sm;
    // Ampere and later set L2 aside for persisting accesses: up to 3/4 of it, and access policy
    // windows up to 128 MiB - 4 KiB (what an A100 and an H100 report). The simulated L2 keeps no
    // persisting lines (the windows are hints it does not model), but a program sizes its window
    // from these.
    case cudaDevAttrMaxPersistingL2CacheSize: return p.compute_major >= 8 ? int(p.l2_bytes / 4 * 3) : 0;
    case cudaDevAttrMaxAccessPolicyWindowSize: return p.compute_major >= 8 ? 134213632 : 0;
    case cudaDevAttrReservedSharedMemoryPerBlock: return p.shared_reserved_per_block;
    case cudaDevAttrMemoryPoolsSupported: return 0;
    case cudaDevAttrClusterLaunch: return p.compute_major >= 9 ? 1 : 0;
    case cudaDevAttrSparseCudaArraySupported: return 0;
    // cudaHostRegisterReadOnly: registered, and the device's stores to it fault.
    case cudaDevAttrHostRegisterReadOnlySupported: return 1;
    case cudaDevAttrTimelineSemaphoreInteropSupported: case cudaDevAttrGPUDirectRDMASupported: return 0;
    case cudaDevAttrIpcEventSupport: case cudaDevAttrMpsEnabled: return 0;
    case cudaDevAttrNumaConfig: return 0;
    case cudaDevAttrNumaId: case cudaDevAttrHostNumaId: return -1;
    // Capabilities of a system gpusim does not model (remote-write flushes, RDMA, graphics interop,
    // host NUMA pools, deferred array mapping): not present, as on a GPU without them.
    case cudaDevAttrCanFlushRemoteWrites: case cudaDevAttrGPUDirectRDMAFlushWritesOptions: return 0;
    case cudaDevAttrGPUDirectRDMAWritesOrdering: case cudaDevAttrDeferredMappingCudaArraySupported: return 0;
    case cudaDevAttrD3D12CigSupported: case cudaDevAttrVulkanCigSupported: return 0;
    case cudaDevAttrHostNumaMemoryPoolsSupported: case cudaDevAttrHostNumaMultinodeIpcSupported: return 0;
    case cudaDevAttrHostMemoryPoolsSupported: case cudaDevAttrOnlyPartialHostNativeAtomicSupported: return 0;
    case cudaDevAttrGpuPciDeviceId: case cudaDevAttrGpuPciSubsystemId: return 0;  // no PCI device, as the bus ids
    // Memory synchronisation domains: 4 on Hopper, 1 before (CUDA's programming guide).
    case cudaDevAttrMemSyncDomainCount: return p.compute_major >= 9 ? 4 : 1;
    default: return std::nullopt;
  }
}

int cuda_fault_error(FaultKind kind) {
  switch (kind) {
    case FaultKind::IllegalAddress: return cudaErrorIllegalAddress;
    case FaultKind::MisalignedAddress: return cudaErrorMisalignedAddress;
    case FaultKind::Assert: return cudaErrorAssert;
    // The simulator's instruction budget stands in for the GPU's watchdog.
    case FaultKind::Runaway: return cudaErrorLaunchTimeout;
    // trap, barrier misuse, what the simulator does not implement: "unspecified launch failure"
    default: return cudaErrorLaunchFailure;
  }
}

// CUDA's three forms: [domain]:[bus]:[device].[function], [domain]:[bus]:[device] and
// [bus]:[device].[function], in hexadecimal, the whole string.
std::optional<bool> names_simulated_device(const std::string& bus_id) {
  const char* text = bus_id.c_str();
  unsigned domain = 0, bus = 0, slot = 0, function = 0;
  int end = -1;
  const auto whole = [&](int fields, int expected) { return fields == expected && end >= 0 && text[end] == '\0'; };
  bool parsed = whole(std::sscanf(text, "%x:%x:%x.%x%n", &domain, &bus, &slot, &function, &end), 4);
  if (!parsed) domain = bus = slot = function = 0, end = -1, parsed = whole(std::sscanf(text, "%x:%x:%x%n", &domain, &bus, &slot, &end), 3);
  if (!parsed) domain = bus = slot = function = 0, end = -1, parsed = whole(std::sscanf(text, "%x:%x.%x%n", &bus, &slot, &function, &end), 3);
  if (!parsed) return std::nullopt;
  return !domain && !bus && !slot && !function;
}

}  // namespace gpusim::runtime
