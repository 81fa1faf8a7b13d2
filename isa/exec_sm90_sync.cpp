// Small sm_90 instructions: elect.sync, fence.proxy, setmaxnreg, griddepcontrol.
#include <string>

#include "isa/exec_context.h"

namespace gpusim::isa {

// elect.sync d|p, membermask: the lowest-numbered executing lane of `membermask` is the
// leader; every thread gets the leader's lane id in d, and p is true in the leader only.
void exec_ElectSync(ExecContext& ctx, const Instruction& in) {
  const Operand& dst = in.ops[0];
  uint32_t members = 0;
  for_each_lane(ctx.mask, [&](unsigned lane) { members = uint32_t(ctx.get(in.ops[1], lane)); });
  for_each_lane(ctx.mask, [&](unsigned lane) {
    if (uint32_t(ctx.get(in.ops[1], lane)) != members)
      ctx.fail(lane, "elect.sync: the threads give different member masks");
    if (!(members >> lane & 1)) ctx.fail(lane, "elect.sync: an executing thread is not in the member mask");
  });
  const uint32_t electing = ctx.mask & members;
  if (!electing) return;
  const unsigned leader = unsigned(__builtin_ctz(electing));
  for_each_lane(ctx.mask, [&](unsigned lane) {
    if (dst.kind == OperandKind::Reg) ctx.set(dst.reg, lane, leader);
    if (dst.reg2 != kNoReg) ctx.set(dst.reg2, lane, lane == leader);
  });
}

// fence.proxy orders the generic proxy against the async (or other) proxy. The functional model
// performs async-proxy accesses (bulk copies, wgmma operand reads) when they issue, in program
// order, so there is nothing left to order.
void exec_FenceProxy(ExecContext&, const Instruction&) {}

// setmaxnreg.{inc,dec}.sync.aligned.u32 n: a warpgroup's register budget, for warp
// specialisation. The simulator gives every thread the registers its PTX declares, so only the
// operand is checked (24..256, a multiple of 8, as ptxas requires).
void exec_Setmaxnreg(ExecContext& ctx, const Instruction& in) {
  if (ctx.mask == 0) return;
  const uint64_t n = ctx.get(in.ops[0], unsigned(__builtin_ctz(ctx.mask)));
  if (n < 24 || n > 256 || n % 8) ctx.fail_warp("setmaxnreg count " + std::to_string(n) + " is not a multiple of 8 in 24..256");
}

// griddepcontrol.launch_dependents / .wait (programmatic dependent launch): launches run one
// after another to completion, so the prerequisite grid has always finished.
void exec_Griddepcontrol(ExecContext&, const Instruction&) {}

}  // namespace gpusim::isa
