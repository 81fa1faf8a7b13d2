// The parameters of the CUDA driver's cuTensorMapEncodeTiled, as runtime::Device takes them
// (Device::encode_tensor_map_tiled): the simulator encodes them in its own map format
// (isa/tensor_map.h), the CUDA backend hands them to the real driver, whose CUtensorMap is
// opaque. The enum-valued fields carry cuda.h's numeric values (CUDA 12/13), so a caller never
// needs cuda.h and the CUDA backend passes them through unchanged.
#pragma once

#include <array>
#include <cstdint>

namespace gpusim::runtime {

inline constexpr unsigned kTensorMapBytes = 128;  // sizeof(CUtensorMap)
inline constexpr unsigned kTensorMapMaxRank = 5;

// CUtensorMapDataType
enum class TensorMapDataType : uint32_t {
  UInt8 = 0, UInt16 = 1, UInt32 = 2, Int32 = 3, UInt64 = 4, Int64 = 5, Float16 = 6, Float32 = 7, Float64 = 8,
  BFloat16 = 9, Float32Ftz = 10, TFloat32 = 11, TFloat32Ftz = 12,
};
// CUtensorMapInterleave
enum class TensorMapInterleave : uint32_t { None = 0, Bytes16 = 1, Bytes32 = 2 };
// CUtensorMapSwizzle (the sm_100 atom variants are not listed: the simulator lacks them)
enum class TensorMapSwizzle : uint32_t { None = 0, Bytes32 = 1, Bytes64 = 2, Bytes128 = 3 };
// CUtensorMapL2promotion (a cache hint)
enum class TensorMapL2Promotion : uint32_t { None = 0, Bytes64 = 1, Bytes128 = 2, Bytes256 = 3 };
// CUtensorMapFloatOOBfill
enum class TensorMapOobFill : uint32_t { None = 0, NanRequestZeroFma = 1 };

// One tiled map, exactly cuTensorMapEncodeTiled's arguments: dimension 0 is the innermost
// (contiguous) one; global_strides[i] is the byte stride of dimension i + 1 (rank - 1 of them).
struct TiledTensorMapSpec {
  TensorMapDataType data_type = TensorMapDataType::BFloat16;
  uint32_t rank = 0;
  uint64_t global_address = 0;  // a device address (DevPtr)
  std::array<uint64_t, kTensorMapMaxRank> global_dims{};
  std::array<uint64_t, kTensorMapMaxRank - 1> global_strides{};
  std::array<uint32_t, kTensorMapMaxRank> box{};
  std::array<uint32_t, kTensorMapMaxRank> element_strides{};
  TensorMapInterleave interleave = TensorMapInterleave::None;
  TensorMapSwizzle swizzle = TensorMapSwizzle::None;
  TensorMapL2Promotion l2_promotion = TensorMapL2Promotion::None;
  TensorMapOobFill oob_fill = TensorMapOobFill::None;
};

}  // namespace gpusim::runtime
