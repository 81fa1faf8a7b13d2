// The memory pipeline's pricing of a warp memory op that step_warp summarised as one
// isa::AffineAccess (WarpMemOp::affine) instead of per-lane records: the same wavefronts and the
// same line requests, in the same order, as the records would give (sm_memory_pipeline.cpp), found
// from the summary in closed form. Anything outside the forms priced here is written out as
// records and takes the general path.
#include <algorithm>
#include <bit>

#include "isa/bit_count.h"
#include "sim/sm_memory_pipeline_impl.h"

namespace gpusim::sim {

const std::vector<isa::MemAccess>& SmMemoryPipeline::Impl::records_of(const WarpMemOp& op) {
  if (!op.affine.valid()) return op.accesses;
  scratch_records.clear();
  op.affine.append_records(scratch_records);
  return scratch_records;
}

// shared_wavefronts() joins a lane's contiguous elements inside one aligned 16-B block into one
// access and gives each further block its own round: a lane block of T <= 16 bytes (aligned to
// T) is one round of T-byte accesses, a 32-B block two rounds of 16 bytes.
SmMemoryPipeline::Impl::SharedPasses SmMemoryPipeline::Impl::shared_wavefronts_affine(const isa::AffineAccess& a) {
  const uint32_t block = a.lane_bytes();
  if (a.space != isa::StateSpace::Shared || !isa::single_bit(block) || block > 32 || a.base % block != 0 ||
      uint64_t(a.stride) % block != 0 || uint64_t(a.row_stride) % block != 0)
  {
    scratch_records.clear();
    a.append_records(scratch_records);
    return shared_wavefronts(scratch_records, false);
  }
  const uint32_t round_bytes = std::min<uint32_t>(block, 16);
  // The conflict-free minimum: one pass per phase (128 B of lanes) holding an active lane, per
  // round; it depends on the lanes and the access width only.
  const uint32_t lanes_per_phase =
      std::clamp<uint32_t>(uint32_t(config.shared_banks) * uint32_t(config.shared_bank_width_bytes) / round_bytes, 1, 32);
  int phases = 0;
  for (uint32_t first = 0; first < 32; first += lanes_per_phase) {
    const uint32_t phase_mask = lanes_per_phase == 32 ? ~0u : ((1u << lanes_per_phase) - 1) << first;
    if (a.lanes & phase_mask) ++phases;
  }
  const int rounds = int(block / round_bytes);
  SharedPasses passes;
  if (const int known = wavefront_memo.find(a); known >= 0) {
    passes.wavefronts = known;
  } else {
    int total = 0;
    for (uint32_t offset = 0; offset < block; offset += round_bytes)
      total += banks.cost_affine(a, offset, round_bytes).wavefronts;
    passes.wavefronts = std::max(total, 1);
    wavefront_memo.store(a, passes.wavefronts);
  }
  passes.ideal = std::clamp(phases * rounds, 1, passes.wavefronts);
  return passes;
}

// build_lg_op() coalesces the records 32 at a time and merges the lines in order of first touch;
// when every lane's block lies in one sector, the lanes' lines in order of first touch are that
// list (Coalescer::coalesce_affine).
bool SmMemoryPipeline::Impl::affine_lg_items(const isa::AffineAccess& a, std::vector<WorkItem>& items) {
  const uint32_t block = a.lane_bytes();
  if (a.space != isa::StateSpace::Global || !isa::single_bit(block) || block > uint32_t(config.l1_sector_bytes) ||
      a.base % block != 0 || uint64_t(a.stride) % block != 0 || uint64_t(a.row_stride) % block != 0)
    return false;
  coalescer.coalesce_affine(a, scratch_lines);
  const WorkItem::Kind kind = a.write ? WorkItem::Kind::Store : WorkItem::Kind::Load;
  for (const LineRequest& r : scratch_lines) {
    items.push_back({kind, r.line_address, r.sector_mask, 0});
    (a.write ? stats.global_store_sectors : stats.global_load_sectors) += uint64_t(std::popcount(r.sector_mask));
  }
  (a.write ? stats.global_store_requests : stats.global_load_requests) += 1;
  return true;
}

}  // namespace gpusim::sim
