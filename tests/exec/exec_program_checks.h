// Shared by the tests that run the self-checking programs of tests/cuda_programs under `gpusim
// exec`: each program compares its results with a CPU computation and prints "NAME: OK".
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace gpusim::test_support {

inline std::string cuda_program_path(const std::string& name) { return std::string(GPUSIM_CUDA_PROGRAMS) + "/" + name; }

inline Outcome exec_program(const std::string& options, const std::string& name, const std::string& args = "") {
  return run_gpusim("exec " + options + " -- '" + cuda_program_path(name) + "' " + args);
}

inline std::string h100_timing_options() {
  return "--mode timing --config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini'";
}

// check_name is what the program prints before ": OK" (a build variant prints its source's name).
inline void expect_program_passed(const Outcome& o, const std::string& check_name, bool timing_mode) {
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, check_name + ": OK")) << o.output;
  if (timing_mode) {
    EXPECT_TRUE(contains(o.output, "timing mode")) << o.output;
  }
}

}  // namespace gpusim::test_support
