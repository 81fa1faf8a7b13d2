#include "isa/shared_effects.h"

#include <vector>

#include "isa/call_graph.h"
#include "isa/register_use.h"
#include "isa/spin_yield.h"

namespace gpusim::isa {

namespace {

bool global_or_generic(StateSpace s) {
  return s == StateSpace::Global || s == StateSpace::Generic || s == StateSpace::None;
}

bool ordered_or_volatile(MemOrder o) { return o != MemOrder::None && o != MemOrder::Weak; }

}  // namespace

bool may_touch_shared_state(const Module* module, const Instruction& in) {
  switch (in.op) {
    case Opcode::Ld: case Opcode::Ldu: case Opcode::St: case Opcode::Atom: case Opcode::Red:
    case Opcode::Prefetch: case Opcode::Prefetchu: case Opcode::WmmaLoad: case Opcode::WmmaStore:
    case Opcode::Ldmatrix: case Opcode::Mbarrier: case Opcode::CpAsyncMbarrierArrive: case Opcode::StAsync:
    case Opcode::RedAsync:
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

bool ctas_may_wait_for_each_other(const Module& module, const Function& kernel) {
  return any_reachable_in(module, kernel, false, [](const Function& fn, const Instruction& in) {
    if (in.op != Opcode::Bra || in.ops[0].kind != OperandKind::Label) return false;
    const size_t pc = size_t(&in - fn.code.data()), target = in.ops[0].reg;
    if (target > pc) return false;
    for (size_t i = target; i <= pc; ++i) {
      const Instruction& body = fn.code[i];
      if (memory_effect(body) == MemoryEffect::Poll && global_or_generic(body.mod.space)) return true;
    }
    return false;
  });
}

}  // namespace gpusim::isa
