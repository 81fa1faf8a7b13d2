// Memory: device, pinned (host-mapped), managed allocations, copies of every kind, memset.
// Pinned and managed memory are host memory the simulated device reaches at the host's own
// address (runtime/device_memory.h), so host and kernels share the bytes without copies.
#include <cuda_runtime_api.h>

#include <unistd.h>

#include <cstring>

#include "runtime/address_description.h"
#include "runtime/cudart/cudart_context.h"
#include "runtime/cudart/cudart_graph.h"
#include "runtime/cudart/cudart_memory.h"
#include "runtime/device_memory.h"

namespace gpusim::cudart {

bool is_device_side(Context& ctx, const void* p) {
  return ctx.device().allocation_at(reinterpret_cast<runtime::DevPtr>(p)).has_value();
}

namespace {
// The trace's name of a copy: "memcpy HtoD 16777216 bytes".
std::string copy_name(const char* direction, size_t n) {
  return std::string("memcpy ") + direction + " " + std::to_string(n) + " bytes";
}
}  // namespace

void copy_memory(Context& ctx, void* dst, const void* src, size_t n, const cudaMemcpyKind& kind_arg) {
  int kind = gpusim::runtime::raw_enum_value(kind_arg);
  if (n == 0) return;
  if (!dst || !src) throw ApiError(cudaErrorInvalidValue, "copy with a null pointer");
  if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault)
    throw ApiError(cudaErrorInvalidMemcpyDirection, "copy kind " + std::to_string(kind) + " is not a cudaMemcpyKind");
  const auto dptr = [](const void* p) { return reinterpret_cast<runtime::DevPtr>(p); };
  const auto dst_region = ctx.device().allocation_at(dptr(dst)), src_region = ctx.device().allocation_at(dptr(src));
  // The kind must fit the pointers: a host side may be any host memory (pinned included) but not
  // a device allocation, whose address is no host pointer; a device side must be an allocation
  // or mapped host memory. A mismatch is the program's mistake, which CUDA refuses too.
  const bool dst_host_side = kind == cudaMemcpyHostToHost || kind == cudaMemcpyDeviceToHost;
  const bool src_host_side = kind == cudaMemcpyHostToHost || kind == cudaMemcpyHostToDevice;
  const auto mismatch = [&](const char* which, const void* p, bool host_side) {
    static const char* const names[] = {"HostToHost", "HostToDevice", "DeviceToHost", "DeviceToDevice", "Default"};
    char buf[240];
    if (host_side)
      std::snprintf(buf, sizeof buf, "the %s %p is device memory (cudaMalloc), but cudaMemcpy%s says host memory", which, p, names[kind]);
    else
      std::snprintf(buf, sizeof buf, "the %s %p is not device memory (no cudaMalloc/cudaMallocManaged allocation holds it)", which, p);
    std::string text = buf;
    // Where it is instead: just past an allocation, in a freed one, or no device address at all.
    if (!host_side)
      if (const std::string where = runtime::describe_unallocated_address(ctx.device(), dptr(p)); !where.empty())
        text += ": " + where;
    return ApiError(cudaErrorInvalidValue, text);
  };
  if (kind != cudaMemcpyDefault) {
    if (dst_host_side ? dst_region && !dst_region->host_mapped : !dst_region) throw mismatch("destination", dst, dst_host_side);
    if (src_host_side ? src_region && !src_region->host_mapped : !src_region) throw mismatch("source", src, src_host_side);
  }
  // Where a pointer lies decides how its bytes are reached: mapped host memory (pinned, managed,
  // registered) through the device, which checks a registered range is still there; plain host
  // memory directly.
  if (dst_region && src_region) {
    ctx.device().copy_device_to_device(dptr(dst), dptr(src), n);
    ctx.advance_if_timing(kind == cudaMemcpyHostToHost ? 0.0 : kind == cudaMemcpyDeviceToDevice ? ctx.dram_seconds(2 * n) : ctx.copy_seconds(n),
                          copy_name(src_region->host_mapped && !dst_region->host_mapped   ? "HtoD"
                                    : dst_region->host_mapped && !src_region->host_mapped ? "DtoH"
                                                                                          : "DtoD",
                                    n));
  } else if (dst_region) {
    ctx.device().copy_to_device(dptr(dst), src, n);
    if (kind != cudaMemcpyHostToHost) ctx.advance_if_timing(ctx.copy_seconds(n), copy_name("HtoD", n));
  } else if (src_region) {
    ctx.device().copy_to_host(dst, dptr(src), n);
    if (kind != cudaMemcpyHostToHost) ctx.advance_if_timing(ctx.copy_seconds(n), copy_name("DtoH", n));
  } else {
    if (gpusim::runtime::is_device_address(dptr(dst)) || gpusim::runtime::is_device_address(dptr(src)))
      throw ApiError(cudaErrorInvalidValue, "a host-to-host copy with a device address that holds no allocation (freed memory?)");
    std::memmove(dst, src, n);
  }
}

