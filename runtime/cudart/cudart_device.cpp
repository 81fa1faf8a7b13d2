// Device management and queries. gpusim simulates one device; its description comes from the
// simulated configuration (runtime/device_properties.h), the same figures `gpusim info` prints.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "runtime/cuda_answers.h"
#include "runtime/cudart/cudart_context.h"
#include "runtime/raw_enum.h"
#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {
namespace {

void check_device(int device) {
  if (device != 0) throw ApiError(cudaErrorInvalidDevice, "device " + std::to_string(device) + ": gpusim simulates one device (0)");
}

}  // namespace
}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaGetDeviceCount(int* count) {
  return api("cudaGetDeviceCount", [&](Context& ctx) {
    if (!count) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *count = 0;    // when no device is visible (CUDA_VISIBLE_DEVICES), as CUDA answers
    ctx.device();  // a configuration that cannot start is reported here, where programs look first
    *count = 1;
  });
}

cudaError_t cudaGetDevice(int* device) {
  return api("cudaGetDevice", [&](Context& ctx) {
    if (!device) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *device = ctx.current_device;
  });
}

cudaError_t cudaSetDevice(int device) {
  return api("cudaSetDevice", [&](Context& ctx) {
    check_device(device);
    ctx.device();
  });
}

cudaError_t cudaInitDevice(int device, unsigned int device_flags, unsigned int flags) {
  return api("cudaInitDevice", [&](Context& ctx) {
    check_device(device);
    ctx.device();
  });
}

cudaError_t cudaChooseDevice(int* device, const struct cudaDeviceProp* prop) {
  return api("cudaChooseDevice", [&](Context&) {
    if (!device) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *device = 0;
  });
}

// The flags cudaSetDeviceFlags knows: one scheduling policy (Auto, Spin, Yield or BlockingSync,
// not a mix), MapHost, LmemResizeToMax and SyncMemops. CUDA refuses anything else.
static void check_device_flags(unsigned flags) {
  const unsigned known = cudaDeviceScheduleMask | cudaDeviceMapHost | cudaDeviceLmemResizeToMax | cudaDeviceSyncMemops;
  const unsigned schedule = flags & cudaDeviceScheduleMask;
  if ((flags & ~known) || (schedule & (schedule - 1)))
    throw ApiError(cudaErrorInvalidValue, "unknown device flags or more than one cudaDeviceSchedule* policy");
}

cudaError_t cudaSetDeviceFlags(unsigned int flags) {
  return api("cudaSetDeviceFlags", [&](Context& ctx) {
    check_device_flags(flags);
    ctx.device_flags = flags;
  });
}
cudaError_t cudaGetDeviceFlags(unsigned int* flags) {
  return api("cudaGetDeviceFlags", [&](Context& ctx) {
    if (!flags) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *flags = ctx.device_flags | cudaDeviceMapHost;
  });
}

cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp* prop, int device) {
  return api("cudaGetDeviceProperties", [&](Context& ctx) {
    check_device(device);
    if (!prop) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    const gpusim::runtime::DeviceProperties& p = ctx.properties();
    std::memset(prop, 0, sizeof *prop);
    std::strncpy(prop->name, p.name.c_str(), sizeof prop->name - 1);
    prop->totalGlobalMem = p.total_global_bytes;
    prop->sharedMemPerBlock = p.shared_per_block;
    prop->regsPerBlock = p.registers_per_block;
    prop->warpSize = p.warp_size;
    prop->memPitch = 2147483647;
    prop->maxThreadsPerBlock = p.max_threads_per_block;
    std::copy(p.max_block_dim, p.max_block_dim + 3, prop->maxThreadsDim);
    std::copy(p.max_grid_dim, p.max_grid_dim + 3, prop->maxGridSize);
    prop->totalConstMem = p.total_const_bytes;
    prop->major = p.compute_major;
    prop->minor = p.compute_minor;
    prop->textureAlignment = 512;
    prop->texturePitchAlignment = 32;
    prop->multiProcessorCount = p.sm_count;
    prop->canMapHostMemory = 1;
    prop->concurrentKernels = 1;
    prop->asyncEngineCount = 0;  // copies never overlap kernels (runtime/cuda_answers.cpp)
    prop->unifiedAddressing = 1;
    prop->memoryBusWidth = p.memory_bus_width_bits;
    prop->l2CacheSize = p.l2_bytes;
    prop->maxThreadsPerMultiProcessor = p.max_threads_per_sm;
    prop->streamPrioritiesSupported = 1;
    prop->globalL1CacheSupported = prop->localL1CacheSupported = 1;
    prop->sharedMemPerMultiprocessor = p.shared_per_sm;
    prop->regsPerMultiprocessor = p.registers_per_sm;
    prop->managedMemory = 1;
    prop->concurrentManagedAccess = 1;
    prop->directManagedMemAccessFromHost = 1;
    prop->computePreemptionSupported = 1;
    prop->canUseHostPointerForRegisteredMem = 1;
    prop->cooperativeLaunch = 1;
    prop->sharedMemPerBlockOptin = p.shared_per_block_optin;
    prop->maxBlocksPerMultiProcessor = p.max_blocks_per_sm;
    prop->reservedSharedMemPerBlock = p.shared_reserved_per_block;
    prop->hostRegisterSupported = 1;
    prop->clusterLaunch = p.compute_major >= 9;
    prop->memoryPoolsSupported = 1;  // as cudaDeviceGetAttribute answers
    prop->deviceNumaId = prop->hostNumaId = -1;
    prop->hostRegisterReadOnlySupported = 1;
    // Texture and surface limits, as cudaDeviceGetAttribute answers them.
    const auto limit = [&](int attr) { return *gpusim::runtime::cuda_device_attribute(p, attr); };
    prop->persistingL2CacheMaxSize = limit(cudaDevAttrMaxPersistingL2CacheSize);
    prop->accessPolicyMaxWindowSize = limit(cudaDevAttrMaxAccessPolicyWindowSize);
    prop->maxTexture1D = limit(cudaDevAttrMaxTexture1DWidth);
    prop->maxTexture1DMipmap = limit(cudaDevAttrMaxTexture1DMipmappedWidth);
    prop->maxTexture2D[0] = limit(cudaDevAttrMaxTexture2DWidth);
    prop->maxTexture2D[1] = limit(cudaDevAttrMaxTexture2DHeight);
    prop->maxTexture2DMipmap[0] = limit(cudaDevAttrMaxTexture2DMipmappedWidth);
    prop->maxTexture2DMipmap[1] = limit(cudaDevAttrMaxTexture2DMipmappedHeight);
    prop->maxTexture2DLinear[0] = limit(cudaDevAttrMaxTexture2DLinearWidth);
    prop->maxTexture2DLinear[1] = limit(cudaDevAttrMaxTexture2DLinearHeight);
    prop->maxTexture2DLinear[2] = limit(cudaDevAttrMaxTexture2DLinearPitch);
    prop->maxTexture2DGather[0] = limit(cudaDevAttrMaxTexture2DGatherWidth);
    prop->maxTexture2DGather[1] = limit(cudaDevAttrMaxTexture2DGatherHeight);
    prop->maxTexture3D[0] = limit(cudaDevAttrMaxTexture3DWidth);
    prop->maxTexture3D[1] = limit(cudaDevAttrMaxTexture3DHeight);
    prop->maxTexture3D[2] = limit(cudaDevAttrMaxTexture3DDepth);
    prop->maxTexture3DAlt[0] = limit(cudaDevAttrMaxTexture3DWidthAlt);
    prop->maxTexture3DAlt[1] = limit(cudaDevAttrMaxTexture3DHeightAlt);
    prop->maxTexture3DAlt[2] = limit(cudaDevAttrMaxTexture3DDepthAlt);
    prop->maxTextureCubemap = limit(cudaDevAttrMaxTextureCubemapWidth);
    prop->maxTexture1DLayered[0] = limit(cudaDevAttrMaxTexture1DLayeredWidth);
    prop->maxTexture1DLayered[1] = limit(cudaDevAttrMaxTexture1DLayeredLayers);
    prop->maxTexture2DLayered[0] = limit(cudaDevAttrMaxTexture2DLayeredWidth);
    prop->maxTexture2DLayered[1] = limit(cudaDevAttrMaxTexture2DLayeredHeight);
    prop->maxTexture2DLayered[2] = limit(cudaDevAttrMaxTexture2DLayeredLayers);
    prop->maxTextureCubemapLayered[0] = limit(cudaDevAttrMaxTextureCubemapLayeredWidth);
    prop->maxTextureCubemapLayered[1] = limit(cudaDevAttrMaxTextureCubemapLayeredLayers);
    prop->maxSurface1D = limit(cudaDevAttrMaxSurface1DWidth);
    prop->maxSurface2D[0] = limit(cudaDevAttrMaxSurface2DWidth);
    prop->maxSurface2D[1] = limit(cudaDevAttrMaxSurface2DHeight);
    prop->maxSurface3D[0] = limit(cudaDevAttrMaxSurface3DWidth);
    prop->maxSurface3D[1] = limit(cudaDevAttrMaxSurface3DHeight);
    prop->maxSurface3D[2] = limit(cudaDevAttrMaxSurface3DDepth);
    prop->maxSurface1DLayered[0] = limit(cudaDevAttrMaxSurface1DLayeredWidth);
    prop->maxSurface1DLayered[1] = limit(cudaDevAttrMaxSurface1DLayeredLayers);
    prop->maxSurface2DLayered[0] = limit(cudaDevAttrMaxSurface2DLayeredWidth);
    prop->maxSurface2DLayered[1] = limit(cudaDevAttrMaxSurface2DLayeredHeight);
    prop->maxSurface2DLayered[2] = limit(cudaDevAttrMaxSurface2DLayeredLayers);
    prop->maxSurfaceCubemap = limit(cudaDevAttrMaxSurfaceCubemapWidth);
    prop->maxSurfaceCubemapLayered[0] = limit(cudaDevAttrMaxSurfaceCubemapLayeredWidth);
    prop->maxSurfaceCubemapLayered[1] = limit(cudaDevAttrMaxSurfaceCubemapLayeredLayers);
    prop->surfaceAlignment = limit(cudaDevAttrSurfaceAlignment);
  });
}

