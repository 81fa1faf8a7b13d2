// Kernels that cannot finish as written, and how gpusim says so. cudaLimitStackSize as a GPU applies it (tests/cuda_programs/stack_overflow.cu): a recursive
// kernel's frames must fit the limit (a fault past it, naming the limit), raising the limit lets
// it run, and a kernel whose call depth is bounded runs whatever the limit (the driver sizes its
// stack). Before, the limit only capped the number of frames (16 bytes each), so recursion that
// overflows a GPU's stack ran here.
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

Outcome stack_program(const std::string& mode, const std::string& args) {
  return run_gpusim("exec --quiet --mode " + mode + " -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/stack_overflow' " + args);
}

TEST(ExecStack, RecursionMustFitTheStackLimitAndBoundedKernelsNeedNone) {
  for (const std::string mode : {"functional", "timing"}) {
    SCOPED_TRACE(mode);
    const Outcome shallow = stack_program(mode, "recursive 1");  // 2 frames of ptxas' 408 bytes
    EXPECT_TRUE(contains(shallow.output, "stack_overflow: recursive, stack 1024: cudaSuccess")) << shallow.output;
    const Outcome deep = stack_program(mode, "recursive 10");
    EXPECT_TRUE(contains(deep.output, "stack_overflow: recursive, stack 1024: cudaErrorLaunchFailure")) << deep.output;
    EXPECT_TRUE(contains(deep.output, "stack overflow: calling 'deep(int, double)' (nested call ")) << deep.output;
    EXPECT_TRUE(contains(deep.output, "from 'recursive(int, double*)' at PTX line ")) << deep.output;
    EXPECT_TRUE(contains(deep.output, "more than the 1024 of cudaLimitStackSize")) << deep.output;
    const Outcome raised = stack_program(mode, "recursive 10 8192");
    EXPECT_TRUE(contains(raised.output, "stack_overflow: recursive, stack 8192: cudaSuccess")) << raised.output;
    const Outcome bounded = stack_program(mode, "bounded");
    EXPECT_TRUE(contains(bounded.output, "stack_overflow: bounded, stack 1024: cudaSuccess (14)")) << bounded.output;
    // The kernel's own 2 KiB frame does not count against the limit (ptxas sizes it).
    const Outcome big = stack_program(mode, "bigframe");
    EXPECT_TRUE(contains(big.output, "stack_overflow: bigframe, stack 1024: cudaSuccess (28)")) << big.output;
    // Frames of registers saved across the call: ptxas' 40 bytes a frame, not 16 (an outside
    // user's recursions 30-63 deep ran here where their frames need 1.5-3 KiB).
    const Outcome fits = stack_program(mode, "saved 15");
    EXPECT_TRUE(contains(fits.output, "stack_overflow: saved, stack 1024: cudaSuccess")) << fits.output;
    const Outcome saved = stack_program(mode, "saved 40");
    EXPECT_TRUE(contains(saved.output, "stack_overflow: saved, stack 1024: cudaErrorLaunchFailure")) << saved.output;
    EXPECT_TRUE(contains(saved.output, "the registers ptxas saves in them")) << saved.output;
    const Outcome room = stack_program(mode, "saved 40 4096");
    EXPECT_TRUE(contains(room.output, "stack_overflow: saved, stack 4096: cudaSuccess")) << room.output;
  }
}

// An mbarrier whose expect_tx announced more bytes than its bulk copy brings never completes: the
// endless-loop report names the barrier's state, not only the loop (and no host-memory hint, as
// the program maps no host memory). Functional mode, the H100-like configuration (sm_90 PTX).
// In timing mode too, within seconds: the watch of a kernel with bulk copies waits for no copy to
// be in flight, where it used to stay off (the hang was simulated for days).
TEST(ExecHang, AnMbarrierWaitingForMoreBytesIsNamed) {
  for (const std::string mode : {"functional", "timing"}) {
    SCOPED_TRACE(mode);
    const Outcome o = run_gpusim("exec --quiet --mode " + mode + " --config '" + std::string(GPUSIM_SOURCE_DIR) +
                                 "/configs/h100.ini' -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/mbarrier_hang'");
    EXPECT_TRUE(contains(o.output, "mbarrier_hang: cudaErrorLaunchTimeout")) << o.output;
    EXPECT_TRUE(contains(o.output, "the kernel can never finish")) << o.output;
    EXPECT_TRUE(contains(o.output, "0 of 1 arrivals pending, transaction count 4096 bytes still expected")) << o.output;
    EXPECT_FALSE(contains(o.output, "host writes after the launch")) << o.output;
  }
}

}  // namespace
