// Managed memory's hints and their queries in the driver API: cuMemPrefetchAsync and cuMemAdvise
// (recorded; one memory, so nothing moves) and cuMemRangeGetAttribute(s), which read the record
// back. The record is runtime/managed_ranges.h's, libcudart's own when both libraries are loaded,
// so hints given through either API (on cudaMallocManaged or cuMemAllocManaged memory) answer
// both APIs' queries alike, as under NVIDIA's stack, where the runtime sits on the driver.
#include <cuda.h>

#include <string>

#include "runtime/cudadrv/driver_state.h"
#include "runtime/raw_enum.h"
#include "runtime/managed_ranges.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;
namespace rt = gpusim::runtime;

// The shared record's numbers are cuda.h's (runtime/managed_ranges.h).
static_assert(CU_MEM_LOCATION_TYPE_DEVICE == rt::MemLocation::kDevice && CU_MEM_LOCATION_TYPE_HOST == rt::MemLocation::kHost &&
              CU_MEM_LOCATION_TYPE_HOST_NUMA == rt::MemLocation::kHostNuma &&
              CU_MEM_LOCATION_TYPE_HOST_NUMA_CURRENT == rt::MemLocation::kHostNumaCurrent);
static_assert(CU_MEM_ADVISE_SET_READ_MOSTLY == rt::managed_hint::kSetReadMostly &&
              CU_MEM_ADVISE_UNSET_PREFERRED_LOCATION == rt::managed_hint::kUnsetPreferredLocation &&
              CU_MEM_ADVISE_UNSET_ACCESSED_BY == rt::managed_hint::kUnsetAccessedBy);
static_assert(CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY == rt::range_attribute::kReadMostly &&
              CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY == rt::range_attribute::kAccessedBy &&
              CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION_ID == rt::range_attribute::kLastPrefetchLocationId);
static_assert(CU_DEVICE_CPU == rt::kCpuDeviceId && CU_DEVICE_INVALID == rt::kInvalidDeviceId);

namespace {

// The managed allocation that holds all of [p, p + count): cuMemAllocManaged's, or (both libraries
// loaded) cudaMallocManaged's. CUDA answers CUDA_ERROR_INVALID_VALUE otherwise (no HMM here).
rt::ManagedAllocation managed_range(const DriverState& s, CUdeviceptr p, size_t count) {
  const std::optional<rt::ManagedAllocation> a = s.managed_ranges->allocation_at(p);
  if (!a)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE,
                        "the range does not start in managed memory (cuMemAllocManaged or cudaMallocManaged)"};
  if (count == 0 || count > a->base + a->bytes - p)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string("the range is empty or runs past its managed allocation")};
  return *a;
}

rt::MemLocation checked_location(const CUmemLocation& location) {
  const rt::CheckedLocation c = rt::check_location(static_cast<int>(gpusim::runtime::raw_enum_value(location.type)), location.id);
  if (!c.location) throw DriverFailure{c.invalid_device ? CUDA_ERROR_INVALID_DEVICE : CUDA_ERROR_INVALID_VALUE, c.error};
  return *c.location;
}

void record(DriverState& s, const rt::ManagedAllocation& a, CUdeviceptr p, size_t count, int kind, rt::MemLocation where) {
  rt::ManagedRangeEvent e;
  e.begin = p;
  e.end = p + count;
  e.kind = kind;
  e.location = where;
  s.managed_ranges->record(a.base, e);
}

void query(DriverState& s, void* data, size_t size, int attribute, CUdeviceptr p, size_t count) {
  if (!data) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "data is null"};
  const rt::ManagedAllocation a = managed_range(s, p, count);
  const std::string error = s.managed_ranges->read_attribute(a.base, p, count, attribute, data, size);
  if (!error.empty()) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, error};
}

}  // namespace

extern "C" {

CUresult cuMemPrefetchAsync(CUdeviceptr ptr, size_t count, CUmemLocation location, unsigned int flags, CUstream stream) {
  return api_call("cuMemPrefetchAsync", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    if (flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags must be 0"};
    const rt::ManagedAllocation a = managed_range(s, ptr, count);
    record(s, a, ptr, count, rt::managed_hint::kPrefetch, checked_location(location));
    return CUDA_SUCCESS;  // one memory: nothing moves
  });
}

CUresult cuMemAdvise(CUdeviceptr ptr, size_t count, CUmem_advise advice, CUmemLocation location) {
  return api_call("cuMemAdvise", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    const int kind = static_cast<int>(gpusim::runtime::raw_enum_value(advice));
    if (kind < CU_MEM_ADVISE_SET_READ_MOSTLY || kind > CU_MEM_ADVISE_UNSET_ACCESSED_BY)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "advice " + std::to_string(kind) + " is not a CUmem_advise"};
    const rt::ManagedAllocation a = managed_range(s, ptr, count);
    // Read-mostly advice and unsetting the preferred location ignore the location.
    const bool needs_location = kind != CU_MEM_ADVISE_SET_READ_MOSTLY && kind != CU_MEM_ADVISE_UNSET_READ_MOSTLY &&
                                kind != CU_MEM_ADVISE_UNSET_PREFERRED_LOCATION;
    record(s, a, ptr, count, kind, needs_location ? checked_location(location) : rt::MemLocation{});
    return CUDA_SUCCESS;
  });
}

CUresult cuMemRangeGetAttribute(void* data, size_t data_size, CUmem_range_attribute attribute, CUdeviceptr ptr, size_t count) {
  return api_call("cuMemRangeGetAttribute", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    query(s, data, data_size, static_cast<int>(gpusim::runtime::raw_enum_value(attribute)), ptr, count);
    return CUDA_SUCCESS;
  });
}

CUresult cuMemRangeGetAttributes(void** data, size_t* data_sizes, CUmem_range_attribute* attributes, size_t count_attributes,
                                 CUdeviceptr ptr, size_t count) {
  return api_call("cuMemRangeGetAttributes", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    if (count_attributes == 0 || !data || !data_sizes || !attributes)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "no attributes, or a null array"};
    for (size_t i = 0; i < count_attributes; ++i) query(s, data[i], data_sizes[i], static_cast<int>(gpusim::runtime::raw_enum_value(attributes[i])), ptr, count);
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
