// cuTensorMapEncodeTiled and cuTensorMapEncodeIm2col: build the simulator's tensor map
// (isa/tensor_map.h) in a CUtensorMap, for cp.async.bulk.tensor's tile and im2col modes. The
// driver checks what CUDA documents for each call and answers CUDA_ERROR_INVALID_VALUE naming the
// first violation. cuTensorMapReplaceAddress swaps the global address of an encoded map.
#include <cuda.h>

#include <cstring>
#include <string>

#include "isa/tensor_map.h"
#include "runtime/cudadrv/driver_state.h"
#include "runtime/raw_enum.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;
using gpusim::runtime::raw_enum_value;
namespace tmap = gpusim::isa::tmap;

static_assert(sizeof(CUtensorMap) == tmap::kBytes, "CUtensorMap is 128 bytes");

namespace {

// Element size and whether the type is floating point; 0 bytes for types the simulator lacks.
unsigned element_bytes(long long t, bool& is_float) {
  is_float = false;
  switch (t) {
    case CU_TENSOR_MAP_DATA_TYPE_UINT8: return 1;
    case CU_TENSOR_MAP_DATA_TYPE_UINT16: return 2;
    case CU_TENSOR_MAP_DATA_TYPE_UINT32: case CU_TENSOR_MAP_DATA_TYPE_INT32: return 4;
    case CU_TENSOR_MAP_DATA_TYPE_UINT64: case CU_TENSOR_MAP_DATA_TYPE_INT64: return 8;
    case CU_TENSOR_MAP_DATA_TYPE_FLOAT16: case CU_TENSOR_MAP_DATA_TYPE_BFLOAT16: is_float = true; return 2;
    case CU_TENSOR_MAP_DATA_TYPE_FLOAT32: case CU_TENSOR_MAP_DATA_TYPE_FLOAT32_FTZ:
    case CU_TENSOR_MAP_DATA_TYPE_TFLOAT32: case CU_TENSOR_MAP_DATA_TYPE_TFLOAT32_FTZ:
      is_float = true;
      return 4;
    case CU_TENSOR_MAP_DATA_TYPE_FLOAT64: is_float = true; return 8;
    default: return 0;
  }
}

unsigned swizzle_span(long long s) {
  switch (s) {
    case CU_TENSOR_MAP_SWIZZLE_NONE: return 0;
    case CU_TENSOR_MAP_SWIZZLE_32B: return 32;
    case CU_TENSOR_MAP_SWIZZLE_64B: return 64;
    case CU_TENSOR_MAP_SWIZZLE_128B: return 128;
    default:
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "swizzle mode " + std::to_string(s) +
                                                         " (the sm_100 128B atom variants) is not supported"};
  }
}

// The fields both encoders take the same way; `box_dim` is null for im2col maps. The enum arguments
// come as the integers the program passed (raw_enum.h): any number may arrive there.
tmap::TensorMap common_fields(CUtensorMap* tensor_map, long long data_type, cuuint32_t rank,
                              void* global_address, const cuuint64_t* global_dim, const cuuint64_t* global_strides,
                              const cuuint32_t* box_dim, const cuuint32_t* element_strides,
                              long long interleave, long long swizzle, long long oob_fill) {
  if (!tensor_map || !global_address || !global_dim || !element_strides || (rank > 1 && !global_strides))
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "a required pointer argument is null"};
  if (interleave != CU_TENSOR_MAP_INTERLEAVE_NONE)
    throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "interleaved tensor maps are not supported"};
  tmap::TensorMap m;
  m.rank = rank;
  m.data_type = uint32_t(data_type);
  m.elem_bytes = element_bytes(data_type, m.is_float);
  if (m.elem_bytes == 0)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "tensor data type " + std::to_string(data_type) + " is not supported"};
  if (rank < 1 || rank > tmap::kMaxRank)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "tensorRank " + std::to_string(rank) + " is outside 1..5"};
  m.global_address = reinterpret_cast<uint64_t>(global_address);
  for (unsigned d = 0; d < rank; ++d) {
    m.dims[d] = global_dim[d];
    m.strides[d] = d == 0 ? m.elem_bytes : global_strides[d - 1];
    m.box[d] = box_dim ? box_dim[d] : 0;
    m.element_strides[d] = element_strides[d];
  }
  m.swizzle_bytes = swizzle_span(swizzle);
  m.nan_fill = oob_fill == CU_TENSOR_MAP_FLOAT_OOB_FILL_NAN_REQUEST_ZERO_FMA;
  if (m.nan_fill && !m.is_float)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the NaN out-of-bounds fill needs a floating-point data type"};
  return m;
}

