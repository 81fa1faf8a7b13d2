#include "isa/register_operands.h"

#include "isa/register_file.h"

namespace gpusim::isa {

namespace {

void annotate(Operand& o, const Function& f) {
  if (o.kind == OperandKind::Address && o.reg < f.regs.size()) {
    o.slot = f.regs[o.reg].slot;  // the base register
    // Its width: a 32-bit base register makes the address arithmetic 32-bit (ExecContext::address).
    o.value_shift = uint8_t(__builtin_clzll(register_value_mask(f.regs[o.reg].type)));
    return;
  }
  if (o.kind != OperandKind::Reg || o.reg >= f.regs.size()) return;
  const DataType t = f.regs[o.reg].type;
  o.pred = t == DataType::Pred;
  // The mask is a run of low ones (1, 0xff, 0xffff, 0xffffffff or all 64 bits).
  o.value_shift = uint8_t(__builtin_clzll(register_value_mask(t)));
  o.slot = f.regs[o.reg].slot;
}

}  // namespace

void annotate_register_operands(Function& f) {
  layout_registers(f);
  for (Instruction& in : f.code) {
    for (Operand& o : in.ops) annotate(o, f);
    for (Operand& o : in.elems) annotate(o, f);
  }
}

}  // namespace gpusim::isa