cudaError_t cudaDeviceGetAttribute(int* value, enum cudaDeviceAttr attr, int device) {
  return api("cudaDeviceGetAttribute", [&](Context& ctx) {
    check_device(device);
    if (!value) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    // An attribute the simulator does not model is an error, never a guess.
    auto v = gpusim::runtime::cuda_device_attribute(ctx.properties(), gpusim::runtime::raw_enum_value(attr));
    // The runtime has stream-ordered allocation (cudart_mempool.cpp), which gpusim's driver API
    // lacks; programs check this attribute before cudaMallocAsync. No pool is shareable (IPC).
    if (gpusim::runtime::raw_enum_value(attr) == cudaDevAttrMemoryPoolsSupported) v = 1;
    if (gpusim::runtime::raw_enum_value(attr) == cudaDevAttrMemoryPoolSupportedHandleTypes) v = cudaMemHandleTypeNone;
    if (!v) throw ApiError(cudaErrorInvalidValue, "device attribute " + std::to_string(gpusim::runtime::raw_enum_value(attr)) + " is not modelled by gpusim");
    *value = *v;
  });
}

cudaError_t cudaDeviceSynchronize(void) {
  return api("cudaDeviceSynchronize", [&](Context& ctx) {
    gpusim::cudart::check_capture_safe(ctx, "cudaDeviceSynchronize");
    gpusim::cudart::release_pool_memory(ctx);
    ctx.flush_device_output();
  });
}

