// CudaDevice's marshalling of the sm_90 driver calls, checked against the simulator's own
// libcuda.so.1 standing in for NVIDIA's (no GPU needed): a cluster launch goes out as
// cuLaunchKernelEx with the cluster-dimension attribute (the kernel reads its cluster registers
// back and they must follow their PTX definition), and encode_tensor_map_tiled hands every field
// to cuTensorMapEncodeTiled (the driver library's map format is the simulator's, so it can be
// decoded here). Each case runs in a fresh child process: the driver library is configured from
// GPUSIM_CONFIG at cuInit and, once loaded, shadows any other libcuda.so.1 in the process. (Named
// so that the 'Cuda*' filter of the real-GPU runs, scripts/gpu_check.sh, leaves them out: they
// never touch a GPU.)
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "isa/tensor_map.h"
#include "runtime/cuda_device.h"

using namespace gpusim::runtime;

namespace {

// out[ctaid.x] = %cluster_ctarank | %cluster_nctarank << 8 | %clusterid.x << 16
const char* const kClusterRanksPtx =
    ".version 8.0\n.target sm_90a\n.address_size 64\n"
    ".visible .entry ranks(.param .u64 p_out)\n{\n"
    "  .reg .u32 %r<6>;\n  .reg .u64 %a<3>;\n  .reg .pred %p;\n"
    "  mov.u32 %r0, %tid.x;\n  setp.ne.u32 %p, %r0, 0;\n  @%p bra DONE;\n"
    "  mov.u32 %r1, %cluster_ctarank;\n  mov.u32 %r2, %cluster_nctarank;\n  mov.u32 %r3, %clusterid.x;\n"
    "  shl.b32 %r2, %r2, 8;\n  shl.b32 %r3, %r3, 16;\n  or.b32 %r1, %r1, %r2;\n  or.b32 %r1, %r1, %r3;\n"
    "  mov.u32 %r4, %ctaid.x;\n  ld.param.u64 %a0, [p_out];\n  mul.wide.u32 %a1, %r4, 4;\n  add.u64 %a0, %a0, %a1;\n"
    "  st.global.u32 [%a0], %r1;\nDONE:\n  ret;\n}\n";

// In the child: fails with a message on stderr (EXPECT_* do not reach the parent).
void require(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<Device> driver_library_device() {
  setenv("GPUSIM_CONFIG", (std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini").c_str(), 1);
  setenv("GPUSIM_MODE", "functional", 1);
  return make_cuda_device(0, GPUSIM_LIBCUDA);
}

void cluster_launch_case() {
  auto dev = driver_library_device();
  const ModuleHandle m = dev->load_ptx("cluster_ranks.ptx", kClusterRanksPtx);
  const unsigned ctas = 12, cluster = 4;
  const DevPtr out = dev->alloc(ctas * 4);
  LaunchConfig cfg;
  cfg.grid = {ctas, 1, 1};
  cfg.block = {32, 1, 1};
  cfg.cluster = {cluster, 1, 1};
  dev->launch(m, "ranks", cfg, args(out));
  const std::vector<uint32_t> got = dev->download<uint32_t>(out, ctas);
  for (unsigned i = 0; i < ctas; ++i) {
    // PTX ISA: %cluster_ctarank is the CTA's rank in its cluster, %cluster_nctarank the cluster's
    // CTA count, %clusterid the cluster's index in the grid.
    const uint32_t want = (i % cluster) | cluster << 8 | (i / cluster) << 16;
    require(got[i] == want, "CTA " + std::to_string(i) + ": got " + std::to_string(got[i]) + ", want " +
                                std::to_string(want));
  }
  std::fprintf(stderr, "cluster launch ok\n");
  std::exit(0);
}

void tensor_map_case() {
  auto dev = driver_library_device();
  const DevPtr base = dev->alloc(1 << 20);
  TiledTensorMapSpec s;
  s.data_type = TensorMapDataType::Float32;
  s.rank = 3;
  s.global_address = base + 256;
  s.global_dims = {100, 30, 7};
  s.global_strides = {448, 448 * 32};
  s.box = {16, 8, 2};
  s.element_strides = {2, 1, 1};
  s.swizzle = TensorMapSwizzle::Bytes64;
  s.oob_fill = TensorMapOobFill::NanRequestZeroFma;
  const KernelArg arg = dev->encode_tensor_map_tiled(s);
  require(arg.bytes.size() == 128, "a CUtensorMap is 128 bytes");
  const auto m = gpusim::isa::tmap::decode(arg.bytes.data());
  require(m.has_value(), "the driver library wrote a map");
  require(m->rank == 3 && m->elem_bytes == 4 && m->global_address == base + 256, "rank, type, address");
  require(m->dims[0] == 100 && m->dims[1] == 30 && m->dims[2] == 7, "dims");
  require(m->strides[0] == 4 && m->strides[1] == 448 && m->strides[2] == 448 * 32, "strides");
  require(m->box[0] == 16 && m->box[1] == 8 && m->box[2] == 2, "box");
  require(m->element_strides[0] == 2 && m->element_strides[1] == 1, "element strides");
  require(m->swizzle_bytes == 64 && m->nan_fill, "swizzle and OOB fill");
  s.global_address = base + 8;  // not 16-byte aligned: the driver's error, naming the call
  try {
    dev->encode_tensor_map_tiled(s);
    require(false, "an unaligned address was accepted");
  } catch (const Error& e) {
    require(std::string(e.what()).find("cuTensorMapEncodeTiled") != std::string::npos, e.what());
  }
  std::fprintf(stderr, "tensor map ok\n");
  std::exit(0);
}

}  // namespace

TEST(DriverLibraryCudaDevice, ClusterLaunchUsesTheExtendedLaunch) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(cluster_launch_case(), ::testing::ExitedWithCode(0), "cluster launch ok");
}

TEST(DriverLibraryCudaDevice, TensorMapFieldsReachTheDriversEncoder) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(tensor_map_case(), ::testing::ExitedWithCode(0), "tensor map ok");
}
