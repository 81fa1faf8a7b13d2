// Copies and fills shared by the 1-D, 2-D and symbol entry points of the runtime library.
#pragma once

#include <cuda_runtime_api.h>

#include "runtime/cudart/cudart_context.h"

namespace gpusim::cudart {

// True when a simulated allocation (device, managed or pinned) holds `p`.
bool is_device_side(Context& ctx, const void* p);
// cudaMemcpy's semantics for one contiguous range; cudaMemcpyDefault infers the direction.
// `kind` by reference: entry points pass what the program gave, which may be any number (runtime/raw_enum.h).
void copy_memory(Context& ctx, void* dst, const void* src, size_t n, const cudaMemcpyKind& kind);
void set_memory(Context& ctx, void* dst, int value, size_t n);

}  // namespace gpusim::cudart
