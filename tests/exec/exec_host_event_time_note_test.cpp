// Functional mode has no GPU clock, so cudaEventElapsedTime gives host time; a program printing it
// as kernel time misleads (two outside users read the simulation's 689 ms as GPU speed). gpusim
// says so once per process in functional mode, never in timing mode (simulated time) or --quiet.
#include <gtest/gtest.h>

#include <string>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::exec_program;

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(ExecHostEventTimeNote, SaidOnceInFunctionalModeOnly) {
  const std::string note = "cudaEventElapsedTime in functional mode gives host time";
  const auto functional = exec_program("", "streams_events");
  EXPECT_EQ(functional.exit_code, 0) << functional.output;
  EXPECT_EQ(count(functional.output, note), 1u) << functional.output;
  const auto timing = exec_program("--mode timing", "streams_events");
  EXPECT_EQ(timing.exit_code, 0) << timing.output;
  EXPECT_FALSE(contains(timing.output, note)) << timing.output;
  const auto quiet = exec_program("--quiet", "streams_events");
  EXPECT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_FALSE(contains(quiet.output, note)) << quiet.output;
}

}  // namespace
