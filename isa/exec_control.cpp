// Control flow and synchronisation: bra, call, ret, exit, trap, bar/barrier, bar.warp.sync,
// membar/fence, nanosleep. These handlers move the warp's PC themselves (see step.cpp).
#include <map>

#include "isa/exec_context.h"
#include "isa/exec_device_call.h"
#include "isa/hex_text.h"
#include "isa/kernel_names.h"
#include "isa/launch_state.h"
#include "isa/shared_race_check.h"
#include "isa/spin_yield.h"
#include "isa/warpgroup_check.h"

namespace gpusim::isa {

// Whether the instruction at `pc` of the warp's current function ends the thread: an unguarded
// exit, or an unguarded ret of the kernel itself (not of a called function).
static bool ends_thread(const Warp& w, uint32_t pc) {
  const std::vector<Instruction>& code = w.frame().fn->code;
  if (pc >= code.size()) return w.depth() == 1;  // falling off the kernel's end returns
  const Instruction& t = code[pc];
  return t.guard == kNoReg && (t.op == Opcode::Exit || (t.op == Opcode::Ret && w.depth() == 1));
}

void exec_Bra(ExecContext& ctx, const Instruction& in) {
  const Operand& target = in.ops[0];
  if (target.kind != OperandKind::Label) ctx.fail_warp("indirect branches are not supported");
  Warp& w = ctx.warp();
  // A branch straight to the kernel's end: the lanes that take it have nothing left to do, so
  // they exit here, as the EXIT ptxas makes of such a branch does on a GPU. Left waiting at the
  // return (the branch's reconvergence point) they would keep a __syncthreads() that the other
  // lanes reach first from completing: `if (i >= n) return;` before a barrier, with n not a
  // multiple of 32, would fault as a divergent barrier.
  if (ctx.mask && ends_thread(w, target.reg)) {
    w.exit(ctx.mask);
    if (w.top().mask) w.advance();  // lanes whose guard was false continue
    return;
  }
  w.branch(ctx.mask, target.reg, in.reconverge_pc);
}

// The function an indirect call's lanes jump to. When the lanes hold different addresses
// (virtual calls on objects of different types), the warp splits: the call stays the current
// entry's reconvergence point and each group of lanes with one target runs the call alone,
// like the paths of a divergent branch. Returns -1 after such a split.
static int64_t indirect_target(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  const Module& m = w.module();
  const unsigned lane0 = static_cast<unsigned>(__builtin_ctz(ctx.mask));
  const uint64_t addr0 = ctx.get(in.ops[1], lane0);
  uint32_t same = 0;
  for_each_lane(ctx.mask, [&](unsigned l) { same |= uint32_t(ctx.get(in.ops[1], l) == addr0) << l; });
  const int64_t fn = function_at_address(addr0, m.functions.size());
  if (fn < 0) {
    ctx.fail(lane0, "indirect call through " + hex_text(addr0) + ", which is not the address of a function");
  }
  if (same != ctx.mask) {
    const uint32_t pc = w.top().pc;
    std::vector<uint32_t> groups;
    for (uint32_t rest = ctx.mask; rest;) {
      const uint64_t a = ctx.get(in.ops[1], static_cast<unsigned>(__builtin_ctz(rest)));
      uint32_t g = 0;
      for_each_lane(rest, [&](unsigned l) { g |= uint32_t(ctx.get(in.ops[1], l) == a) << l; });
      groups.push_back(g);
      rest &= ~g;
    }
    w.top().pc = pc + 1;  // all lanes continue after the call once every group has returned
    for (auto it = groups.rbegin(); it != groups.rend(); ++it) w.frame().stack.push_back(SimtEntry{pc, pc + 1, *it});
    return -1;
  }
  const Function& callee = m.functions[size_t(fn)];
  if (callee.is_entry) ctx.fail(lane0, "indirect call to the kernel '" + callee.name + "'");
  if (!callee.has_body)
    ctx.fail(lane0, "indirect call to '" + callee.name + "', which has no body in this module (device runtime "
                    "functions such as printf are supported only as direct calls)");
  const Operand& rets = in.ops[0];
  if (rets.count != callee.returns.size())
    ctx.fail(lane0, "indirect call expects " + std::to_string(rets.count) + " return value(s), '" + callee.name +
                        "' returns " + std::to_string(callee.returns.size()));
  return fn;
}

// brx.idx index, tlist: each lane jumps to tlist[index]. Lanes with different targets diverge
// like the paths of a branch, reconverging at the immediate post-dominator; lanes whose guard is
// false fall through.
void exec_Brx(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  const uint32_t active = w.top().mask, pc = w.top().pc;
  const Operand& list = in.ops[1];
  std::map<uint32_t, uint32_t> lanes_by_target;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t index = ctx.get(in.ops[0], l);
    if (index >= list.count)
      ctx.fail(l, "brx.idx index " + std::to_string(index) + " is outside the " + std::to_string(list.count) +
                      " branch targets");
    lanes_by_target[in.elems[size_t(list.first) + index].reg] |= 1u << l;
  });
  if (active & ~ctx.mask) lanes_by_target[pc + 1] |= active & ~ctx.mask;
  if (lanes_by_target.size() == 1) {
    w.top().pc = lanes_by_target.begin()->first;
    return;
  }
  w.top().pc = in.reconverge_pc;
  for (auto it = lanes_by_target.rbegin(); it != lanes_by_target.rend(); ++it)
    w.frame().stack.push_back(SimtEntry{it->first, in.reconverge_pc, it->second});
}

