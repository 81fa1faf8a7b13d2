// Walking what a kernel can run: its own code and every function it reaches through direct
// calls. Used by the analyses that decide something per kernel from the module alone (which CTAs
// may communicate, whether a kernel uses dynamic shared memory, whether its stack depth is bounded).
#pragma once

#include <vector>

#include "isa/ir.h"

namespace gpusim::isa {

// A call whose target may be a device service (bodiless) or is unknown until run time (indirect).
inline bool may_call_service(const Module* module, const Instruction& in) {
  if (in.op != Opcode::Call) return false;
  const Operand& target = in.ops[1];
  if (target.kind != OperandKind::Function || !module) return true;  // indirect: any function, services too
  return target.reg >= module->functions.size() || !module->functions[target.reg].has_body;
}

// True when `hit(function, instruction)` holds for an instruction of `kernel` or of any function
// reachable from it through direct calls; an indirect call or one to a device service counts when
// `service_counts`.
template <typename Hit>
bool any_reachable_in(const Module& module, const Function& kernel, bool service_counts, Hit&& hit) {
  std::vector<bool> seen(module.functions.size(), false);
  std::vector<const Function*> todo{&kernel};
  while (!todo.empty()) {
    const Function& fn = *todo.back();
    todo.pop_back();
    for (const Instruction& in : fn.code) {
      if (hit(fn, in)) return true;
      if (in.op != Opcode::Call) continue;
      if (may_call_service(&module, in)) {
        if (service_counts) return true;
        continue;
      }
      const uint32_t index = in.ops[1].reg;
      if (index < seen.size() && !seen[index]) {
        seen[index] = true;
        todo.push_back(&module.functions[index]);
      }
    }
  }
  return false;
}

// Whether a kernel's call stack has a depth the compiler cannot bound: recursion, or calls through
// function pointers (virtual functions, tables of functions). For such a kernel ptxas warns that
// the stack size "cannot be statically determined" and a GPU gives each thread exactly
// cudaLimitStackSize bytes, so deep recursion overflows it; for any other kernel the driver sizes
// the stack to the deepest call chain itself, whatever the limit says (isa/call_graph.cpp).
bool call_depth_unbounded(const Module& module, const Function& kernel);

}  // namespace gpusim::isa
