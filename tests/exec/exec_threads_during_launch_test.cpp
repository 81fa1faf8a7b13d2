// `gpusim exec` of programs whose threads use CUDA while another thread's kernel is being
// simulated (which holds the runtime's lock for the whole launch); each program checks the answers
// itself.
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

Outcome exec_program(const std::string& name) {
  return run_gpusim("exec -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/" + name + "'");
}

// cudaStreamQuery polls answer cudaErrorNotReady at once rather than waiting for the simulation.
TEST(ExecThreadsDuringLaunch, QueriesAnswerNotReady) {
  const Outcome o = exec_program("stream_query_busy");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "stream_query_busy OK")) << o.output;
}

// A child forked meanwhile gets cudaErrorInitializationError and exits, instead of hanging on
// the lock it inherited held.
TEST(ExecThreadsDuringLaunch, ForkedChildFailsItsCallsAndExits) {
#if defined(GPUSIM_ADDRESS_SANITIZER)
  // LeakSanitizer's exit-time check in a child forked from a multithreaded process cannot suspend
  // the parent's other threads (the child does not have them): it reports their memory as leaked
  // and the run does not end in time.
  GTEST_SKIP() << "LeakSanitizer in a child forked beside other threads";
#endif
  const Outcome o = exec_program("fork_during_launch");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "child: cudaMalloc -> cudaErrorInitializationError")) << o.output;
  EXPECT_TRUE(contains(o.output, "fork_during_launch OK")) << o.output;
}

}  // namespace
