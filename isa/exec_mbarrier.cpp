// mbarrier: an arrival-counting barrier object that lives in shared memory (8 bytes).
// The 64-bit word is encoded here as: bit 63 = current phase parity, bits 32..51 = expected
// arrivals, bits 0..19 = pending arrivals. PTX treats the object and the returned `state` as
// opaque, so any encoding that keeps the phase semantics is faithful.
#include "isa/exec_context.h"
#include "isa/launch_state.h"

namespace gpusim::isa {

namespace {
constexpr uint64_t kCountMask = (1ull << 20) - 1;
uint64_t phase_of(uint64_t w) { return w >> 63; }
uint64_t expected_of(uint64_t w) { return (w >> 32) & kCountMask; }
uint64_t pending_of(uint64_t w) { return w & kCountMask; }
uint64_t pack(uint64_t phase, uint64_t expected, uint64_t pending) {
  return phase << 63 | (expected & kCountMask) << 32 | (pending & kCountMask);
}
}  // namespace

void exec_Mbarrier(ExecContext& ctx, const Instruction& in) {
  const StateSpace space = in.mod.space == StateSpace::None ? StateSpace::Generic : in.mod.space;
  const SubOp op = in.mod.sub;
  // Operand positions: init/inval: [a]{, count}; arrive*: state, [a]{, count};
  // test_wait/try_wait: p, [a], state-or-parity; pending_count: count, state.
  const bool has_dst = op == SubOp::MbarArrive || op == SubOp::MbarArriveDrop || op == SubOp::MbarTestWait ||
                       op == SubOp::MbarTryWait;
  const unsigned a = has_dst ? 1 : 0;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    if (op == SubOp::MbarPendingCount) {
      ctx.set(in.ops[0], lane, pending_of(ctx.get(in.ops[1], lane)));
      return;
    }
    const uint64_t addr = ctx.address(in.ops[a], lane);
    uint64_t w = 0;
    switch (op) {
      case SubOp::MbarInit: {
        const uint64_t count = ctx.get(in.ops[1], lane);
        if (count == 0 || count > kCountMask) ctx.fail(lane, "mbarrier.init count " + std::to_string(count) + " out of range");
        w = pack(0, count, count);
        ctx.store(space, addr, &w, 8, lane);
        return;
      }
      case SubOp::MbarInval:
        ctx.store(space, addr, &w, 8, lane);
        return;
      case SubOp::MbarArrive:
      case SubOp::MbarArriveDrop: {
        ctx.load(space, addr, &w, 8, lane);
        const uint64_t n = in.nops > a + 1 ? ctx.get(in.ops[a + 1], lane) : 1;
        uint64_t expected = expected_of(w), pending = pending_of(w), phase = phase_of(w);
        if (expected == 0) ctx.fail(lane, "mbarrier.arrive on an uninitialised mbarrier");
        if (n > pending) ctx.fail(lane, "mbarrier.arrive count exceeds the pending arrivals of the current phase");
        const uint64_t state = pack(phase, 0, 0);
        if (op == SubOp::MbarArriveDrop) expected -= n;
        pending -= n;
        if (pending == 0) {
          phase ^= 1;
          pending = expected;
        }
        w = pack(phase, expected, pending);
        ctx.store(space, addr, &w, 8, lane);
        ctx.set(in.ops[0], lane, state);
        return;
      }
      case SubOp::MbarTestWait:
      case SubOp::MbarTryWait: {
        ctx.load(space, addr, &w, 8, lane);
        const uint64_t arg = ctx.get(in.ops[a + 1], lane);
        // .parity names the phase by parity; otherwise `arg` is a state from mbarrier.arrive.
        const uint64_t waited_phase = in.mod.parity ? (arg & 1) : phase_of(arg);
        ctx.set(in.ops[0], lane, phase_of(w) != waited_phase);
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
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t addr = ctx.address(in.ops[0], lane);
    uint64_t w = 0;
    ctx.load(space, addr, &w, 8, lane);
    uint64_t expected = expected_of(w), pending = pending_of(w), phase = phase_of(w);
    if (expected == 0) ctx.fail(lane, "cp.async.mbarrier.arrive on an uninitialised mbarrier");
    if (!in.mod.noinc) return;
    if (pending == 0) ctx.fail(lane, "cp.async.mbarrier.arrive.noinc exceeds the pending arrivals of the current phase");
    if (--pending == 0) {
      phase ^= 1;
      pending = expected;
    }
    w = pack(phase, expected, pending);
    ctx.store(space, addr, &w, 8, lane);
  });
}

}  // namespace gpusim::isa
