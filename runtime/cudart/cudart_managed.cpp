// Managed-memory hints and their queries: cudaMemAdvise, cudaMemPrefetchAsync (recorded, no
// migration to model) and cudaMemRangeGetAttribute(s), which read the recorded history back as
// CUDA documents it (cuda_runtime_api.h, cudaMemRangeGetAttribute).
#include <cuda_runtime_api.h>

#include <string>

#include "runtime/cudart/cudart_context.h"
#include "runtime/managed_ranges.h"

namespace gpusim::cudart {

// The shared history's numbers are this header's (runtime/managed_ranges.h).
static_assert(cudaMemLocationTypeDevice == runtime::MemLocation::kDevice && cudaMemLocationTypeHost == runtime::MemLocation::kHost &&
              cudaMemLocationTypeHostNuma == runtime::MemLocation::kHostNuma &&
              cudaMemLocationTypeHostNumaCurrent == runtime::MemLocation::kHostNumaCurrent);
static_assert(cudaMemAdviseSetReadMostly == runtime::managed_hint::kSetReadMostly &&
              cudaMemAdviseUnsetAccessedBy == runtime::managed_hint::kUnsetAccessedBy);
static_assert(cudaMemRangeAttributeReadMostly == runtime::range_attribute::kReadMostly &&
              cudaMemRangeAttributeAccessedBy == runtime::range_attribute::kAccessedBy &&
              cudaMemRangeAttributeLastPrefetchLocationId == runtime::range_attribute::kLastPrefetchLocationId);
static_assert(cudaCpuDeviceId == runtime::kCpuDeviceId && cudaInvalidDeviceId == runtime::kInvalidDeviceId);

namespace {

// The allocation holding [ptr, ptr + count), which must be managed memory: a cudaMallocManaged
// allocation, the host copy of a __managed__ variable, or (both libraries loaded) a
// cuMemAllocManaged allocation. CUDA answers cudaErrorInvalidValue otherwise (this machine has no HMM).
runtime::AllocationInfo managed_range(Context& ctx, const void* ptr, size_t count) {
  if (!ptr || count == 0) throw ApiError(cudaErrorInvalidValue, "an empty range or a null pointer");
  const auto p = reinterpret_cast<runtime::DevPtr>(ptr);
  std::optional<runtime::AllocationInfo> region = ctx.device().allocation_at(p);
  if (const VariableRecord* var = ctx.managed_variable_at(ptr))
    region = runtime::AllocationInfo{reinterpret_cast<runtime::DevPtr>(var->managed_host), var->size, true};
  else if (const auto driver = ctx.managed_ranges.allocation_at(p))
    region = runtime::AllocationInfo{driver->base, driver->bytes, true};
  else if (region && !ctx.is_managed(reinterpret_cast<void*>(region->base)))
    region.reset();
  if (!region)
    throw ApiError(cudaErrorInvalidValue, "the pointer is not managed memory (cudaMallocManaged, __managed__ or cuMemAllocManaged)");
  if (count > region->base + region->size - p)
    throw ApiError(cudaErrorInvalidValue, "the range runs past the end of its managed allocation");
  return *region;
}

// A location as the shared history stores it (runtime/managed_ranges.h).
runtime::MemLocation checked_location(cudaMemLocation loc) {
  const runtime::CheckedLocation c = runtime::check_location(gpusim::runtime::raw_enum_value(loc.type), loc.id);
  if (!c.location) throw ApiError(c.invalid_device ? cudaErrorInvalidDevice : cudaErrorInvalidValue, c.error);
  return *c.location;
}

void query(Context& ctx, void* data, size_t size, int attribute, const void* ptr, size_t count) {
  if (!data) throw ApiError(cudaErrorInvalidValue, "data is null");
  const runtime::AllocationInfo region = managed_range(ctx, ptr, count);
  const std::string error =
      ctx.managed_ranges.read_attribute(region.base, reinterpret_cast<runtime::DevPtr>(ptr), count, attribute, data, size);
  if (!error.empty()) throw ApiError(cudaErrorInvalidValue, "cudaMemRangeGetAttribute: " + error);
}

}  // namespace
}  // namespace gpusim::cudart

using gpusim::cudart::api;
using gpusim::cudart::ApiError;
using gpusim::cudart::Context;

