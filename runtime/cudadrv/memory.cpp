// Memory: device allocations (owned by the current context), copies between host and device and
// within the device, memsets of 8/16/32-bit patterns, and the memory info. Copies run to
// completion inside the call, the Async forms included (they take no simulated time: events
// around them measure kernels only, see stream_event.cpp). Host-mapped memory (memory_host.cpp)
// and virtual-memory mappings (driver_vmm.cpp) are device addresses too, so every copy reaches them.
#include <cuda.h>
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/cudadrv/driver_graph.h"
#include "runtime/cudadrv/driver_state.h"
#include "runtime/host_mapped_memory.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace gpusim::cudadrv {

void for_each_region_piece(DriverState& s, CUdeviceptr address, size_t bytes,
                           const std::function<void(CUdeviceptr, size_t, size_t)>& piece) {
  size_t done = 0;
  while (done < bytes) {
    const CUdeviceptr at = address + done;
    size_t n = bytes - done;
    // Host mappings may sit back to back (one per cuMemMap); a device allocation is one piece,
    // whose overrun the device names.
    const auto region = s.device->allocation_at(at);
    if (region && region->host_mapped) n = std::min<size_t>(n, region->base + region->size - at);
    piece(at, n, done);
    done += n;
  }
}

void copy_in_pieces(DriverState& s, CUdeviceptr dst, const void* src, size_t bytes) {
  gpusim::cudadrv::for_each_region_piece(s, dst, bytes, [&](CUdeviceptr at, size_t n, size_t done) {
    s.device->copy_to_device(at, static_cast<const uint8_t*>(src) + done, n);
  });
}

void copy_out_pieces(DriverState& s, void* dst, CUdeviceptr src, size_t bytes) {
  gpusim::cudadrv::for_each_region_piece(s, src, bytes, [&](CUdeviceptr at, size_t n, size_t done) {
    s.device->copy_to_host(static_cast<uint8_t*>(dst) + done, at, n);
  });
}

void copy_within_pieces(DriverState& s, CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  for_each_region_piece(s, dst, bytes, [&](CUdeviceptr to, size_t n, size_t done) {
    for_each_region_piece(s, src + done, n, [&](CUdeviceptr from, size_t m, size_t inner) {
      s.device->copy_device_to_device(to + inner, from, m);
    });
  });
}

void fill_pieces(DriverState& s, CUdeviceptr dst, const void* element, unsigned element_bytes, size_t count) {
  if (element_bytes == 1) {
    const int value = *static_cast<const uint8_t*>(element);
    for_each_region_piece(s, dst, count, [&](CUdeviceptr at, size_t n, size_t) { s.device->memset(at, value, n); });
    return;
  }
  std::vector<uint8_t> pattern(count * element_bytes);
  for (size_t i = 0; i < count; ++i) std::memcpy(pattern.data() + i * element_bytes, element, element_bytes);
  copy_in_pieces(s, dst, pattern.data(), pattern.size());
}

}  // namespace gpusim::cudadrv

namespace {

size_t allocated_bytes(const DriverState& s) {
  size_t total = 0;
  auto add = [&](const CUctx_st& c) {
    for (const auto& [p, n] : c.allocations) total += n;
  };
  if (s.primary) add(*s.primary);
  for (const auto& [raw, c] : s.created_contexts) add(*c);
  for (const auto& [handle, a] : s.vmm_allocations) total += a.imported ? 0 : a.bytes;  // cuMemCreate's memory
  return total;
}

// cuMemFree of a cudaMalloc pointer (one device, one memory under NVIDIA's stack): with
// libcudart's device shared and no context of this library holding `ptr`, the allocation is
// libcudart's. It is freed here and libcudart told, so its accounting (cudaMemGetInfo) stays
// right (calling cudaFree instead would re-enter this library's lock through stream capture
// checks). False when `ptr` is not the start of such an allocation.
bool free_runtime_allocation(DriverState& s, CUdeviceptr ptr) {
  if (!s.shares_runtime_device) return false;
  if (s.primary && s.primary->allocations.count(ptr)) return false;
  for (const auto& [raw, c] : s.created_contexts)
    if (c->allocations.count(ptr)) return false;
  const std::optional<gpusim::runtime::AllocationInfo> region = s.device->allocation_at(ptr);
  if (!region || region->base != ptr || region->host_mapped) return false;
  using NoteFreed = void (*)(uint64_t);
  auto note_freed = reinterpret_cast<NoteFreed>(dlsym(RTLD_DEFAULT, "__cudaGpusimDeviceBytesFreed"));
  if (!note_freed) return false;
  s.device->free(ptr);
  note_freed(region->size);
  return true;
}

bool is_device_address(const DriverState& s, CUdeviceptr p) { return s.device->allocation_at(p).has_value(); }

CUresult copy_device_to_device(DriverState& s, CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  gpusim::cudadrv::usable_context(s);
  if (bytes == 0) return CUDA_SUCCESS;
  gpusim::cudadrv::copy_within_pieces(s, dst, src, bytes);
  return CUDA_SUCCESS;
}

CUresult copy_in(DriverState& s, CUdeviceptr dst, const void* src, size_t bytes) {
  gpusim::cudadrv::usable_context(s);
  if (bytes == 0) return CUDA_SUCCESS;
  if (!src) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the host source is null"};
  gpusim::cudadrv::copy_in_pieces(s, dst, src, bytes);
  return CUDA_SUCCESS;
}

CUresult copy_out(DriverState& s, void* dst, CUdeviceptr src, size_t bytes) {
  gpusim::cudadrv::usable_context(s);
  if (bytes == 0) return CUDA_SUCCESS;
  if (!dst) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the host destination is null"};
  gpusim::cudadrv::copy_out_pieces(s, dst, src, bytes);
  return CUDA_SUCCESS;
}

// cuMemcpy with unified addressing: each side is device memory when an allocation or host
// mapping holds it, else the program's own host memory.
CUresult copy_unified(DriverState& s, CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  gpusim::cudadrv::usable_context(s);
  if (bytes == 0) return CUDA_SUCCESS;
  if (!dst || !src) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "a null pointer"};
  const bool dst_device = is_device_address(s, dst), src_device = is_device_address(s, src);
  if (dst_device && src_device) return copy_device_to_device(s, dst, src, bytes);
  if (dst_device) return copy_in(s, dst, reinterpret_cast<const void*>(src), bytes);
  if (src_device) return copy_out(s, reinterpret_cast<void*>(dst), src, bytes);
  std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
  return CUDA_SUCCESS;
}

}  // namespace


