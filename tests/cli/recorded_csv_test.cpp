// `gpusim compare --recorded` on damaged recordings: the message names file:line and the column.
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"

namespace {

using namespace gpusim::test_support;

const std::string kHeader =
    "gpu_name,compute_capability,sm_count,sm_clock_mhz,measured_sm_clock_mhz,memory_clock_mhz,memory_bus_bits,"
    "l2_bytes,driver,cuda_version,date,workload,size,seed,launch,kernel,ctas,warmup,repetitions,median_us,min_us,"
    "max_us,launch_overhead_us,verified\n";

std::string row_with_size(const std::string& size) {
  return "NVIDIA H200,9.0,132,1980,1980.00085,3201,6016,62914560,580.159.04,13.0,2026-11-27T05:35:44Z,vecadd," + size +
         ",1,0,vecadd,4096,2,10,11.07,9.72,15.10,5.50,yes\n";
}

Outcome compare_recorded(const std::string& test, const std::string& size) {
  const auto dir = scratch_dir(test);
  const std::string file = write_file(dir / "rec.kernels.csv", kHeader + row_with_size(size));
  return run_gpusim("compare --recorded '" + file + "' --config " + GPUSIM_SOURCE_DIR + "/configs/v100.ini --no-ubench");
}

TEST(RecordedCsv, ZeroSizeNamesTheRow) {
  const Outcome o = compare_recorded("size0x0", "0x0");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "rec.kernels.csv:2: column 'size': size '0x0': dimensions must be at least 1")) << o.output;
}

TEST(RecordedCsv, TextSizeNamesTheRow) {
  const Outcome o = compare_recorded("sizeabc", "abc");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "rec.kernels.csv:2: column 'size': size 'abc'")) << o.output;
}

}  // namespace
