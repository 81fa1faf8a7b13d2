#include "isa/fma_contraction.h"

#include <vector>

#include "isa/register_use.h"

namespace gpusim::isa {
namespace {

bool plain_float(const Instruction& in) {
  const DataType t = in.mod.types[0];
  const bool contracting_type = t == DataType::F32 || t == DataType::F64 || t == DataType::F16 || t == DataType::F16x2 ||
                                t == DataType::BF16 || t == DataType::BF16x2;
  return contracting_type && in.mod.rnd == Rounding::None && !in.mod.sat && !in.mod.relu && in.nops == 3 &&
         in.ops[0].kind == OperandKind::Reg;
}

bool contractible_mul(const Instruction& in) {
  return in.op == Opcode::Mul && plain_float(in) && in.mod.mul == MulMode::None && in.guard == kNoReg;
}

// Whether `use` may take the mul `mul` (whose result is register r) as one of its sources.
bool contractible_use(const Instruction& use, const Instruction& mul, uint32_t r) {
  if ((use.op != Opcode::Add && use.op != Opcode::Sub) || !plain_float(use)) return false;
  if (use.mod.types[0] != mul.mod.types[0] || use.mod.ftz != mul.mod.ftz) return false;
  const bool first = use.ops[1].kind == OperandKind::Reg && use.ops[1].reg == r;
  const bool second = use.ops[2].kind == OperandKind::Reg && use.ops[2].reg == r;
  return first != second && use.ops[0].reg2 == kNoReg;
}

}  // namespace

size_t contract_multiply_adds(Function& f) {
  const size_t n = f.code.size();
  // Every instruction's register reads and writes, and per register its writers and readers.
  std::vector<std::vector<uint32_t>> writers(f.regs.size()), readers(f.regs.size());
  RegisterUse use;
  for (size_t pc = 0; pc < n; ++pc) {
    register_use(f.code[pc], use);
    for (uint32_t r : use.destinations)
      if (r < writers.size()) writers[r].push_back(uint32_t(pc));
    for (uint32_t r : use.sources)
      if (r < readers.size() && (readers[r].empty() || readers[r].back() != pc)) readers[r].push_back(uint32_t(pc));
  }
  // Calls read their arguments through .param memory and write results to registers listed in
  // their operands' elements, which register_use does not name: a product passed to a call is
  // read by something other than an add, so it must not be contracted.
  std::vector<bool> read_elsewhere(f.regs.size(), false);
  for (const Instruction& in : f.code)
    for (const Operand& e : in.elems)
      if (e.kind == OperandKind::Reg && e.reg < read_elsewhere.size()) read_elsewhere[e.reg] = true;

  std::vector<uint32_t> candidates;  // muls whose every reader may fuse
  for (size_t pc = 0; pc < n; ++pc) {
    const Instruction& mul = f.code[pc];
    if (!contractible_mul(mul)) continue;
    const uint32_t r = mul.ops[0].reg;
    if (r >= writers.size() || writers[r].size() != 1 || readers[r].empty() || read_elsewhere[r]) continue;
    bool ok = true;
    for (uint32_t u : readers[r]) ok = ok && u > pc && contractible_use(f.code[u], mul, r);
    // The add reads the mul's operands again: nothing may write them from the mul on.
    for (unsigned i = 1; i <= 2 && ok; ++i)
      if (mul.ops[i].kind == OperandKind::Reg)
        for (uint32_t w : writers.at(mul.ops[i].reg)) ok = ok && w < pc;
    if (ok) candidates.push_back(uint32_t(pc));
  }
  // An add both of whose sources are candidate products fuses neither here (ptxas picks one).
  std::vector<unsigned> fusing(n, 0);
  for (uint32_t pc : candidates)
    for (uint32_t u : readers[f.code[pc].ops[0].reg]) ++fusing[u];
  size_t marked = 0;
  for (uint32_t pc : candidates) {
    Instruction& mul = f.code[pc];
    const uint32_t r = mul.ops[0].reg;
    bool all = true;
    for (uint32_t u : readers[r]) all = all && fusing[u] == 1;
    if (!all) continue;
    for (uint32_t u : readers[r]) {
      Instruction& add = f.code[u];
      add.fused_product = add.ops[1].kind == OperandKind::Reg && add.ops[1].reg == r ? 1 : 2;
      add.ops[3] = mul.ops[1];
      add.ops[4] = mul.ops[2];
      ++marked;
    }
    mul.product_fused = true;
  }
  return marked;
}

}  // namespace gpusim::isa
