// Shared-memory bank conflicts: how many wavefronts (passes through the banks) one warp's
// shared-memory instruction needs.
//
// Model (NVIDIA GPUs since Volta): `banks` banks of `bank_width` bytes; word w (w = address /
// bank_width) lives in bank w % banks. The warp is served in phases that each move at most
// banks x bank_width bytes: with B bytes per lane (the widest lane of the instruction, vector
// vector elements joined into one LaneAccess) a phase holds 128 / B lanes, i.e. one phase for 4-byte accesses, two
// half-warp phases for 8 bytes (64-bit, v2.f32), four quarter-warp phases for 16 bytes (v4.f32).
// Within a phase, lanes reading the same word are served together (broadcast), and a bank
// holding k distinct touched words needs k wavefronts; a phase costs the largest k. Phases with
// no active lane cost nothing.
#pragma once

#include <cstdint>
#include <span>

#include "isa/affine_access.h"
#include "isa/exec_context.h"
#include "sim/lane_access.h"

namespace gpusim::sim {

struct SharedAccessCost {
  int wavefronts = 0;   // total passes through the banks
  int phases = 0;       // phases with at least one active lane (the conflict-free minimum)
  int worst_ways = 0;   // largest number of distinct words met in one bank of one phase
  int replays() const { return wavefronts - phases; }
};

class SharedBanks {
 public:
  SharedBanks(int banks, int bank_width_bytes);  // powers of two, banks <= 64
  // At most 32 accesses, the span index being the lane.
  SharedAccessCost cost(std::span<const LaneAccess> lanes) const;
  // A shortcut for the common warp instruction, taking its access trace as the functional step
  // wrote it: true when its shared accesses are at most one per lane, each inside one bank
  // word, at least `banks` >= 32 (so one phase holds the warp) and no bank meets two distinct
  // words. Such an instruction costs exactly one wavefront (as cost() would say for its single
  // round). False says nothing: price the instruction with cost().
  bool one_wavefront(std::span<const isa::MemAccess> accesses) const;
  // cost() of the warp where each lane of `a` accesses `size` bytes at a.lane_address(lane) +
  // `offset` (one round of an isa::AffineAccess), without sorting when every phase's words lie in
  // at most `banks` consecutive words (then no bank meets two of them: broadcasts, dense rows,
  // short strides), through cost() otherwise. Same answer as cost() on the lanes written out.
  SharedAccessCost cost_affine(const isa::AffineAccess& a, uint64_t offset, uint32_t size) const;

 private:
  int banks_;
  int bank_width_;
  // Both are powers of two: word = address >> width_shift_, bank = word & bank_mask_ (a 64-bit
  // division per touched word was most of the cost of pricing a shared access).
  unsigned width_shift_;
  uint64_t bank_mask_;
};

}  // namespace gpusim::sim