cudaError_t cudaDeviceReset(void) {
  auto& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  ctx.flush_device_output();
  gpusim::cudart::forget_sticky_last_error(ctx.sticky_error);
  ctx.reset_device();
  return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int* version) {
  if (!version) return set_last_error(cudaErrorInvalidValue);
  *version = CUDART_VERSION;
  return cudaSuccess;
}
cudaError_t cudaRuntimeGetVersion(int* version) {
  if (!version) return set_last_error(cudaErrorInvalidValue);
  *version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaDeviceSetLimit(enum cudaLimit limit, size_t value) {
  return api("cudaDeviceSetLimit", [&](Context& ctx) { ctx.set_limit(gpusim::runtime::raw_enum_value(limit), value); });
}
cudaError_t cudaDeviceGetLimit(size_t* value, enum cudaLimit limit) {
  return api("cudaDeviceGetLimit", [&](Context& ctx) {
    if (!value) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *value = ctx.get_limit(gpusim::runtime::raw_enum_value(limit));
  });
}

// Cache and shared-memory bank preferences do not change what the simulator computes; the
// carve-out the timing model uses follows occupancy (sim/occupancy.h).
// Every modelled GPU has a configurable L1/shared split, so the preference set is the one read back.
cudaError_t cudaDeviceSetCacheConfig(enum cudaFuncCache config) {
  return api("cudaDeviceSetCacheConfig", [&](Context& ctx) {
    const int value = gpusim::runtime::raw_enum_value(config);
    if (value < cudaFuncCachePreferNone || value > cudaFuncCachePreferEqual)
      throw ApiError(cudaErrorInvalidValue, "cache configuration " + std::to_string(value) + " is not a cudaFuncCache");
    ctx.cache_config = value;
  });
}
cudaError_t cudaDeviceGetCacheConfig(enum cudaFuncCache* config) {
  return api("cudaDeviceGetCacheConfig", [&](Context& ctx) {
    if (!config) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *config = static_cast<cudaFuncCache>(ctx.cache_config);
  });
}
// Shared-memory bank size (deprecated since CUDA 12, still exported and called by older code):
// every architecture gpusim models has 4-byte banks, and setting another size is a hint CUDA
// itself ignores on them.
cudaError_t cudaDeviceGetSharedMemConfig(enum cudaSharedMemConfig* config) {
  return api("cudaDeviceGetSharedMemConfig", [&](Context&) {
    if (!config) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *config = cudaSharedMemBankSizeFourByte;
  });
}
cudaError_t cudaDeviceSetSharedMemConfig(enum cudaSharedMemConfig config) {
  return api("cudaDeviceSetSharedMemConfig", [&](Context&) {
    const int c = gpusim::runtime::raw_enum_value(config);
    if (c < cudaSharedMemBankSizeDefault || c > cudaSharedMemBankSizeEightByte)
      throw ApiError(cudaErrorInvalidValue, "not a cudaSharedMemConfig: " + std::to_string(c));
  });
}
cudaError_t cudaFuncSetSharedMemConfig(const void* func, enum cudaSharedMemConfig config) {
  return api("cudaFuncSetSharedMemConfig", [&](Context& ctx) {
    ctx.kernel(func);
    const int c = gpusim::runtime::raw_enum_value(config);
    if (c < cudaSharedMemBankSizeDefault || c > cudaSharedMemBankSizeEightByte)
      throw ApiError(cudaErrorInvalidValue, "not a cudaSharedMemConfig: " + std::to_string(c));
  });
}

cudaError_t cudaDeviceCanAccessPeer(int* can, int device, int peer) {
  return api("cudaDeviceCanAccessPeer", [&](Context&) {
    check_device(device);
    check_device(peer);  // a peer that does not exist is cudaErrorInvalidDevice, as the device is
    if (!can) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *can = 0;
  });
}

cudaError_t cudaDeviceGetPCIBusId(char* bus_id, int len, int device) {
  return api("cudaDeviceGetPCIBusId", [&](Context&) {
    check_device(device);
    if (!bus_id || len <= 0) throw ApiError(cudaErrorInvalidValue, "null or empty result buffer");
    std::snprintf(bus_id, size_t(len), "%s", gpusim::runtime::kPciBusId);
  });
}

// The bus id cudaDeviceGetPCIBusId hands out names the simulated device.
cudaError_t cudaDeviceGetByPCIBusId(int* device, const char* bus_id) {
  return api("cudaDeviceGetByPCIBusId", [&](Context&) {
    if (!device || !bus_id) throw ApiError(cudaErrorInvalidValue, "null result pointer or bus id");
    const std::optional<bool> ours = gpusim::runtime::names_simulated_device(bus_id);
    if (!ours) throw ApiError(cudaErrorInvalidValue, std::string("not a PCI bus id: ") + bus_id);
    if (!*ours) throw ApiError(cudaErrorInvalidDevice, std::string("no device at ") + bus_id);
    *device = 0;
  });
}

// Peer access: with one device there is no peer, and a device is never its own peer (CUDA
// answers cudaErrorInvalidDevice for both).
cudaError_t cudaDeviceEnablePeerAccess(int peer, unsigned int flags) {
  return api("cudaDeviceEnablePeerAccess", [&](Context& ctx) {
    if (flags != 0) throw ApiError(cudaErrorInvalidValue, "flags must be 0");
    check_device(peer);
    throw ApiError(cudaErrorInvalidDevice, "device " + std::to_string(peer) + " is the current device, not a peer");
  });
}
cudaError_t cudaDeviceDisablePeerAccess(int peer) {
  return api("cudaDeviceDisablePeerAccess", [&](Context& ctx) {
    check_device(peer);
    throw ApiError(cudaErrorInvalidDevice, "device " + std::to_string(peer) + " is the current device, not a peer");
  });
}
cudaError_t cudaDeviceGetP2PAttribute(int* value, enum cudaDeviceP2PAttr attr, int src, int dst) {
  return api("cudaDeviceGetP2PAttribute", [&](Context&) {
    if (!value) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    check_device(src);
    check_device(dst);
    throw ApiError(cudaErrorInvalidDevice, "source and destination are the same device");
  });
}

// Atomics the link to the host carries natively: none (a PCIe link, as the simulated device
// reports with cudaDevAttrHostNativeAtomicSupported 0), for every valid operation.
cudaError_t cudaDeviceGetHostAtomicCapabilities(unsigned int* capabilities, const enum cudaAtomicOperation* operations,
                                                unsigned int count, int device) {
  return api("cudaDeviceGetHostAtomicCapabilities", [&](Context&) {
    check_device(device);
    if (!capabilities || !operations || count == 0)
      throw ApiError(cudaErrorInvalidValue, "null capabilities or operations, or a count of 0");
    for (unsigned i = 0; i < count; ++i) {
      const int op = gpusim::runtime::raw_enum_value(operations[i]);
      if (op < cudaAtomicOperationIntegerAdd || op > cudaAtomicOperationFloatMax)
        throw ApiError(cudaErrorInvalidValue, "operations[" + std::to_string(i) + "] = " + std::to_string(op) +
                                                  " is not a cudaAtomicOperation");
    }
    for (unsigned i = 0; i < count; ++i) capabilities[i] = 0;
  });
}

// The simulated L2 keeps no persisting lines (access policy windows are hints it does not model).
cudaError_t cudaCtxResetPersistingL2Cache(void) { return api("cudaCtxResetPersistingL2Cache", [](Context&) {}); }

cudaError_t cudaProfilerStart(void) { return cudaSuccess; }
cudaError_t cudaProfilerStop(void) { return cudaSuccess; }

}  // extern "C"
