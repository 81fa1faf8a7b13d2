// Architectural state of one warp: registers per call frame, the SIMT reconvergence stack,
// per-thread local and .param memory, and the lanes that have exited.
//
// Reconvergence uses immediate post-dominators (computed by isa/cfg.cpp into
// Instruction::reconverge_pc): a divergent branch turns the top-of-stack entry into the
// reconvergence entry and pushes one entry per path; an entry pops when its PC reaches its
// reconvergence PC. Each call frame has its own stack, so a divergent `ret` only retires the
// lanes that executed it.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/ir.h"
#include "isa/register_file.h"

namespace gpusim::isa {

// A thread's stack (call frames' .local and .param memory, alloca) may grow to this many bytes.
// A device's stack memory is cudaLimitStackSize (1 KiB by default) times every thread it can
// hold at once (V100: 163,840), so real per-thread stacks stay far below 1 MiB; reaching it is a
// program error (unbounded recursion, a garbage alloca size), reported instead of growing host
// memory without bound: each lane of each resident warp has its own stack, so a CTA of 1,024
// threads may hold 1 GiB at most.
constexpr uint64_t kMaxThreadStackBytes = uint64_t(1) << 20;

// A call's frame on a GPU's stack holds the callee's .local data plus at least a return address
// and the registers it saves; this much per call is assumed where ptxas has not said more.
constexpr uint64_t kCallFrameOverheadBytes = 16;

// What ptxas' "bytes stack frame" for `fn` (when known) holds beyond its .local data and the
// overhead above: the registers it spills and saves around its calls (a recursive function whose
// doubles live across the call: 48 bytes where the estimate alone said 16).
inline uint64_t call_frame_saved_register_bytes(const Function& fn) {
  const uint64_t estimate = fn.local_bytes + kCallFrameOverheadBytes;
  return fn.ptxas_stack_bytes > estimate ? fn.ptxas_stack_bytes - estimate : 0;
}

struct SimtEntry {
  uint32_t pc = 0;
  uint32_t rpc = 0;   // reconvergence PC; the function's code.size() is its virtual exit
  uint32_t mask = 0;
  // Independent thread scheduling (isa/spin_yield.h): lanes that ran ahead of this entry on a
  // split path and wait at `parked_pc` (an instruction that needs the warp converged) until this
  // entry's lanes arrive there too; and, on a split path itself, the index of the entry it was
  // split from (-1 otherwise).
  uint32_t parked_pc = 0;
  uint32_t parked_mask = 0;
  int32_t split_from = -1;
};

// Polling iterations of the current loop (isa/spin_yield.h).
struct SpinWatch {
  uint32_t iterations = 0;  // consecutive backward branches whose iteration only polled memory
  bool polled = false;      // this iteration read memory another thread may change (volatile, atomic)
  bool wrote = false;       // this iteration wrote memory
};

struct CallFrame {
  const Function* fn = nullptr;
  RegisterFile regs;             // lanes of register r at RegInfo::slot (isa/register_file.h)
  std::vector<SimtEntry> stack;
  uint64_t local_base = 0;       // offset of this frame in each thread's local memory
  uint64_t param_base = 0;       // offset of this frame in each thread's .param frame memory
  uint32_t returned = 0;         // lanes that executed `ret` in this frame
  const Instruction* call_site = nullptr;  // the caller's call instruction (copy-out of returns)
  // Per-lane end of this frame's run-time stack allocations (alloca); empty until the frame
  // allocates, the end then being local_base + fn->local_bytes for every lane.
  std::vector<uint64_t> stack_top;
  // Bytes ptxas' frames of this call chain (this frame's included, the kernel's not) hold beyond
  // their .local data and a call's bookkeeping (spilled and saved registers: isa/exec_control.cpp).
  uint64_t saved_register_bytes = 0;

  // Lane `lane` of register `r` (its value zero-extended), and the lane's write (`v` already
  // truncated to r's width), for code outside the handlers' hot paths.
  uint64_t reg(uint32_t r, unsigned lane) const { return regs.read(fn->regs[r].slot, lane); }
  void set_reg(uint32_t r, unsigned lane, uint64_t v) { regs.write(fn->regs[r].slot, lane, v); }
};

class Warp {
 public:
  Warp(const Module& module, const Function& kernel, unsigned warp_id, uint32_t lanes_mask);

  // Puts the warp back into the state the constructor leaves it in, for the same warp of another
  // CTA of the launch (the functional executor reuses a host thread's CTA for its next CTA rather
  // than allocating every warp's storage again): the kernel's first instruction, every present
  // lane live, registers and per-thread memories zeroed. Only the cached global allocation
  // (global_span, checked on every use) stays.
  void restart(const Function& kernel);

