// mbarrier: an arrival-counting barrier object in shared memory with an sm_90 transaction
// count (isa/mbarrier_word.h has the encoding and the phase rule).
#include <string>

#include "isa/exec_context.h"
#include "isa/launch_state.h"
#include "isa/mbarrier_word.h"
#include "isa/shared_race_check.h"

namespace gpusim::isa {

namespace {

// Completes the phase once its arrivals and transactions are all in; a phase whose last
// arrival finds more bytes completed than expected can never balance again.
void settle_phase(ExecContext& ctx, MbarrierWord& m, unsigned lane, const std::string& what) {
  if (m.pending != 0) return;
  if (m.tx < 0)
    ctx.fail(lane, what + ": mis-sized transaction: the mbarrier's current phase has all its arrivals but " +
                       std::to_string(-m.tx) + " bytes more were completed (complete_tx) than were expected (expect_tx)",
             FaultKind::Other);
  if (m.tx > 0) return;
  m.phase ^= 1;
  m.pending = m.expected;
}

MbarrierWord load_initialised(ExecContext& ctx, StateSpace space, uint64_t addr, unsigned lane, const std::string& what) {
  uint64_t w = 0;
  ctx.load(space, addr, &w, 8, lane);
  MbarrierWord m = MbarrierWord::unpack(w);
  if (m.expected == 0) ctx.fail(lane, what + " on an uninitialised mbarrier");
  return m;
}

void store_word(ExecContext& ctx, StateSpace space, uint64_t addr, const MbarrierWord& m, unsigned lane) {
  const uint64_t w = m.pack();
  ctx.store(space, addr, &w, 8, lane);
}

void add_tx(ExecContext& ctx, MbarrierWord& m, int64_t delta, unsigned lane, const std::string& what) {
  m.tx += delta;
  if (m.tx > MbarrierWord::kTxLimit || m.tx < -MbarrierWord::kTxLimit)
    ctx.fail(lane, what + ": the mbarrier's transaction count " + std::to_string(m.tx) +
                       " is outside the range PTX allows (+-(2^20-1))");
}

}  // namespace

void mbarrier_add_transactions(ExecContext& ctx, StateSpace space, uint64_t addr, int64_t delta, unsigned lane,
                               const std::string& what) {
  MbarrierWord m = load_initialised(ctx, space, addr, lane, what);
  add_tx(ctx, m, delta, lane, what);
  settle_phase(ctx, m, lane, what);
  store_word(ctx, space, addr, m, lane);
}

void exec_Mbarrier(ExecContext& ctx, const Instruction& in) {
  const StateSpace space = in.mod.space == StateSpace::None ? StateSpace::Generic : in.mod.space;
  const SubOp op = in.mod.sub;
  // Operand positions: init/inval: [a]{, count}; arrive*: state, [a]{, count};
  // arrive.expect_tx: state, [a], tx; expect_tx/complete_tx: [a], tx;
  // test_wait/try_wait: p, [a], state-or-parity{, hint}; pending_count: count, state.
  const bool has_dst = op == SubOp::MbarArrive || op == SubOp::MbarArriveDrop || op == SubOp::MbarTestWait ||
                       op == SubOp::MbarTryWait || op == SubOp::MbarArriveExpectTx;
  const unsigned a = has_dst ? 1 : 0;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    if (op == SubOp::MbarPendingCount) {
      ctx.set(in.ops[0], lane, MbarrierWord::unpack(ctx.get(in.ops[1], lane)).pending);
      return;
    }
    const uint64_t addr = ctx.address(in.ops[a], lane);
    switch (op) {
      case SubOp::MbarInit: {
        const uint64_t count = ctx.get(in.ops[1], lane);
        if (count == 0 || count > MbarrierWord::kCountMask)
          ctx.fail(lane, "mbarrier.init count " + std::to_string(count) + " out of range");
        MbarrierWord m;
        m.expected = m.pending = count;
        store_word(ctx, space, addr, m, lane);
        return;
      }
      case SubOp::MbarInval:
        store_word(ctx, space, addr, MbarrierWord{}, lane);
        return;
      case SubOp::MbarExpectTx:
      case SubOp::MbarCompleteTx: {
        const int64_t bytes = int64_t(uint32_t(ctx.get(in.ops[1], lane)));
        mbarrier_add_transactions(ctx, space, addr, op == SubOp::MbarExpectTx ? bytes : -bytes, lane,
                                  op == SubOp::MbarExpectTx ? "mbarrier.expect_tx" : "mbarrier.complete_tx");
        return;
      }
      case SubOp::MbarArrive:
      case SubOp::MbarArriveDrop:
      case SubOp::MbarArriveExpectTx: {
        const std::string what = op == SubOp::MbarArriveExpectTx ? "mbarrier.arrive.expect_tx" : "mbarrier.arrive";
        MbarrierWord m = load_initialised(ctx, space, addr, lane, what);
        const uint64_t state = m.state();
        uint64_t n = 1;
        if (op == SubOp::MbarArriveExpectTx) add_tx(ctx, m, int64_t(uint32_t(ctx.get(in.ops[2], lane))), lane, what);
        else if (in.nops > a + 1) n = ctx.get(in.ops[a + 1], lane);
        if (n > m.pending) ctx.fail(lane, what + " count exceeds the pending arrivals of the current phase");
        if (op == SubOp::MbarArriveDrop) m.expected -= n;
        m.pending -= n;
        // .noComplete promises the arrival does not end the phase; PTX leaves breaking that
        // promise undefined, so it is a fault here rather than a silent phase change.
        if (in.mod.no_complete && m.pending == 0 && m.tx == 0)
          ctx.fail(lane, what + ".noComplete would complete the mbarrier's current phase (undefined in PTX)");
        settle_phase(ctx, m, lane, what);
        store_word(ctx, space, addr, m, lane);
        ctx.set(in.ops[0], lane, state);
        if (SharedRaceShadow* race = ctx.cta().race_shadow.get()) race->on_mbarrier_arrive(space, addr, ctx.warp());
        return;
      }
      case SubOp::MbarTestWait:
      case SubOp::MbarTryWait: {
        uint64_t w = 0;
        ctx.load(space, addr, &w, 8, lane);
        const uint64_t arg = ctx.get(in.ops[a + 1], lane);
        // .parity names the phase by parity; otherwise `arg` is a state from mbarrier.arrive.
        const uint64_t waited_phase = in.mod.parity ? (arg & 1) : MbarrierWord::phase_of_state(arg);
        const bool complete = MbarrierWord::unpack(w).phase != waited_phase;
        ctx.set(in.ops[0], lane, complete);
        if (SharedRaceShadow* race = ctx.cta().race_shadow.get(); race && complete)
          race->on_mbarrier_wait(space, addr, ctx.warp());
        return;
      }
      default: ctx.fail(lane, "unsupported mbarrier operation", FaultKind::Unsupported);
    }
  });
}

