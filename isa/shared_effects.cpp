#include "isa/shared_effects.h"

#include <vector>

namespace gpusim::isa {

namespace {

bool global_or_generic(StateSpace s) {
  return s == StateSpace::Global || s == StateSpace::Generic || s == StateSpace::None;
}

// A call whose target may be a device service (bodiless) or is unknown until run time.
bool may_call_service(const Module* module, const Instruction& in) {
  if (in.op != Opcode::Call) return false;
  const Operand& target = in.ops[1];
  if (target.kind != OperandKind::Function || !module) return true;  // indirect: any function, services too
  return target.reg >= module->functions.size() || !module->functions[target.reg].has_body;
}

bool ordered_or_volatile(MemOrder o) { return o != MemOrder::None && o != MemOrder::Weak; }

}  // namespace

bool may_touch_shared_state(const Module* module, const Instruction& in) {
  switch (in.op) {
    case Opcode::Ld: case Opcode::Ldu: case Opcode::St: case Opcode::Atom: case Opcode::Red:
    case Opcode::Prefetch: case Opcode::Prefetchu: case Opcode::WmmaLoad: case Opcode::WmmaStore:
    case Opcode::Ldmatrix: case Opcode::Mbarrier: case Opcode::CpAsyncMbarrierArrive:
      return global_or_generic(in.mod.space);
    case Opcode::CpAsync:
      return global_or_generic(in.mod.space) || global_or_generic(in.mod.space2);
    case Opcode::CpAsyncBulk: case Opcode::CpAsyncBulkTensor:  // TMA: one side is always global memory
    case Opcode::Tex: case Opcode::Tld4: case Opcode::Suld: case Opcode::Sust:  // texels live in global memory
      return true;
    case Opcode::Call:
      return may_call_service(module, in);
    default:
      return false;
  }
}

bool only_reads_shared_state(const Module* module, const Instruction& in) {
  switch (in.op) {
    case Opcode::Ld: case Opcode::Ldu: case Opcode::Prefetch: case Opcode::Prefetchu: case Opcode::WmmaLoad:
    case Opcode::Ldmatrix:
      return may_touch_shared_state(module, in);
    case Opcode::Tex: case Opcode::Tld4: case Opcode::Suld:
      return true;
    default:
      return false;
  }
}

bool ctas_may_communicate(const Module& module, const Function& kernel) {
  // The kernel and every function reachable through direct calls; an indirect call may reach any.
  std::vector<bool> seen(module.functions.size(), false);
  std::vector<const Function*> todo{&kernel};
  auto visit = [&](uint32_t index) {
    if (index < seen.size() && !seen[index]) {
      seen[index] = true;
      todo.push_back(&module.functions[index]);
    }
  };
  while (!todo.empty()) {
    const Function& fn = *todo.back();
    todo.pop_back();
    for (const Instruction& in : fn.code) {
      switch (in.op) {
        case Opcode::Atom: case Opcode::Red:
          if (global_or_generic(in.mod.space)) return true;
          break;
        case Opcode::Ld: case Opcode::Ldu: case Opcode::St:
          if (global_or_generic(in.mod.space) && ordered_or_volatile(in.mod.order)) return true;
          break;
        case Opcode::Membar: case Opcode::Fence:
          if (in.mod.scope != MemScope::Cta) return true;
          break;
        case Opcode::Call:
          if (may_call_service(&module, in)) return true;
          visit(in.ops[1].reg);
          break;
        default:
          break;
      }
    }
  }
  return false;
}

}  // namespace gpusim::isa