  unsigned id() const { return id_; }
  const Module& module() const { return module_; }

  // Lanes that exist (threads of the CTA that map to this warp) and have not exited.
  uint32_t live() const { return present_ & ~exited_; }
  uint32_t present() const { return present_; }
  bool done() const { return frames_.empty(); }

  // The entry currently executing (top of the innermost frame's stack).
  CallFrame& frame() { return frames_.back(); }
  const CallFrame& frame() const { return frames_.back(); }
  SimtEntry& top() { return frames_.back().stack.back(); }
  const SimtEntry& top() const { return frames_.back().stack.back(); }
  size_t depth() const { return frames_.size(); }
  // Where the top frame's local memory ends in each thread's stack (its .local data and what it
  // allocated at run time): the next call's frame starts there, aligned.
  uint64_t local_end() const;
  // Every call frame, the kernel's first (for inspection: the stepper prints the SIMT stacks).
  const std::vector<CallFrame>& frames() const { return frames_; }

  // Control flow, used by the branch/call/ret/exit handlers.
  // Branch taken by `taken` (a subset of the active mask) to `target`.
  void branch(uint32_t taken, uint32_t target, uint32_t reconverge_pc);
  void advance() { top().pc += 1; }
  void call(const Function& callee, const Instruction& site);
  void ret(uint32_t lanes);
  void exit(uint32_t lanes);
  // Pops entries that reached their reconvergence point and frames whose lanes all returned,
  // copying each finished call's return parameters back to its caller.
  void settle();

  // Appends everything that decides what this warp does next (control state, registers, local
  // and parameter memory) to `out`: two warps with equal images run alike (isa/repeat_watch.h).
  void append_state(std::vector<uint8_t>& out) const;

  // Per-thread memories.
  std::vector<uint8_t>& local(unsigned lane) { return local_[lane]; }
  std::vector<uint8_t>& param_frame(unsigned lane) { return params_[lane]; }

  // The current frame's run-time stack pointer of `lane` (alloca, stacksave, stackrestore): an
  // offset in the lane's local memory. Setting it grows the lane's local memory to cover it;
  // frames called later start above the highest lane's stack pointer.
  uint64_t stack_pointer(unsigned lane) const;
  void set_stack_pointer(unsigned lane, uint64_t sp);

  // Instructions this warp has run, and of them those other warps could notice (stores outside
  // its local memory, atomics, barriers, mbarrier arrivals, exits, calls): the timing model's
  // endless-loop watch reads them across an interval (isa/repeat_watch.h).
  uint64_t steps = 0, visible_effects = 0;
  // Whether the warp's last atom changed a word (a CAS that failed, an exchange or add that left
  // the value as it was did not): an atom that changed nothing is a read to the watch.
  bool atomic_changed_memory = false;
  // Carry flags (CC.CF) per lane.
  uint32_t carry = 0;
  SpinWatch spin;
  // Barrier bookkeeping, owned by the CTA scheduler.
  bool at_barrier = false;
  uint32_t barrier_id = 0;
  // cp.async groups committed but not yet waited on (functional mode completes copies eagerly).
  uint32_t cp_async_groups = 0;
  // barrier.cluster: the cluster-barrier phase this warp's last arrive waits for.
  uint32_t cluster_barrier_target = 0;
  // wgmma.mma_async instructions this warp has executed: the four warps of a warpgroup execute
  // each one together (isa/warpgroup_check.h compares them).
  uint32_t wgmma_issued = 0;
  // The global allocation this warp touched last (GlobalMemory::span_at), valid while `owner`
  // is the launch's global memory and its generation is unchanged. Per warp, because a warp
  // runs on one host thread at a time while CTAs and SMs may run on several.
  struct GlobalSpanCache {
    const void* owner = nullptr;
    uint64_t generation = 0;
    uint64_t base = 0, size = 0;
    uint8_t* data = nullptr;
  } global_span;

 private:
  void push_frame(const Function& fn, uint32_t mask, const Instruction* site);
  void prune(uint32_t gone);

  const Module& module_;
  unsigned id_;
  uint32_t present_;
  uint32_t exited_ = 0;
  std::vector<CallFrame> frames_;
  // The last frame that returned (its storage only): push_frame takes its register file and
  // SIMT stack for a new frame with as many register bytes instead of allocating (a device
  // function called in a loop, the kernel frame of the next CTA after restart).
  CallFrame spare_;
  std::vector<uint8_t> local_[32];
  std::vector<uint8_t> params_[32];
};

}  // namespace gpusim::isa
