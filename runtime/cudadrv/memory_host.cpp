// Host memory the device reaches: page-locked allocations (cuMemAllocHost, cuMemHostAlloc),
// managed memory (cuMemAllocManaged) and registered ranges (cuMemHostRegister). As in libcudart
// (runtime/host_mapped_memory.h), each is host memory mapped into the simulated device at its own
// address: with unified addressing the device pointer of mapped host memory is the host pointer,
// and managed memory is one memory that never migrates (its hints: managed_hints.cpp).
#include <cuda.h>

#include "runtime/cudadrv/driver_state.h"
#include "runtime/host_mapped_memory.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;
using HostMapped = DriverState::HostMapped;

namespace {

void* allocate(DriverState& s, size_t bytes, HostMapped::Kind kind, unsigned flags) {
  CUctx_st& context = gpusim::cudadrv::usable_context(s);
  const gpusim::runtime::HostMappedRange range = gpusim::runtime::allocate_host_mapped(*s.device, bytes, s.next_host_mapped);
  s.host_mapped[range.address] = {bytes, range.span, kind, flags, &context};
  return range.address;
}

// The host-mapped allocation or registration that holds `p`, or null.
std::pair<void* const, HostMapped>* holder(DriverState& s, const void* p) {
  const auto region = s.device->allocation_at(reinterpret_cast<CUdeviceptr>(p));
  if (!region || !region->host_mapped) return nullptr;
  auto it = s.host_mapped.find(reinterpret_cast<void*>(region->base));
  return it == s.host_mapped.end() ? nullptr : &*it;
}

}  // namespace

extern "C" {

CUresult cuMemAllocHost(void** ptr, size_t bytes) {
  return api_call("cuMemAllocHost", [&](DriverState& s) {
    if (!ptr) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "ptr is null"};
    // Unified addressing: page-locked memory is always portable and mapped.
    *ptr = allocate(s, bytes, HostMapped::Pinned, CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP);
    return CUDA_SUCCESS;
  });
}

CUresult cuMemHostAlloc(void** ptr, size_t bytes, unsigned int flags) {
  return api_call("cuMemHostAlloc", [&](DriverState& s) {
    if (!ptr) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "ptr is null"};
    if (flags & ~unsigned(CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP | CU_MEMHOSTALLOC_WRITECOMBINED))
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags other than CU_MEMHOSTALLOC_PORTABLE, _DEVICEMAP and _WRITECOMBINED"};
    *ptr = allocate(s, bytes, HostMapped::Pinned, flags | CU_MEMHOSTALLOC_DEVICEMAP);
    return CUDA_SUCCESS;
  });
}

CUresult cuMemFreeHost(void* ptr) {
  return api_call("cuMemFreeHost", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    auto it = s.host_mapped.find(ptr);
    if (it == s.host_mapped.end() || it->second.kind != HostMapped::Pinned)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "not a pointer from cuMemAllocHost / cuMemHostAlloc"};
    gpusim::runtime::release_host_mapped(*s.device, {ptr, it->second.span});
    s.host_mapped.erase(it);
    return CUDA_SUCCESS;
  });
}

CUresult cuMemAllocManaged(CUdeviceptr* ptr, size_t bytes, unsigned int flags) {
  return api_call("cuMemAllocManaged", [&](DriverState& s) {
    if (!ptr) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "dptr is null"};
    if (bytes == 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "zero-byte allocation"};
    if (flags != CU_MEM_ATTACH_GLOBAL && flags != CU_MEM_ATTACH_HOST)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags must be CU_MEM_ATTACH_GLOBAL or CU_MEM_ATTACH_HOST"};
    *ptr = reinterpret_cast<CUdeviceptr>(allocate(s, bytes, HostMapped::Managed, flags));
    s.managed_ranges->add_allocation(*ptr, bytes);  // what the hints and range queries accept
    return CUDA_SUCCESS;
  });
}

CUresult cuMemHostGetDevicePointer(CUdeviceptr* device_ptr, void* host_ptr, unsigned int flags) {
  return api_call("cuMemHostGetDevicePointer", [&](DriverState& s) {
    if (!device_ptr || flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pdptr is null or flags are not 0"};
    gpusim::cudadrv::usable_context(s);
    const auto* h = holder(s, host_ptr);
    if (!h || h->second.kind == HostMapped::Managed)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the pointer is not page-locked or registered host memory"};
    *device_ptr = reinterpret_cast<CUdeviceptr>(host_ptr);  // unified addressing: the host's address
    return CUDA_SUCCESS;
  });
}

CUresult cuMemHostGetFlags(unsigned int* flags, void* host_ptr) {
  return api_call("cuMemHostGetFlags", [&](DriverState& s) {
    if (!flags) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pFlags is null"};
    gpusim::cudadrv::usable_context(s);
    const auto* h = holder(s, host_ptr);
    if (!h || h->second.kind != HostMapped::Pinned)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the pointer is not from cuMemAllocHost / cuMemHostAlloc"};
    *flags = h->second.flags;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemHostRegister(void* ptr, size_t bytes, unsigned int flags) {
  return api_call("cuMemHostRegister", [&](DriverState& s) {
    if (!ptr || bytes == 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "an empty range"};
    if (flags & ~unsigned(CU_MEMHOSTREGISTER_PORTABLE | CU_MEMHOSTREGISTER_DEVICEMAP | CU_MEMHOSTREGISTER_IOMEMORY |
                          CU_MEMHOSTREGISTER_READ_ONLY))
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "unknown CU_MEMHOSTREGISTER_* flags"};
    if (flags & CU_MEMHOSTREGISTER_IOMEMORY)
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "I/O memory (CU_MEMHOSTREGISTER_IOMEMORY) is not simulated"};
    CUctx_st& context = gpusim::cudadrv::usable_context(s);
    gpusim::runtime::HostMapping how{};
    try {  // the device will reach these pages through the host's mapping: they must be there
      how = gpusim::runtime::registration_mapping(ptr, bytes, flags & CU_MEMHOSTREGISTER_READ_ONLY);
    } catch (const std::invalid_argument& e) {
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, e.what()};
    }
    try {
      s.device->map_host_memory(ptr, bytes, how);
    } catch (const gpusim::runtime::Error& e) {
      throw DriverFailure{CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED, e.what()};
    }
    s.host_mapped[ptr] = {bytes, 0, HostMapped::Registered, flags, &context};
    return CUDA_SUCCESS;
  });
}

CUresult cuMemHostUnregister(void* ptr) {
  return api_call("cuMemHostUnregister", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    auto it = s.host_mapped.find(ptr);
    if (it == s.host_mapped.end() || it->second.kind != HostMapped::Registered)
      throw DriverFailure{CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED, "the pointer is not the start of a range from cuMemHostRegister"};
    s.device->unmap_host_memory(ptr);
    s.host_mapped.erase(it);
    return CUDA_SUCCESS;
  });
}

// cuMemPrefetchAsync, cuMemAdvise and the range queries are in managed_hints.cpp.

// The name before CUDA 11 (cuda.h now maps it to _v2), with the same signature.
#undef cuMemHostRegister
CUresult cuMemHostRegister(void* ptr, size_t bytes, unsigned int flags) { return cuMemHostRegister_v2(ptr, bytes, flags); }

}  // extern "C"
