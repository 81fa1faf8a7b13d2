// Memory: device allocations (owned by the current context), copies between host and device and
// within the device, memsets of 8/16/32-bit patterns, page-locked host memory, and the memory
// info. Copies run to completion inside the call, the Async forms included (they take no
// simulated time: events around them measure kernels only, see stream_event.cpp).
#include <cuda.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/cudadrv/driver_state.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

size_t allocated_bytes(const DriverState& s) {
  size_t total = 0;
  auto add = [&](const CUctx_st& c) {
    for (const auto& [p, n] : c.allocations) total += n;
  };
  if (s.primary) add(*s.primary);
  for (const auto& [raw, c] : s.created_contexts) add(*c);
  return total;
}

template <typename T>
CUresult fill(DriverState& s, CUdeviceptr dst, T value, size_t count) {
  gpusim::cudadrv::usable_context(s);
  if (count == 0) return CUDA_SUCCESS;
  if (dst % sizeof(T)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the destination is not aligned to the element size"};
  if (sizeof(T) == 1) {
    s.device->memset(dst, static_cast<int>(value), count);
  } else {
    const std::vector<T> pattern(count, value);
    s.device->copy_to_device(dst, pattern.data(), count * sizeof(T));
  }
  return CUDA_SUCCESS;
}

CUresult copy_device_to_device(DriverState& s, CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  gpusim::cudadrv::usable_context(s);
  if (bytes == 0) return CUDA_SUCCESS;
  s.device->copy_device_to_device(dst, src, bytes);
  return CUDA_SUCCESS;
}

CUresult copy_in(DriverState& s, CUdeviceptr dst, const void* src, size_t bytes) {
  gpusim::cudadrv::usable_context(s);
  if (bytes == 0) return CUDA_SUCCESS;
  if (!src) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the host source is null"};
  s.device->copy_to_device(dst, src, bytes);
  return CUDA_SUCCESS;
}

CUresult copy_out(DriverState& s, void* dst, CUdeviceptr src, size_t bytes) {
  gpusim::cudadrv::usable_context(s);
  if (bytes == 0) return CUDA_SUCCESS;
  if (!dst) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the host destination is null"};
  s.device->copy_to_host(dst, src, bytes);
  return CUDA_SUCCESS;
}

}  // namespace

extern "C" {

CUresult cuMemAlloc(CUdeviceptr* ptr, size_t bytes) {
  return api_call("cuMemAlloc", [&](DriverState& s) {
    if (!ptr) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "ptr is null"};
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    if (bytes == 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "zero-byte allocation"};
    if (bytes > s.properties.total_global_bytes - allocated_bytes(s))
      throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, std::to_string(bytes) + " bytes do not fit in the simulated device memory"};
    const CUdeviceptr p = s.device->alloc(bytes);
    c.allocations[p] = bytes;
    *ptr = p;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemFree(CUdeviceptr ptr) {
  return api_call("cuMemFree", [&](DriverState& s) {
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    if (ptr == 0) return CUDA_SUCCESS;
    auto it = c.allocations.find(ptr);
    if (it == c.allocations.end())
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "0x" + [&] {
        char b[32];
        std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(ptr));
        return std::string(b);
      }() + " is not the start of an allocation of the current context"};
    s.device->free(ptr);
    c.allocations.erase(it);
    return CUDA_SUCCESS;
  });
}

CUresult cuMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  return api_call("cuMemGetInfo", [&](DriverState& s) {
    if (!free_bytes || !total_bytes) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "free or total is null"};
    gpusim::cudadrv::usable_context(s);
    *total_bytes = s.properties.total_global_bytes;
    *free_bytes = s.properties.total_global_bytes - allocated_bytes(s);
    return CUDA_SUCCESS;
  });
}

CUresult cuMemcpyHtoD(CUdeviceptr dst, const void* src, size_t bytes) {
  return api_call("cuMemcpyHtoD", [&](DriverState& s) { return copy_in(s, dst, src, bytes); });
}
CUresult cuMemcpyDtoH(void* dst, CUdeviceptr src, size_t bytes) {
  return api_call("cuMemcpyDtoH", [&](DriverState& s) { return copy_out(s, dst, src, bytes); });
}
CUresult cuMemcpyDtoD(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  return api_call("cuMemcpyDtoD", [&](DriverState& s) { return copy_device_to_device(s, dst, src, bytes); });
}
// Without unified addressing both pointers of cuMemcpy are device pointers.
CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  return api_call("cuMemcpy", [&](DriverState& s) { return copy_device_to_device(s, dst, src, bytes); });
}

CUresult cuMemcpyHtoDAsync(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyHtoDAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    return copy_in(s, dst, src, bytes);
  });
}
CUresult cuMemcpyDtoHAsync(void* dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyDtoHAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    return copy_out(s, dst, src, bytes);
  });
}
CUresult cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyDtoDAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    return copy_device_to_device(s, dst, src, bytes);
  });
}
CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    return copy_device_to_device(s, dst, src, bytes);
  });
}

CUresult cuMemsetD8(CUdeviceptr dst, unsigned char value, size_t count) {
  return api_call("cuMemsetD8", [&](DriverState& s) { return fill<uint8_t>(s, dst, value, count); });
}
CUresult cuMemsetD16(CUdeviceptr dst, unsigned short value, size_t count) {
  return api_call("cuMemsetD16", [&](DriverState& s) { return fill<uint16_t>(s, dst, value, count); });
}
CUresult cuMemsetD32(CUdeviceptr dst, unsigned int value, size_t count) {
  return api_call("cuMemsetD32", [&](DriverState& s) { return fill<uint32_t>(s, dst, value, count); });
}
CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t count, CUstream stream) {
  return api_call("cuMemsetD8Async", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    return fill<uint8_t>(s, dst, value, count);
  });
}
CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count, CUstream stream) {
  return api_call("cuMemsetD16Async", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    return fill<uint16_t>(s, dst, value, count);
  });
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, CUstream stream) {
  return api_call("cuMemsetD32Async", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    return fill<uint32_t>(s, dst, value, count);
  });
}

// Page-locked host memory is ordinary host memory here (nothing DMAs from it).
CUresult cuMemAllocHost(void** ptr, size_t bytes) {
  return api_call("cuMemAllocHost", [&](DriverState& s) {
    if (!ptr) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "ptr is null"};
    gpusim::cudadrv::usable_context(s);
    void* p = std::aligned_alloc(4096, (bytes + 4095) / 4096 * 4096 + (bytes ? 0 : 4096));
    if (!p) throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, std::to_string(bytes) + " bytes of host memory"};
    s.host_allocations[p] = bytes;
    *ptr = p;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemHostAlloc(void** ptr, size_t bytes, unsigned int flags) {
  if (flags & CU_MEMHOSTALLOC_DEVICEMAP) return CUDA_ERROR_NOT_SUPPORTED;  // no host memory mapped into kernels
  return cuMemAllocHost(ptr, bytes);
}

CUresult cuMemFreeHost(void* ptr) {
  return api_call("cuMemFreeHost", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    auto it = s.host_allocations.find(ptr);
    if (it == s.host_allocations.end())
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "not a pointer from cuMemAllocHost / cuMemHostAlloc"};
    std::free(ptr);
    s.host_allocations.erase(it);
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
