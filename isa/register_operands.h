// Pre-decoding of register operands: resolves, once per module, what the executor would
// otherwise look up in the function's register table for every lane of every execution.
#pragma once

#include "isa/ir.h"

namespace gpusim::isa {

// Lays out `f`'s register file (isa/register_file.h: RegInfo::slot, Function::register_bytes) and
// sets Operand::pred, Operand::value_shift and Operand::slot of every register operand
// (instruction operands and vector / argument elements) and Operand::slot of every Address
// operand with a base register, from the declared register types.
void annotate_register_operands(Function& f);

}  // namespace gpusim::isa
