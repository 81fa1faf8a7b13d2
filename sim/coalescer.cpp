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

void Coalescer::coalesce_affine(const isa::AffineAccess& a, std::vector<LineRequest>& requests) const {
  const uint32_t size = a.lane_bytes();
  const bool one_sector_per_lane = std::has_single_bit(size) && size <= sector_bytes_ && a.base % size == 0 &&
                                   uint64_t(a.stride) % size == 0 && uint64_t(a.row_stride) % size == 0;
  if (!one_sector_per_lane) {
    LaneAccess warp[32] = {};
    for (uint32_t m = a.lanes; m; m &= m - 1) {
      const unsigned lane = unsigned(std::countr_zero(m));
      warp[lane] = LaneAccess{true, a.lane_address(lane), size};
    }
    return coalesce(std::span<const LaneAccess>(warp, 32), requests);
  }
  requests.clear();
  for (uint32_t m = a.lanes; m; m &= m - 1) {
    const unsigned lane = unsigned(std::countr_zero(m));
    const uint64_t address = a.lane_address(lane);
    const uint64_t line = address & ~uint64_t(line_bytes_ - 1);
    const uint32_t sector_bit = 1u << ((address - line) / sector_bytes_), lane_bit = 1u << lane;
    LineRequest* same = nullptr;  // the last line first: neighbouring lanes mostly share one
    if (!requests.empty() && requests.back().line_address == line) same = &requests.back();
    for (size_t i = 0; !same && i + 1 < requests.size(); ++i)
      if (requests[i].line_address == line) same = &requests[i];
    if (same) {
      same->sector_mask |= sector_bit;
      same->lane_mask |= lane_bit;
    } else {
      requests.push_back({line, sector_bit, lane_bit});
    }
  }
}

int Coalescer::total_sectors(const std::vector<LineRequest>& requests) {
  int total = 0;
  for (const LineRequest& r : requests) total += r.sector_count();
  return total;
}

}  // namespace gpusim::sim