// Calling `callee` must leave the thread's frames within `limit` bytes (a recursive kernel or one
// calling through pointers: a GPU gives it exactly cudaLimitStackSize and faults past it).
static void check_stack_room(ExecContext& ctx, const Function& callee, uint64_t limit) {
  const Warp& w = ctx.warp();
  const uint64_t caller_end = w.local_end();
  const uint64_t frames = uint64_t(w.depth()) + 1;
  // The kernel's own frame is not counted: ptxas sizes it, and the driver gives every thread at
  // least that much whatever the limit (a kernel with a 2 KiB local array calling a leaf through a
  // pointer runs with the default 1 KiB); the limit is the room for the calls beyond it.
  const uint64_t kernel_frame = ctx.launch().kernel ? ctx.launch().kernel->local_bytes : 0;
  // Each frame: its .local data, kCallFrameOverheadBytes, and what ptxas says it saves beyond
  // that (known when the runtime asked ptxas about the module: isa/warp.h).
  const uint64_t saved = w.frame().saved_register_bytes + call_frame_saved_register_bytes(callee);
  const uint64_t whole = caller_end + callee.local_bytes + kCallFrameOverheadBytes * frames + saved;
  const uint64_t need = whole > kernel_frame ? whole - kernel_frame : 0;
  if (need <= limit) return;
  ctx.fail_warp("stack overflow: calling '" + readable_function_name(callee.name) + "' (nested call " +
                std::to_string(frames - 1) + ") needs about " +
                std::to_string(need) + " bytes of stack per thread beyond the kernel's own frame (the called frames' .local data, " +
                std::to_string(kCallFrameOverheadBytes) + " bytes a call and the registers ptxas saves in them: " +
                std::to_string(saved) + " bytes), more than the " + std::to_string(limit) +
                " of cudaLimitStackSize; the kernel recurses or calls through pointers, so the stack is not sized for "
                "it: cudaDeviceSetLimit(cudaLimitStackSize, bytes) gives it more");
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
  uint32_t index = fn.reg;
  if (fn.kind == OperandKind::Reg) {
    if (ctx.mask == 0) return ctx.warp().advance();
    const int64_t target = indirect_target(ctx, in);
    if (target < 0) return;  // split into uniform groups; each re-executes this call
    index = uint32_t(target);
  }
  if (const uint64_t limit = ctx.launch().stack_limit_bytes) check_stack_room(ctx, ctx.warp().module().functions[index], limit);
  if (ctx.warp().depth() >= ctx.launch().max_call_depth)
    ctx.fail_warp("call depth exceeds " + std::to_string(ctx.launch().max_call_depth) +
                  " frames (unbounded recursion? deeper calls need a larger stack: cudaDeviceSetLimit(cudaLimitStackSize, "
                  "bytes), 16 bytes a frame, up to 65536 frames)");
  try {
    ctx.warp().call(ctx.warp().module().functions[index], in);
  } catch (const std::runtime_error& e) {
    ctx.fail_warp(e.what());
  }
}

void exec_Ret(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  w.ret(ctx.mask);
  if (w.live() == 0) check_warpgroup_at_exit(ctx);  // its last threads returned from the kernel
  if (w.top().mask) w.advance();  // lanes whose guard was false continue
}

void exec_Exit(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  w.exit(ctx.mask);
  if (w.live() == 0) check_warpgroup_at_exit(ctx);
  if (w.top().mask) w.advance();
}

void exec_Unimplemented(ExecContext& ctx, const Instruction& in) {
  if (!ctx.mask) return;  // guarded off: nothing happens, as on a GPU
  // The report's location line shows the instruction's text.
  ctx.fail_warp("a PTX instruction gpusim does not implement (docs/CUDA_SUPPORT.md lists what it does)",
                FaultKind::Unsupported);
}

// Whether the module reads the grid-barrier workspace (%envreg1/2): cooperative groups' grid code,
// which traps when the launch was not cooperative (the workspace is then 0).
static bool reads_grid_workspace(const Module& module) {
  for (const Function& f : module.functions)
    for (const Instruction& in : f.code)
      for (unsigned i = 0; i < in.nops; ++i)
        if (in.ops[i].kind == OperandKind::Special && (in.ops[i].reg == uint32_t(SpecialReg::Envreg0) + 1 ||
                                                       in.ops[i].reg == uint32_t(SpecialReg::Envreg0) + 2))
          return true;
  return false;
}

