// Timing mode with a configuration that models no launch path (the shipped v100/h100.ini: [launch]
// to_first_cta_ns = completion_ns = 0) says under the launch table that its times are kernel time
// alone; with a launch path set, no such note.
#include <gtest/gtest.h>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::exec_program;

TEST(ExecLaunchOverheadNote, SaidOnlyWhenTheConfigurationModelsNoLaunchPath) {
  const auto bare = exec_program("--mode timing", "vector_add");
  EXPECT_EQ(bare.exit_code, 0) << bare.output;
  EXPECT_TRUE(contains(bare.output, "this configuration models no launch overhead")) << bare.output;
  const auto with_path = exec_program("--mode timing --set launch.to_first_cta_ns=5500", "vector_add");
  EXPECT_EQ(with_path.exit_code, 0) << with_path.output;
  EXPECT_FALSE(contains(with_path.output, "models no launch overhead")) << with_path.output;
  const auto functional = exec_program("", "vector_add");
  EXPECT_FALSE(contains(functional.output, "models no launch overhead")) << functional.output;
}

}  // namespace
