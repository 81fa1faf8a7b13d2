// The coalescer: turns the per-lane addresses of one warp memory instruction into the requests
// the L1 sees, i.e. the distinct sectors touched, grouped by cache line. A stride-1 float warp
// touches 4 sectors of 1 line; a stride-32 float warp touches 32 sectors of 32 lines.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "isa/affine_access.h"
#include "sim/lane_access.h"

namespace gpusim::sim {

struct LineRequest {
  uint64_t line_address = 0;  // first byte of the line
  uint32_t sector_mask = 0;   // bit i: sector i of the line is touched
  uint32_t lane_mask = 0;     // bit l: lane l touches this line
  int sector_count() const;
};

class Coalescer {
 public:
  // line_bytes and sector_bytes: powers of two, at most 32 sectors a line.
  Coalescer(uint32_t line_bytes, uint32_t sector_bytes);

  // At most 32 accesses, the span index being the lane (bit of lane_mask). Lines come in the
  // order of the first lane touching them, which fixes the order requests are sent in. An access
  // crossing a sector or line boundary touches both.
  std::vector<LineRequest> coalesce(std::span<const LaneAccess> lanes) const;
  // The same into `out` (cleared first), so that a caller keeping `out` allocates nothing.
  void coalesce(std::span<const LaneAccess> lanes, std::vector<LineRequest>& out) const;

  // coalesce() of the warp where each lane of `a` accesses its a.lane_bytes() at a.lane_address()
  // (an isa::AffineAccess), without writing the lanes out when each lane's access lies in one
  // sector (its size a power of two, at most a sector, every lane aligned to it).
  void coalesce_affine(const isa::AffineAccess& a, std::vector<LineRequest>& out) const;

  // Total sectors over all lines of a result.
  static int total_sectors(const std::vector<LineRequest>& requests);

 private:
  uint32_t line_bytes_;
  uint32_t sector_bytes_;
};

}  // namespace gpusim::sim
