// The executor's path for `call` to a function declared without a body (`.extern .func`):
// device-side runtime functions (isa/device_services.h); anything else is a clear error.
#pragma once

#include "isa/exec_context.h"

namespace gpusim::isa {

// Executes `in` (a direct call to `callee`, which has no body) for the lanes in ctx.mask and
// moves the warp past it. Throws ExecError naming the function, kernel, PC and PTX line when the
// function is not a runtime function or the launch has no DeviceServices.
void exec_extern_call(ExecContext& ctx, const Instruction& in, const Function& callee);

}  // namespace gpusim::isa
