// The build-time PTX embedding: every kernel present for every architecture, with ptxas figures
// that match what the kernel sources declare.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>

#include "workloads/embedded_ptx.h"

namespace gpusim::workloads {
namespace {

const KernelResources* find_resources(const std::string& kernel, const std::string& arch) {
  for (const EmbeddedPtx& e : embedded_ptx())
    for (const KernelResources& r : e.resources)
      if (r.kernel == kernel && r.arch == arch) return &r;
  return nullptr;
}

// kernel -> (file stem, static shared bytes computed from the declarations in the .cu).
const std::map<std::string, std::pair<std::string, unsigned>>& expected_kernels() {
  static const std::map<std::string, std::pair<std::string, unsigned>> k = {
      {"vecadd", {"vecadd", 0}},
      {"window_sum_naive", {"window_sum", 0}},
      {"window_sum_shared", {"window_sum", (256 + 2 * 2) * 4}},  // tile[WINDOW_BLOCK + 2*RADIUS]
      {"sgemm_naive", {"sgemm", 0}},
      {"sgemm_tiled", {"sgemm", 2 * 16 * 16 * 4}},               // as + bs, 16x16 floats each
      {"reduce_sum", {"reduction", 32 * 4}},                     // warp_partials[32]
      {"softmax_rows", {"softmax", 32 * 4}},                     // scratch[32]
      {"wmma_gemm", {"wmma_gemm", 0}},
      {"transpose_padded", {"transpose", 32 * 33 * 4}},
      {"transpose_unpadded", {"transpose", 32 * 32 * 4}},
  };
  return k;
}

TEST(EmbeddedPtx, EveryKernelHasPlausibleResourcesOnEveryArch) {
  for (const auto& [kernel, expected] : expected_kernels()) {
    for (const char* arch : {"sm_75", "sm_80", "sm_90"}) {
      SCOPED_TRACE(kernel + " " + arch);
      const KernelResources* r = find_resources(kernel, arch);
      ASSERT_NE(r, nullptr);
      EXPECT_GE(r->registers, 4u);
      EXPECT_LE(r->registers, 255u);  // the per-thread architectural limit
      EXPECT_EQ(r->static_shared, expected.second);
      EXPECT_EQ(r->spill_bytes, 0u);  // small kernels: nothing should spill
    }
  }
}

TEST(EmbeddedPtx, PtxTextIsTheCompiledSource) {
  for (const auto& [kernel, expected] : expected_kernels()) {
    SCOPED_TRACE(kernel);
    const EmbeddedPtx& e = find_embedded_ptx(expected.first);
    EXPECT_EQ(e.source_path, "workloads/kernels/" + expected.first + ".cu");
    EXPECT_NE(e.ptx.find(".version 9.0"), std::string::npos);
    EXPECT_NE(e.ptx.find(".target sm_80"), std::string::npos);
    EXPECT_NE(e.ptx.find(".entry " + kernel + "("), std::string::npos);
  }
}

TEST(EmbeddedPtx, LongPtxSurvivesChunking) {
  // The PTX is embedded in 4000-character chunks: a file longer than that must come back whole,
  // ending with the last kernel's closing brace.
  const EmbeddedPtx& e = find_embedded_ptx("transpose");
  ASSERT_GT(e.ptx.size(), 4000u);
  EXPECT_EQ(e.ptx.find('\0'), std::string::npos);
  const size_t last_brace = e.ptx.rfind('}');
  ASSERT_NE(last_brace, std::string::npos);
  EXPECT_EQ(e.ptx.find_first_not_of(" \n\r\t", last_brace + 1), std::string::npos);
  size_t opens = 0, closes = 0;
  for (char c : e.ptx) {
    opens += c == '{';
    closes += c == '}';
  }
  EXPECT_EQ(opens, closes);
}

TEST(EmbeddedPtx, UnknownNameListsWhatExists) {
  try {
    find_embedded_ptx("no_such_kernel_file");
    FAIL() << "expected std::out_of_range";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_kernel_file"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("sgemm"), std::string::npos);
  }
}

TEST(EmbeddedPtx, EveryKernelFileInTheTreeIsEmbedded) {
  // The build globs workloads/**/*.cu and framework/kernels/*.cu; each must be in the table.
  size_t files = 0;
  for (const char* dir : {"/workloads", "/framework/kernels"}) {
    const std::filesystem::path root = std::string(GPUSIM_SOURCE_DIR) + dir;
    if (!std::filesystem::exists(root)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.path().extension() != ".cu") continue;
      ++files;
      EXPECT_NO_THROW(find_embedded_ptx(entry.path().stem().string())) << entry.path();
    }
  }
  EXPECT_EQ(files, embedded_ptx().size());
}

}  // namespace
}  // namespace gpusim::workloads
