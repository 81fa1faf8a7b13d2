// The simulator's Device::encode_tensor_map_tiled: cuTensorMapEncodeTiled's arguments turned into
// the simulator's tensor map (isa/tensor_map.h), which cp.async.bulk.tensor reads back.
#pragma once

#include "runtime/device.h"

namespace gpusim::runtime {

// The 128 map bytes for `spec`. Throws Error naming the first rule of cuTensorMapEncodeTiled the
// spec breaks (rank, alignment, strides, box and swizzle limits), or a feature the simulator lacks
// (interleaved layouts).
KernelArg encode_sim_tensor_map(const TiledTensorMapSpec& spec);

}  // namespace gpusim::runtime
