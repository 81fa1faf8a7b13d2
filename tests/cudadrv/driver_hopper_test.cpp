// The driver's sm_90 entry points through the simulated libcuda.so.1: cuTensorMapEncodeTiled
// and cuTensorMapEncodeIm2col against the limits CUDA documents for them, and cuLaunchKernelEx with a cluster dimension
// (cluster special registers read back and compared with their definition).
#include <cstdint>
#include <string>
#include <vector>

#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

// out[ctaid.x] = %cluster_ctarank | %cluster_nctarank << 8 | %clusterid.x << 16
const char* kClusterPtx =
    ".version 8.0\n.target sm_90a\n.address_size 64\n"
    ".visible .entry ranks(.param .u64 p_out)\n{\n"
    "  .reg .u32 %r<6>;\n  .reg .u64 %a<3>;\n  .reg .pred %p;\n"
    "  mov.u32 %r0, %tid.x;\n  setp.ne.u32 %p, %r0, 0;\n  @%p bra DONE;\n"
    "  mov.u32 %r1, %cluster_ctarank;\n  mov.u32 %r2, %cluster_nctarank;\n  mov.u32 %r3, %clusterid.x;\n"
    "  shl.b32 %r2, %r2, 8;\n  shl.b32 %r3, %r3, 16;\n  or.b32 %r1, %r1, %r2;\n  or.b32 %r1, %r1, %r3;\n"
    "  mov.u32 %r4, %ctaid.x;\n  ld.param.u64 %a0, [p_out];\n  mul.wide.u32 %a1, %r4, 4;\n  add.u64 %a0, %a0, %a1;\n"
    "  st.global.u32 [%a0], %r1;\nDONE:\n  ret;\n}\n";

class DriverHopperTest : public DriverTest {
 protected:
  // The `ranks` kernel of `ptx` (kClusterPtx or a variant of it), loaded as a module.
  CUfunction load_ranks(const char* ptx = kClusterPtx) {
    CUmodule m = nullptr;
    EXPECT_EQ(cu.cuModuleLoadData(&m, ptx), CUDA_SUCCESS);
    CUfunction f = nullptr;
    EXPECT_EQ(cu.cuModuleGetFunction(&f, m, "ranks"), CUDA_SUCCESS);
    return f;
  }
  // cuLaunchKernelEx of `f` over `grid` CTAs of 32 threads in clusters of `cluster_x` CTAs.
  CUresult launch_in_clusters(CUfunction f, void** params, unsigned grid, unsigned cluster_x) {
    CUlaunchAttribute attr{};
    attr.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
    attr.value.clusterDim.x = cluster_x;
    attr.value.clusterDim.y = 1;
    attr.value.clusterDim.z = 1;
    CUlaunchConfig cfg{};
    cfg.gridDimX = grid;
    cfg.gridDimY = cfg.gridDimZ = 1;
    cfg.blockDimX = 32;
    cfg.blockDimY = cfg.blockDimZ = 1;
    cfg.attrs = &attr;
    cfg.numAttrs = 1;
    return cu.cuLaunchKernelEx(&cfg, f, params, nullptr);
  }
};

TEST_F(DriverHopperTest, TensorMapEncodeChecksTheDocumentedLimits) {
  const CUdeviceptr base = alloc(1 << 16);
  CUtensorMap map;
  cuuint64_t dims[2] = {64, 64}, strides[1] = {128};
  cuuint32_t box[2] = {64, 32}, unit[2] = {1, 1};
  auto encode = [&](CUdeviceptr address, CUtensorMapSwizzle swizzle) {
    return cu.cuTensorMapEncodeTiled(&map, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 2, reinterpret_cast<void*>(address), dims,
                                     strides, box, unit, CU_TENSOR_MAP_INTERLEAVE_NONE, swizzle,
                                     CU_TENSOR_MAP_L2_PROMOTION_NONE, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  };
  EXPECT_CU(CUDA_SUCCESS, encode(base, CU_TENSOR_MAP_SWIZZLE_128B));  // 64 halves = 128 bytes: fits
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode(base + 8, CU_TENSOR_MAP_SWIZZLE_NONE));  // not 16-byte aligned
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode(base, CU_TENSOR_MAP_SWIZZLE_64B));  // 128-byte rows, 64-byte span
  strides[0] = 120;  // not a multiple of 16
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode(base, CU_TENSOR_MAP_SWIZZLE_NONE));
  strides[0] = 128;
  box[1] = 300;  // boxDim above 256
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode(base, CU_TENSOR_MAP_SWIZZLE_NONE));
}

TEST_F(DriverHopperTest, TensorMapEncodeIm2colChecksTheDocumentedLimits) {
  // NHWC f16: C 16, W 6, H 5, N 2, densely packed; a 3x3 filter with padding 1.
  const CUdeviceptr base = alloc(1 << 16);
  CUtensorMap map;
  cuuint64_t dims[4] = {16, 6, 5, 2}, strides[3] = {32, 192, 960};
  int lower[2] = {-1, -1}, upper[2] = {-1, -1};
  cuuint32_t unit[4] = {1, 1, 1, 1}, rank = 4, channels = 16, pixels = 64;
  auto encode = [&] {
    return cu.cuTensorMapEncodeIm2col(&map, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, rank, reinterpret_cast<void*>(base), dims,
                                      strides, lower, upper, channels, pixels, unit, CU_TENSOR_MAP_INTERLEAVE_NONE,
                                      CU_TENSOR_MAP_SWIZZLE_NONE, CU_TENSOR_MAP_L2_PROMOTION_NONE,
                                      CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  };
  EXPECT_CU(CUDA_SUCCESS, encode());
  lower[0] = -129;  // 4-D corners are within [-128, 127]
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode());
  lower[0] = -1;
  upper[1] = -6;  // H: the box [-1, 5 - 1 - 6] is empty
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode());
  upper[1] = -1;
  channels = 257;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode());
  channels = 16;
  pixels = 1025;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode());
  pixels = 64;
  rank = 2;  // im2col needs N, at least one spatial dimension and C
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, encode());
  rank = 4;
  EXPECT_CU(CUDA_SUCCESS, encode());
}

