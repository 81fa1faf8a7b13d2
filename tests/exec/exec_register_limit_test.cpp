// nvcc -maxrregcount=N records the limit in the fat binary for the driver's ptxas (runtime/
// fatbin.h: the entry's ptxas options); the simulator keeps the module's kernels within it, as the
// GPU's compiled code is. tests/cuda_programs/register_limit.cu: 89 registers without the limit
// (ptxas -v, sm_75), so a 1024-thread block does not fit; 32 with it. The program checks its
// kernel's results against CPU code and cudaFuncGetAttributes against the limit.
#include <gtest/gtest.h>

#include <string>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::exec_program;
using gpusim::test_support::h100_timing_options;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

TEST(ExecRegisterLimit, AFatBinaryBuiltWithMaxrregcountRunsWithinIt) {
  for (const std::string& options : {std::string("--mode functional"), h100_timing_options()}) {
    const Outcome o = exec_program(options, "register_limit", "32");
    EXPECT_EQ(o.exit_code, 0) << options << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "register_limit: OK")) << o.output;
    EXPECT_FALSE(contains(o.output, "too many resources")) << o.output;
  }
}

TEST(ExecRegisterLimit, WithoutTheLimitTheSameKernelNeedsTooManyRegistersForItsBlock) {
  const Outcome o = exec_program("--mode functional", "register_limit_free", "0");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "register_limit: OK (without the limit)")) << o.output;
  EXPECT_TRUE(contains(o.output, "too many resources requested for launch")) << o.output;
}

// gpusim launch compiles a .cu file to PTX, which does not carry nvcc's flags: --nvcc-flag
// -maxrregcount is applied when the PTX is loaded.
TEST(ExecRegisterLimit, LaunchOfACuFileTakesMaxrregcountFromItsNvccFlags) {
  const std::string source = std::string(GPUSIM_SOURCE_DIR) + "/tests/cuda_programs/register_limit.cu";
  const std::string common = "launch '" + source + "' --nvcc-flag=-I" + GPUSIM_SOURCE_DIR +
                             "/tests/cuda_programs --kernel mix --grid 2 --block 1024 --mode functional "
                             "--arg iota:u32:1024 --arg zeros:u32:2048 --arg s32:3";
  const Outcome limited = run_gpusim(common + " --nvcc-flag=-maxrregcount=32");
  EXPECT_EQ(limited.exit_code, 0) << limited.output;
  EXPECT_FALSE(contains(limited.output, "too many resources")) << limited.output;
  const Outcome free = run_gpusim(common);
  EXPECT_NE(free.exit_code, 0) << free.output;
  EXPECT_TRUE(contains(free.output, "too many resources requested for launch")) << free.output;
}

}  // namespace
