// `gpusim exec` on tests/cuda_programs/textures.cu: texture objects over a CUDA array and pitched
// memory, tex1Dfetch and a surface, each checked by the program against its own CPU reference of
// CUDA's texture-fetching rules; run in both simulation modes.
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

Outcome exec_textures(const std::string& options) {
  return run_gpusim("exec " + options + " -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/textures'");
}

TEST(ExecTextures, SamplesMatchTheCpuReferenceInFunctionalMode) {
  const Outcome o = exec_textures("--mode functional");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "pitch2D linear wrap normalized: 1600 samples match")) << o.output;
  EXPECT_TRUE(contains(o.output, "surface: 851 elements written and read back")) << o.output;
  EXPECT_TRUE(contains(o.output, "array limits: arrays past the reported extents refused")) << o.output;
  EXPECT_TRUE(contains(o.output, "OK")) << o.output;
}

TEST(ExecTextures, SamplesMatchTheCpuReferenceInTimingMode) {
  const Outcome o = exec_textures("--mode timing --config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "OK")) << o.output;
  EXPECT_TRUE(contains(o.output, "timing mode")) << o.output;
}

}  // namespace
