// The executor's path for calls into CUDA's device runtime for dynamic parallelism (CDP2):
// device-side launches, streams, last error, device queries (isa/exec_device_launch.cpp).
#pragma once

#include <string>

#include "isa/exec_context.h"

namespace gpusim::isa {

// True for the device-runtime functions exec_device_launch_call handles.
bool is_device_launch_function(const std::string& name);

// Executes `in` (a direct call to the body-less `callee`, one of those functions) for the lanes
// in ctx.mask, in lane order, and moves the warp past it. Misuse the device runtime leaves
// undefined (a launch of a buffer that is not a parameter buffer, a pointer that is not a
// function, device-side cudaDeviceSynchronize) throws ExecError naming kernel, CTA, thread, PC.
void exec_device_launch_call(ExecContext& ctx, const Instruction& in, const Function& callee);

}  // namespace gpusim::isa
