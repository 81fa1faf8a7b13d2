// Small sm_90 instructions: elect.sync, fence.proxy, setmaxnreg, griddepcontrol.
#include <cstdio>
#include <string>

#include "isa/exec_context.h"

namespace gpusim::isa {

namespace {
std::string hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "%08x", v);
  return b;
}
}  // namespace

// elect.sync d|p, membermask: the lowest-numbered executing lane of `membermask` is the
// leader; every thread gets the leader's lane id in d, and p is true in the leader only.
void exec_ElectSync(ExecContext& ctx, const Instruction& in) {
  const Operand& dst = in.ops[0];
  // Each lane names its own group: the tiles of one warp elect separately in the same
  // instruction (cg::invoke_one on a tiled_partition<8>), as with the other .sync collectives.
  // Lanes that name each other must give the same mask.
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint32_t members = uint32_t(ctx.get(in.ops[1], lane));
    if (!(members >> lane & 1)) ctx.fail(lane, "elect.sync: an executing thread is not in the member mask");
    for_each_lane(members & ctx.mask, [&](unsigned other) {
      if (uint32_t(ctx.get(in.ops[1], other)) != members)
        ctx.fail(lane, "elect.sync: the threads give different member masks (lane " + std::to_string(lane) + ": 0x" +
                           hex(members) + ", lane " + std::to_string(other) + " in it: 0x" +
                           hex(uint32_t(ctx.get(in.ops[1], other))) + ")");
    });
  });
  // Read every mask before writing: the destination may be the mask's register.
  uint32_t leader_of[32] = {};
  for_each_lane(ctx.mask, [&](unsigned lane) {
    leader_of[lane] = unsigned(__builtin_ctz(uint32_t(ctx.get(in.ops[1], lane)) & ctx.mask));
  });
  for_each_lane(ctx.mask, [&](unsigned lane) {
    if (dst.kind == OperandKind::Reg) ctx.set(dst.reg, lane, leader_of[lane]);
    if (dst.reg2 != kNoReg) ctx.set(dst.reg2, lane, lane == leader_of[lane]);
  });
}

// fence.proxy orders the generic proxy against the async (or other) proxy. The functional model
// performs async-proxy accesses (bulk copies, wgmma operand reads) when they issue, in program
// order, so there is nothing left to order.
void exec_FenceProxy(ExecContext&, const Instruction&) {}
void exec_MembarProxy(ExecContext&, const Instruction&) {}

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
