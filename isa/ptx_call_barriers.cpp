#include "isa/ptx_call_barriers.h"

namespace gpusim::isa {

namespace {
bool is_cta_barrier(const Instruction& in) {
  return (in.op == Opcode::Bar || in.op == Opcode::Barrier) && in.mod.sub != SubOp::BarArrive;
}
}  // namespace

void mark_functions_reaching_barriers(Module& m) {
  for (Function& f : m.functions)
    for (const Instruction& in : f.code) f.reaches_cta_barrier = f.reaches_cta_barrier || is_cta_barrier(in);
  // Callers of such functions, until nothing changes (call chains are short; recursion ends it).
  for (bool changed = true; changed;) {
    changed = false;
    for (Function& f : m.functions) {
      if (f.reaches_cta_barrier) continue;
      for (const Instruction& in : f.code)
        if (in.op == Opcode::Call && in.nops > 1 && in.ops[1].kind == OperandKind::Function &&
            in.ops[1].reg < m.functions.size() && m.functions[in.ops[1].reg].reaches_cta_barrier) {
          f.reaches_cta_barrier = changed = true;
          break;
        }
    }
  }
}

}  // namespace gpusim::isa
