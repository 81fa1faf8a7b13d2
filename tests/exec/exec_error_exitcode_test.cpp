// `gpusim exec --error-exitcode N`: a program that ignores its kernel's fault (or, with
// --racecheck, its race) and exits 0 ends with status N, through either library (libcudart's
// kernel_fault, libcuda's driver_fault); a clean program keeps its own status; bad values are
// refused before the program starts; the program's own output is kept (flushed before the exit).
#include <gtest/gtest.h>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::exec_program;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

TEST(ExecErrorExitcode, AnIgnoredRuntimeFaultEndsTheProgramWithTheGivenStatus) {
  const Outcome plain = exec_program("--quiet", "kernel_fault");
  EXPECT_EQ(plain.exit_code, 0) << plain.output;  // the program checked its errors and exits 0
  const Outcome o = exec_program("--quiet --error-exitcode 7", "kernel_fault");
  EXPECT_EQ(o.exit_code, 7) << o.output;
  EXPECT_TRUE(contains(o.output, "sync: cudaErrorIllegalAddress")) << o.output;  // its stdout survived the exit
  EXPECT_TRUE(contains(o.output, "1 faulted kernel launch, 0 racing shared-memory accesses: exit status 7")) << o.output;
}

TEST(ExecErrorExitcode, AnIgnoredDriverFaultEndsTheProgramWithTheGivenStatus) {
  const Outcome plain = exec_program("--quiet", "driver_fault");
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_TRUE(contains(plain.output, "driver_fault: CUDA_ERROR_ILLEGAL_ADDRESS (ignored)")) << plain.output;
  const Outcome o = exec_program("--error-exitcode 3", "driver_fault");
  EXPECT_EQ(o.exit_code, 3) << o.output;
  EXPECT_TRUE(contains(o.output, "1 faulted kernel launch")) << o.output;
}

// A launch CUDA refuses (launch_bounds launches 256 threads at a __launch_bounds__(128) kernel,
// 129 through cudaLaunchKernel, a 4x4x5 block at a 64-thread one) never runs; a program that
// goes on (this one checks the codes and exits 0; a student's may not look) has results no kernel
// wrote, which compute-sanitizer counts as an error too (a teaching assistant's grading script saw 0).
TEST(ExecErrorExitcode, ALaunchRefusedBeforeRunningCountsAndIsListed) {
  const Outcome plain = exec_program("", "launch_bounds");
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_TRUE(contains(plain.output, "3 kernel launches were refused before running")) << plain.output;
  EXPECT_TRUE(contains(plain.output, "<<<(4,1,1), (129,1,1)>>>: cudaErrorLaunchOutOfResources")) << plain.output;
  const Outcome o = exec_program("--quiet --error-exitcode 4", "launch_bounds");
  EXPECT_EQ(o.exit_code, 4) << o.output;
  EXPECT_TRUE(contains(o.output, "0 faulted kernel launches, 3 refused kernel launches, 0 racing")) << o.output;
}

// A launch over the simulator's per-launch budget never ran either: counted, listed, named by its
// C++ name, with cudaErrorNotSupported rather than a configuration error it does not have (a
// reliability engineer's legal 2^31-1-CTA grid passed --error-exitcode with status 0).
TEST(ExecErrorExitcode, ALaunchOverTheWorkBudgetCountsAsRefused) {
  const Outcome o = exec_program("--max-launch-work 100 --error-exitcode 6", "vector_add");
  EXPECT_EQ(o.exit_code, 6) << o.output;
  EXPECT_TRUE(contains(o.output, "launch of 'vector_add(float const*, float const*, float*, int)' (grid 40x1x1")) << o.output;
  EXPECT_TRUE(contains(o.output, "vector_add(float const*, float const*, float*, int) <<<(40,1,1), (256,1,1)>>>: "
                                 "cudaErrorNotSupported"))
      << o.output;
  EXPECT_TRUE(contains(o.output, "1 refused kernel launch")) << o.output;
}

TEST(ExecErrorExitcode, RacesCountWithRacecheckAndACleanProgramKeepsItsStatus) {
  const std::string race = "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/shared_race' ";
  const Outcome racy = run_gpusim("exec --quiet --racecheck --error-exitcode 5 -- " + race + "1");
  EXPECT_EQ(racy.exit_code, 5) << racy.output;
  EXPECT_TRUE(contains(racy.output, "0 faulted kernel launches, ")) << racy.output;
  const Outcome correct = run_gpusim("exec --quiet --racecheck --error-exitcode 5 -- " + race + "0");
  EXPECT_EQ(correct.exit_code, 0) << correct.output;
  EXPECT_FALSE(contains(correct.output, "--error-exitcode")) << correct.output;
  // Without --racecheck nothing is checked, so nothing is found.
  const Outcome unchecked = run_gpusim("exec --quiet --error-exitcode 5 -- " + race + "1");
  EXPECT_EQ(unchecked.exit_code, 0) << unchecked.output;
  const Outcome clean = exec_program("--error-exitcode 9", "vector_add");
  EXPECT_EQ(clean.exit_code, 0) << clean.output;
}

TEST(ExecErrorExitcode, ABadStatusIsRefusedBeforeTheProgramStarts) {
  for (const char* bad : {"256", "-1", "x", "3x"}) {
    const Outcome o = exec_program(std::string("--error-exitcode=") + bad, "vector_add");
    EXPECT_EQ(o.exit_code, 2) << bad << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, std::string("--error-exitcode '") + bad + "': an exit status is a whole number from 0 to 255"))
        << o.output;
    EXPECT_FALSE(contains(o.output, "OK")) << o.output;  // the program never ran
  }
}

}  // namespace