// cp.async.mbarrier.arrive{.noinc}.shared.b64 [a]: an arrive-on the mbarrier once the thread's
// earlier cp.async copies complete. Functional execution completes copies eagerly, so the
// arrival happens now. Without .noinc the pending count is first raised by one, so the net
// effect is none (PTX ISA); with .noinc the arrival counts against the count given at init.
void exec_CpAsyncMbarrierArrive(ExecContext& ctx, const Instruction& in) {
  const StateSpace space = in.mod.space == StateSpace::None ? StateSpace::Generic : in.mod.space;
  // The copies are the barrier's now: their completion is its phase's (isa/async_copy_tracker.h).
  ctx.cta().async_copies.completed_all(ctx.warp().id(), ctx.mask);
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t addr = ctx.address(in.ops[0], lane);
    const std::string what = "cp.async.mbarrier.arrive";
    MbarrierWord m = load_initialised(ctx, space, addr, lane, what);
    // The copies' bytes (written at their issue) are ordered before whoever waits on the phase.
    if (SharedRaceShadow* race = ctx.cta().race_shadow.get()) race->on_mbarrier_arrive(space, addr, ctx.warp());
    if (!in.mod.noinc) return;
    if (m.pending == 0) ctx.fail(lane, what + ".noinc exceeds the pending arrivals of the current phase");
    m.pending -= 1;
    settle_phase(ctx, m, lane, what);
    store_word(ctx, space, addr, m, lane);
  });
}

}  // namespace gpusim::isa
