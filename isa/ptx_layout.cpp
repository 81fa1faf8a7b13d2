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

void note_symbol(const Operand& op, std::vector<uint32_t>& named) {
  if ((op.kind == OperandKind::Address || op.kind == OperandKind::Symbol) && op.sym != kNoSymbol) named.push_back(op.sym);
}

// For each kernel (by its index among the module's kernels), the functions it may run: itself and
// everything reachable through direct calls; an indirect call may reach any function. Walks the
// call graph (each function's distinct callees, collected once), not the code, per kernel.
std::vector<std::vector<bool>> functions_of_kernels(const Module& m, const std::vector<size_t>& kernels) {
  const size_t n = m.functions.size();
  std::vector<std::vector<uint32_t>> callees(n);
  std::vector<bool> calls_indirectly(n, false);
  for (size_t fi = 0; fi < n; ++fi) {
    for (const Instruction& in : m.functions[fi].code) {
      if (in.op != Opcode::Call) continue;
      if (in.ops[1].kind != OperandKind::Function) calls_indirectly[fi] = true;
      else if (in.ops[1].reg < n) callees[fi].push_back(in.ops[1].reg);
    }
    std::sort(callees[fi].begin(), callees[fi].end());
    callees[fi].erase(std::unique(callees[fi].begin(), callees[fi].end()), callees[fi].end());
  }
  std::vector<std::vector<bool>> reach;
  for (size_t k : kernels) {
    std::vector<bool> seen(n, false);
    std::vector<size_t> todo{k};
    seen[k] = true;
    while (!todo.empty()) {
      const size_t f = todo.back();
      todo.pop_back();
      if (calls_indirectly[f]) {
        std::fill(seen.begin(), seen.end(), true);
        break;
      }
      for (uint32_t c : callees[f])
        if (!seen[c]) {
          seen[c] = true;
          todo.push_back(c);
        }
    }
    reach.push_back(std::move(seen));
  }
  return reach;
}

}  // namespace

void PtxParser::layout_shared() {
  auto owned_by_entry = [&](const Symbol& s) {
    return s.owner >= 0 && m_.functions[size_t(s.owner)].is_entry;
  };
  auto in_region = [&](const Symbol& s) { return s.space == StateSpace::Shared && !s.is_extern && !owned_by_entry(s); };

  // Which kernels (bits by index among the module's kernels) reach each region variable.
  const size_t nfun = m_.functions.size();
  std::vector<size_t> kernels;
  for (size_t fi = 0; fi < nfun; ++fi)
    if (m_.functions[fi].is_entry) kernels.push_back(fi);
  const std::vector<std::vector<bool>> reach = functions_of_kernels(m_, kernels);
  const size_t words = (kernels.size() + 63) / 64;
  std::vector<std::vector<uint64_t>> kernels_of(m_.symbols.size());
  for (size_t fi = 0; fi < nfun; ++fi) {
    std::vector<uint32_t> named;
    for (const Instruction& in : m_.functions[fi].code) {
      for (unsigned i = 0; i < in.nops; ++i) note_symbol(in.ops[i], named);
      for (const Operand& e : in.elems) note_symbol(e, named);
    }
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    for (uint32_t sym : named) {
      if (sym < m_.symbols.size() && m_.symbols[sym].space == StateSpace::Shared && m_.symbols[sym].is_extern)
        for (size_t k = 0; k < kernels.size(); ++k)
          if (reach[k][fi]) m_.functions[kernels[k]].names_dynamic_shared = true;
      if (sym >= m_.symbols.size() || !in_region(m_.symbols[sym])) continue;
      std::vector<uint64_t>& bits = kernels_of[sym];
      bits.resize(words, 0);
      for (size_t k = 0; k < kernels.size(); ++k)
        if (reach[k][fi]) bits[k / 64] |= uint64_t(1) << (k % 64);
    }
  }
  auto share_a_kernel = [&](size_t a, size_t b) {
    if (kernels_of[a].empty() || kernels_of[b].empty()) return false;
    for (size_t w = 0; w < words; ++w)
      if (kernels_of[a][w] & kernels_of[b][w]) return true;
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

  for (size_t k = 0; k < kernels.size(); ++k) {
    const size_t fi = kernels[k];
    Function& f = m_.functions[fi];
    uint64_t end = 0;
    for (size_t si : placed)
      if (!kernels_of[si].empty() && (kernels_of[si][k / 64] >> (k % 64) & 1))
        end = std::max(end, m_.symbols[si].offset + m_.symbols[si].size);
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