void validate_and_encode(const tmap::TensorMap& m, CUtensorMap* tensor_map) {
  if (auto why = tmap::validate(m)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, *why};
  tmap::encode(m, reinterpret_cast<uint8_t*>(tensor_map));
}

}  // namespace

extern "C" {

CUresult cuTensorMapEncodeTiled(CUtensorMap* tensor_map, CUtensorMapDataType data_type, cuuint32_t rank,
                                void* global_address, const cuuint64_t* global_dim, const cuuint64_t* global_strides,
                                const cuuint32_t* box_dim, const cuuint32_t* element_strides,
                                CUtensorMapInterleave interleave, CUtensorMapSwizzle swizzle,
                                CUtensorMapL2promotion /*l2 promotion: a cache hint*/, CUtensorMapFloatOOBfill oob_fill) {
  return api_call("cuTensorMapEncodeTiled", [&](DriverState&) {
    if (!box_dim) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "boxDim is null"};
    validate_and_encode(common_fields(tensor_map, raw_enum_value(data_type), rank, global_address, global_dim, global_strides,
                                      box_dim, element_strides, raw_enum_value(interleave), raw_enum_value(swizzle),
                                      raw_enum_value(oob_fill)),
                        tensor_map);
    return CUDA_SUCCESS;
  });
}

// The corners are given per spatial dimension, innermost (W) first like globalDim.
CUresult cuTensorMapEncodeIm2col(CUtensorMap* tensor_map, CUtensorMapDataType data_type, cuuint32_t rank,
                                 void* global_address, const cuuint64_t* global_dim, const cuuint64_t* global_strides,
                                 const int* pixel_box_lower_corner, const int* pixel_box_upper_corner,
                                 cuuint32_t channels_per_pixel, cuuint32_t pixels_per_column,
                                 const cuuint32_t* element_strides, CUtensorMapInterleave interleave,
                                 CUtensorMapSwizzle swizzle, CUtensorMapL2promotion /*a cache hint*/,
                                 CUtensorMapFloatOOBfill oob_fill) {
  return api_call("cuTensorMapEncodeIm2col", [&](DriverState&) {
    if (rank < 3 || rank > tmap::kMaxRank)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "tensorRank " + std::to_string(rank) + " is outside 3..5 (im2col)"};
    if (!pixel_box_lower_corner || !pixel_box_upper_corner)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pixelBoxLowerCorner or pixelBoxUpperCorner is null"};
    tmap::TensorMap m = common_fields(tensor_map, raw_enum_value(data_type), rank, global_address, global_dim,
                                      global_strides, nullptr, element_strides, raw_enum_value(interleave),
                                      raw_enum_value(swizzle), raw_enum_value(oob_fill));
    m.im2col = true;
    for (unsigned s = 0; s + 2 < rank; ++s) {
      m.lower_corner[s] = pixel_box_lower_corner[s];
      m.upper_corner[s] = pixel_box_upper_corner[s];
    }
    m.channels_per_pixel = channels_per_pixel;
    m.pixels_per_column = pixels_per_column;
    validate_and_encode(m, tensor_map);
    return CUDA_SUCCESS;
  });
}

CUresult cuTensorMapReplaceAddress(CUtensorMap* tensor_map, void* global_address) {
  return api_call("cuTensorMapReplaceAddress", [&](DriverState&) {
    if (!tensor_map) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "tensorMap is null"};
    auto m = tmap::decode(reinterpret_cast<const uint8_t*>(tensor_map));  // either mode
    if (!m) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "tensorMap was not built by cuTensorMapEncodeTiled or cuTensorMapEncodeIm2col"};
    m->global_address = reinterpret_cast<uint64_t>(global_address);
    if (auto why = tmap::validate(*m)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, *why};
    tmap::encode(*m, reinterpret_cast<uint8_t*>(tensor_map));
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
