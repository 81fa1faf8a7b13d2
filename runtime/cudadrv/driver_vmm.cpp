// Virtual memory management (cuMemAddressReserve, cuMemCreate, cuMemMap, cuMemSetAccess, ...), as
// NVIDIA's vectorAddMMAP sample and growable allocators use it. A physical allocation is a memfd
// of its size; a reserved range is host address space (PROT_NONE) far from the device's own
// addresses; cuMemMap maps the memfd there (MAP_SHARED), so two mappings of one allocation alias
// as on a GPU; cuMemSetAccess makes the mapping reachable by kernels and copies
// (Device::map_host_memory, as host-mapped memory is). Before it, as on a GPU, a kernel touching
// the range faults. Read-only access is accepted but not enforced (the device writes it). A POSIX
// file descriptor export is a duplicate of the memfd, and its import a new handle on that memory.
#include <cuda.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/cudadrv/driver_state.h"
#include "runtime/raw_enum.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

constexpr size_t kGranularity = size_t(2) << 20;  // 2 MiB, what current GPUs report for both queries

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

void check_device_location(const CUmemLocation& location) {
  if (gpusim::runtime::raw_enum_value(location.type) != CU_MEM_LOCATION_TYPE_DEVICE)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string("only device locations are simulated")};
  if (location.id != 0)
    throw DriverFailure{CUDA_ERROR_INVALID_DEVICE, std::string("device ") + std::to_string(location.id) + " does not exist"};
}

void check_prop(const CUmemAllocationProp* prop) {
  if (!prop) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string("prop is null")};
  if (gpusim::runtime::raw_enum_value(prop->type) != CU_MEM_ALLOCATION_TYPE_PINNED)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string("the allocation type must be CU_MEM_ALLOCATION_TYPE_PINNED")};
  check_device_location(prop->location);
}

void check_multiple(size_t value, const char* name) {
  if (value % kGranularity)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string(name) + " " + std::to_string(value) +
                                                      " is not a multiple of the granularity (" + std::to_string(kGranularity) + ")"};
}

// The reservation holding [ptr, ptr + size), whole.
void require_reserved(const DriverState& s, CUdeviceptr ptr, size_t size) {
  auto it = s.vmm_reserved.upper_bound(ptr);
  if (it == s.vmm_reserved.begin() || ptr + size > std::prev(it)->first + std::prev(it)->second)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "[" + hex(ptr) + ", +" + std::to_string(size) +
                                                      ") is not inside a range from cuMemAddressReserve"};
}

// The mappings inside [ptr, ptr + size); throws when one only partly overlaps it.
std::vector<CUdeviceptr> mappings_in(const DriverState& s, CUdeviceptr ptr, size_t size) {
  std::vector<CUdeviceptr> out;
  auto it = s.vmm_mappings.upper_bound(ptr);
  if (it != s.vmm_mappings.begin() && std::prev(it)->first + std::prev(it)->second.bytes > ptr) --it;
  for (; it != s.vmm_mappings.end() && it->first < ptr + size; ++it) {
    if (it->first < ptr || it->first + it->second.bytes > ptr + size)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the range cuts the mapping at " + hex(it->first) + " (" +
                                                        std::to_string(it->second.bytes) + " bytes)"};
    out.push_back(it->first);
  }
  return out;
}

void drop_reference(DriverState& s, CUmemGenericAllocationHandle handle) {
  auto it = s.vmm_allocations.find(handle);
  if (it != s.vmm_allocations.end() && --it->second.references == 0) {
    close(it->second.fd);
    s.vmm_allocations.erase(it);
  }
}

DriverState::VmmAllocation& live_allocation(DriverState& s, CUmemGenericAllocationHandle handle) {
  auto it = s.vmm_allocations.find(handle);
  if (it == s.vmm_allocations.end())
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "handle " + std::to_string(handle) + " is not a live cuMemCreate allocation"};
  return it->second;
}

