// Managed memory's advice and prefetch history, kept for both CUDA libraries: cudaMemAdvise /
// cuMemAdvise and cudaMemPrefetchAsync / cuMemPrefetchAsync record into it and
// cudaMemRangeGetAttribute(s) / cuMemRangeGetAttribute(s) read it back as CUDA documents. Under
// NVIDIA's stack the runtime sits on the driver, so advice given through one API is what the
// other reports; when a program loads both of gpusim's libraries, libcudart owns the one history
// and libcuda uses it (runtime/shared_streams.h, SharedStreamsLink); libcuda alone keeps its own.
//
// Nothing migrates in the simulator (managed memory is host memory the device reaches at the
// same address), so the history changes no result or timing; it only answers the queries.
//
// The types here belong to neither API. Their numbers are those both headers give the same
// meaning (cudaMemLocationType == CUmemLocationType, cudaMemoryAdvise == CUmem_advise,
// cudaMemRangeAttribute == CUmem_range_attribute); each library static_asserts that they agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gpusim::runtime {

// Where managed memory is advised to live or was prefetched to. The simulator has one device (0)
// and one host NUMA node (0).
struct MemLocation {
  static constexpr int kDevice = 1, kHost = 2, kHostNuma = 3, kHostNumaCurrent = 4;  // location types
  int type = 0;  // 0: invalid
  int id = 0;
  bool operator==(const MemLocation& o) const { return type == o.type && id == o.id; }
};

// A location as the history stores it (host locations have id 0, "current NUMA node" is node 0),
// or why it is refused: `invalid_device` tells the caller to answer its invalid-device code.
struct CheckedLocation {
  std::optional<MemLocation> location;
  bool invalid_device = false;
  std::string error;
};
CheckedLocation check_location(int type, int id);

// Advice kinds (cudaMemoryAdvise / CUmem_advise) and the prefetch, which is no advice.
namespace managed_hint {
inline constexpr int kPrefetch = 0, kSetReadMostly = 1, kUnsetReadMostly = 2, kSetPreferredLocation = 3,
                     kUnsetPreferredLocation = 4, kSetAccessedBy = 5, kUnsetAccessedBy = 6;
}
// Range attributes (cudaMemRangeAttribute / CUmem_range_attribute).
namespace range_attribute {
inline constexpr int kReadMostly = 1, kPreferredLocation = 2, kAccessedBy = 3, kLastPrefetchLocation = 4,
                     kPreferredLocationType = 5, kPreferredLocationId = 6, kLastPrefetchLocationType = 7,
                     kLastPrefetchLocationId = 8;
}
inline constexpr int kCpuDeviceId = -1;      // cudaCpuDeviceId, CU_DEVICE_CPU
inline constexpr int kInvalidDeviceId = -2;  // cudaInvalidDeviceId, CU_DEVICE_INVALID

// One advice or prefetch over the bytes [begin, end).
struct ManagedRangeEvent {
  uint64_t begin = 0, end = 0;
  int kind = managed_hint::kPrefetch;
  MemLocation location;  // as check_location stores it; unused by read-mostly and unset-preferred
};

// What the history says about one stretch of bytes that every event covers whole or not at all.
struct ManagedPageState {
  bool read_mostly = false;
  std::optional<MemLocation> preferred;
  std::vector<MemLocation> accessed_by;  // in the order the advice was given
  std::optional<MemLocation> last_prefetch;
};

struct ManagedAllocation {
  uint64_t base = 0, bytes = 0;
};

class ManagedRanges {
 public:
  // The managed allocations of both libraries (cudaMallocManaged, __managed__ variables,
  // cuMemAllocManaged), so that either API's hints find the other's memory.
  void add_allocation(uint64_t base, uint64_t bytes) { allocations_[base] = bytes; }
  void remove_allocation(uint64_t base) {
    allocations_.erase(base);
    events_.erase(base);
  }
  // The managed allocation holding byte `p`, if any.
  std::optional<ManagedAllocation> allocation_at(uint64_t p) const;

  void record(uint64_t allocation_base, const ManagedRangeEvent& event) { events_[allocation_base].push_back(event); }
  void forget_history(uint64_t allocation_base) { events_.erase(allocation_base); }
  void clear_history() { events_.clear(); }
  // The states of the stretches that make up [begin, end) in the allocation at `allocation_base`.
  std::vector<ManagedPageState> states(uint64_t allocation_base, uint64_t begin, uint64_t end) const;

  // Writes `attribute` of [begin, begin + count) in the allocation at `allocation_base` into
  // data[0 .. size) as cudaMemRangeGetAttribute documents it. Returns "" or why the query is
  // invalid (both APIs answer their invalid-value code).
  std::string read_attribute(uint64_t allocation_base, uint64_t begin, uint64_t count, int attribute, void* data,
                             size_t size) const;

 private:
  std::map<uint64_t, uint64_t> allocations_;                  // base -> bytes
  std::map<uint64_t, std::vector<ManagedRangeEvent>> events_;  // by allocation base, in call order
};

}  // namespace gpusim::runtime
