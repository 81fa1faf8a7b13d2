// Every workload end to end on the simulated device (functional mode), at several sizes
// including ones that are not multiples of the block or tile size. Sizes are kept small: the
// functional simulator runs on the order of 1M warp-instructions per second.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "runtime/sim_device.h"
#include "workloads/workload.h"

namespace gpusim::workloads {
namespace {

uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

struct Case {
  std::string workload;
  std::vector<uint64_t> size;
  uint64_t expected_ctas;  // from each kernel's launch geometry, computed by hand below
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  std::string s = info.param.workload;
  for (uint64_t d : info.param.size) s += "_" + std::to_string(d);
  return s;
}

class WorkloadOnSim : public testing::TestWithParam<Case> {};

TEST_P(WorkloadOnSim, MatchesCpuReference) {
  const Case& c = GetParam();
  const Workload* w = find_workload(c.workload);
  ASSERT_NE(w, nullptr) << c.workload;
  auto dev = runtime::make_sim_device();
  WorkloadParams params;
  params.size = c.size;
  params.seed = 42;
  const WorkloadResult r = w->run(*dev, params);
  EXPECT_TRUE(r.passed) << r.detail;
  ASSERT_EQ(r.launches.size(), 1u);
  EXPECT_EQ(r.launches[0].ctas, c.expected_ctas);
  EXPECT_GT(r.launches[0].warp_instructions, 0u);
  EXPECT_GE(r.launches[0].thread_instructions, r.launches[0].warp_instructions);
  EXPECT_LE(r.launches[0].thread_instructions, 32 * r.launches[0].warp_instructions);
}

// CTA counts: 1-D kernels use 256-thread blocks (reduce_sum: at most 1024 blocks of 256 threads
// x 4 elements); sgemm 16x16 tiles of C; transpose 32x32 tiles; softmax one block per row;
// wmma 32x32 of C per block (2x2 warps, one 16x16 tile each).
INSTANTIATE_TEST_SUITE_P(
    Sizes, WorkloadOnSim,
    testing::Values(
        Case{"vecadd", {1}, 1}, Case{"vecadd", {1000}, cdiv(1000, 256)}, Case{"vecadd", {4096}, 16},
        Case{"window_sum_naive", {3}, 1}, Case{"window_sum_naive", {1000}, cdiv(1000, 256)},
        Case{"window_sum_shared", {3}, 1}, Case{"window_sum_shared", {257}, 2},
        Case{"window_sum_shared", {1000}, cdiv(1000, 256)},
        Case{"sgemm_naive", {1, 1, 1}, 1}, Case{"sgemm_naive", {33, 47, 29}, cdiv(47, 16) * cdiv(33, 16)},
        Case{"sgemm_naive", {64, 64, 64}, 16},
        Case{"sgemm_tiled", {1, 1, 1}, 1}, Case{"sgemm_tiled", {33, 47, 29}, cdiv(47, 16) * cdiv(33, 16)},
        Case{"sgemm_tiled", {17, 5, 40}, 2}, Case{"sgemm_tiled", {64, 64, 64}, 16},
        Case{"reduce_sum", {1}, 1}, Case{"reduce_sum", {1000}, 1},
        Case{"reduce_sum", {100000}, cdiv(100000, 1024)},
        Case{"reduce_sum", {4194305}, 1024},  // past 2^22: the gamma-bound check, capped grid
        Case{"softmax", {1, 1}, 1}, Case{"softmax", {3, 5}, 3}, Case{"softmax", {7, 300}, 7},
        Case{"wmma_gemm", {16, 16, 16}, 1}, Case{"wmma_gemm", {32, 48, 64}, 2},
        Case{"wmma_gemm", {48, 16, 32}, 2},
        Case{"transpose_padded", {1, 1}, 1}, Case{"transpose_padded", {33, 47}, 4},
        Case{"transpose_padded", {100, 3}, 4}, Case{"transpose_unpadded", {33, 47}, 4},
        Case{"transpose_unpadded", {64, 64}, 4}),
    case_name);

TEST(WorkloadOnSim, DifferentSeedsGiveDifferentInputsButBothPass) {
  auto dev = runtime::make_sim_device();
  const Workload* w = find_workload("sgemm_tiled");
  ASSERT_NE(w, nullptr);
  WorkloadParams a{{20, 20, 20}, 1}, b{{20, 20, 20}, 2};
  EXPECT_TRUE(w->run(*dev, a).passed);
  EXPECT_TRUE(w->run(*dev, b).passed);
}

TEST(WorkloadOnSim, RejectsBadSizesWithTheWorkloadName) {
  auto dev = runtime::make_sim_device();
  auto expect_rejected = [&](const std::string& name, std::vector<uint64_t> size) {
    WorkloadParams p;
    p.size = std::move(size);
    try {
      find_workload(name)->run(*dev, p);
      ADD_FAILURE() << name << ": expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  expect_rejected("sgemm_tiled", {16, 16});         // needs three dimensions
  expect_rejected("vecadd", {0});                   // empty
  expect_rejected("wmma_gemm", {16, 17, 16});       // not a multiple of 16
  expect_rejected("transpose_padded", {1u << 16, 1u << 16});  // beyond 32-bit indexing
}

TEST(Registry, NamesAreUniqueAndDescribed) {
  std::set<std::string> names;
  for (const auto& w : all_workloads()) {
    EXPECT_TRUE(names.insert(w->name()).second) << w->name();
    EXPECT_FALSE(w->description().empty());
    EXPECT_FALSE(w->size_help().empty());
    EXPECT_FALSE(w->default_size().empty());
    EXPECT_EQ(find_workload(w->name()), w.get());
  }
  size_t any_arch = 0;  // the ten workloads every configuration runs; sm_90a ones come on top
  for (const auto& w : all_workloads()) any_arch += w->required_sm() == 0;
  EXPECT_EQ(any_arch, 10u);
  EXPECT_EQ(find_workload("no_such_workload"), nullptr);
}

}  // namespace
}  // namespace gpusim::workloads
