// Timing of Hopper's asynchronous warpgroup MMA (wgmma.mma_async) on one warp.
//
// The functional model computes a wgmma's accumulators when the warp issues it (isa/exec_wgmma.cpp);
// the PTX ISA makes reading them before the matching wgmma.wait_group a program error, so the
// wait is the only point where the timing of the accumulators is observable. The timing model
// therefore lets the warp go on after issue (the accumulator registers are not put on the
// scoreboard), records when each wgmma's accumulators complete in model time, gathers them into
// groups at wgmma.commit_group, and stalls wgmma.wait_group N until all but the newest N committed
// groups have completed.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/ir.h"
#include "sim/gpu_config.h"

namespace gpusim::sim {

// Core cycles one warp's quarter of an m64nNkK warpgroup MMA keeps its sub-core's tensor cores
// busy at the dense rate (config.wgmma_flops_per_clock(), in tensor clocks; tf32 at half, 8-bit
// inputs at double the FP16 rate, b1 at 16x: every form streams the same operand bits per clock).
// `input_bits` is the A/B element size (32 tf32, 16 f16/bf16, 8 fp8/s8/u8, 1 b1). As the fraction
// num / den: the rate is per tensor-clock cycle, so whole core cycles are rare.
struct WgmmaCoreCycles {
  long long num, den;
};
WgmmaCoreCycles wgmma_warp_core_cycles(const GpuConfig& config, int n, int k, int input_bits);

// Bytes of shared memory the whole warpgroup's instruction reads through its descriptors: B always,
// A unless it comes from registers.
long long wgmma_shared_operand_bytes(int n, int k, int input_bits, bool register_a);

// The per-warp record of wgmma groups.
class WgmmaGroups {
 public:
  void reset() { open_done_ = 0, open_count_ = 0, committed_.clear(); }
  // A wgmma.mma_async whose accumulators complete at `done_cycle` joins the open group.
  void issued(uint64_t done_cycle);
  // wgmma.commit_group: the open group (possibly empty) becomes the newest committed group.
  void commit();
  // The cycle from which wgmma.wait_group `allowed` may complete: when every committed group but
  // the newest `allowed` has completed (0 if that is already so).
  uint64_t wait_until(unsigned allowed) const;
  // wgmma.wait_group `allowed` completed: forgets the groups it waited for.
  void waited(unsigned allowed);
  size_t committed_groups() const { return committed_.size(); }

 private:
  uint64_t open_done_ = 0;
  unsigned open_count_ = 0;
  std::vector<uint64_t> committed_;  // completion cycle per committed group, oldest first
};

}  // namespace gpusim::sim
