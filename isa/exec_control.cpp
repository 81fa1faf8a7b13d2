// Control flow and synchronisation: bra, call, ret, exit, trap, bar/barrier, bar.warp.sync,
// membar/fence, nanosleep. These handlers move the warp's PC themselves (see step.cpp).
#include "isa/exec_context.h"
#include "isa/exec_device_call.h"
#include "isa/launch_state.h"

namespace gpusim::isa {

void exec_Bra(ExecContext& ctx, const Instruction& in) {
  const Operand& target = in.ops[0];
  if (target.kind != OperandKind::Label) ctx.fail_warp("indirect branches are not supported");
  ctx.warp().branch(ctx.mask, target.reg, in.reconverge_pc);
}

void exec_Call(ExecContext& ctx, const Instruction& in) {
  // Device-side runtime functions (printf, malloc, free, assert) run per lane, guard included.
  if (in.ops[1].kind == OperandKind::Function) {
    const Function& callee = ctx.warp().module().functions[in.ops[1].reg];
    if (!callee.has_body) return exec_extern_call(ctx, in, callee);
  }
  if (ctx.mask != ctx.warp().top().mask)
    ctx.fail_warp("predicated call with a divergent guard is not supported; branch around the call instead");
  const Operand& fn = in.ops[1];
  if (fn.kind != OperandKind::Function) ctx.fail_warp("indirect calls are not supported");
  if (ctx.warp().depth() >= 1024) ctx.fail_warp("call depth exceeds 1024 frames (unbounded recursion?)");
  try {
    ctx.warp().call(ctx.warp().module().functions[fn.reg], in);
  } catch (const std::runtime_error& e) {
    ctx.fail_warp(e.what());
  }
}

void exec_Ret(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  w.ret(ctx.mask);
  if (w.top().mask) w.advance();  // lanes whose guard was false continue
}

void exec_Exit(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  w.exit(ctx.mask);
  if (w.top().mask) w.advance();
}

void exec_Trap(ExecContext& ctx, const Instruction& in) {
  if (ctx.mask) ctx.fail(static_cast<unsigned>(__builtin_ctz(ctx.mask)), "trap executed", FaultKind::Trap);
  ctx.warp().advance();
}

// bar{.cta}.sync / .arrive / .red and barrier{.cta}.*: ops[0] barrier id, ops[1] optional thread
// count; bar.red: ops[0] dst, ops[1] id, (ops[2] count), last op the predicate.
static void barrier(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  const bool red = in.mod.sub == SubOp::BarRed;
  const unsigned first = red ? 1 : 0;
  const unsigned nsrc = in.nops - first - (red ? 1 : 0);
  if (ctx.mask == 0) return;  // guard false for the whole warp: no arrival
  if (ctx.mask != w.live())
    ctx.fail_warp("barrier reached by a divergent warp: active lanes 0x" + [&] {
      char b[16]; std::snprintf(b, sizeof b, "%08x", ctx.mask); return std::string(b); }() +
                  " but the warp's non-exited lanes are 0x" + [&] {
      char b[16]; std::snprintf(b, sizeof b, "%08x", w.live()); return std::string(b); }() +
                  "; every non-exited thread must reach the same barrier", FaultKind::Barrier);
  const unsigned lane0 = static_cast<unsigned>(__builtin_ctz(ctx.mask));
  const uint64_t id = ctx.get(in.ops[first], lane0);
  if (id >= 16) ctx.fail_warp("barrier id " + std::to_string(id) + " is out of range 0..15", FaultKind::Barrier);
  uint32_t count = 0;
  if (nsrc >= 2) {
    count = static_cast<uint32_t>(ctx.get(in.ops[first + 1], lane0));
    if (count == 0 || count % 32) ctx.fail_warp("barrier thread count " + std::to_string(count) + " is not a positive multiple of 32", FaultKind::Barrier);
  }
  NamedBarrier& b = ctx.cta().barriers[id];
  if (b.arrived_threads && b.expected_threads != count)
    ctx.fail_warp("barrier " + std::to_string(id) + " used with different thread counts (" +
                  std::to_string(b.expected_threads) + " and " + std::to_string(count) + ")", FaultKind::Barrier);
  b.expected_threads = count;
  // A counted barrier counts whole warps (the ISA requires multiples of the warp size).
  b.arrived_threads += count ? 32 : __builtin_popcount(w.live());
  w.advance();
  if (in.mod.sub == SubOp::BarArrive) return;
  if (red) {
    const Operand& p = in.ops[in.nops - 1];
    if (b.red == AtomOp::None) b.red_value = in.mod.atom == AtomOp::And ? 1 : 0;
    b.red = in.mod.atom;
    for_each_lane(ctx.mask, [&](unsigned l) {
      const uint64_t v = ctx.get(p, l) & 1;
      if (in.mod.atom == AtomOp::Popc) b.red_value += v;
      else if (in.mod.atom == AtomOp::And) b.red_value &= v;
      else b.red_value |= v;
    });
  }
  b.waiting.push_back(&w);
  b.red_dst.push_back(red ? in.ops[0].reg : kNoReg);
  w.at_barrier = true;
  w.barrier_id = static_cast<uint32_t>(id);
}

void exec_Bar(ExecContext& ctx, const Instruction& in) { barrier(ctx, in); }
void exec_Barrier(ExecContext& ctx, const Instruction& in) { barrier(ctx, in); }

// bar.warp.sync membermask: all named lanes must be active together (they are, in a SIMT stack
// model, unless the mask names lanes on another path).
void exec_BarWarpSync(ExecContext& ctx, const Instruction& in) {
  if (ctx.mask) {
    const uint32_t members = static_cast<uint32_t>(ctx.get(in.ops[0], static_cast<unsigned>(__builtin_ctz(ctx.mask))));
    const uint32_t missing = members & ctx.warp().live() & ~ctx.mask;
    if (missing)
      ctx.fail_warp("bar.warp.sync names lanes that are on a divergent path (missing 0x" + [&] {
        char b[16]; std::snprintf(b, sizeof b, "%08x", missing); return std::string(b); }() + ")", FaultKind::Barrier);
  }
  ctx.warp().advance();
}

// Functional execution is sequentially consistent, so fences order nothing further; the timing
// model charges their cost.
void exec_Membar(ExecContext& ctx, const Instruction& in) { ctx.warp().advance(); }
void exec_Fence(ExecContext& ctx, const Instruction& in) { ctx.warp().advance(); }
void exec_Nanosleep(ExecContext& ctx, const Instruction& in) { ctx.warp().advance(); }

}  // namespace gpusim::isa
