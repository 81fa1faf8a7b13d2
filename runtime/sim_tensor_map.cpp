#include "runtime/sim_tensor_map.h"

#include <string>

#include "isa/tensor_map.h"

namespace gpusim::runtime {

namespace {

namespace tmap = isa::tmap;

static_assert(kTensorMapBytes == tmap::kBytes && kTensorMapMaxRank == tmap::kMaxRank);

// Bytes per element and whether the type is floating point (the NaN fill needs one); 0 bytes for
// a value outside CUtensorMapDataType.
uint32_t element_bytes(TensorMapDataType t, bool& is_float) {
  using T = TensorMapDataType;
  is_float = false;
  switch (t) {
    case T::UInt8: return 1;
    case T::UInt16: return 2;
    case T::UInt32: case T::Int32: return 4;
    case T::UInt64: case T::Int64: return 8;
    case T::Float16: case T::BFloat16: is_float = true; return 2;
    case T::Float32: case T::Float32Ftz: case T::TFloat32: case T::TFloat32Ftz: is_float = true; return 4;
    case T::Float64: is_float = true; return 8;
  }
  return 0;
}

std::string fail(const std::string& why) { return "encode_tensor_map_tiled (cuTensorMapEncodeTiled): " + why; }

}  // namespace

KernelArg encode_sim_tensor_map(const TiledTensorMapSpec& spec) {
  if (spec.rank < 1 || spec.rank > kTensorMapMaxRank)
    throw Error(fail("tensorRank " + std::to_string(spec.rank) + " is outside 1..5"));
  if (spec.interleave != TensorMapInterleave::None) throw Error(fail("interleaved tensor maps are not supported"));
  tmap::TensorMap m;
  m.rank = spec.rank;
  m.data_type = static_cast<uint32_t>(spec.data_type);
  m.elem_bytes = element_bytes(spec.data_type, m.is_float);
  if (m.elem_bytes == 0) throw Error(fail("tensor data type " + std::to_string(m.data_type) + " is not supported"));
  if (spec.global_address == 0) throw Error(fail("globalAddress is null"));
  m.global_address = spec.global_address;
  for (unsigned d = 0; d < spec.rank; ++d) {
    m.dims[d] = spec.global_dims[d];
    m.strides[d] = d == 0 ? m.elem_bytes : spec.global_strides[d - 1];
    m.box[d] = spec.box[d];
    m.element_strides[d] = spec.element_strides[d];
  }
  switch (spec.swizzle) {
    case TensorMapSwizzle::None: m.swizzle_bytes = 0; break;
    case TensorMapSwizzle::Bytes32: m.swizzle_bytes = 32; break;
    case TensorMapSwizzle::Bytes64: m.swizzle_bytes = 64; break;
    case TensorMapSwizzle::Bytes128: m.swizzle_bytes = 128; break;
    default: throw Error(fail("swizzle mode " + std::to_string(uint32_t(spec.swizzle)) + " is not supported"));
  }
  m.nan_fill = spec.oob_fill == TensorMapOobFill::NanRequestZeroFma;
  if (m.nan_fill && !m.is_float) throw Error(fail("the NaN out-of-bounds fill needs a floating-point data type"));
  if (auto why = tmap::validate(m)) throw Error(fail(*why));
  KernelArg arg;
  arg.bytes.resize(kTensorMapBytes);
  tmap::encode(m, arg.bytes.data());
  return arg;
}

}  // namespace gpusim::runtime
