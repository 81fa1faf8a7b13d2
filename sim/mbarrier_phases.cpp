#include "sim/mbarrier_phases.h"

#include <algorithm>
#include <cstring>

#include "isa/mbarrier_word.h"

namespace gpusim::sim {

unsigned waited_phase_parity(const isa::Instruction& in, const isa::Warp& warp, unsigned lane) {
  if (in.nops < 3 || warp.done()) return 0;
  const isa::Operand& o = in.ops[2];
  uint64_t v = 0;
  if (o.kind == isa::OperandKind::Imm) v = o.imm;
  else if (o.kind == isa::OperandKind::Reg) v = warp.frame().reg(o.reg, lane);
  return in.mod.parity ? unsigned(v & 1) : unsigned(isa::MbarrierWord::phase_of_state(v));
}

unsigned copy_phase_parity(const isa::CtaState& cta, uint64_t mbar) {
  if (mbar + 8 > cta.shared.size()) return 0;
  uint64_t word = 0;
  std::memcpy(&word, cta.shared.data() + mbar, 8);
  const isa::MbarrierWord m = isa::MbarrierWord::unpack(word);
  const bool completed = m.tx == 0 && m.pending == m.expected;
  return unsigned(m.phase ^ (completed ? 1 : 0));
}

std::vector<BulkCopyBarrier> bulk_copy_barriers(const std::vector<isa::MemAccess>& accesses, uint32_t own_rank) {
  constexpr uint64_t kOffsetMask = (uint64_t(1) << isa::kClusterRankShift) - 1;
  std::vector<BulkCopyBarrier> out;
  for (auto a = accesses.rbegin(); a != accesses.rend(); ++a) {
    if (a->space != isa::StateSpace::Shared || !a->write) continue;
    const uint64_t tag = a->addr >> isa::kClusterRankShift;  // 0: own window, else rank + 1
    const uint32_t rank = tag == 0 ? own_rank : uint32_t(tag - 1);
    if (std::any_of(out.begin(), out.end(), [&](const BulkCopyBarrier& b) { return b.rank == rank; })) continue;
    out.push_back({rank, a->addr & kOffsetMask});
  }
  std::sort(out.begin(), out.end(), [](const BulkCopyBarrier& x, const BulkCopyBarrier& y) { return x.rank < y.rank; });
  return out;
}

}  // namespace gpusim::sim
