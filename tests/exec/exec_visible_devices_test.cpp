// CUDA_VISIBLE_DEVICES hides or shows the simulated GPU, as it hides or shows a real one: launchers
// give each rank its devices with it and CPU-fallback tests hide them all (an outside multi-GPU
// user's "" / -1 / 1 still found one device).
#include <gtest/gtest.h>

#include <string>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::cuda_program_path;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

Outcome with_visible(const std::string& value, const std::string& program) {
  return run_gpusim("exec -- env 'CUDA_VISIBLE_DEVICES=" + value + "' '" + cuda_program_path(program) + "'");
}

TEST(ExecVisibleDevices, AListWithoutDeviceZeroHidesTheGpu) {
  for (const char* hidden : {"", "-1", "1", "1,0", "GPU-1234"}) {
    const Outcome o = with_visible(hidden, "vector_add");
    EXPECT_NE(o.exit_code, 0) << hidden << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "hides the simulated GPU")) << hidden << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "cudaErrorNoDevice")) << hidden << "\n" << o.output;
  }
  for (const char* visible : {"0", "0,1", " 0", "GPU-0000"}) {
    const Outcome o = with_visible(visible, "vector_add");
    EXPECT_EQ(o.exit_code, 0) << visible << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "vector_add of")) << visible << "\n" << o.output;
  }
  // The driver API: cuInit has no device to find.
  const Outcome driver = with_visible("-1", "driver_graphs");
  EXPECT_NE(driver.exit_code, 0) << driver.output;
  EXPECT_TRUE(contains(driver.output, "hides the simulated GPU")) << driver.output;
}

}  // namespace
