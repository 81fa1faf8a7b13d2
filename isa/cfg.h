// Control-flow graph of one function and its immediate post-dominators, used to find where
// divergent branches reconverge (the SIMT stack's reconvergence PC).
#pragma once

#include <cstdint>
#include <vector>

#include "isa/ir.h"

namespace gpusim::isa {

struct BasicBlock {
  uint32_t first = 0, last = 0;        // PCs, inclusive
  std::vector<uint32_t> successors;    // block indices; ControlFlowGraph::exit() = virtual exit
  std::vector<uint32_t> predecessors;
};

class ControlFlowGraph {
 public:
  explicit ControlFlowGraph(const Function& f);

  const std::vector<BasicBlock>& blocks() const { return blocks_; }
  uint32_t exit() const { return uint32_t(blocks_.size()); }  // the virtual exit node
  uint32_t block_of(uint32_t pc) const { return block_of_pc_[pc]; }
  // Immediate post-dominator of block `b` (exit() when only the exit post-dominates it). A
  // region that cannot reach the exit (an endless loop) is taken to leave from its last block by
  // PC that jumps back, so its branches reconverge inside it (cfg.cpp).
  uint32_t ipdom(uint32_t b) const { return ipdom_[b]; }
  // First PC of block `b`, or the function's code size for the virtual exit.
  uint32_t first_pc(uint32_t b) const { return b == exit() ? code_size_ : blocks_[b].first; }

 private:
  void build_blocks(const Function& f);
  void compute_post_dominators();

  std::vector<BasicBlock> blocks_;
  std::vector<uint32_t> block_of_pc_;
  std::vector<uint32_t> ipdom_;
  uint32_t code_size_ = 0;
};

// Sets Instruction::reconverge_pc of every bra in `f` to the first PC of the immediate
// post-dominator of its block (code.size() for the virtual exit).
void compute_reconvergence(Function& f);

}  // namespace gpusim::isa