const DriverState::VmmMapping& mapping_at(const DriverState& s, CUdeviceptr ptr, CUdeviceptr* base) {
  auto it = s.vmm_mappings.upper_bound(ptr);
  if (it == s.vmm_mappings.begin() || std::prev(it)->first + std::prev(it)->second.bytes <= ptr)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, hex(ptr) + " is not in a range mapped with cuMemMap"};
  --it;
  if (base) *base = it->first;
  return it->second;
}

}  // namespace

extern "C" {

CUresult cuMemGetAllocationGranularity(size_t* granularity, const CUmemAllocationProp* prop,
                                       CUmemAllocationGranularity_flags option) {
  return api_call("cuMemGetAllocationGranularity", [&](DriverState& s) {
    if (!granularity) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "granularity is null"};
    gpusim::cudadrv::require_initialized(s);
    check_prop(prop);
    const long long raw_option = gpusim::runtime::raw_enum_value(option);
    if (raw_option != CU_MEM_ALLOC_GRANULARITY_MINIMUM && raw_option != CU_MEM_ALLOC_GRANULARITY_RECOMMENDED)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "option is not a CUmemAllocationGranularity_flags value"};
    *granularity = kGranularity;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemAddressReserve(CUdeviceptr* ptr, size_t size, size_t alignment, CUdeviceptr addr, unsigned long long flags) {
  return api_call("cuMemAddressReserve", [&](DriverState& s) {
    if (!ptr || flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "ptr is null or flags are not 0"};
    gpusim::cudadrv::usable_context(s);
    if (size == 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "size is 0"};
    check_multiple(size, "size");
    if (alignment & (alignment - 1)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "alignment is not a power of two"};
    const uint64_t align = std::max<uint64_t>(alignment, kGranularity);
    // The requested address first (a hint, as in CUDA), then fresh addresses of our own range.
    for (int attempt = 0; attempt < 64; ++attempt) {
      uint64_t want = attempt == 0 && addr ? addr : s.next_vmm_reservation;
      want = (want + align - 1) & ~(align - 1);
      if (!(attempt == 0 && addr)) s.next_vmm_reservation = want + size + kGranularity;  // a guard gap
      void* p = mmap(reinterpret_cast<void*>(want), size, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
      if (p == MAP_FAILED) {
        if (errno == EEXIST) continue;
        throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, "reserving " + std::to_string(size) + " bytes: " + std::strerror(errno)};
      }
      if (p != reinterpret_cast<void*>(want)) {  // a kernel without MAP_FIXED_NOREPLACE placed it elsewhere
        munmap(p, size);
        continue;
      }
      s.vmm_reserved[want] = size;
      *ptr = want;
      return CUDA_SUCCESS;
    }
    throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, "no free address range of " + std::to_string(size) + " bytes"};
  });
}

CUresult cuMemAddressFree(CUdeviceptr ptr, size_t size) {
  return api_call("cuMemAddressFree", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    auto it = s.vmm_reserved.find(ptr);
    if (it == s.vmm_reserved.end() || it->second != size)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "[" + hex(ptr) + ", +" + std::to_string(size) +
                                                        ") is not a range returned by cuMemAddressReserve"};
    if (!mappings_in(s, ptr, size).empty())
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the range still has mappings (cuMemUnmap them first)"};
    munmap(reinterpret_cast<void*>(ptr), size);
    s.vmm_reserved.erase(it);
    return CUDA_SUCCESS;
  });
}

CUresult cuMemCreate(CUmemGenericAllocationHandle* handle, size_t size, const CUmemAllocationProp* prop,
                     unsigned long long flags) {
  return api_call("cuMemCreate", [&](DriverState& s) {
    if (!handle || flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "handle is null or flags are not 0"};
    gpusim::cudadrv::usable_context(s);
    check_prop(prop);
    if (prop->requestedHandleTypes & ~CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR)
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "shareable handles other than POSIX file descriptors are not supported"};
    if (size == 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "size is 0"};
    check_multiple(size, "size");
    size_t in_use = 0;
    for (const auto& [h, a] : s.vmm_allocations) in_use += a.imported ? 0 : a.bytes;
    if (size > s.properties.total_global_bytes - std::min<size_t>(in_use, s.properties.total_global_bytes))
      throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, std::to_string(size) + " bytes do not fit in the simulated device memory"};
    const int fd = memfd_create("gpusim-cuMemCreate", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, static_cast<off_t>(size)) != 0) {
      if (fd >= 0) close(fd);
      throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, std::string("backing ") + std::to_string(size) + " bytes: " + std::strerror(errno)};
    }
    const CUmemGenericAllocationHandle h = s.next_vmm_handle++;
    s.vmm_allocations[h] = {fd, size, *prop, 1};
    *handle = h;
    return CUDA_SUCCESS;
  });
}

