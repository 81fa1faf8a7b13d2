#include "workloads/tensor_map_arg.h"

#include <stdexcept>

namespace gpusim::workloads {

namespace {

uint32_t element_bytes(TensorElement e) { return e == TensorElement::F32 ? 4 : 2; }

runtime::TensorMapSwizzle swizzle_mode(uint32_t bytes, const std::string& what) {
  switch (bytes) {
    case 0: return runtime::TensorMapSwizzle::None;
    case 32: return runtime::TensorMapSwizzle::Bytes32;
    case 64: return runtime::TensorMapSwizzle::Bytes64;
    case 128: return runtime::TensorMapSwizzle::Bytes128;
    default:
      throw std::invalid_argument(what + ": swizzle of " + std::to_string(bytes) + " bytes (0, 32, 64 or 128)");
  }
}

}  // namespace

runtime::TiledTensorMapSpec dense_tiled_spec(runtime::DevPtr base, const TiledTensorMap& spec, const std::string& what) {
  if (spec.dims.empty() || spec.dims.size() > runtime::kTensorMapMaxRank || spec.box.size() != spec.dims.size())
    throw std::invalid_argument(what + ": a tensor map needs 1..5 dimensions and one box size per dimension");
  runtime::TiledTensorMapSpec s;
  s.data_type = static_cast<runtime::TensorMapDataType>(spec.element);
  s.rank = uint32_t(spec.dims.size());
  s.global_address = base;
  uint64_t stride = element_bytes(spec.element);
  for (unsigned d = 0; d < s.rank; ++d) {
    s.global_dims[d] = spec.dims[d];
    s.box[d] = spec.box[d];
    s.element_strides[d] = 1;
    stride *= spec.dims[d];
    if (d + 1 < s.rank) s.global_strides[d] = stride;  // bytes between consecutive indices of dimension d + 1
  }
  s.swizzle = swizzle_mode(spec.swizzle_bytes, what);
  return s;
}

runtime::KernelArg tensor_map_arg(runtime::Device& dev, runtime::DevPtr base, const TiledTensorMap& spec,
                                  const std::string& what) {
  const runtime::TiledTensorMapSpec s = dense_tiled_spec(base, spec, what);
  try {
    return dev.encode_tensor_map_tiled(s);
  } catch (const runtime::KernelFault&) {
    throw;  // the device is lost: not a problem with the map
  } catch (const runtime::Error& e) {
    throw std::invalid_argument(what + ": tensor map: " + e.what());
  }
}

}  // namespace gpusim::workloads
