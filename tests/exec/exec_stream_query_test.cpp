// `gpusim exec` of a program whose thread polls cudaStreamQuery while another thread's kernel is
// being simulated (tests/cuda_programs/stream_query_busy, which checks the answers itself): the
// polls answer cudaErrorNotReady at once rather than waiting for the simulation to end.
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

TEST(ExecStreamQuery, QueriesDuringAnotherThreadsLaunchAnswerNotReady) {
  const Outcome o = run_gpusim("exec -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/stream_query_busy'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "stream_query_busy OK")) << o.output;
}

}  // namespace