// The memory lives on while a mapping uses it, as in CUDA.
CUresult cuMemRelease(CUmemGenericAllocationHandle handle) {
  return api_call("cuMemRelease", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    live_allocation(s, handle);
    drop_reference(s, handle);
    return CUDA_SUCCESS;
  });
}

CUresult cuMemMap(CUdeviceptr ptr, size_t size, size_t offset, CUmemGenericAllocationHandle handle,
                  unsigned long long flags) {
  return api_call("cuMemMap", [&](DriverState& s) {
    if (flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags are not 0"};
    gpusim::cudadrv::usable_context(s);
    DriverState::VmmAllocation& a = live_allocation(s, handle);
    if (size == 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "size is 0"};
    check_multiple(size, "size");
    check_multiple(offset, "offset");
    check_multiple(ptr, "the address");
    if (offset > a.bytes || size > a.bytes - offset)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "offset + size runs past the allocation's " + std::to_string(a.bytes) + " bytes"};
    require_reserved(s, ptr, size);
    if (!mappings_in(s, ptr, size).empty())
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "[" + hex(ptr) + ", +" + std::to_string(size) + ") is already mapped"};
    void* p = mmap(reinterpret_cast<void*>(ptr), size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, a.fd,
                   static_cast<off_t>(offset));
    if (p == MAP_FAILED) throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, std::string("mapping: ") + std::strerror(errno)};
    ++a.references;
    s.vmm_mappings[ptr] = {size, handle, offset, CU_MEM_ACCESS_FLAGS_PROT_NONE};
    return CUDA_SUCCESS;
  });
}

CUresult cuMemUnmap(CUdeviceptr ptr, size_t size) {
  return api_call("cuMemUnmap", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    require_reserved(s, ptr, size);
    for (CUdeviceptr at : mappings_in(s, ptr, size)) {
      const DriverState::VmmMapping m = s.vmm_mappings.at(at);
      if (m.access != CU_MEM_ACCESS_FLAGS_PROT_NONE) s.device->unmap_host_memory(reinterpret_cast<void*>(at));
      // Back to reserved address space.
      mmap(reinterpret_cast<void*>(at), m.bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
      s.vmm_mappings.erase(at);
      drop_reference(s, m.allocation);
    }
    return CUDA_SUCCESS;
  });
}

CUresult cuMemSetAccess(CUdeviceptr ptr, size_t size, const CUmemAccessDesc* desc, size_t count) {
  return api_call("cuMemSetAccess", [&](DriverState& s) {
    if (!desc || count == 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "no access descriptors"};
    gpusim::cudadrv::usable_context(s);
    unsigned long long access = CU_MEM_ACCESS_FLAGS_PROT_NONE;
    for (size_t i = 0; i < count; ++i) {
      check_device_location(desc[i].location);
      if (desc[i].flags != CU_MEM_ACCESS_FLAGS_PROT_NONE && desc[i].flags != CU_MEM_ACCESS_FLAGS_PROT_READ &&
          desc[i].flags != CU_MEM_ACCESS_FLAGS_PROT_READWRITE)
        throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "access flags " + std::to_string(desc[i].flags) + " are not a CUmemAccess_flags value"};
      access = desc[i].flags;  // one device: the last descriptor for it wins
    }
    require_reserved(s, ptr, size);
    const std::vector<CUdeviceptr> mapped = mappings_in(s, ptr, size);
    size_t covered = 0;
    for (CUdeviceptr at : mapped) covered += s.vmm_mappings.at(at).bytes;
    if (covered != size) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "part of the range is not mapped (cuMemMap first)"};
    for (CUdeviceptr at : mapped) {
      DriverState::VmmMapping& m = s.vmm_mappings.at(at);
      const bool was = m.access != CU_MEM_ACCESS_FLAGS_PROT_NONE, now = access != CU_MEM_ACCESS_FLAGS_PROT_NONE;
      if (now && !was) s.device->map_host_memory(reinterpret_cast<void*>(at), m.bytes);
      if (was && !now) s.device->unmap_host_memory(reinterpret_cast<void*>(at));
      m.access = access;
    }
    return CUDA_SUCCESS;
  });
}

