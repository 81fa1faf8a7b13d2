#include "workloads/tensor_map_arg.h"

#include <stdexcept>

#include "isa/tensor_map.h"

namespace gpusim::workloads {

namespace tmap = isa::tmap;

namespace {

uint32_t element_bytes(TensorElement e) { return e == TensorElement::F32 ? 4 : 2; }

}  // namespace

runtime::KernelArg tensor_map_arg(runtime::DevPtr base, const TiledTensorMap& spec, const std::string& what) {
  if (spec.dims.empty() || spec.dims.size() > tmap::kMaxRank || spec.box.size() != spec.dims.size())
    throw std::invalid_argument(what + ": a tensor map needs 1..5 dimensions and one box size per dimension");
  tmap::TensorMap m;
  m.rank = uint32_t(spec.dims.size());
  m.elem_bytes = element_bytes(spec.element);
  m.data_type = uint32_t(spec.element);
  m.is_float = true;
  m.global_address = base;
  uint64_t stride = m.elem_bytes;
  for (unsigned d = 0; d < m.rank; ++d) {
    m.dims[d] = spec.dims[d];
    m.strides[d] = stride;
    m.box[d] = spec.box[d];
    m.element_strides[d] = 1;
    stride *= spec.dims[d];
  }
  m.swizzle_bytes = spec.swizzle_bytes;
  if (spec.swizzle_bytes != 0 && spec.swizzle_bytes != 32 && spec.swizzle_bytes != 64 && spec.swizzle_bytes != 128)
    throw std::invalid_argument(what + ": swizzle of " + std::to_string(spec.swizzle_bytes) + " bytes (0, 32, 64 or 128)");
  if (auto why = tmap::validate(m)) throw std::invalid_argument(what + ": tensor map: " + *why);
  runtime::KernelArg arg;
  arg.bytes.resize(tmap::kBytes);
  tmap::encode(m, arg.bytes.data());
  return arg;
}

}  // namespace gpusim::workloads
