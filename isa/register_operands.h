// Pre-decoding of register operands: resolves, once per module, what the executor would
// otherwise look up in the function's register table for every lane of every execution.
#pragma once

#include "isa/ir.h"

namespace gpusim::isa {

// Sets Operand::pred and Operand::value_shift of every register operand (instruction operands
// and vector / argument elements) of `f` from its declared register types.
void annotate_register_operands(Function& f);

}  // namespace gpusim::isa
