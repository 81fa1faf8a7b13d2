// Which functions reach a CTA barrier through their calls (Function::reaches_cta_barrier), found
// once per module after its calls are resolved.
#pragma once

#include "isa/ir.h"

namespace gpusim::isa {

void mark_functions_reaching_barriers(Module& m);

}  // namespace gpusim::isa