void set_memory(Context& ctx, void* dst, int value, size_t n) {
  if (n == 0) return;
  if (!is_device_side(ctx, dst)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "memset of %p, which is not device memory", dst);
    std::string text = buf;
    // Where it is instead, as cudaMemcpy says: freed (CUB's temp storage freed too early), just
    // past an allocation, or no device address at all.
    if (const std::string where = runtime::describe_unallocated_address(ctx.device(), reinterpret_cast<runtime::DevPtr>(dst));
        !where.empty())
      text += ": " + where;
    throw ApiError(cudaErrorInvalidValue, text);
  }
  ctx.device().memset(reinterpret_cast<runtime::DevPtr>(dst), value, n);
  ctx.advance_if_timing(ctx.dram_seconds(n), "memset " + std::to_string(n) + " bytes");
}

// Pinned and managed memory are reserved lazily (MAP_NORESERVE), so mmap accepts sizes no machine
// could back. CUDA refuses them: pinned memory is locked physical memory, and managed memory may
// spill from the device to the host but not past both.
void check_host_backed_size(Context& ctx, size_t bytes, bool managed) {
  const uint64_t host_bytes = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t limit = host_bytes + (managed ? ctx.properties().total_global_bytes : 0);
  if (bytes > limit)
    throw ApiError(cudaErrorMemoryAllocation, std::to_string(bytes) + " bytes of " + (managed ? "managed" : "pinned host") +
                                                  " memory exceed the " + std::to_string(limit) + " bytes of " +
                                                  (managed ? "host and device memory" : "host memory"));
}

}  // namespace gpusim::cudart

using gpusim::cudart::api;
using gpusim::cudart::ApiError;
using gpusim::cudart::Context;

