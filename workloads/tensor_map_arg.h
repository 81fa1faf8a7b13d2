// CUtensorMap kernel arguments for built-in workloads: what a CUDA program gets from
// cuTensorMapEncodeTiled, built by the device the workload runs on
// (runtime::Device::encode_tensor_map_tiled): the simulator writes its own map format, the CUDA
// backend calls the real driver's encoder, so a workload's TMA kernel (cp.async.bulk.tensor on a
// __grid_constant__ CUtensorMap parameter) runs on both backends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/device.h"

namespace gpusim::workloads {

// The element types workloads use, with CUtensorMapDataType's values (cuda.h).
enum class TensorElement : uint32_t { F16 = 6, F32 = 7, BF16 = 9 };

// A tiled map over a dense row-major tensor: dims innermost first (dims[0] contiguous), each
// further dimension's stride the product of the ones before it; box in elements per dimension.
struct TiledTensorMap {
  TensorElement element = TensorElement::BF16;
  std::vector<uint64_t> dims;     // 1..5 dimensions, innermost first
  std::vector<uint32_t> box;      // same rank as dims
  uint32_t swizzle_bytes = 128;   // 0, 32, 64 or 128 (CU_TENSOR_MAP_SWIZZLE_*)
};

// cuTensorMapEncodeTiled's arguments for `spec` over the tensor at `base`: element strides 1, no
// interleave, no L2 promotion, zero out-of-bounds fill. Throws std::invalid_argument naming
// `what` for a malformed spec (rank, box rank, swizzle width).
runtime::TiledTensorMapSpec dense_tiled_spec(runtime::DevPtr base, const TiledTensorMap& spec, const std::string& what);

// The map's 128 bytes encoded by `dev`, as a kernel argument; valid on `dev` only. Throws
// std::invalid_argument naming `what` (e.g. "hopper_gemm: A") and the first rule the map breaks
// (the rules cuTensorMapEncodeTiled documents: alignment, strides, box and swizzle limits).
runtime::KernelArg tensor_map_arg(runtime::Device& dev, runtime::DevPtr base, const TiledTensorMap& spec,
                                  const std::string& what);

}  // namespace gpusim::workloads
