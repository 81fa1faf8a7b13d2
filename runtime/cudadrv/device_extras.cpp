// Device and context queries programs make beyond the basics (PCI bus id, the legacy
// properties, cache and shared-memory configuration) and stream-ordered allocation through the
// device's default memory pool. Allocations complete when issued, so cuMemAllocAsync and
// cuMemFreeAsync are cuMemAlloc and cuMemFree after a check of the stream; on a capturing stream
// they become mem-alloc and mem-free nodes (graph_memory.cpp).
#include <cuda.h>

#include <cstdio>
#include <cstring>

#include "runtime/cuda_answers.h"
#include "runtime/cudadrv/driver_graph.h"
#include "runtime/cudadrv/driver_state.h"
#include "runtime/raw_enum.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

int attribute(const DriverState& s, CUdevice_attribute a) {
  return gpusim::runtime::cuda_device_attribute(s.properties, static_cast<int>(a)).value_or(0);
}

CUmemoryPool default_pool(DriverState& s) { return reinterpret_cast<CUmemoryPool>(&s.default_mem_pool); }

void require_pool(DriverState& s, CUmemoryPool pool) {
  gpusim::cudadrv::require_initialized(s);
  if (pool != default_pool(s))
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "not a memory pool of the simulated device (cuDeviceGetDefaultMemPool)"};
}

// The stream an asynchronous allocation is ordered in must be live; on a capturing stream the
// allocation becomes a graph node (*captured), otherwise it is made at once by the caller.
CUresult alloc_in_stream(const char* call, CUstream stream, size_t bytes, CUdeviceptr* ptr, bool* captured) {
  return api_call(call, [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    *captured = gpusim::cudadrv::capture_alloc(s, stream, bytes, ptr);
    return CUDA_SUCCESS;
  });
}

}  // namespace

extern "C" {

CUresult cuDeviceGetPCIBusId(char* bus_id, int length, CUdevice device) {
  return api_call("cuDeviceGetPCIBusId", [&](DriverState& s) {
    if (!bus_id || length <= 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pciBusId is null or len is not positive"};
    gpusim::cudadrv::require_device(s, device);
    std::snprintf(bus_id, static_cast<size_t>(length), "%s", gpusim::runtime::kPciBusId);
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGetByPCIBusId(CUdevice* device, const char* bus_id) {
  return api_call("cuDeviceGetByPCIBusId", [&](DriverState& s) {
    if (!device || !bus_id) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "dev or pciBusId is null"};
    gpusim::cudadrv::require_initialized(s);
    const std::optional<bool> ours = gpusim::runtime::names_simulated_device(bus_id);
    if (!ours) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string("not a PCI bus id: ") + bus_id};
    if (!*ours) throw DriverFailure{CUDA_ERROR_INVALID_DEVICE, std::string("no device at ") + bus_id};
    *device = 0;
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGetProperties(CUdevprop* prop, CUdevice device) {
  return api_call("cuDeviceGetProperties", [&](DriverState& s) {
    if (!prop) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "prop is null"};
    gpusim::cudadrv::require_device(s, device);
    prop->maxThreadsPerBlock = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
    prop->maxThreadsDim[0] = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X);
    prop->maxThreadsDim[1] = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y);
    prop->maxThreadsDim[2] = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z);
    prop->maxGridSize[0] = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X);
    prop->maxGridSize[1] = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y);
    prop->maxGridSize[2] = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z);
    prop->sharedMemPerBlock = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK);
    prop->totalConstantMemory = attribute(s, CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY);
    prop->SIMDWidth = attribute(s, CU_DEVICE_ATTRIBUTE_WARP_SIZE);
    prop->memPitch = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_PITCH);
    prop->regsPerBlock = attribute(s, CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK);
    prop->clockRate = attribute(s, CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
    prop->textureAlign = attribute(s, CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT);
    return CUDA_SUCCESS;
  });
}

