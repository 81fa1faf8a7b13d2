// One lane calls __syncwarp() inside an `if` and again after it, the others only after it: CUDA
// leaves this undefined (every lane named must reach a corresponding __syncwarp), and gpusim ends
// the kernel. Its message said the others "can never arrive" while they stood at a matching
// bar.warp.sync (an outside user read it as a contradiction); it now says where they wait and why.
#include <gtest/gtest.h>

#include <string>

#include "tests/isa/sm90_kernel_harness.h"

namespace gpusim::isa {
namespace {

using gpusim::test::KernelRun;
using gpusim::test::launch_config;
using gpusim::test::Sm90Kernel;
using gpusim::test::src_out_kernel;

TEST(WarpSyncCount, ASyncwarpReachedMoreOftenOnOneSideSaysSo) {
  const std::string body =
      "  setp.ne.u32 %p, %tid, 0;\n  @%p bra AFTER;\n  bar.warp.sync -1;\nAFTER:\n  bar.warp.sync -1;\n";
  Sm90Kernel k(32);
  const KernelRun r = k.run("count.ptx", src_out_kernel(128, "", "", body), launch_config(32), runtime::args(k.out(), k.out()));
  EXPECT_NE(r.error.find("waits for lanes that can never arrive: lanes 0xfffffffe wait at PC"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("where this branch rejoins them"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("reach __syncwarp() a different number of times on the two sides of the branch"), std::string::npos)
      << r.error;
}

}  // namespace
}  // namespace gpusim::isa
