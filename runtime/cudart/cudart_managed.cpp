// Managed-memory hints and their queries: cudaMemAdvise, cudaMemPrefetchAsync (recorded, no
// migration to model) and cudaMemRangeGetAttribute(s), which read the recorded history back as
// CUDA documents it (cuda_runtime_api.h, cudaMemRangeGetAttribute).
#include "runtime/cudart/cudart_managed.h"

#include <algorithm>
#include <cstring>

#include "runtime/cudart/cudart_context.h"

namespace gpusim::cudart {

bool same_location(const cudaMemLocation& a, const cudaMemLocation& b) { return a.type == b.type && a.id == b.id; }

std::vector<ManagedPageState> ManagedRanges::states(uint64_t allocation_base, uint64_t begin, uint64_t end) const {
  static const std::vector<ManagedRangeEvent> kNone;
  auto found = events_.find(allocation_base);
  const std::vector<ManagedRangeEvent>& events = found == events_.end() ? kNone : found->second;
  // Cut [begin, end) at every event boundary inside it: each piece is covered by an event whole or not at all.
  std::vector<uint64_t> cuts{begin, end};
  for (const ManagedRangeEvent& e : events) {
    if (e.begin > begin && e.begin < end) cuts.push_back(e.begin);
    if (e.end > begin && e.end < end) cuts.push_back(e.end);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<ManagedPageState> out;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    ManagedPageState st;
    for (const ManagedRangeEvent& e : events) {
      if (e.begin > cuts[i] || e.end <= cuts[i]) continue;  // the piece starts at cuts[i]
      const auto is_loc = [&](const cudaMemLocation& l) { return same_location(l, e.location); };
      switch (e.kind) {
        case ManagedRangeEvent::kPrefetch: st.last_prefetch = e.location; break;
        case cudaMemAdviseSetReadMostly: st.read_mostly = true; break;
        case cudaMemAdviseUnsetReadMostly: st.read_mostly = false; break;
        case cudaMemAdviseSetPreferredLocation: st.preferred = e.location; break;
        case cudaMemAdviseUnsetPreferredLocation: st.preferred.reset(); break;
        case cudaMemAdviseSetAccessedBy:
          if (std::none_of(st.accessed_by.begin(), st.accessed_by.end(), is_loc)) st.accessed_by.push_back(e.location);
          break;
        case cudaMemAdviseUnsetAccessedBy:
          st.accessed_by.erase(std::remove_if(st.accessed_by.begin(), st.accessed_by.end(), is_loc), st.accessed_by.end());
          break;
        default: break;
      }
    }
    out.push_back(std::move(st));
  }
  return out;
}

namespace {

// The allocation holding [ptr, ptr + count), which must be managed memory: a cudaMallocManaged
// allocation or the host copy of a __managed__ variable. CUDA answers cudaErrorInvalidValue
// otherwise (this machine has no HMM).
runtime::AllocationInfo managed_range(Context& ctx, const void* ptr, size_t count, const char* what) {
  if (!ptr || count == 0) throw ApiError(cudaErrorInvalidValue, std::string(what) + " of an empty range or a null pointer");
  const auto p = reinterpret_cast<runtime::DevPtr>(ptr);
  std::optional<runtime::AllocationInfo> region = ctx.device().allocation_at(p);
  if (const VariableRecord* var = ctx.managed_variable_at(ptr))
    region = runtime::AllocationInfo{reinterpret_cast<runtime::DevPtr>(var->managed_host), var->size, true};
  else if (region && !ctx.is_managed(reinterpret_cast<void*>(region->base)))
    region.reset();
  if (!region)
    throw ApiError(cudaErrorInvalidValue, std::string(what) + ": the pointer is not managed memory (cudaMallocManaged or __managed__)");
  if (count > region->base + region->size - p)
    throw ApiError(cudaErrorInvalidValue, std::string(what) + ": the range runs past the end of its managed allocation");
  return *region;
}

// A location as the history stores it; the simulator has one device (0) and one host NUMA node (0).
cudaMemLocation checked_location(cudaMemLocation loc, const char* what) {
  const int type = as_int(loc.type);
  if (type == cudaMemLocationTypeDevice) {
    if (loc.id != 0) throw ApiError(cudaErrorInvalidDevice, std::string(what) + ": device " + std::to_string(loc.id) + " does not exist");
    return loc;
  }
  if (type == cudaMemLocationTypeHost) return {cudaMemLocationTypeHost, 0};
  if (type == cudaMemLocationTypeHostNumaCurrent) return {cudaMemLocationTypeHostNuma, 0};
  if (type == cudaMemLocationTypeHostNuma) {
    if (loc.id != 0) throw ApiError(cudaErrorInvalidValue, std::string(what) + ": host NUMA node " + std::to_string(loc.id) + " does not exist");
    return loc;
  }
  throw ApiError(cudaErrorInvalidValue, std::string(what) + ": location type " + std::to_string(type) + " is not a device or host location");
}

int legacy_device_id(const cudaMemLocation& l) { return l.type == cudaMemLocationTypeDevice ? l.id : cudaCpuDeviceId; }

// The location every piece shares, or none.
template <typename Get>
std::optional<cudaMemLocation> common(const std::vector<ManagedPageState>& states, Get get) {
  std::optional<cudaMemLocation> first = get(states.front());
  for (const ManagedPageState& s : states) {
    const std::optional<cudaMemLocation> l = get(s);
    if (!l || !first || !same_location(*l, *first)) return std::nullopt;
  }
  return first;
}

void put_int(void* data, size_t size, int value, const char* attribute) {
  if (size != sizeof(int)) throw ApiError(cudaErrorInvalidValue, std::string(attribute) + " needs a dataSize of 4, not " + std::to_string(size));
  std::memcpy(data, &value, sizeof value);
}

void query(Context& ctx, void* data, size_t size, int attribute, const void* ptr, size_t count) {
  if (!data) throw ApiError(cudaErrorInvalidValue, "cudaMemRangeGetAttribute: data is null");
  const runtime::AllocationInfo region = managed_range(ctx, ptr, count, "cudaMemRangeGetAttribute");
  const uint64_t begin = reinterpret_cast<runtime::DevPtr>(ptr);
  const std::vector<ManagedPageState> states = ctx.managed_ranges.states(region.base, begin, begin + count);
  const auto preferred = common(states, [](const ManagedPageState& s) { return s.preferred; });
  const auto prefetched = common(states, [](const ManagedPageState& s) { return s.last_prefetch; });
  const auto type_of = [](const std::optional<cudaMemLocation>& l) { return l ? int(l->type) : int(cudaMemLocationTypeInvalid); };
  const auto id_of = [](const std::optional<cudaMemLocation>& l) { return l ? l->id : cudaInvalidDeviceId; };
  switch (attribute) {
    case cudaMemRangeAttributeReadMostly:
      return put_int(data, size, std::all_of(states.begin(), states.end(), [](const ManagedPageState& s) { return s.read_mostly; }),
                     "cudaMemRangeAttributeReadMostly");
    case cudaMemRangeAttributePreferredLocation:
      return put_int(data, size, preferred ? legacy_device_id(*preferred) : cudaInvalidDeviceId, "cudaMemRangeAttributePreferredLocation");
    case cudaMemRangeAttributeLastPrefetchLocation:
      return put_int(data, size, prefetched ? legacy_device_id(*prefetched) : cudaInvalidDeviceId,
                     "cudaMemRangeAttributeLastPrefetchLocation");
    case cudaMemRangeAttributePreferredLocationType: return put_int(data, size, type_of(preferred), "cudaMemRangeAttributePreferredLocationType");
    case cudaMemRangeAttributePreferredLocationId: return put_int(data, size, id_of(preferred), "cudaMemRangeAttributePreferredLocationId");
    case cudaMemRangeAttributeLastPrefetchLocationType:
      return put_int(data, size, type_of(prefetched), "cudaMemRangeAttributeLastPrefetchLocationType");
    case cudaMemRangeAttributeLastPrefetchLocationId: return put_int(data, size, id_of(prefetched), "cudaMemRangeAttributeLastPrefetchLocationId");
    case cudaMemRangeAttributeAccessedBy: {
      if (size == 0 || size % sizeof(int) != 0)
        throw ApiError(cudaErrorInvalidValue, "cudaMemRangeAttributeAccessedBy needs a dataSize that is a non-zero multiple of 4");
      // The locations advised for every piece of the range, in the order the first piece got them.
      std::vector<int> ids;
      for (const cudaMemLocation& l : states.front().accessed_by) {
        const bool everywhere = std::all_of(states.begin(), states.end(), [&](const ManagedPageState& s) {
          return std::any_of(s.accessed_by.begin(), s.accessed_by.end(), [&](const cudaMemLocation& m) { return same_location(l, m); });
        });
        if (everywhere) ids.push_back(legacy_device_id(l));
      }
      ids.resize(std::max(ids.size(), size / sizeof(int)), cudaInvalidDeviceId);
      std::memcpy(data, ids.data(), size);
      return;
    }
    default:
      throw ApiError(cudaErrorInvalidValue, "memory range attribute " + std::to_string(attribute) + " is not a cudaMemRangeAttribute");
  }
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
    if (flags != 0) throw ApiError(cudaErrorInvalidValue, "cudaMemPrefetchAsync: flags must be 0");
    if (stream && stream != cudaStreamLegacy && stream != cudaStreamPerThread && !ctx.stream_table.stream(stream))
      throw ApiError(cudaErrorInvalidResourceHandle, "cudaMemPrefetchAsync: unknown or destroyed stream");
    const gpusim::runtime::AllocationInfo region = gpusim::cudart::managed_range(ctx, ptr, count, "cudaMemPrefetchAsync");
    gpusim::cudart::ManagedRangeEvent e;
    e.begin = reinterpret_cast<gpusim::runtime::DevPtr>(ptr);
    e.end = e.begin + count;
    e.kind = gpusim::cudart::ManagedRangeEvent::kPrefetch;
    e.location = gpusim::cudart::checked_location(location, "cudaMemPrefetchAsync");
    ctx.managed_ranges.record(region.base, e);
  });
}