extern "C" {

cudaError_t cudaMemPrefetchAsync(const void* ptr, size_t count, struct cudaMemLocation location, unsigned int flags,
                                 cudaStream_t stream) {
  return api("cudaMemPrefetchAsync", [&](Context& ctx) {
    if (flags != 0) throw ApiError(cudaErrorInvalidValue, "flags must be 0");
    if (stream && stream != cudaStreamLegacy && stream != cudaStreamPerThread && !ctx.stream_table.stream(stream))
      throw ApiError(cudaErrorInvalidResourceHandle, gpusim::cudart::unknown_stream_text(stream));
    const gpusim::runtime::AllocationInfo region = gpusim::cudart::managed_range(ctx, ptr, count);
    gpusim::runtime::ManagedRangeEvent e;
    e.begin = reinterpret_cast<gpusim::runtime::DevPtr>(ptr);
    e.end = e.begin + count;
    e.kind = gpusim::runtime::managed_hint::kPrefetch;
    e.location = gpusim::cudart::checked_location(location);
    ctx.managed_ranges.record(region.base, e);
  });
}

// Discarded contents are undefined; the simulator leaves them as they are (one of the values
// they may have). The ranges must be managed memory, the stream not the legacy NULL one.
cudaError_t cudaMemDiscardBatchAsync(void** dptrs, size_t* sizes, size_t count, unsigned long long flags,
                                     cudaStream_t stream) {
  return api("cudaMemDiscardBatchAsync", [&](Context& ctx) {
    if (count == 0 || !dptrs || !sizes) throw ApiError(cudaErrorInvalidValue, "cudaMemDiscardBatchAsync: an empty batch");
    if (stream == nullptr || stream == cudaStreamLegacy)
      throw ApiError(cudaErrorInvalidValue, "cudaMemDiscardBatchAsync: the legacy NULL stream cannot take a batch");
    if (flags != 0) throw ApiError(cudaErrorInvalidValue, "cudaMemDiscardBatchAsync: flags must be 0");
    for (size_t i = 0; i < count; ++i) gpusim::cudart::managed_range(ctx, dptrs[i], sizes[i]);
  });
}
cudaError_t cudaMemDiscardBatchAsync_ptsz(void** dptrs, size_t* sizes, size_t count, unsigned long long flags,
                                          cudaStream_t stream) {
  return cudaMemDiscardBatchAsync(dptrs, sizes, count, flags, stream);
}

cudaError_t cudaMemAdvise(const void* ptr, size_t count, enum cudaMemoryAdvise advice, struct cudaMemLocation location) {
  return api("cudaMemAdvise", [&](Context& ctx) {
    const int kind = gpusim::runtime::raw_enum_value(advice);
    if (kind < cudaMemAdviseSetReadMostly || kind > cudaMemAdviseUnsetAccessedBy)
      throw ApiError(cudaErrorInvalidValue, "advice " + std::to_string(kind) + " is not a cudaMemoryAdvise");
    const gpusim::runtime::AllocationInfo region = gpusim::cudart::managed_range(ctx, ptr, count);
    gpusim::runtime::ManagedRangeEvent e;
    e.begin = reinterpret_cast<gpusim::runtime::DevPtr>(ptr);
    e.end = e.begin + count;
    e.kind = kind;
    // Read-mostly advice and unsetting the preferred location ignore the location.
    const bool needs_location = kind != cudaMemAdviseSetReadMostly && kind != cudaMemAdviseUnsetReadMostly &&
                                kind != cudaMemAdviseUnsetPreferredLocation;
    if (needs_location) e.location = gpusim::cudart::checked_location(location);
    ctx.managed_ranges.record(region.base, e);
  });
}

cudaError_t cudaMemRangeGetAttribute(void* data, size_t data_size, enum cudaMemRangeAttribute attribute, const void* ptr,
                                     size_t count) {
  return api("cudaMemRangeGetAttribute", [&](Context& ctx) {
    gpusim::cudart::query(ctx, data, data_size, gpusim::runtime::raw_enum_value(attribute), ptr, count);
  });
}

cudaError_t cudaMemRangeGetAttributes(void** data, size_t* data_sizes, enum cudaMemRangeAttribute* attributes,
                                      size_t count_attributes, const void* ptr, size_t count) {
  return api("cudaMemRangeGetAttributes", [&](Context& ctx) {
    if (count_attributes == 0 || !data || !data_sizes || !attributes)
      throw ApiError(cudaErrorInvalidValue, "cudaMemRangeGetAttributes: no attributes, or a null array");
    for (size_t i = 0; i < count_attributes; ++i)
      gpusim::cudart::query(ctx, data[i], data_sizes[i], gpusim::runtime::raw_enum_value(attributes[i]), ptr, count);
  });
}

}  // extern "C"
