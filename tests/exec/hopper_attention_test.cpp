// The FlashAttention-3-style forward pass (tests/cuda_programs/hopper_attention.cu) under
// `gpusim exec` on the H100 config: at several shapes in both simulation modes the program checks
// its output against a double-precision CPU softmax attention and exits 0; unsupported shapes
// are refused with a message naming the problem.
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

Outcome attention(const std::string& mode, const std::string& args) {
  return run_gpusim("exec --mode " + mode + " --config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini' -- '" +
                    std::string(GPUSIM_CUDA_PROGRAMS) + "/hopper_attention' " + args);
}

struct Shape {
  const char* args;   // HEAD_DIM SEQ_LEN BATCH_HEADS
  const char* label;  // what the program prints for it
};

class HopperAttention : public ::testing::TestWithParam<Shape> {};

// Head dim 64 with four K/V tiles per CTA (the two-stage ring wraps twice) over two heads; head
// dim 128 (two swizzle atoms along K for Q K^T, N = 128 for P V); a 384-long sequence over three
// heads (three query blocks, six key tiles: the online softmax rescales across more tiles).
const Shape kShapes[] = {{"64 256 2", "D=64 L=256 BH=2"}, {"128 128 1", "D=128 L=128 BH=1"},
                         {"64 384 3", "D=64 L=384 BH=3"}};

TEST_P(HopperAttention, MatchesTheCpuReferenceInFunctionalMode) {
  const Outcome o = attention("functional", GetParam().args);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, std::string("hopper_attention ") + GetParam().label)) << o.output;
  EXPECT_TRUE(contains(o.output, "OK")) << o.output;
}

TEST_P(HopperAttention, MatchesTheCpuReferenceInTimingMode) {
  const Outcome o = attention("timing", GetParam().args);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "OK")) << o.output;
  EXPECT_TRUE(contains(o.output, "timing mode")) << o.output;
  EXPECT_FALSE(contains(o.output, " 0 kernel launch")) << o.output;
}

INSTANTIATE_TEST_SUITE_P(Shapes, HopperAttention, ::testing::ValuesIn(kShapes),
                         [](const ::testing::TestParamInfo<Shape>& info) {
                           std::string name = std::string("d_l_bh_") + info.param.args;
                           for (char& c : name)
                             if (c == ' ') c = '_';
                           return name;
                         });

TEST(HopperAttentionShapes, UnsupportedHeadDimAndSequenceLengthAreRefusedClearly) {
  const Outcome d = attention("functional", "96 256 1");
  EXPECT_EQ(d.exit_code, 2) << d.output;
  EXPECT_TRUE(contains(d.output, "head dim 96 is not supported (64 or 128)")) << d.output;
  const Outcome l = attention("functional", "64 200 1");
  EXPECT_EQ(l.exit_code, 2) << l.output;
  EXPECT_TRUE(contains(l.output, "sequence length 200 is not a positive multiple of the 128-row query block"))
      << l.output;
}

}  // namespace