cudaError_t cudaMemAdvise(const void* ptr, size_t count, enum cudaMemoryAdvise advice, struct cudaMemLocation location) {
  return api("cudaMemAdvise", [&](Context& ctx) {
    const int kind = gpusim::cudart::as_int(advice);
    if (kind < cudaMemAdviseSetReadMostly || kind > cudaMemAdviseUnsetAccessedBy)
      throw ApiError(cudaErrorInvalidValue, "advice " + std::to_string(kind) + " is not a cudaMemoryAdvise");
    const gpusim::runtime::AllocationInfo region = gpusim::cudart::managed_range(ctx, ptr, count, "cudaMemAdvise");
    gpusim::cudart::ManagedRangeEvent e;
    e.begin = reinterpret_cast<gpusim::runtime::DevPtr>(ptr);
    e.end = e.begin + count;
    e.kind = kind;
    // Read-mostly advice and unsetting the preferred location ignore the location.
    const bool needs_location = kind != cudaMemAdviseSetReadMostly && kind != cudaMemAdviseUnsetReadMostly &&
                                kind != cudaMemAdviseUnsetPreferredLocation;
    if (needs_location) e.location = gpusim::cudart::checked_location(location, "cudaMemAdvise");
    ctx.managed_ranges.record(region.base, e);
  });
}

cudaError_t cudaMemRangeGetAttribute(void* data, size_t data_size, enum cudaMemRangeAttribute attribute, const void* ptr,
                                     size_t count) {
  return api("cudaMemRangeGetAttribute", [&](Context& ctx) {
    gpusim::cudart::query(ctx, data, data_size, gpusim::cudart::as_int(attribute), ptr, count);
  });
}

cudaError_t cudaMemRangeGetAttributes(void** data, size_t* data_sizes, enum cudaMemRangeAttribute* attributes,
                                      size_t count_attributes, const void* ptr, size_t count) {
  return api("cudaMemRangeGetAttributes", [&](Context& ctx) {
    if (count_attributes == 0 || !data || !data_sizes || !attributes)
      throw ApiError(cudaErrorInvalidValue, "cudaMemRangeGetAttributes: no attributes, or a null array");
    for (size_t i = 0; i < count_attributes; ++i)
      gpusim::cudart::query(ctx, data[i], data_sizes[i], gpusim::cudart::as_int(attributes[i]), ptr, count);
  });
}

}  // extern "C"
