// What one lane of a warp memory instruction touches: the input of the coalescer and of the
// shared-memory bank model. Inactive (predicated-off or diverged) lanes touch nothing. A lane's
// vector access (v2/v4) is one LaneAccess of the combined size.
#pragma once

#include <array>
#include <cstdint>

namespace gpusim::sim {

struct LaneAccess {
  bool active = false;
  uint64_t address = 0;  // byte address in the instruction's state space
  uint32_t size = 0;     // bytes: 1, 2, 4, 8 or 16
};

// One warp instruction, indexed by lane.
using WarpAccess = std::array<LaneAccess, 32>;

}  // namespace gpusim::sim