CUresult cuMemGetAccess(unsigned long long* flags, const CUmemLocation* location, CUdeviceptr ptr) {
  return api_call("cuMemGetAccess", [&](DriverState& s) {
    if (!flags || !location) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags or location is null"};
    gpusim::cudadrv::usable_context(s);
    check_device_location(*location);
    *flags = mapping_at(s, ptr, nullptr).access;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemRetainAllocationHandle(CUmemGenericAllocationHandle* handle, void* addr) {
  return api_call("cuMemRetainAllocationHandle", [&](DriverState& s) {
    if (!handle) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "handle is null"};
    gpusim::cudadrv::usable_context(s);
    const DriverState::VmmMapping& m = mapping_at(s, reinterpret_cast<CUdeviceptr>(addr), nullptr);
    ++live_allocation(s, m.allocation).references;  // the caller releases it with cuMemRelease
    *handle = m.allocation;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemGetAllocationPropertiesFromHandle(CUmemAllocationProp* prop, CUmemGenericAllocationHandle handle) {
  return api_call("cuMemGetAllocationPropertiesFromHandle", [&](DriverState& s) {
    if (!prop) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "prop is null"};
    gpusim::cudadrv::require_initialized(s);
    *prop = live_allocation(s, handle).prop;
    return CUDA_SUCCESS;
  });
}

// A POSIX file descriptor of the allocation's memory (a duplicate of its memfd, the caller's to
// close), for an allocation created with CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR requested.
CUresult cuMemExportToShareableHandle(void* shareable, CUmemGenericAllocationHandle handle,
                                      CUmemAllocationHandleType type, unsigned long long flags) {
  return api_call("cuMemExportToShareableHandle", [&](DriverState& s) {
    if (!shareable || flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "shareableHandle is null or flags are not 0"};
    gpusim::cudadrv::require_initialized(s);
    const DriverState::VmmAllocation& a = live_allocation(s, handle);
    if (gpusim::runtime::raw_enum_value(type) != CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR)
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "only CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR handles are supported"};
    if (!(a.prop.requestedHandleTypes & CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR))
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the allocation was not created with the POSIX file descriptor handle type requested"};
    const int fd = fcntl(a.fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, std::string("duplicating the handle: ") + std::strerror(errno)};
    *static_cast<int*>(shareable) = fd;
    return CUDA_SUCCESS;
  });
}

// A new handle to the memory behind an exported descriptor: mappings of both alias.
CUresult cuMemImportFromShareableHandle(CUmemGenericAllocationHandle* handle, void* os_handle,
                                        CUmemAllocationHandleType type) {
  return api_call("cuMemImportFromShareableHandle", [&](DriverState& s) {
    if (!handle) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "handle is null"};
    gpusim::cudadrv::usable_context(s);
    if (gpusim::runtime::raw_enum_value(type) != CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR)
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "only CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR handles are supported"};
    const int given = static_cast<int>(reinterpret_cast<intptr_t>(os_handle));
    struct stat info {};
    if (given < 0 || fstat(given, &info) != 0 || info.st_size <= 0 || info.st_size % kGranularity)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "osHandle is not a descriptor from cuMemExportToShareableHandle"};
    const int fd = fcntl(given, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, std::string("duplicating the handle: ") + std::strerror(errno)};
    CUmemAllocationProp prop{};
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.requestedHandleTypes = CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR;
    prop.location = {CU_MEM_LOCATION_TYPE_DEVICE, 0};
    const CUmemGenericAllocationHandle h = s.next_vmm_handle++;
    s.vmm_allocations[h] = {fd, static_cast<size_t>(info.st_size), prop, 1, true};
    *handle = h;
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
