#include "isa/shared_effects.h"

#include <vector>

#include "isa/register_use.h"

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

namespace {

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

}  // namespace

bool ctas_may_communicate(const Module& module, const Function& kernel) {
  return any_reachable_in(module, kernel, true, [](const Function&, const Instruction& in) {
    switch (in.op) {
      case Opcode::Atom: case Opcode::Red:
        return global_or_generic(in.mod.space);
      case Opcode::Ld: case Opcode::Ldu: case Opcode::St:
        return global_or_generic(in.mod.space) && ordered_or_volatile(in.mod.order);
      case Opcode::Membar: case Opcode::Fence:
        return in.mod.scope != MemScope::Cta;
      default:
        return false;
    }
  });
}

bool ctas_may_steer_each_other(const Module& module, const Function& kernel) {
  // An atom's result counts when the function reads its destination register anywhere (nvcc often
  // emits atom rather than red for an atomicAdd whose result is dropped: reduce_sum's partial sums).
  const Function* current = nullptr;
  std::vector<bool> read;  // of `current`'s registers
  RegisterUse use;
  auto result_is_read = [&](const Function& fn, const Instruction& atom) {
    if (current != &fn) {
      current = &fn;
      read.assign(fn.regs.size(), false);
      for (const Instruction& in : fn.code) {
        register_use(in, use);
        for (uint32_t r : use.sources)
          if (r < read.size()) read[r] = true;
      }
    }
    register_use(atom, use);
    for (uint32_t r : use.destinations)
      if (r >= read.size() || read[r]) return true;
    return false;
  };
  return any_reachable_in(module, kernel, false, [&](const Function& fn, const Instruction& in) {
    switch (in.op) {
      case Opcode::Atom:  // the value other CTAs left there comes back
        return global_or_generic(in.mod.space) && result_is_read(fn, in);
      case Opcode::Ld: case Opcode::Ldu:  // a flag another CTA sets
        return global_or_generic(in.mod.space) && ordered_or_volatile(in.mod.order);
      default:
        return false;
    }
  });
}

}  // namespace gpusim::isa