// The cache and bank configurations are hints the timing model has no use for: kept and reported.
CUresult cuCtxSetCacheConfig(CUfunc_cache config) {
  return api_call("cuCtxSetCacheConfig", [&](DriverState& s) {
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    const long long raw = gpusim::runtime::raw_enum_value(config);
    if (raw < CU_FUNC_CACHE_PREFER_NONE || raw > CU_FUNC_CACHE_PREFER_EQUAL)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "config is not a CUfunc_cache value"};
    c.cache_config = config;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxGetCacheConfig(CUfunc_cache* config) {
  return api_call("cuCtxGetCacheConfig", [&](DriverState& s) {
    if (!config) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pconfig is null"};
    *config = gpusim::cudadrv::current_context(s).cache_config;
    return CUDA_SUCCESS;
  });
}

// The shared-memory bank configurations cuda.h defines (read as an integer: raw_enum.h). Taken by
// reference: copying an out-of-range enum by value is already the load sanitizers flag.
static void check_shared_config(const CUsharedconfig& config) {
  const long long raw = gpusim::runtime::raw_enum_value(config);
  if (raw < CU_SHARED_MEM_CONFIG_DEFAULT_BANK_SIZE || raw > CU_SHARED_MEM_CONFIG_EIGHT_BYTE_BANK_SIZE)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "config is not a CUsharedconfig value"};
}

CUresult cuFuncSetCacheConfig(CUfunction function, CUfunc_cache config) {
  return api_call("cuFuncSetCacheConfig", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    gpusim::cudadrv::live_function(s, function);
    const long long raw = gpusim::runtime::raw_enum_value(config);
    if (raw < CU_FUNC_CACHE_PREFER_NONE || raw > CU_FUNC_CACHE_PREFER_EQUAL)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "config is not a CUfunc_cache value"};
    return CUDA_SUCCESS;
  });
}

// Deprecated since CUDA 12 and without effect on current GPUs (4-byte banks here), but accepted.
CUresult cuFuncSetSharedMemConfig(CUfunction function, CUsharedconfig config) {
  return api_call("cuFuncSetSharedMemConfig", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    gpusim::cudadrv::live_function(s, function);
    check_shared_config(config);
    return CUDA_SUCCESS;
  });
}

