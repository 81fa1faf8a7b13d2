// A grid whose CTAs wait for a CTA the GPU cannot hold at the same time deadlocks on a GPU; gpusim
// must say so in both modes (functional mode used to let up to 1,024 CTAs run together whatever
// the chip held, so such a kernel passed there), naming why, and a grid that does fit must finish
// (tests/cuda_programs/wait_for_last_cta.cu; 4 SMs x 8 CTAs of 256 threads = 32 at once).
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

Outcome wait_for_last(const std::string& mode, int ctas) {
  return run_gpusim("exec --quiet --mode " + mode + " --set sm.count=4 -- '" + std::string(GPUSIM_CUDA_PROGRAMS) +
                    "/wait_for_last_cta' " + std::to_string(ctas));
}

TEST(ExecResidency, AGridThatFitsFinishesAndOneMoreCtaDeadlocksInBothModes) {
  for (const std::string mode : {"functional", "timing"}) {
    SCOPED_TRACE(mode);
    const Outcome fits = wait_for_last(mode, 32);
    EXPECT_EQ(fits.exit_code, 0) << fits.output;
    EXPECT_TRUE(contains(fits.output, "device holds 32, grid 32: cudaSuccess, 32 finished")) << fits.output;
    const Outcome too_big = wait_for_last(mode, 33);
    EXPECT_EQ(too_big.exit_code, 0) << too_big.output;
    EXPECT_TRUE(contains(too_big.output, "grid 33: cudaErrorLaunchTimeout")) << too_big.output;
    EXPECT_TRUE(contains(too_big.output, "the grid's 33 CTAs do not fit on the GPU at once: it holds 32 of this "
                                         "kernel, 8 per SM (limited by threads) x 4 SMs"))
        << too_big.output;
  }
}

// A handshake between kernels of two streams cannot complete when launches run one at a time:
// the report says so, instead of only "a wait for a value nothing will write" (an outside
// multi-GPU user's consumer waited for a producer launched next on another stream).
TEST(ExecResidency, AWaitForAKernelOfAnotherStreamIsNamed) {
  const Outcome o = run_gpusim("exec --quiet -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/cross_stream_wait'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "cross_stream_wait: consumer launch cudaSuccess, sync cudaErrorLaunchTimeout")) << o.output;
  EXPECT_TRUE(contains(o.output, "the program uses streams: gpusim runs each launch to its end before the next one starts"))
      << o.output;
}

}  // namespace
