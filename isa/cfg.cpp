// Basic blocks and immediate post-dominators. Post-dominators are dominators of the reverse
// CFG rooted at a virtual exit node; they are computed with the iterative algorithm of
// Cooper, Harvey and Kennedy ("A Simple, Fast Dominance Algorithm"), processing nodes in
// reverse post-order of the reverse graph and intersecting along post-order numbers.
#include "isa/cfg.h"

#include <algorithm>

namespace gpusim::isa {

namespace {

bool ends_block(const Instruction& in) {
  return in.op == Opcode::Bra || in.op == Opcode::Brx || in.op == Opcode::Ret || in.op == Opcode::Exit ||
         in.op == Opcode::Trap;
}

// brx.idx: the targets of its .branchtargets list.
template <typename Fn>
void for_each_brx_target(const Instruction& in, Fn fn) {
  for (unsigned i = 0; i < in.ops[1].count; ++i) fn(in.elems[size_t(in.ops[1].first) + i].reg);
}

constexpr uint32_t kUndefined = UINT32_MAX;

}  // namespace

ControlFlowGraph::ControlFlowGraph(const Function& f) : code_size_(uint32_t(f.code.size())) {
  build_blocks(f);
  compute_post_dominators();
}

void ControlFlowGraph::build_blocks(const Function& f) {
  const uint32_t n = code_size_;
  std::vector<bool> leader(n + 1, false);
  if (n > 0) leader[0] = true;
  for (uint32_t pc = 0; pc < n; ++pc) {
    const Instruction& in = f.code[pc];
    if (in.op == Opcode::Bra) leader[std::min(in.ops[0].reg, n)] = true;
    if (in.op == Opcode::Brx) for_each_brx_target(in, [&](uint32_t t) { leader[std::min(t, n)] = true; });
    if (ends_block(in)) leader[pc + 1] = true;
  }
  block_of_pc_.assign(n, 0);
  for (uint32_t pc = 0; pc < n; ++pc) {
    if (leader[pc]) blocks_.push_back({pc, pc, {}, {}});
    blocks_.back().last = pc;
    block_of_pc_[pc] = uint32_t(blocks_.size() - 1);
  }
  const uint32_t exit_node = exit();
  auto block_at = [&](uint32_t pc) { return pc >= n ? exit_node : block_of_pc_[pc]; };
  for (uint32_t b = 0; b < blocks_.size(); ++b) {
    const Instruction& in = f.code[blocks_[b].last];
    std::vector<uint32_t>& succ = blocks_[b].successors;
    const bool guarded = in.guard != kNoReg;
    if (in.op == Opcode::Bra) {
      succ.push_back(block_at(in.ops[0].reg));
      if (guarded) succ.push_back(block_at(blocks_[b].last + 1));
    } else if (in.op == Opcode::Brx) {
      for_each_brx_target(in, [&](uint32_t t) { succ.push_back(block_at(t)); });
      if (guarded) succ.push_back(block_at(blocks_[b].last + 1));
    } else if (in.op == Opcode::Trap) {
      // A trap ends the whole grid: no lane goes on from it, so it is no path along which the
      // other lanes must wait. nvcc puts one in a switch's unreachable default; counting it as
      // a path to the exit would keep the cases from reconverging before the code after them
      // (a __syncthreads there would meet a divergent warp). Only a false guard continues.
      if (guarded) succ.push_back(block_at(blocks_[b].last + 1));
    } else if (ends_block(in)) {
      succ.push_back(exit_node);
      if (guarded) succ.push_back(block_at(blocks_[b].last + 1));
    } else {
      succ.push_back(block_at(blocks_[b].last + 1));  // falls through (off the end = exit)
    }
    std::sort(succ.begin(), succ.end());
    succ.erase(std::unique(succ.begin(), succ.end()), succ.end());
    for (uint32_t s : succ)
      if (s != exit_node) blocks_[s].predecessors.push_back(b);
  }
}

void ControlFlowGraph::compute_post_dominators() {
  const uint32_t exit_node = exit();
  const uint32_t count = exit_node + 1;
  // Predecessors of each node in the reverse graph are its forward successors; its successors
  // in the reverse graph are its forward predecessors (plus: exit -> blocks that reach it).
  std::vector<std::vector<uint32_t>> reverse_succ(count);
  for (uint32_t b = 0; b < exit_node; ++b) {
    reverse_succ[b] = blocks_[b].predecessors;
    for (uint32_t s : blocks_[b].successors)
      if (s == exit_node) reverse_succ[exit_node].push_back(b);
  }
  // Forward successors as the post-dominators see them: a loop that cannot reach the exit (an
  // endless loop, `for (unsigned s = 32; s >= 0; s >>= 1)`) gets an edge from its last block that
  // jumps back (nvcc's loop latch) to the exit, as if it could leave there. Branches inside the loop then
  // reconverge inside it: a __syncthreads every thread reaches each iteration meets a converged
  // warp, and the loop is reported as endless, as it hangs on a GPU, instead of as a barrier in
  // divergent code (an outside autograder's finding); without the edge they reconverged at the exit.
  std::vector<std::vector<uint32_t>> succ(exit_node);
  for (uint32_t b = 0; b < exit_node; ++b) succ[b] = blocks_[b].successors;
  std::vector<uint32_t> postorder_number, order;
  while (true) {
    // Post-order of the reverse graph from the exit (iterative DFS).
    postorder_number.assign(count, kUndefined);
    order.clear();
    std::vector<std::pair<uint32_t, size_t>> stack{{exit_node, 0}};
    std::vector<bool> visited(count, false);
    visited[exit_node] = true;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < reverse_succ[node].size()) {
        uint32_t s = reverse_succ[node][next++];
        if (!visited[s]) {
          visited[s] = true;
          stack.push_back({s, 0});
        }
      } else {
        postorder_number[node] = uint32_t(order.size());
        order.push_back(node);
        stack.pop_back();
      }
    }
    // The last stranded block that jumps back (a loop's latch). Blocks that only lead to a trap
    // stay stranded: a trap ends the grid, no path the other lanes wait along.
    uint32_t stranded = kUndefined;
    for (uint32_t b = exit_node; b-- > 0 && stranded == kUndefined;)
      if (!visited[b])
        for (uint32_t s : succ[b])
          if (s <= b) stranded = b;
    if (stranded == kUndefined) break;
    succ[stranded].push_back(exit_node);
    reverse_succ[exit_node].push_back(stranded);
  }
  std::vector<uint32_t> idom(count, kUndefined);
  idom[exit_node] = exit_node;
  auto intersect = [&](uint32_t a, uint32_t b) {
    while (a != b) {
      while (postorder_number[a] < postorder_number[b]) a = idom[a];
      while (postorder_number[b] < postorder_number[a]) b = idom[b];
    }
    return a;
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const uint32_t node = *it;
      if (node == exit_node) continue;
      uint32_t new_idom = kUndefined;
      for (uint32_t p : succ[node]) {  // reverse-graph predecessors
        if (idom[p] == kUndefined) continue;
        new_idom = new_idom == kUndefined ? p : intersect(p, new_idom);
      }
      if (new_idom != idom[node]) {
        idom[node] = new_idom;
        changed = true;
      }
    }
  }
  ipdom_.assign(exit_node, exit_node);
  for (uint32_t b = 0; b < exit_node; ++b)
    if (idom[b] != kUndefined) ipdom_[b] = idom[b];
}

void compute_reconvergence(Function& f) {
  if (f.code.empty()) return;
  ControlFlowGraph cfg(f);
  for (uint32_t pc = 0; pc < f.code.size(); ++pc) {
    Instruction& in = f.code[pc];
    if (in.op == Opcode::Bra || in.op == Opcode::Brx) in.reconverge_pc = cfg.first_pc(cfg.ipdom(cfg.block_of(pc)));
  }
}

}  // namespace gpusim::isa