namespace {

template <typename T>
CUresult fill(DriverState& s, CUdeviceptr dst, T value, size_t count) {
  gpusim::cudadrv::usable_context(s);
  if (count == 0) return CUDA_SUCCESS;
  if (dst % sizeof(T)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the destination is not aligned to the element size"};
  gpusim::cudadrv::fill_pieces(s, dst, &value, sizeof(T), count);
  return CUDA_SUCCESS;
}

}  // namespace

extern "C" {

CUresult cuMemAlloc(CUdeviceptr* ptr, size_t bytes) {
  return api_call("cuMemAlloc", [&](DriverState& s) {
    gpusim::cudadrv::check_capture_safe(s, "cuMemAlloc");
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
    gpusim::cudadrv::check_capture_safe(s, "cuMemFree");
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    if (ptr == 0) return CUDA_SUCCESS;
    auto managed = s.host_mapped.find(reinterpret_cast<void*>(ptr));
    if (managed != s.host_mapped.end() && managed->second.kind == DriverState::HostMapped::Managed) {
      gpusim::runtime::release_host_mapped(*s.device, {managed->first, managed->second.span});
      s.managed_ranges->remove_allocation(ptr);
      s.host_mapped.erase(managed);
      return CUDA_SUCCESS;
    }
    auto it = c.allocations.find(ptr);
    if (it == c.allocations.end() && free_runtime_allocation(s, ptr)) return CUDA_SUCCESS;
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
    const uint64_t used = allocated_bytes(s) + s.device->module_variable_bytes();
    *free_bytes = used < s.properties.total_global_bytes ? s.properties.total_global_bytes - used : 0;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemcpyHtoD(CUdeviceptr dst, const void* src, size_t bytes) {
  return api_call("cuMemcpyHtoD", [&](DriverState& s) {
    gpusim::cudadrv::check_capture_safe(s, "cuMemcpyHtoD");
    return copy_in(s, dst, src, bytes);
  });
}
CUresult cuMemcpyDtoH(void* dst, CUdeviceptr src, size_t bytes) {
  return api_call("cuMemcpyDtoH", [&](DriverState& s) {
    gpusim::cudadrv::check_capture_safe(s, "cuMemcpyDtoH");
    gpusim::cudadrv::flush_device_output(s);  // a blocking copy synchronises
    return copy_out(s, dst, src, bytes);
  });
}
CUresult cuMemcpyDtoD(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  return api_call("cuMemcpyDtoD", [&](DriverState& s) {
    gpusim::cudadrv::check_capture_safe(s, "cuMemcpyDtoD");
    gpusim::cudadrv::flush_device_output(s);  // a blocking copy synchronises
    return copy_device_to_device(s, dst, src, bytes);
  });
}
CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  return api_call("cuMemcpy", [&](DriverState& s) {
    gpusim::cudadrv::check_capture_safe(s, "cuMemcpy");
    gpusim::cudadrv::flush_device_output(s);  // a blocking copy synchronises
    return copy_unified(s, dst, src, bytes);
  });
}

CUresult cuMemcpyHtoDAsync(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyHtoDAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::linear_memcpy_node(CU_MEMORYTYPE_DEVICE, dst, CU_MEMORYTYPE_HOST, reinterpret_cast<CUdeviceptr>(src), bytes))) return CUDA_SUCCESS;
    return copy_in(s, dst, src, bytes);
  });
}
CUresult cuMemcpyDtoHAsync(void* dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyDtoHAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::linear_memcpy_node(CU_MEMORYTYPE_HOST, reinterpret_cast<CUdeviceptr>(dst), CU_MEMORYTYPE_DEVICE, src, bytes))) return CUDA_SUCCESS;
    return copy_out(s, dst, src, bytes);
  });
}
CUresult cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyDtoDAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::linear_memcpy_node(CU_MEMORYTYPE_DEVICE, dst, CU_MEMORYTYPE_DEVICE, src, bytes))) return CUDA_SUCCESS;
    return copy_device_to_device(s, dst, src, bytes);
  });
}
CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::linear_memcpy_node(CU_MEMORYTYPE_UNIFIED, dst, CU_MEMORYTYPE_UNIFIED, src, bytes))) return CUDA_SUCCESS;
    return copy_unified(s, dst, src, bytes);
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
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::memset_node(dst, 0, value, sizeof(uint8_t), count, 1))) return CUDA_SUCCESS;
    return fill<uint8_t>(s, dst, value, count);
  });
}
CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count, CUstream stream) {
  return api_call("cuMemsetD16Async", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::memset_node(dst, 0, value, sizeof(uint16_t), count, 1))) return CUDA_SUCCESS;
    return fill<uint16_t>(s, dst, value, count);
  });
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, CUstream stream) {
  return api_call("cuMemsetD32Async", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::memset_node(dst, 0, value, sizeof(uint32_t), count, 1))) return CUDA_SUCCESS;
    return fill<uint32_t>(s, dst, value, count);
  });
}

}  // extern "C"