TEST_F(DriverHopperTest, LaunchKernelExRunsThreadBlockClusters) {
  CUfunction f = load_ranks();
  ASSERT_NE(f, nullptr);
  const CUdeviceptr out = alloc(8 * 4);
  void* params[] = {const_cast<CUdeviceptr*>(&out)};
  ASSERT_CU_OK(launch_in_clusters(f, params, 8, 4));
  std::vector<uint32_t> got(8);
  ASSERT_CU_OK(cu.cuMemcpyDtoH(got.data(), out, 8 * 4));
  for (uint32_t cta = 0; cta < 8; ++cta) EXPECT_EQ(got[cta], (cta % 4) | 4u << 8 | (cta / 4) << 16) << "CTA " << cta;
  EXPECT_CU(CUDA_ERROR_INVALID_CLUSTER_SIZE, launch_in_clusters(f, params, 6, 4));  // not whole 4-CTA clusters
}

// More than the portable 8 CTAs per cluster need the kernel's opt-in; the attributes say so.
TEST_F(DriverHopperTest, NonPortableClusterSizesNeedTheKernelsOptIn) {
  CUfunction f = load_ranks();
  ASSERT_NE(f, nullptr);
  int v = -1;
  ASSERT_CU_OK(cu.cuFuncGetAttribute(&v, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, f));
  EXPECT_EQ(v, 0);
  ASSERT_CU_OK(cu.cuFuncGetAttribute(&v, CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH, f));
  EXPECT_EQ(v, 0);  // no __cluster_dims__
  const CUdeviceptr out = alloc(32 * 4);
  void* params[] = {const_cast<CUdeviceptr*>(&out)};
  EXPECT_CU(CUDA_ERROR_INVALID_CLUSTER_SIZE, launch_in_clusters(f, params, 32, 16));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 2));
  ASSERT_CU_OK(cu.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1));
  ASSERT_CU_OK(cu.cuFuncGetAttribute(&v, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, f));
  EXPECT_EQ(v, 1);
  ASSERT_CU_OK(launch_in_clusters(f, params, 32, 16));
  std::vector<uint32_t> got(32);
  ASSERT_CU_OK(cu.cuMemcpyDtoH(got.data(), out, 32 * 4));
  for (uint32_t cta = 0; cta < 32; ++cta) EXPECT_EQ(got[cta], (cta % 16) | 16u << 8 | (cta / 16) << 16) << "CTA " << cta;
}

// A cluster shape set at run time (CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_*): whole before a launch uses
// it, then the shape of launches that name none; a launch naming another is refused, and a kernel
// whose PTX fixes its shape (.reqnctapercluster) refuses the setting.
TEST_F(DriverHopperTest, RequiredClusterShapeSetAtRunTime) {
  CUfunction f = load_ranks();
  ASSERT_NE(f, nullptr);
  const CUdeviceptr out = alloc(8 * 4);
  void* params[] = {const_cast<CUdeviceptr*>(&out)};
  auto plain_launch = [&] { return cu.cuLaunchKernel(f, 8, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr); };
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH, -2));
  ASSERT_CU_OK(cu.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH, 4));
  EXPECT_CU(CUDA_ERROR_INVALID_CLUSTER_SIZE, plain_launch());  // height and depth still 0
  ASSERT_CU_OK(cu.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_HEIGHT, 1));
  ASSERT_CU_OK(cu.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH, 1));
  int v = -1;
  ASSERT_CU_OK(cu.cuFuncGetAttribute(&v, CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH, f));
  EXPECT_EQ(v, 4);
  ASSERT_CU_OK(plain_launch());
  std::vector<uint32_t> got(8);
  ASSERT_CU_OK(cu.cuMemcpyDtoH(got.data(), out, 8 * 4));
  for (uint32_t cta = 0; cta < 8; ++cta) EXPECT_EQ(got[cta], (cta % 4) | 4u << 8 | (cta / 4) << 16) << "CTA " << cta;
  EXPECT_CU(CUDA_ERROR_INVALID_CLUSTER_SIZE, launch_in_clusters(f, params, 8, 2));  // (2,1,1) against (4,1,1)

  std::string fixed = kClusterPtx;
  fixed.replace(fixed.find("(.param .u64 p_out)"), 19, "(.param .u64 p_out) .reqnctapercluster 2, 1, 1");
  CUfunction g = load_ranks(fixed.c_str());
  ASSERT_NE(g, nullptr);
  EXPECT_CU(CUDA_ERROR_NOT_PERMITTED, cu.cuFuncSetAttribute(g, CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH, 1));
  ASSERT_CU_OK(cu.cuFuncGetAttribute(&v, CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH, g));
  EXPECT_EQ(v, 2);
}

}  // namespace
