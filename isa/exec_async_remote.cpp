// sm_90 asynchronous stores and reductions into shared memory of a CTA of the cluster:
//   st.async{.weak}{.shared::cluster}.mbarrier::complete_tx::bytes{.v2,.v4}.type [a], b, [mbar]
//   red.async.relaxed.cluster{.shared::cluster}.mbarrier::complete_tx::bytes.op.type [a], b, [mbar]
// Each lane writes (or reduces into) its bytes at `a` and then completes that many bytes of
// transactions on the mbarrier at `mbar`, which must be in the same CTA as `a` (the receiver
// waits on its own barrier; the sender cannot wait for the store). The functional model does
// both when the instruction executes; the timing model holds the receiver's wait until the store
// has crossed (sim/subcore.cpp submits these ops like bulk copies of no global bytes).
#include <string>

#include "isa/cluster_address.h"
#include "isa/exec_context.h"
#include "isa/exec_memory_support.h"
#include "isa/hex_text.h"
#include "isa/launch_state.h"
#include "isa/mbarrier_word.h"

namespace gpusim::isa {

namespace {

// Lane `lane`'s operand `op` as a shared::cluster address (a generic address must point into the
// shared window), faulting for anything else.
uint64_t shared_cluster_address(ExecContext& ctx, const Instruction& in, const Operand& op, unsigned lane,
                                const char* what) {
  uint64_t a = ctx.address(op, lane);
  if (in.mod.space == StateSpace::Shared) return a;
  if (a < kSharedWindowBase || a >= kSharedWindowBase + kWindowSize)
    ctx.fail(lane, std::string(opcode_name(in.op)) + ": the " + what + " address " + hex_text(a) +
                       " is not shared memory (of this CTA or another of its cluster)",
             FaultKind::IllegalAddress);
  return a - kSharedWindowBase;
}

struct Target {
  uint64_t data = 0, mbar = 0;  // shared::cluster addresses
};

Target target_of(ExecContext& ctx, const Instruction& in, unsigned lane) {
  Target t{shared_cluster_address(ctx, in, in.ops[0], lane, "destination"),
           shared_cluster_address(ctx, in, in.ops[2], lane, "mbarrier")};
  const uint64_t data_rank = owning_cluster_rank(t.data, ctx.cta().cluster_rank),
                 mbar_rank = owning_cluster_rank(t.mbar, ctx.cta().cluster_rank);
  if (data_rank != mbar_rank)
    ctx.fail(lane, std::string(opcode_name(in.op)) + ": the destination is in CTA rank " + std::to_string(data_rank) +
                       " of the cluster but the mbarrier in rank " + std::to_string(mbar_rank) +
                       "; both must be in the same CTA",
             FaultKind::IllegalAddress);
  return t;
}

void complete(ExecContext& ctx, const Instruction& in, uint64_t mbar, unsigned bytes, unsigned lane) {
  mbarrier_add_transactions(ctx, StateSpace::Shared, mbar, -int64_t(bytes), lane,
                            std::string(opcode_name(in.op)) + " (complete_tx of " + std::to_string(bytes) + " bytes)");
}

}  // namespace

void exec_StAsync(ExecContext& ctx, const Instruction& in) {
  const unsigned size = type_bits(in.mod.types[0]) / 8;
  const Operand& src = in.ops[1];
  const unsigned n = src.kind == OperandKind::Vector ? src.count : 1;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const Target t = target_of(ctx, in, lane);
    check_alignment(ctx, t.data, size * n, n, lane);
    for (unsigned i = 0; i < n; ++i) {
      const uint64_t v = ctx.get(n == 1 ? src : ctx.elem(src, i), lane);
      ctx.store(StateSpace::Shared, t.data + i * size, &v, size, lane);
    }
    complete(ctx, in, t.mbar, size * n, lane);
  });
}

void exec_RedAsync(ExecContext& ctx, const Instruction& in) {
  const unsigned size = type_bits(in.mod.types[0]) / 8;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const Target t = target_of(ctx, in, lane);
    check_alignment(ctx, t.data, size, 1, lane);
    const uint64_t b = ctx.get(in.ops[1], lane);
    ctx.atomic(StateSpace::Shared, t.data, size, lane, [&](uint64_t old) { return atomic_result(ctx, in, old, b, 0, true); });
    complete(ctx, in, t.mbar, size, lane);
  });
}

}  // namespace gpusim::isa