// Execution affinity (SM partitions for MPS-like contexts) is not simulated: a query, answered no.
CUresult cuDeviceGetExecAffinitySupport(int* supported, CUexecAffinityType type, CUdevice device) {
  return api_call("cuDeviceGetExecAffinitySupport", [&](DriverState& s) {
    if (!supported) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pi is null"};
    gpusim::cudadrv::require_device(s, device);
    const long long raw = gpusim::runtime::raw_enum_value(type);
    if (raw < 0 || raw >= CU_EXEC_AFFINITY_TYPE_MAX)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "type is not a CUexecAffinityType value"};
    *supported = 0;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxSetSharedMemConfig(CUsharedconfig config) {
  return api_call("cuCtxSetSharedMemConfig", [&](DriverState& s) {
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    check_shared_config(config);
    c.shared_config = config;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxGetSharedMemConfig(CUsharedconfig* config) {
  return api_call("cuCtxGetSharedMemConfig", [&](DriverState& s) {
    if (!config) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pConfig is null"};
    const CUctx_st& c = gpusim::cudadrv::current_context(s);
    // Banks are four bytes wide on every GPU since Maxwell, whatever was asked.
    *config = c.shared_config == CU_SHARED_MEM_CONFIG_DEFAULT_BANK_SIZE ? CU_SHARED_MEM_CONFIG_FOUR_BYTE_BANK_SIZE : c.shared_config;
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGetDefaultMemPool(CUmemoryPool* pool, CUdevice device) {
  return api_call("cuDeviceGetDefaultMemPool", [&](DriverState& s) {
    if (!pool) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pool_out is null"};
    gpusim::cudadrv::require_device(s, device);
    *pool = default_pool(s);
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGetMemPool(CUmemoryPool* pool, CUdevice device) { return cuDeviceGetDefaultMemPool(pool, device); }

// Memory is returned at once (nothing is cached), so the reserved and used figures are those
// of the device's allocations; the reuse policies and release threshold are kept and reported.
CUresult cuMemPoolSetAttribute(CUmemoryPool pool, CUmemPool_attribute attribute, void* value) {
  return api_call("cuMemPoolSetAttribute", [&](DriverState& s) {
    require_pool(s, pool);
    if (!value) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "value is null"};
    const long long raw_attribute = gpusim::runtime::raw_enum_value(attribute);
    switch (raw_attribute) {
      case CU_MEMPOOL_ATTR_RELEASE_THRESHOLD: s.mem_pool_release_threshold = *static_cast<cuuint64_t*>(value); return CUDA_SUCCESS;
      case CU_MEMPOOL_ATTR_REUSE_FOLLOW_EVENT_DEPENDENCIES:
      case CU_MEMPOOL_ATTR_REUSE_ALLOW_OPPORTUNISTIC:
      case CU_MEMPOOL_ATTR_REUSE_ALLOW_INTERNAL_DEPENDENCIES:
      case CU_MEMPOOL_ATTR_RESERVED_MEM_HIGH:
      case CU_MEMPOOL_ATTR_USED_MEM_HIGH:
        return CUDA_SUCCESS;
      default:
        throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "memory pool attribute " + std::to_string(raw_attribute) + " cannot be set"};
    }
  });
}

CUresult cuMemPoolGetAttribute(CUmemoryPool pool, CUmemPool_attribute attribute, void* value) {
  return api_call("cuMemPoolGetAttribute", [&](DriverState& s) {
    require_pool(s, pool);
    if (!value) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "value is null"};
    const long long raw_attribute = gpusim::runtime::raw_enum_value(attribute);
    switch (raw_attribute) {
      case CU_MEMPOOL_ATTR_RELEASE_THRESHOLD: *static_cast<cuuint64_t*>(value) = s.mem_pool_release_threshold; return CUDA_SUCCESS;
      case CU_MEMPOOL_ATTR_REUSE_FOLLOW_EVENT_DEPENDENCIES:
      case CU_MEMPOOL_ATTR_REUSE_ALLOW_OPPORTUNISTIC:
      case CU_MEMPOOL_ATTR_REUSE_ALLOW_INTERNAL_DEPENDENCIES:
        *static_cast<int*>(value) = 1;  // CUDA's defaults
        return CUDA_SUCCESS;
      case CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT:
      case CU_MEMPOOL_ATTR_RESERVED_MEM_HIGH:
      case CU_MEMPOOL_ATTR_USED_MEM_CURRENT:
      case CU_MEMPOOL_ATTR_USED_MEM_HIGH:
        *static_cast<cuuint64_t*>(value) = 0;  // nothing is held back in the pool
        return CUDA_SUCCESS;
      default:
        throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "memory pool attribute " + std::to_string(raw_attribute) + " is not supported"};
    }
  });
}

CUresult cuMemPoolTrimTo(CUmemoryPool pool, size_t) {
  return api_call("cuMemPoolTrimTo", [&](DriverState& s) {
    require_pool(s, pool);
    return CUDA_SUCCESS;  // nothing is cached
  });
}

CUresult cuMemAllocAsync(CUdeviceptr* ptr, size_t bytes, CUstream stream) {
  bool captured = false;
  const CUresult r = alloc_in_stream("cuMemAllocAsync", stream, bytes, ptr, &captured);
  return r != CUDA_SUCCESS || captured ? r : cuMemAlloc(ptr, bytes);
}

CUresult cuMemAllocFromPoolAsync(CUdeviceptr* ptr, size_t bytes, CUmemoryPool pool, CUstream stream) {
  CUresult r = api_call("cuMemAllocFromPoolAsync", [&](DriverState& s) {
    require_pool(s, pool);
    return CUDA_SUCCESS;
  });
  bool captured = false;
  if (r == CUDA_SUCCESS) r = alloc_in_stream("cuMemAllocFromPoolAsync", stream, bytes, ptr, &captured);
  return r != CUDA_SUCCESS || captured ? r : cuMemAlloc(ptr, bytes);
}

CUresult cuMemFreeAsync(CUdeviceptr ptr, CUstream stream) {
  bool done = false;
  const CUresult r = api_call("cuMemFreeAsync", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    // A free node in a capture; outside one, a graph's memory stays the graph's (as libcudart's).
    done = gpusim::cudadrv::capture_free(s, stream, ptr) || gpusim::cudadrv::is_graph_allocation(s, ptr);
    return CUDA_SUCCESS;
  });
  return r != CUDA_SUCCESS || done ? r : cuMemFree(ptr);
}

}  // extern "C"
