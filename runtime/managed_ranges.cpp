// The managed-range history both CUDA libraries share and the range-attribute queries over it
// (cuda_runtime_api.h, cudaMemRangeGetAttribute; cuda.h, cuMemRangeGetAttribute: the same rules).
#include "runtime/managed_ranges.h"

#include <algorithm>
#include <cstring>

namespace gpusim::runtime {

CheckedLocation check_location(int type, int id) {
  CheckedLocation out;
  switch (type) {
    case MemLocation::kDevice:
      if (id != 0) {
        out.invalid_device = true;
        out.error = "device " + std::to_string(id) + " does not exist";
      } else {
        out.location = MemLocation{type, id};
      }
      return out;
    case MemLocation::kHost: out.location = MemLocation{MemLocation::kHost, 0}; return out;
    case MemLocation::kHostNumaCurrent: out.location = MemLocation{MemLocation::kHostNuma, 0}; return out;
    case MemLocation::kHostNuma:
      if (id != 0) out.error = "host NUMA node " + std::to_string(id) + " does not exist";
      else out.location = MemLocation{type, 0};
      return out;
    default:
      out.error = "location type " + std::to_string(type) + " is not a device or host location";
      return out;
  }
}

std::optional<ManagedAllocation> ManagedRanges::allocation_at(uint64_t p) const {
  auto it = allocations_.upper_bound(p);
  if (it == allocations_.begin()) return std::nullopt;
  --it;
  if (p - it->first >= it->second) return std::nullopt;
  return ManagedAllocation{it->first, it->second};
}

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
      const auto is_loc = [&](const MemLocation& l) { return l == e.location; };
      switch (e.kind) {
        case managed_hint::kPrefetch: st.last_prefetch = e.location; break;
        case managed_hint::kSetReadMostly: st.read_mostly = true; break;
        case managed_hint::kUnsetReadMostly: st.read_mostly = false; break;
        case managed_hint::kSetPreferredLocation: st.preferred = e.location; break;
        case managed_hint::kUnsetPreferredLocation: st.preferred.reset(); break;
        case managed_hint::kSetAccessedBy:
          if (std::none_of(st.accessed_by.begin(), st.accessed_by.end(), is_loc)) st.accessed_by.push_back(e.location);
          break;
        case managed_hint::kUnsetAccessedBy:
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

// The legacy attributes name a location by device ordinal, the host by the CPU "device".
int legacy_device_id(const MemLocation& l) { return l.type == MemLocation::kDevice ? l.id : kCpuDeviceId; }

// The location every piece shares, or none.
template <typename Get>
std::optional<MemLocation> common(const std::vector<ManagedPageState>& states, Get get) {
  std::optional<MemLocation> first = get(states.front());
  for (const ManagedPageState& s : states) {
    const std::optional<MemLocation> l = get(s);
    if (!l || !first || !(*l == *first)) return std::nullopt;
  }
  return first;
}

std::string put_int(void* data, size_t size, int value, const char* attribute) {
  if (size != sizeof(int)) return std::string(attribute) + " needs a dataSize of 4, not " + std::to_string(size);
  std::memcpy(data, &value, sizeof value);
  return "";
}

}  // namespace

std::string ManagedRanges::read_attribute(uint64_t allocation_base, uint64_t begin, uint64_t count, int attribute,
                                          void* data, size_t size) const {
  if (!data) return "data is null";
  if (count == 0) return "the range is empty";
  const std::vector<ManagedPageState> pieces = states(allocation_base, begin, begin + count);
  const auto preferred = common(pieces, [](const ManagedPageState& s) { return s.preferred; });
  const auto prefetched = common(pieces, [](const ManagedPageState& s) { return s.last_prefetch; });
  const auto type_of = [](const std::optional<MemLocation>& l) { return l ? l->type : 0; };
  const auto id_of = [](const std::optional<MemLocation>& l) { return l ? l->id : kInvalidDeviceId; };
  using namespace range_attribute;
  switch (attribute) {
    case kReadMostly:
      return put_int(data, size,
                     std::all_of(pieces.begin(), pieces.end(), [](const ManagedPageState& s) { return s.read_mostly; }),
                     "the read-mostly attribute");
    case kPreferredLocation:
      return put_int(data, size, preferred ? legacy_device_id(*preferred) : kInvalidDeviceId, "the preferred-location attribute");
    case kLastPrefetchLocation:
      return put_int(data, size, prefetched ? legacy_device_id(*prefetched) : kInvalidDeviceId,
                     "the last-prefetch-location attribute");
    case kPreferredLocationType: return put_int(data, size, type_of(preferred), "the preferred-location-type attribute");
    case kPreferredLocationId: return put_int(data, size, id_of(preferred), "the preferred-location-id attribute");
    case kLastPrefetchLocationType: return put_int(data, size, type_of(prefetched), "the last-prefetch-location-type attribute");
    case kLastPrefetchLocationId: return put_int(data, size, id_of(prefetched), "the last-prefetch-location-id attribute");
    case kAccessedBy: {
      if (size == 0 || size % sizeof(int) != 0) return "the accessed-by attribute needs a dataSize that is a non-zero multiple of 4";
      // The locations advised for every piece of the range, in the order the first piece got them.
      std::vector<int> ids;
      for (const MemLocation& l : pieces.front().accessed_by) {
        const bool everywhere = std::all_of(pieces.begin(), pieces.end(), [&](const ManagedPageState& s) {
          return std::find(s.accessed_by.begin(), s.accessed_by.end(), l) != s.accessed_by.end();
        });
        if (everywhere) ids.push_back(legacy_device_id(l));
      }
      ids.resize(std::max(ids.size(), size / sizeof(int)), kInvalidDeviceId);
      std::memcpy(data, ids.data(), size);
      return "";
    }
    default: return "memory range attribute " + std::to_string(attribute) + " is not a range attribute";
  }
}

}  // namespace gpusim::runtime