extern "C" {

cudaError_t cudaMalloc(void** ptr, size_t size) {
  return api("cudaMalloc", [&](Context& ctx) {
    gpusim::cudart::check_capture_safe(ctx, "cudaMalloc");
    if (!ptr) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *ptr = reinterpret_cast<void*>(ctx.device().alloc(size));
    // What cudaFree will subtract: the allocation's size, which is 1 byte for cudaMalloc(0).
    ctx.note_device_bytes(static_cast<int64_t>(ctx.device().allocation_at(reinterpret_cast<gpusim::runtime::DevPtr>(*ptr))->size));
  });
}

cudaError_t cudaFree(void* ptr) {
  return api("cudaFree", [&](Context& ctx) {
    gpusim::cudart::check_capture_safe(ctx, "cudaFree");
    if (!ptr) return;
    if (ctx.is_host_mapped_allocation(ptr)) return ctx.free_host_mapped(ptr);  // managed memory
    // A graph's allocation stays with the graph (its next launch hands out the same address);
    // the free only ends this launch's use of it. Freeing the device memory let later
    // allocations take the address while the graph still wrote to it.
    if (gpusim::cudart::GraphAllocation* a = gpusim::cudart::graph_allocation_at(ctx, ptr)) {
      a->outstanding = false;
      return;
    }
    try {
      const auto region = ctx.device().allocation_at(reinterpret_cast<gpusim::runtime::DevPtr>(ptr));
      ctx.device().free(reinterpret_cast<gpusim::runtime::DevPtr>(ptr));
      ctx.note_device_bytes(-static_cast<int64_t>(region->size));
    } catch (const gpusim::runtime::Error& e) {
      throw ApiError(cudaErrorInvalidValue, e.what());
    }
  });
}

// Stream-ordered allocation (cudaMallocAsync, pools) is in cudart_mempool.cpp.

cudaError_t cudaMallocManaged(void** ptr, size_t size, unsigned int flags) {
  return api("cudaMallocManaged", [&](Context& ctx) {
    if (!ptr || size == 0) throw ApiError(cudaErrorInvalidValue, "cudaMallocManaged of 0 bytes or with a null result pointer");
    if (flags != cudaMemAttachGlobal && flags != cudaMemAttachHost)
      throw ApiError(cudaErrorInvalidValue, "flags must be cudaMemAttachGlobal or cudaMemAttachHost");
    gpusim::cudart::check_host_backed_size(ctx, size, true);
    *ptr = ctx.alloc_host_mapped(size);
    ctx.note_managed(*ptr, size);
  });
}

cudaError_t cudaMallocHost(void** ptr, size_t size) {
  return api("cudaMallocHost", [&](Context& ctx) {
    gpusim::cudart::check_capture_safe(ctx, "cudaMallocHost");
    if (!ptr) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    gpusim::cudart::check_host_backed_size(ctx, size, false);
    *ptr = ctx.alloc_host_mapped(size);
    ctx.pinned_flags[*ptr] = cudaHostAllocMapped;  // unified addressing: pinned memory is always mapped
  });
}

cudaError_t cudaHostAlloc(void** ptr, size_t size, unsigned int flags) {
  return api("cudaHostAlloc", [&](Context& ctx) {
    if (!ptr) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (flags & ~unsigned(cudaHostAllocPortable | cudaHostAllocMapped | cudaHostAllocWriteCombined))
      throw ApiError(cudaErrorInvalidValue, "flags other than cudaHostAllocPortable, Mapped and WriteCombined");
    gpusim::cudart::check_host_backed_size(ctx, size, false);
    *ptr = ctx.alloc_host_mapped(size);
    ctx.pinned_flags[*ptr] = flags | cudaHostAllocMapped;  // unified addressing: pinned memory is always mapped
  });
}

cudaError_t cudaFreeHost(void* ptr) {
  return api("cudaFreeHost", [&](Context& ctx) {
    if (ptr) ctx.free_host_mapped(ptr);
  });
}

cudaError_t cudaHostRegister(void* ptr, size_t size, unsigned int flags) {
  return api("cudaHostRegister", [&](Context& ctx) {
    if (!ptr || !size) throw ApiError(cudaErrorInvalidValue, "cudaHostRegister of an empty range");
    if (flags & ~unsigned(cudaHostRegisterPortable | cudaHostRegisterMapped | cudaHostRegisterIoMemory | cudaHostRegisterReadOnly))
      throw ApiError(cudaErrorInvalidValue, "flags other than cudaHostRegisterPortable, Mapped, IoMemory and ReadOnly");
    if (flags & cudaHostRegisterIoMemory)
      throw ApiError(cudaErrorNotSupported, "I/O memory (cudaHostRegisterIoMemory) is not simulated");
    gpusim::runtime::HostMapping how{};
    try {  // the device will reach these pages through the host's mapping: they must be there
      how = gpusim::runtime::registration_mapping(ptr, size, flags & cudaHostRegisterReadOnly);
    } catch (const std::invalid_argument& e) {
      throw ApiError(cudaErrorInvalidValue, e.what());
    }
    try {
      ctx.device().map_host_memory(ptr, size, how);
      ctx.pinned_flags[ptr] = (flags & cudaHostRegisterPortable ? cudaHostAllocPortable : 0) | cudaHostAllocMapped;
    } catch (const gpusim::runtime::Error& e) {
      throw ApiError(cudaErrorHostMemoryAlreadyRegistered, e.what());
    }
  });
}

cudaError_t cudaHostUnregister(void* ptr) {
  return api("cudaHostUnregister", [&](Context& ctx) {
    try {
      ctx.device().unmap_host_memory(ptr);
      ctx.pinned_flags.erase(ptr);
    } catch (const gpusim::runtime::Error& e) {
      throw ApiError(cudaErrorHostMemoryNotRegistered, e.what());
    }
  });
}

cudaError_t cudaHostGetDevicePointer(void** device_ptr, void* host_ptr, unsigned int flags) {
  return api("cudaHostGetDevicePointer", [&](Context& ctx) {
    if (flags != 0) throw ApiError(cudaErrorInvalidValue, "flags must be 0");
    if (!device_ptr || !gpusim::cudart::is_device_side(ctx, host_ptr))
      throw ApiError(cudaErrorInvalidValue, "the pointer is not pinned or registered host memory");
    *device_ptr = host_ptr;  // unified addressing: the device uses the host's address
  });
}

cudaError_t cudaHostGetFlags(unsigned int* flags, void* host_ptr) {
  return api("cudaHostGetFlags", [&](Context& ctx) {
    if (!flags) throw ApiError(cudaErrorInvalidValue, "flags is null");
    // The flags the allocation (cudaHostAlloc, cudaMallocHost) or registration was made with;
    // device and managed memory have none.
    const auto region = ctx.device().allocation_at(reinterpret_cast<gpusim::runtime::DevPtr>(host_ptr));
    const auto it = region ? ctx.pinned_flags.find(reinterpret_cast<void*>(region->base)) : ctx.pinned_flags.end();
    if (it == ctx.pinned_flags.end())
      throw ApiError(cudaErrorInvalidValue, "the pointer is not pinned host memory (cudaHostAlloc, cudaMallocHost, cudaHostRegister)");
    *flags = it->second;
  });
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind) {
  return api("cudaMemcpy", [&](Context& ctx) {
    gpusim::cudart::check_capture_safe(ctx, "cudaMemcpy (synchronous)");
    gpusim::cudart::copy_memory(ctx, dst, src, count, kind);
    ctx.flush_device_output();  // a blocking copy is a synchronisation point
  });
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream) {
  return api("cudaMemcpyAsync", [&](Context& ctx) {
    gpusim::cudart::GraphNode node;
    node.type = cudaGraphNodeTypeMemcpy;
    node.dst = dst;
    node.src = src;
    node.width = node.dst_pitch = node.src_pitch = count;
    node.dst_rows = node.src_rows = 1;
    node.kind = gpusim::runtime::raw_enum_value(kind);
    if (gpusim::cudart::record_if_capturing(ctx, stream, std::move(node))) return;
    gpusim::cudart::copy_memory(ctx, dst, src, count, kind);
  });
}

cudaError_t cudaMemset(void* dst, int value, size_t count) {
  return api("cudaMemset", [&](Context& ctx) {
    gpusim::cudart::check_capture_safe(ctx, "cudaMemset (synchronous)");
    gpusim::cudart::set_memory(ctx, dst, value, count);
  });
}

cudaError_t cudaMemsetAsync(void* dst, int value, size_t count, cudaStream_t stream) {
  return api("cudaMemsetAsync", [&](Context& ctx) {
    gpusim::cudart::GraphNode node;
    node.type = cudaGraphNodeTypeMemset;
    node.dst = dst;
    node.value = static_cast<unsigned>(value) & 0xff;
    node.width = node.dst_pitch = count;
    if (gpusim::cudart::record_if_capturing(ctx, stream, std::move(node))) return;
    gpusim::cudart::set_memory(ctx, dst, value, count);
  });
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  return api("cudaMemGetInfo", [&](Context& ctx) {
    const uint64_t total = ctx.properties().total_global_bytes;
    const uint64_t used = ctx.device_bytes_in_use() + ctx.device().module_variable_bytes();
    if (free_bytes) *free_bytes = used < total ? total - used : 0;
    if (total_bytes) *total_bytes = total;
  });
}

cudaError_t cudaPointerGetAttributes(struct cudaPointerAttributes* attributes, const void* ptr) {
  return api("cudaPointerGetAttributes", [&](Context& ctx) {
    if (!attributes) throw ApiError(cudaErrorInvalidValue, "null attributes");
    *attributes = {};
    const auto region = ctx.device().allocation_at(reinterpret_cast<gpusim::runtime::DevPtr>(ptr));
    if (ctx.managed_variable_at(ptr)) {
      // A __managed__ variable, as host code addresses it (its host copy, kept in step with the
      // device's at launches): managed memory, as on a GPU.
      attributes->type = cudaMemoryTypeManaged;
      attributes->device = ctx.current_device;
      attributes->devicePointer = attributes->hostPointer = const_cast<void*>(ptr);
      return;
    }
    if (!region) {
      attributes->type = cudaMemoryTypeUnregistered;
      attributes->device = -2;
      return;
    }
    attributes->device = ctx.current_device;
    attributes->devicePointer = const_cast<void*>(ptr);
    if (region->host_mapped) {
      attributes->type = ctx.is_managed(reinterpret_cast<void*>(region->base)) ? cudaMemoryTypeManaged : cudaMemoryTypeHost;
      attributes->hostPointer = const_cast<void*>(ptr);
    } else {
      attributes->type = cudaMemoryTypeDevice;
    }
  });
}

// cudaMemPrefetchAsync and cudaMemAdvise (recorded for cudaMemRangeGetAttribute) are in cudart_managed.cpp.

// Per-thread default stream variants (nvcc --default-stream per-thread): the simulator runs
// every stream in order, so they are the same calls.
cudaError_t cudaMemcpy_ptds(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind) {
  return cudaMemcpy(dst, src, count, kind);
}
cudaError_t cudaMemcpyAsync_ptsz(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpyAsync(dst, src, count, kind, stream);
}
cudaError_t cudaMemset_ptds(void* dst, int value, size_t count) { return cudaMemset(dst, value, count); }
cudaError_t cudaMemsetAsync_ptsz(void* dst, int value, size_t count, cudaStream_t stream) {
  return cudaMemsetAsync(dst, value, count, stream);
}

}  // extern "C"
