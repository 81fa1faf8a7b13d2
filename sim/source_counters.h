// Per-line counters of a timed launch, like Nsight Compute's source counters: for every PTX
// instruction and every CUDA source line (from the PTX's .loc directives), the warp-instructions
// issued and their active lanes, the warp-cycles spent waiting there by stall reason, and the
// global, shared and local memory bytes its warps moved.
//
// A stalled warp's cycle is charged to the instruction it waits to issue (the PC at the top of its
// stack), as Nsight Compute's PC sampling does; an issue cycle is the "selected" reason. So the
// stall columns summed over all lines equal the launch's stall_warp_cycles, reason by reason.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/ir.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

struct LineCounts {
  uint64_t issued = 0;  // warp-instructions
  // Their active lanes summed (thread-instructions): lanes / issued is how full the line's warps
  // were, its divergence (Nsight Compute's "threads executed per warp instruction").
  uint64_t active_lanes = 0;
  std::array<uint64_t, static_cast<size_t>(StallReason::Count)> stall_warp_cycles{};
  uint64_t global_bytes = 0, shared_bytes = 0;
  // Local memory (spills, stack arrays indexed at run time): a line's local traffic is where
  // its spills show (an outside user hunting a stack array's cost found no column for it).
  uint64_t local_bytes = 0;

  uint64_t warp_cycles() const;  // summed over reasons (including "selected")
  bool empty() const {
    return issued == 0 && warp_cycles() == 0 && global_bytes == 0 && shared_bytes == 0 && local_bytes == 0;
  }
  void add(const LineCounts& o);
};

class SourceCounters final : public SimObserver {
 public:
  // Counts the instructions of `module`, which must outlive this object and stay unchanged.
  explicit SourceCounters(const isa::Module& module);

  void on_issue(uint64_t cycle, int sm, int subcore, int warp, uint32_t pc, const isa::Instruction& inst,
                uint32_t active_mask) override;
  void on_warp_stall(uint64_t cycle, int sm, int subcore, int warp, StallReason reason,
                     const isa::Instruction* waiting_at) override;
  void on_warp_mem_op(uint64_t cycle, int sm, int subcore, int warp, const isa::Instruction& inst,
                      const WarpMemOp& op) override;

  struct PtxLine {
    const isa::Function* function = nullptr;
    uint32_t pc = 0;
    const isa::Instruction* inst = nullptr;
    LineCounts counts;
  };
  struct SourceLine {
    int file = -1;
    uint32_t line = 0;
    // Inlined code (a CUDA header's function): the user's line the call chain starts at, so that
    // one header line called from two places is two rows, each naming its caller; -1 / 0 if none.
    int call_file = -1;
    uint32_t call_line = 0;
    LineCounts counts;
  };
  // Instructions with any count, in module order.
  std::vector<PtxLine> ptx_lines() const;
  // (file, line, call site) totals, most warp-cycles first; instructions without a line (line 0)
  // in one row of file -1, line 0. Empty when no instruction has line information.
  std::vector<SourceLine> source_lines() const;
  // Warp-cycles spent past a function's last instruction (never expected; kept so totals add up).
  const LineCounts& unattributed() const { return unattributed_; }

  // {"files": {...}, "ptx": [...], "lines": [...]}, the "source" key of a launch's --stats JSON.
  nlohmann::json to_json() const;
  // The top `top_n` CUDA lines (PTX lines when the module has no line information), with the
  // source text when the file can be read.
  std::string report(size_t top_n) const;

 private:
  struct Range {
    const isa::Instruction* begin;
    const isa::Instruction* end;
    size_t base;
    const isa::Function* function;
  };
  LineCounts* counts_of(const isa::Instruction* inst);

  const isa::Module& module_;
  std::vector<Range> ranges_;  // sorted by begin
  std::vector<LineCounts> counts_;
  LineCounts unattributed_;
};

}  // namespace gpusim::sim
