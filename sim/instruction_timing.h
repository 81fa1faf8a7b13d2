// Static timing facts of every instruction of a function, computed once per isa::Function and
// cached: the registers it reads and writes, the sub-core pipe it uses, how long that pipe stays
// busy, when its result is readable, and whether it goes to the memory pipeline (and through
// which queue). The SM core looks these up by PC on every cycle, so nothing here is recomputed
// while warps run.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "isa/ir.h"
#include "sim/gpu_config.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

// Cycles an instruction buffer needs to refill after the warp's PC is redirected (a taken
// branch, a call or return, reconvergence) and when a warp starts: the fetch/decode bubble.
// Not a configuration parameter: it is a property of the front end, the same on every chip
// modelled (Accel-Sim's Volta front end refills in 2 cycles as well).
inline constexpr int kFetchBubbleCycles = 2;

enum class IssueKind : uint8_t {
  Alu,            // result readable a fixed latency after dispatch
  Memory,         // becomes a WarpMemOp; results readable when the memory pipeline returns it
  Tensor,         // occupies the sub-core's tensor cores, then a fixed latency
  Control,        // bra, exit, trap, bar.warp.sync, barriers: no register result
  Drain,          // call/ret (and the implicit return at a function's end): the function changes,
                  // so every result of the warp must be in first (the scoreboard is per function)
  Fence,          // membar/fence: waits until the warp's memory operations have completed
  Sleep,          // nanosleep
  CpAsyncCommit,  // closes the open cp.async group
  CpAsyncWait,    // cp.async.wait_group N / wait_all: waits until at most N groups are in flight
  // Hopper asynchronous units (sim/wgmma_groups.h, sim/tma_unit.h).
  Wgmma,          // wgmma.mma_async: occupies the tensor cores; the warp goes on, accumulators complete later
  WgmmaCommit,    // wgmma.commit_group
  WgmmaWait,      // wgmma.wait_group N: waits until at most N wgmma groups are incomplete
  BulkCommit,     // cp.async.bulk.commit_group
  BulkWait,       // cp.async.bulk.wait_group N: waits until at most N bulk groups are in flight
};

// Which memory-pipeline queue an instruction will need, as far as decode can tell. Generic
// addresses are only resolved when the instruction executes, so they need room in both.
enum class QueueHint : uint8_t { None, Mio, Lg, Both };

struct InstTiming {
  IssueKind kind = IssueKind::Alu;
  Pipe pipe = Pipe::Int;
  QueueHint queue = QueueHint::None;
  StallReason result_wait = StallReason::Wait;  // what a reader of the result stalls on
  uint16_t latency = 0;     // Alu: dispatch to readable; Tensor: after the tensor cores finish
  uint16_t interval = 1;    // cycles the pipe is busy (Tensor: tensor-core occupancy in core cycles)
  // Tensor, Wgmma: the occupancy's fraction of a core cycle beyond `interval`, in 1/65536ths. The
  // tensor rate is given per tensor-clock cycle, so an MMA's occupancy in core cycles is rarely
  // whole (m16n8k16 on h100.ini: 4 tensor cycles = 4.33 core cycles); the sub-core carries the
  // fractions from one MMA to the next (sim/subcore.cpp) instead of rounding each up (which held
  // mma.sync m16n8k16 at 4/5 of the configured rate).
  uint16_t interval_frac = 0;
  uint16_t bank_conflict_cycles = 0;
  // An instruction ptxas expands into a sequence (sim/instruction_expansion.h): the sub-core's
  // dispatch port issues its other SASS instructions in the cycles after it, and its MUFU and
  // conversion steps occupy the SFU pipe for sfu_interval cycles beside `interval` on `pipe`.
  uint16_t extra_dispatch_cycles = 0;
  uint16_t sfu_interval = 0;
  uint16_t wait_groups = 0; // CpAsyncWait, WgmmaWait, BulkWait: groups allowed to stay in flight
  uint16_t shared_wavefronts = 0;  // Wgmma: shared-bank cycles one warp's descriptor operand reads take
  uint32_t regs_first = 0;  // FunctionTiming::regs[regs_first ..): sources, then destinations
  uint16_t nsrc = 0, ndst = 0;
  // Floating-point operations: per active lane on the FP32/FP64 pipes (FMA = 2, add/sub/mul = 1,
  // doubled for packed f16x2/bf16x2), per warp instruction on the tensor pipe (2 x m x n x k).
  uint32_t flops = 0;
  // May touch global memory or a device service (isa/shared_effects.h): executed in the cycle's
  // serial commit phase, in SM order, so that parallel SMs stay deterministic (sm_core.h).
  bool commit = false;
  // A commit instruction that only reads global memory (isa::only_reads_shared_state): the staged
  // commit may run it in parallel when no instruction that writes comes after it in the cycle's
  // order (sim/gpu_model_commit.cpp).
  bool commit_reads_only = false;
  // barrier.cluster.wait: the sub-core checks the cluster's barrier phase before issuing it.
  bool cluster_barrier_wait = false;
  // An atom whose result no instruction of the function reads: ptxas emits it as RED, which
  // returns nothing, so the warp waits for no answer (its destination is left off the board).
  bool result_unread = false;
  // A mul ptxas contracted into the FMAs that read it (isa::Instruction::product_fused): it has
  // no SASS instruction, so the sub-core runs it with the instruction before it, unissued.
  bool contracted = false;
};

class FunctionTiming {
 public:
  // `module` resolves call targets for InstTiming::commit (null: every call commits).
  FunctionTiming(const isa::Function& fn, const GpuConfig& config, const isa::Module* module = nullptr);

  // pc may be fn.code.size(): the implicit return at the function's end.
  const InstTiming& at(uint32_t pc) const { return insts_[pc]; }
  // Registers whose pending results block issue (sources and destinations).
  std::span<const uint32_t> touched(const InstTiming& t) const { return {regs_.data() + t.regs_first, size_t(t.nsrc) + t.ndst}; }
  std::span<const uint32_t> sources(const InstTiming& t) const { return {regs_.data() + t.regs_first, t.nsrc}; }
  std::span<const uint32_t> destinations(const InstTiming& t) const {
    return {regs_.data() + t.regs_first + t.nsrc, t.ndst};
  }
  size_t register_count() const { return register_count_; }
  const isa::Function& function() const { return fn_; }

 private:
  const isa::Function& fn_;
  size_t register_count_;
  std::vector<InstTiming> insts_;
  std::vector<uint32_t> regs_;
};

// FunctionTiming per function, built on first use. Clear it when the module may have changed.
class InstructionTimingCache {
 public:
  explicit InstructionTimingCache(const GpuConfig& config) : config_(config) {}
  const FunctionTiming& get(const isa::Function& fn, const isa::Module* module = nullptr);
  void clear() { cache_.clear(); }

 private:
  const GpuConfig& config_;
  std::unordered_map<const isa::Function*, std::unique_ptr<FunctionTiming>> cache_;
};

}  // namespace gpusim::sim
