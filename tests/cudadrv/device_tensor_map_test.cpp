// runtime::Device::encode_tensor_map_tiled on the simulator against the driver library's
// cuTensorMapEncodeTiled (the encoder CUDA programs use under gpusim exec): the same arguments give
// the same 128 bytes, and what one rejects the other rejects. Also the CUDA backend's hand-written
// declarations of cuLaunchKernelEx's and cuTensorMapEncodeTiled's types (runtime/cuda_driver_api.h)
// against the toolkit's cuda.h, which that backend cannot include.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "runtime/cuda_driver_api.h"
#include "runtime/sim_device.h"
#include "tests/cudadrv/driver_library.h"

using namespace gpusim;
using runtime::TiledTensorMapSpec;

namespace {

namespace cu = runtime::cuda;
static_assert(sizeof(cu::LaunchAttribute) == sizeof(CUlaunchAttribute));
static_assert(offsetof(cu::LaunchAttribute, value) == offsetof(CUlaunchAttribute, value));
static_assert(sizeof(cu::LaunchConfig) == sizeof(CUlaunchConfig));
static_assert(offsetof(cu::LaunchConfig, shared_bytes) == offsetof(CUlaunchConfig, sharedMemBytes));
static_assert(offsetof(cu::LaunchConfig, stream) == offsetof(CUlaunchConfig, hStream));
static_assert(offsetof(cu::LaunchConfig, attrs) == offsetof(CUlaunchConfig, attrs));
static_assert(offsetof(cu::LaunchConfig, num_attrs) == offsetof(CUlaunchConfig, numAttrs));
static_assert(cu::kLaunchAttributeClusterDimension == CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION);
static_assert(cu::kLaunchAttributeCooperative == CU_LAUNCH_ATTRIBUTE_COOPERATIVE);
static_assert(cu::kFuncAttributeNonPortableClusterSizeAllowed == CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED);
static_assert(sizeof(cu::TensorMap) == sizeof(CUtensorMap) && alignof(cu::TensorMap) == alignof(CUtensorMap));
static_assert(sizeof(CUtensorMapDataType) == sizeof(int) && sizeof(CUtensorMapSwizzle) == sizeof(int));
static_assert(int(runtime::TensorMapDataType::BFloat16) == CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 &&
              int(runtime::TensorMapDataType::TFloat32Ftz) == CU_TENSOR_MAP_DATA_TYPE_TFLOAT32_FTZ &&
              int(runtime::TensorMapDataType::Float64) == CU_TENSOR_MAP_DATA_TYPE_FLOAT64);
static_assert(int(runtime::TensorMapSwizzle::Bytes128) == CU_TENSOR_MAP_SWIZZLE_128B &&
              int(runtime::TensorMapInterleave::Bytes32) == CU_TENSOR_MAP_INTERLEAVE_32B &&
              int(runtime::TensorMapL2Promotion::Bytes256) == CU_TENSOR_MAP_L2_PROMOTION_L2_256B &&
              int(runtime::TensorMapOobFill::NanRequestZeroFma) == CU_TENSOR_MAP_FLOAT_OOB_FILL_NAN_REQUEST_ZERO_FMA);

// The driver library's answer for `s`: its bytes, or empty with the error code.
struct DriverAnswer {
  CUresult result = CUDA_SUCCESS;
  std::vector<uint8_t> bytes;
};
DriverAnswer driver_encode(const TiledTensorMapSpec& s) {
  auto& cu = test_support::DriverLibrary::get();
  CUtensorMap map;
  std::memset(&map, 0, sizeof(map));
  cuuint64_t dims[5], strides[4];
  cuuint32_t box[5], estrides[5];
  for (int d = 0; d < 5; ++d) {
    dims[d] = s.global_dims[d];
    box[d] = s.box[d];
    estrides[d] = s.element_strides[d];
    if (d < 4) strides[d] = s.global_strides[d];
  }
  DriverAnswer a;
  a.result = cu.cuTensorMapEncodeTiled(&map, CUtensorMapDataType(s.data_type), s.rank,
                                       reinterpret_cast<void*>(s.global_address), dims, strides, box, estrides,
                                       CUtensorMapInterleave(s.interleave), CUtensorMapSwizzle(s.swizzle),
                                       CUtensorMapL2promotion(s.l2_promotion), CUtensorMapFloatOOBfill(s.oob_fill));
  if (a.result == CUDA_SUCCESS) a.bytes.assign(reinterpret_cast<uint8_t*>(&map), reinterpret_cast<uint8_t*>(&map) + 128);
  return a;
}

TiledTensorMapSpec spec2d() {  // 256 (contiguous) x 512 bf16, 64 x 128 boxes, 128B swizzle
  TiledTensorMapSpec s;
  s.data_type = runtime::TensorMapDataType::BFloat16;
  s.rank = 2;
  s.global_address = 0x7f0000010000;
  s.global_dims = {256, 512};
  s.global_strides = {512};
  s.box = {64, 128};
  s.element_strides = {1, 1};
  s.swizzle = runtime::TensorMapSwizzle::Bytes128;
  return s;
}

TiledTensorMapSpec spec3d() {  // f32 with padded rows and planes, strided box, NaN fill, L2 hint
  TiledTensorMapSpec s;
  s.data_type = runtime::TensorMapDataType::Float32;
  s.rank = 3;
  s.global_address = 0x7f0000020000;
  s.global_dims = {100, 30, 7};
  s.global_strides = {448, 448 * 32};
  s.box = {16, 8, 2};
  s.element_strides = {2, 1, 1};
  s.l2_promotion = runtime::TensorMapL2Promotion::Bytes128;
  s.oob_fill = runtime::TensorMapOobFill::NanRequestZeroFma;
  return s;
}

TiledTensorMapSpec spec5d() {  // f16, five dimensions, 64B swizzle
  TiledTensorMapSpec s;
  s.data_type = runtime::TensorMapDataType::Float16;
  s.rank = 5;
  s.global_address = 0x7f0000040000;
  s.global_dims = {32, 4, 3, 2, 2};
  s.global_strides = {64, 256, 768, 1536};
  s.box = {32, 2, 1, 2, 1};
  s.element_strides = {1, 1, 1, 1, 1};
  s.swizzle = runtime::TensorMapSwizzle::Bytes64;
  return s;
}

std::string sim_error(runtime::Device& dev, const TiledTensorMapSpec& s) {
  try {
    dev.encode_tensor_map_tiled(s);
  } catch (const runtime::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(DeviceTensorMap, SimulatorEncodesWhatTheDriverLibraryEncodes) {
  auto dev = runtime::make_sim_device();
  TiledTensorMapSpec u8 = spec2d();
  u8.data_type = runtime::TensorMapDataType::UInt8;
  u8.rank = 1;
  u8.global_dims = {1000};
  u8.box = {48};
  u8.swizzle = runtime::TensorMapSwizzle::None;
  for (const TiledTensorMapSpec& s : {spec2d(), spec3d(), spec5d(), u8}) {
    const DriverAnswer want = driver_encode(s);
    ASSERT_EQ(want.result, CUDA_SUCCESS) << "rank " << s.rank;
    const runtime::KernelArg got = dev->encode_tensor_map_tiled(s);
    EXPECT_EQ(got.bytes, want.bytes) << "rank " << s.rank;
  }
}

TEST(DeviceTensorMap, SimulatorRejectsWhatTheDriverLibraryRejects) {
  auto dev = runtime::make_sim_device();
  struct Case {
    const char* what;
    TiledTensorMapSpec spec;
    const char* message;  // part of the simulator's message
  };
  std::vector<Case> cases;
  TiledTensorMapSpec s = spec2d();
  s.global_address += 8;  // the global address must be 16-byte aligned
  cases.push_back({"unaligned address", s, "align"});
  s = spec2d();
  s.box[0] = 128;  // 256-byte box rows under a 128-byte swizzle span
  cases.push_back({"box wider than the swizzle", s, "swizzle"});
  s = spec2d();
  s.global_strides[0] = 520;  // not a multiple of 16
  cases.push_back({"stride not a multiple of 16", s, "16"});
  s = spec2d();
  s.interleave = runtime::TensorMapInterleave::Bytes16;
  cases.push_back({"interleave", s, "interleave"});
  s = spec3d();
  s.data_type = runtime::TensorMapDataType::Int32;  // NaN fill on an integer type
  cases.push_back({"NaN fill on integers", s, "NaN"});
  for (const Case& c : cases) {
    EXPECT_NE(driver_encode(c.spec).result, CUDA_SUCCESS) << c.what;
    const std::string why = sim_error(*dev, c.spec);
    EXPECT_NE(why.find("cuTensorMapEncodeTiled"), std::string::npos) << c.what << ": " << why;
    EXPECT_NE(why.find(c.message), std::string::npos) << c.what << ": " << why;
  }
  s = spec2d();
  s.rank = 6;
  EXPECT_NE(sim_error(*dev, s).find("tensorRank 6"), std::string::npos) << sim_error(*dev, s);
}
