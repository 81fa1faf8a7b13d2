// Managed memory's advice and prefetch history (cudaMemAdvise, cudaMemPrefetchAsync), kept per
// allocation so that cudaMemRangeGetAttribute(s) answer as CUDA documents. Nothing migrates in
// the simulator (managed memory is host memory the device reaches at the same address), so the
// history changes no result or timing; it only answers the queries.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace gpusim::cudart {

// One cudaMemAdvise or cudaMemPrefetchAsync over the bytes [begin, end).
struct ManagedRangeEvent {
  static constexpr int kPrefetch = 0;  // not a cudaMemoryAdvise value (they start at 1)
  uint64_t begin = 0, end = 0;
  int kind = kPrefetch;                // a cudaMemoryAdvise value, or kPrefetch
  cudaMemLocation location{};          // normalised: host locations have id 0
};

// What the history says about one stretch of bytes that every event covers whole or not at all.
struct ManagedPageState {
  bool read_mostly = false;
  std::optional<cudaMemLocation> preferred;
  std::vector<cudaMemLocation> accessed_by;  // in the order the advice was given
  std::optional<cudaMemLocation> last_prefetch;
};

class ManagedRanges {
 public:
  void record(uint64_t allocation_base, const ManagedRangeEvent& event) { events_[allocation_base].push_back(event); }
  void forget(uint64_t allocation_base) { events_.erase(allocation_base); }
  void clear() { events_.clear(); }
  // The states of the stretches that make up [begin, end) in the allocation at `allocation_base`.
  std::vector<ManagedPageState> states(uint64_t allocation_base, uint64_t begin, uint64_t end) const;

 private:
  std::map<uint64_t, std::vector<ManagedRangeEvent>> events_;  // by allocation base, in call order
};

bool same_location(const cudaMemLocation& a, const cudaMemLocation& b);

}  // namespace gpusim::cudart
