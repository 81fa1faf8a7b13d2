// The L2's lines at an instant, summed over its slices: what the wave sampler watches fill up
// (sim/l2_fill_watch.h, read from MemoryPartitions::l2_lines between cycles).
#pragma once

#include <cstdint>

namespace gpusim::sim {

struct L2LineCounts {
  uint64_t valid = 0;      // lines held now
  uint64_t capacity = 0;   // lines it can hold
  uint64_t evictions = 0;  // lines replaced by another so far (cumulative)
};

}  // namespace gpusim::sim
