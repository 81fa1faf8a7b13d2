// What the driver knows about an address: cuPointerGetAttribute(s) and cuMemGetAddressRange.
// An address belongs to a device allocation (cuMemAlloc, or libcudart's cudaMalloc when both
// libraries share the device), to host memory mapped into the device (memory_host.cpp), or to a
// virtual-memory mapping (driver_vmm.cpp); the device's allocation table says which.
#include <cuda.h>

#include <cstring>

#include "runtime/cudadrv/driver_state.h"
#include "runtime/raw_enum.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

struct PointerFacts {
  bool known = false;
  CUcontext context = nullptr;
  CUmemorytype type = CU_MEMORYTYPE_DEVICE;
  bool managed = false;
  bool host_accessible = false;  // host memory (pinned, registered, managed): a host pointer too
  CUdeviceptr base = 0;
  size_t size = 0;
  bool vmm = false;
};

PointerFacts facts_of(DriverState& s, CUdeviceptr p) {
  PointerFacts f;
  const auto region = s.device->allocation_at(p);
  if (!region) return f;
  f.known = true;
  f.base = region->base;
  f.size = region->size;
  f.context = &gpusim::cudadrv::current_context(s);
  if (s.primary && s.primary->allocations.count(region->base)) f.context = s.primary.get();
  for (const auto& [raw, c] : s.created_contexts)
    if (c->allocations.count(region->base)) f.context = raw;
  if (region->host_mapped) {
    auto it = s.host_mapped.find(reinterpret_cast<void*>(region->base));
    if (it != s.host_mapped.end()) {
      f.managed = it->second.kind == DriverState::HostMapped::Managed;
      f.type = f.managed ? CU_MEMORYTYPE_DEVICE : CU_MEMORYTYPE_HOST;
      f.host_accessible = true;
    } else {
      f.vmm = s.vmm_mappings.count(region->base) != 0;  // device memory reached through a mapping
      f.host_accessible = !f.vmm;                        // libcudart's pinned or managed memory
      f.managed = region->managed_variables;             // a module's __managed__ variables
      f.type = f.vmm || f.managed ? CU_MEMORYTYPE_DEVICE : CU_MEMORYTYPE_HOST;
    }
  }
  return f;
}

// Writes one attribute; false when it does not apply to the pointer (CUDA_ERROR_INVALID_VALUE
// for cuPointerGetAttribute). An unknown pointer answers the defaults of cuPointerGetAttributes.
bool write_attribute(const PointerFacts& f, long long attribute, void* data, CUdeviceptr p) {
  auto put = [&](auto value) { std::memcpy(data, &value, sizeof value); };
  switch (attribute) {
    case CU_POINTER_ATTRIBUTE_CONTEXT: put(f.context); return f.known;
    case CU_POINTER_ATTRIBUTE_MEMORY_TYPE: put(static_cast<unsigned>(f.known ? f.type : 0)); return f.known;
    case CU_POINTER_ATTRIBUTE_DEVICE_POINTER: put(f.known ? p : CUdeviceptr(0)); return f.known;
    case CU_POINTER_ATTRIBUTE_HOST_POINTER:
      put(f.host_accessible ? reinterpret_cast<void*>(p) : nullptr);
      return f.host_accessible;
    case CU_POINTER_ATTRIBUTE_SYNC_MEMOPS: put(1); return f.known;  // every copy is synchronous
    case CU_POINTER_ATTRIBUTE_BUFFER_ID:
    case CU_POINTER_ATTRIBUTE_MEMORY_BLOCK_ID:
      put(static_cast<unsigned long long>(f.base)); return f.known;  // the allocation's base: unique while live
    case CU_POINTER_ATTRIBUTE_IS_MANAGED: put(static_cast<int>(f.managed)); return true;
    case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL: put(f.known ? 0 : -2); return f.known;
    case CU_POINTER_ATTRIBUTE_IS_LEGACY_CUDA_IPC_CAPABLE: put(0); return true;
    case CU_POINTER_ATTRIBUTE_RANGE_START_ADDR:
    case CU_POINTER_ATTRIBUTE_MAPPING_BASE_ADDR:
      put(f.base); return f.known;
    case CU_POINTER_ATTRIBUTE_RANGE_SIZE:
    case CU_POINTER_ATTRIBUTE_MAPPING_SIZE:
      put(f.size); return f.known;
    case CU_POINTER_ATTRIBUTE_MAPPED: put(static_cast<int>(f.known)); return true;
    case CU_POINTER_ATTRIBUTE_ALLOWED_HANDLE_TYPES: put(0ull); return true;
    case CU_POINTER_ATTRIBUTE_IS_GPU_DIRECT_RDMA_CAPABLE: put(0); return true;
    case CU_POINTER_ATTRIBUTE_ACCESS_FLAGS:
      put(static_cast<unsigned>(f.known ? CU_POINTER_ATTRIBUTE_ACCESS_FLAG_READWRITE : CU_POINTER_ATTRIBUTE_ACCESS_FLAG_NONE));
      return f.known;
    case CU_POINTER_ATTRIBUTE_MEMPOOL_HANDLE: put(static_cast<CUmemoryPool>(nullptr)); return f.known;
    case CU_POINTER_ATTRIBUTE_IS_HW_DECOMPRESS_CAPABLE: put(0); return true;
    default: throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pointer attribute " + std::to_string(attribute) + " is not supported"};
  }
}

}  // namespace

extern "C" {

CUresult cuPointerGetAttribute(void* data, CUpointer_attribute attribute, CUdeviceptr ptr) {
  return api_call("cuPointerGetAttribute", [&](DriverState& s) {
    if (!data) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "data is null"};
    gpusim::cudadrv::usable_context(s);
    const PointerFacts f = facts_of(s, ptr);
    // Silent, as the lookup it is: programs ask this to learn whether a pointer is CUDA memory.
    if (!write_attribute(f, gpusim::runtime::raw_enum_value(attribute), data, ptr)) return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
  });
}

CUresult cuPointerGetAttributes(unsigned int count, CUpointer_attribute* attributes, void** data, CUdeviceptr ptr) {
  return api_call("cuPointerGetAttributes", [&](DriverState& s) {
    if (count && (!attributes || !data)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "attributes or data is null"};
    gpusim::cudadrv::usable_context(s);
    const PointerFacts f = facts_of(s, ptr);
    // Not an error for an unknown pointer: each attribute gets its default.
    for (unsigned i = 0; i < count; ++i)
      if (data[i]) write_attribute(f, gpusim::runtime::raw_enum_value(attributes[i]), data[i], ptr);
    return CUDA_SUCCESS;
  });
}

CUresult cuMemGetAddressRange(CUdeviceptr* base, size_t* size, CUdeviceptr ptr) {
  return api_call("cuMemGetAddressRange", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    const auto region = s.device->allocation_at(ptr);
    if (!region) return CUDA_ERROR_NOT_FOUND;  // a lookup's answer: not printed
    if (base) *base = region->base;
    if (size) *size = region->size;
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
