// Shared-memory bank conflict counting (model in shared_banks.h).
#include "sim/shared_banks.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpusim::sim {

SharedBanks::SharedBanks(int banks, int bank_width_bytes)
    : banks_(banks), bank_width_(bank_width_bytes), width_shift_(0), bank_mask_(0) {
  if (banks <= 0 || banks > 64 || !std::has_single_bit(unsigned(banks)) || bank_width_bytes <= 0 ||
      !std::has_single_bit(unsigned(bank_width_bytes)))
    throw std::invalid_argument("shared banks: " + std::to_string(banks) + " banks of " +
                                std::to_string(bank_width_bytes) + " B must both be powers of two (at most 64 banks)");
  width_shift_ = unsigned(std::countr_zero(unsigned(bank_width_bytes)));
  bank_mask_ = uint64_t(banks) - 1;
}

SharedAccessCost SharedBanks::cost(std::span<const LaneAccess> lanes) const {
  if (lanes.size() > 32) throw std::invalid_argument("shared banks: a warp has at most 32 lanes");
  uint32_t widest = 0;
  for (const LaneAccess& a : lanes)
    if (a.active) widest = std::max(widest, a.size);
  SharedAccessCost cost;
  if (widest == 0) return cost;

  uint32_t bytes_per_phase = uint32_t(banks_) * bank_width_;
  uint32_t lanes_per_phase = std::clamp<uint32_t>(bytes_per_phase / widest, 1, 32);
  uint32_t phase_count = (32 + lanes_per_phase - 1) / lanes_per_phase;
  // Fast path, the common case (conflict-free or broadcast accesses): no bank meets two distinct
  // words in any phase, so every phase with an active lane costs one wavefront. Found without
  // allocating or sorting; the first conflict falls through to the general count below.
  {
    SharedAccessCost fast;
    uint64_t word_in_bank[64];
    bool conflict = false;
    for (uint32_t phase = 0; phase < phase_count && !conflict; ++phase) {
      uint64_t used = 0;  // banks touched in this phase
      const uint32_t end = std::min<uint32_t>(uint32_t(lanes.size()), (phase + 1) * lanes_per_phase);
      for (uint32_t lane = phase * lanes_per_phase; lane < end && !conflict; ++lane) {
        const LaneAccess& a = lanes[lane];
        if (!a.active || a.size == 0) continue;
        for (uint64_t w = a.address >> width_shift_; w <= (a.address + a.size - 1) >> width_shift_; ++w) {
          const uint32_t bank = uint32_t(w & bank_mask_);
          if (!(used >> bank & 1)) {
            used |= uint64_t(1) << bank;
            word_in_bank[bank] = w;
          } else if (word_in_bank[bank] != w) {
            conflict = true;
            break;
          }
        }
      }
      if (used && !conflict) {
        fast.phases += 1;
        fast.wavefronts += 1;
        fast.worst_ways = 1;
      }
    }
    if (!conflict) return fast;
  }
  // (phase x bank, word) for every word touched; sorted, duplicates (broadcasts) removed, the
  // run length of a (phase, bank) key is the number of distinct words that bank must serve.
  std::vector<std::pair<uint32_t, uint64_t>> touched;
  touched.reserve(lanes.size() * 4);
  for (uint32_t lane = 0; lane < lanes.size(); ++lane) {
    const LaneAccess& a = lanes[lane];
    if (!a.active || a.size == 0) continue;
    uint32_t phase = lane / lanes_per_phase;
    for (uint64_t w = a.address >> width_shift_; w <= (a.address + a.size - 1) >> width_shift_; ++w)
      touched.emplace_back(phase * uint32_t(banks_) + uint32_t(w & bank_mask_), w);
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  std::vector<int> ways_in_phase(phase_count, 0);
  for (size_t i = 0; i < touched.size();) {
    size_t run = i;
    while (run < touched.size() && touched[run].first == touched[i].first) ++run;
    int& ways = ways_in_phase[touched[i].first / uint32_t(banks_)];
    ways = std::max(ways, int(run - i));
    i = run;
  }
  for (int ways : ways_in_phase) {
    if (ways == 0) continue;  // no active lane in this phase
    cost.phases += 1;
    cost.wavefronts += ways;
    cost.worst_ways = std::max(cost.worst_ways, ways);
  }
  return cost;
}

SharedAccessCost SharedBanks::cost_affine(const isa::AffineAccess& a, uint64_t offset, uint32_t size) const {
  SharedAccessCost cost;
  if (a.lanes == 0 || size == 0) return cost;
  const uint32_t lanes_per_phase = std::clamp<uint32_t>(uint32_t(banks_) * bank_width_ / size, 1, 32);
  for (uint32_t first = 0; first < 32; first += lanes_per_phase) {
    const uint32_t phase_mask = lanes_per_phase == 32 ? ~0u : ((1u << lanes_per_phase) - 1) << first;
    const uint32_t phase_lanes = a.lanes & phase_mask;
    if (phase_lanes == 0) continue;
    uint64_t low = ~uint64_t(0), high = 0;  // lowest and highest address of the phase
    auto extend = [&](unsigned lane) {
      const uint64_t address = a.lane_address(lane) + offset;
      low = std::min(low, address);
      high = std::max(high, address);
    };
    if (phase_lanes == phase_mask) {
      // Every lane of the phase: the address is affine in column and row, so its extremes are
      // at the corners (a phase is part of one row, or whole rows: both are powers of two).
      const uint32_t columns = 1u << a.row_shift, last = first + lanes_per_phase - 1;
      const uint32_t first_row_end = lanes_per_phase >= columns ? first + columns - 1 : last;
      extend(first), extend(first_row_end), extend((last & ~(columns - 1)) | (first & (columns - 1))), extend(last);
    } else {
      for (uint32_t m = phase_lanes; m; m &= m - 1) extend(unsigned(std::countr_zero(m)));
    }
    if (((high + size - 1) >> width_shift_) - (low >> width_shift_) >= uint64_t(banks_)) {
      WarpAccess warp{};  // words far apart: count the conflicts lane by lane
      for (uint32_t m = a.lanes; m; m &= m - 1) {
        const unsigned lane = unsigned(std::countr_zero(m));
        warp[lane] = LaneAccess{true, a.lane_address(lane) + offset, size};
      }
      return this->cost(warp);
    }
    cost.phases += 1;
    cost.wavefronts += 1;
    cost.worst_ways = 1;
  }
  return cost;
}

bool SharedBanks::one_wavefront(std::span<const isa::MemAccess> accesses) const {
  if (banks_ < 32) return false;
  uint64_t used = 0;   // banks touched
  uint32_t lanes = 0;  // lanes seen
  uint64_t word_in_bank[64];
  for (const isa::MemAccess& a : accesses) {
    if (a.space != isa::StateSpace::Shared) continue;
    if (a.lane >= 32 || (lanes >> a.lane & 1) || a.size == 0) return false;
    lanes |= 1u << a.lane;
    const uint64_t w = a.addr >> width_shift_;
    if (w != (a.addr + a.size - 1) >> width_shift_) return false;  // wider than a bank word, or straddling two
    const uint32_t bank = uint32_t(w & bank_mask_);
    if (!(used >> bank & 1)) {
      used |= uint64_t(1) << bank;
      word_in_bank[bank] = w;
    } else if (word_in_bank[bank] != w) {
      return false;  // a conflict: the general count prices it
    }
  }
  return true;
}

}  // namespace gpusim::sim
