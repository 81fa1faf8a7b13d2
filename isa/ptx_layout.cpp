// Static shared-memory layout, done once the whole module is known.
//
// Module-scope and .func shared variables live in one module-wide region that any kernel may
// reach through calls; each kernel's own shared variables follow the part of that region it uses.
// A kernel is charged only for the region variables it can reach (its code and the functions it
// calls name them): with -rdc, nvcc declares every template kernel's __shared__ array at module
// scope (`.weak .shared`), and CUB's many sorting kernels would otherwise each be charged with the
// sum of all of them. Region variables that no kernel reaches together share offsets, so every
// kernel's variables stay within its own static size.
// ".extern .shared" arrays are dynamic: offset 0, size 0 (the executor adds the dynamic base).
#include <algorithm>
#include <vector>

#include "isa/ptx_parser_state.h"

namespace gpusim::isa {

namespace {

// For each function, the functions it may run: itself and everything reachable through direct
// calls; an indirect call may reach any function.
std::vector<std::vector<bool>> reachable_functions(const Module& m) {
  const size_t n = m.functions.size();
  std::vector<std::vector<bool>> reach(n, std::vector<bool>(n, false));
  for (size_t root = 0; root < n; ++root) {
    std::vector<bool>& seen = reach[root];
    std::vector<size_t> todo{root};
    seen[root] = true;
    while (!todo.empty()) {
      const Function& fn = m.functions[todo.back()];
      todo.pop_back();
      for (const Instruction& in : fn.code) {
        if (in.op != Opcode::Call) continue;
        if (in.ops[1].kind != OperandKind::Function) {
          std::fill(seen.begin(), seen.end(), true);
          todo.clear();
          break;
        }
        const uint32_t callee = in.ops[1].reg;
        if (callee < n && !seen[callee]) {
          seen[callee] = true;
          todo.push_back(callee);
        }
      }
    }
  }
  return reach;
}

void note_symbol(const Operand& op, std::vector<uint32_t>& named) {
  if ((op.kind == OperandKind::Address || op.kind == OperandKind::Symbol) && op.sym != kNoSymbol) named.push_back(op.sym);
}

}  // namespace

void PtxParser::layout_shared() {
  auto owned_by_entry = [&](const Symbol& s) {
    return s.owner >= 0 && m_.functions[size_t(s.owner)].is_entry;
  };
  auto in_region = [&](const Symbol& s) { return s.space == StateSpace::Shared && !s.is_extern && !owned_by_entry(s); };

  // Which kernels reach each region variable.
  const size_t nfun = m_.functions.size();
  const std::vector<std::vector<bool>> reach = reachable_functions(m_);
  std::vector<std::vector<bool>> kernels_of(m_.symbols.size());
  for (size_t fi = 0; fi < nfun; ++fi) {
    std::vector<uint32_t> named;
    for (const Instruction& in : m_.functions[fi].code) {
      for (unsigned i = 0; i < in.nops; ++i) note_symbol(in.ops[i], named);
      for (const Operand& e : in.elems) note_symbol(e, named);
    }
    for (uint32_t sym : named) {
      if (sym >= m_.symbols.size() || !in_region(m_.symbols[sym])) continue;
      std::vector<bool>& kernels = kernels_of[sym];
      kernels.resize(nfun, false);
      for (size_t k = 0; k < nfun; ++k)
        if (m_.functions[k].is_entry && reach[k][fi]) kernels[k] = true;
    }
  }
  auto share_a_kernel = [&](size_t a, size_t b) {
    if (kernels_of[a].empty() || kernels_of[b].empty()) return false;
    for (size_t k = 0; k < nfun; ++k)
      if (kernels_of[a][k] && kernels_of[b][k]) return true;
    return false;
  };

  // Each region variable at the lowest offset clear of the variables placed before it that a
  // kernel reaches together with it (declaration order: the same layout every time).
  std::vector<size_t> placed;
  for (size_t si = 0; si < m_.symbols.size(); ++si) {
    Symbol& s = m_.symbols[si];
    if (!in_region(s)) continue;
    uint64_t offset = align_up(0, s.align);
    for (bool moved = true; moved;) {
      moved = false;
      for (size_t other : placed) {
        const Symbol& o = m_.symbols[other];
        if (!share_a_kernel(si, other) || offset >= o.offset + o.size || o.offset >= offset + s.size) continue;
        offset = align_up(o.offset + o.size, s.align);
        moved = true;
      }
    }
    s.offset = offset;
    placed.push_back(si);
  }

  for (size_t fi = 0; fi < nfun; ++fi) {
    Function& f = m_.functions[fi];
    if (!f.is_entry) continue;
    uint64_t end = 0;
    for (size_t si : placed)
      if (!kernels_of[si].empty() && kernels_of[si][fi]) end = std::max(end, m_.symbols[si].offset + m_.symbols[si].size);
    for (Symbol& s : m_.symbols) {
      if (s.space != StateSpace::Shared || s.is_extern || s.owner != int32_t(fi)) continue;
      s.offset = align_up(end, s.align);
      end = s.offset + s.size;
    }
    f.static_shared_bytes = end;
  }
  for (Symbol& s : m_.symbols)
    if (s.space == StateSpace::Shared && s.is_extern) s.offset = 0, s.size = 0;
}

}  // namespace gpusim::isa
