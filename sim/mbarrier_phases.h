// Which mbarrier phase a bulk copy's complete_tx counted into, and which phase an
// mbarrier.try_wait/test_wait waits on, read from the functional state right after the
// instruction executed (the timing model's per-phase TMA readiness, sim/tma_unit.h TmaBarriers).
#pragma once

#include <cstdint>
#include <vector>

#include "isa/exec_context.h"
#include "isa/ir.h"
#include "isa/launch_state.h"
#include "isa/warp.h"

namespace gpusim::sim {

// The phase parity mbarrier.try_wait/test_wait `in` waits on in lane `lane`: its third operand,
// a parity (.parity) or a state returned by mbarrier.arrive (the phase in bit 63, mbarrier_word.h).
unsigned waited_phase_parity(const isa::Instruction& in, const isa::Warp& warp, unsigned lane);

// The parity of the phase a bulk copy's complete_tx counted into, from the barrier word at shared
// offset `mbar` of `cta` after the copy executed. When the copy completed the phase, the word
// shows the next phase, fresh (all arrivals pending, no transactions): the copy's phase is the
// one before. Otherwise it is the phase shown. (A phase whose expect_tx came without an arrival
// and whose bytes are all in looks fresh too; it is taken as completed, see docs/PERFORMANCE.md.)
unsigned copy_phase_parity(const isa::CtaState& cta, uint64_t mbar);

// The mbarriers a bulk copy completed transactions on, one per destination CTA: the last shared
// write per cluster rank in its trace (the data is written first, then the barrier word;
// exec_bulk_copy.cpp). Ranks in increasing order; `own_rank` for addresses of the CTA's own window.
struct BulkCopyBarrier {
  uint32_t rank = 0;
  uint64_t offset = 0;  // in that CTA's shared memory
};
std::vector<BulkCopyBarrier> bulk_copy_barriers(const std::vector<isa::MemAccess>& accesses, uint32_t own_rank);

}  // namespace gpusim::sim
