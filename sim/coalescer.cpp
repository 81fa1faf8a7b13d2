// Coalescing of one warp memory instruction into line/sector requests.
#include "sim/coalescer.h"

#include <bit>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

int LineRequest::sector_count() const { return std::popcount(sector_mask); }

Coalescer::Coalescer(uint32_t line_bytes, uint32_t sector_bytes) : line_bytes_(line_bytes), sector_bytes_(sector_bytes) {
  if (!std::has_single_bit(line_bytes) || !std::has_single_bit(sector_bytes) || sector_bytes > line_bytes ||
      line_bytes / sector_bytes > 32)
    throw std::invalid_argument("coalescer: line " + std::to_string(line_bytes) + " B and sector " +
                                std::to_string(sector_bytes) + " B must be powers of two with at most 32 sectors a line");
}

std::vector<LineRequest> Coalescer::coalesce(std::span<const LaneAccess> lanes) const {
  std::vector<LineRequest> requests;
  coalesce(lanes, requests);
  return requests;
}

void Coalescer::coalesce(std::span<const LaneAccess> lanes, std::vector<LineRequest>& requests) const {
  if (lanes.size() > 32) throw std::invalid_argument("coalescer: a warp has at most 32 lanes");
  requests.clear();  // a warp touches at most 64 lines: a linear search is cheapest
  auto touch = [&](uint64_t line, uint32_t sector_bit, uint32_t lane_bit) {
    for (LineRequest& r : requests) {
      if (r.line_address == line) {
        r.sector_mask |= sector_bit;
        r.lane_mask |= lane_bit;
        return;
      }
    }
    requests.push_back({line, sector_bit, lane_bit});
  };
  for (uint32_t lane = 0; lane < lanes.size(); ++lane) {
    const LaneAccess& a = lanes[lane];
    if (!a.active || a.size == 0) continue;
    uint64_t first_sector = a.address / sector_bytes_;
    uint64_t last_sector = (a.address + a.size - 1) / sector_bytes_;
    for (uint64_t s = first_sector; s <= last_sector; ++s) {
      uint64_t byte = s * sector_bytes_;
      uint64_t line = byte & ~uint64_t(line_bytes_ - 1);
      uint32_t sector_in_line = uint32_t((byte - line) / sector_bytes_);
      touch(line, 1u << sector_in_line, 1u << lane);
    }
  }
}

void Coalescer::coalesce_affine(uint64_t base, int64_t stride, uint32_t size, uint32_t lanes,
                                std::vector<LineRequest>& requests) const {
  auto address = [&](unsigned lane) { return base + uint64_t(int64_t(lane) * stride); };
  const bool one_sector_per_lane = std::has_single_bit(size) && size <= sector_bytes_ && base % size == 0 &&
                                   uint64_t(stride) % size == 0;
  if (!one_sector_per_lane) {
    LaneAccess warp[32] = {};
    for (uint32_t m = lanes; m; m &= m - 1) {
      const unsigned lane = unsigned(std::countr_zero(m));
      warp[lane] = LaneAccess{true, address(lane), size};
    }
    return coalesce(std::span<const LaneAccess>(warp, 32), requests);
  }
  requests.clear();
  for (uint32_t m = lanes; m; m &= m - 1) {
    const unsigned lane = unsigned(std::countr_zero(m));
    const uint64_t a = address(lane);
    const uint64_t line = a & ~uint64_t(line_bytes_ - 1);
    const uint32_t sector_bit = 1u << ((a - line) / sector_bytes_);
    if (!requests.empty() && requests.back().line_address == line) {
      requests.back().sector_mask |= sector_bit;
      requests.back().lane_mask |= 1u << lane;
    } else {
      requests.push_back({line, sector_bit, 1u << lane});
    }
  }
}

int Coalescer::total_sectors(const std::vector<LineRequest>& requests) {
  int total = 0;
  for (const LineRequest& r : requests) total += r.sector_count();
  return total;
}

}  // namespace gpusim::sim