void exec_Trap(ExecContext& ctx, const Instruction& in) {
  if (!ctx.mask) return ctx.warp().advance();
  // The usual trap of a kernel that was fine on its own: grid.sync() without a cooperative launch.
  std::string why = "trap executed";
  if (!ctx.launch().cooperative && reads_grid_workspace(ctx.warp().module()))
    why += " (the kernel uses cooperative_groups' grid synchronisation, this_grid().sync(), which traps unless the "
           "kernel is launched with cudaLaunchCooperativeKernel or the cooperative launch attribute: this launch "
           "was not cooperative)";
  ctx.fail(static_cast<unsigned>(__builtin_ctz(ctx.mask)), why, FaultKind::Trap);
  ctx.warp().advance();
}

// Why a barrier reached by only some of the warp's non-exited lanes cannot go on. An .aligned
// barrier (bar.sync, __syncthreads()) must be reached by the whole warp at once. A plain
// barrier.sync may be reached at different times, and gpusim lets the other lanes catch up when
// they wait in the same function (yield_to_waiting_lanes), but it runs a warp's lanes in one call
// frame at a time: lanes waiting in a calling function cannot run while these wait inside the
// callee (a -G build of cooperative groups' grid.sync(), whose master thread spins in the caller
// while the others reach the non-inlined __barrier_sync).
static std::string divergent_barrier_message(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  const auto hex = [](uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return std::string(b);
  };
  const std::string lanes = "active lanes " + hex(ctx.mask) + " but the warp's non-exited lanes are " + hex(w.live());
  const bool aligned = in.op == Opcode::Bar || in.mod.aligned;
  if (aligned)
    return "barrier reached by a divergent warp: " + lanes +
           "; every non-exited thread must reach the same barrier instruction (bar.sync / __syncthreads() is "
           "barrier.sync.aligned: divergent arrival, e.g. one on each side of a branch, is undefined)";
  uint32_t in_this_frame = 0;
  for (const SimtEntry& e : w.frame().stack) in_this_frame |= e.mask | e.parked_mask;
  const uint32_t missing = w.live() & ~ctx.mask;
  if (w.depth() > 1 && (missing & ~in_this_frame))
    return "barrier.sync (not .aligned) reached inside a called function by " + lanes +
           ": lanes " + hex(missing & ~in_this_frame) +
           " wait in a calling function, and gpusim runs a warp's lanes in one call frame at a time, so they cannot "
           "catch up while these wait here (divergent arrival at a barrier inside a function that was not inlined: "
           "a -G build of cooperative groups' grid.sync() does this; build without -G, or keep the barrier in the "
           "function where the lanes diverged)";
  return "barrier.sync (not .aligned) reached by " + lanes +
         ": the other lanes wait where they cannot run ahead of these (at an instruction that needs the warp "
         "converged), so the barrier cannot complete";
}

// bar{.cta}.sync / .arrive / .red and barrier{.cta}.*: ops[0] barrier id, ops[1] optional thread
// count; bar.red: ops[0] dst, ops[1] id, (ops[2] count), last op the predicate.
static void barrier(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  const bool red = in.mod.sub == SubOp::BarRed;
  const unsigned first = red ? 1 : 0;
  const unsigned nsrc = in.nops - first - (red ? 1 : 0);
  if (ctx.mask == 0) return w.advance();  // guard false for the whole warp: no arrival (it re-ran the barrier forever)
  // Lanes of the warp that have not exited but wait elsewhere (a sibling path not yet run, or
  // lanes waiting at a reconvergence point) run first, split off as under independent thread
  // scheduling (isa/spin_yield.h); the barrier runs again when this path is back on top. Since
  // sm_70 a barrier waits for the threads that have not exited, so lanes that leave the kernel on
  // the other path (an early `return` whose store nvcc merged into a shared `st; ret` tail, an
  // `exit` in a called function) must not be taken for lanes that skip the barrier; lanes that
  // wait elsewhere in front of an instruction that needs the warp converged are never run ahead,
  // and the barrier then faults as divergent. Deterministic: the warp's own state decides.
  if (ctx.mask != w.live() && ctx.mask == w.top().mask && yield_to_waiting_lanes(w))
    return;
  if (ctx.mask != w.live()) ctx.fail_warp(divergent_barrier_message(ctx, in), FaultKind::Barrier);
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
  if (SharedRaceShadow* race = ctx.cta().race_shadow.get()) race->on_barrier_arrive(unsigned(id), w, in.mod.sub != SubOp::BarArrive);
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
    // Each lane names its own members (disjoint tiles of a warp sync with different masks).
    uint32_t members = 0;
    for_each_lane(ctx.mask, [&](unsigned l) {
      const uint32_t m = static_cast<uint32_t>(ctx.get(in.ops[0], l));
      if (!(m >> l & 1)) {
        char b[160];
        std::snprintf(b, sizeof b,
                      "lane %u executes bar.warp.sync (__syncwarp) with membermask 0x%08x, which does not name it: every "
                      "calling thread must be in its membermask",
                      l, m);
        ctx.fail(l, b, FaultKind::Barrier);
      }
      members |= m;
    });
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

// pmevent (__prof_trigger): signals a profiler counter; nothing the program can observe.
void exec_Pmevent(ExecContext& ctx, const Instruction& in) {
  if (in.ops[0].kind != OperandKind::Imm) ctx.fail_warp("pmevent takes an immediate event number");
}

}  // namespace gpusim::isa
