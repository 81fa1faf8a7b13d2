// `gpusim exec --racecheck` on an ordinary CUDA program (tests/cuda_programs/shared_race.cu,
// nvcc -lineinfo): the missing __syncthreads() is reported at its source lines, naming the
// __shared__ array; the correct variant and a run without the option report nothing. The lines
// expected are where the program's source has the tile's store (14) and the read (16).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

Outcome shared_race(const std::string& options, const std::string& argument) {
  return run_gpusim("exec --quiet " + options + " -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/shared_race' " + argument);
}

TEST(ExecRacecheck, AMissingSyncthreadsIsReportedAtItsSourceLines) {
  const Outcome racy = shared_race("--racecheck", "1");
  EXPECT_EQ(racy.exit_code, 0) << racy.output;
  EXPECT_TRUE(contains(racy.output, "shared_race: out[0] = ")) << racy.output;
  EXPECT_TRUE(contains(racy.output, "racecheck: kernel 'tile_sum(float const*, float*, int, int)'")) << racy.output;
  EXPECT_TRUE(contains(racy.output, "write after read on 'tile'")) << racy.output;
  EXPECT_TRUE(contains(racy.output, "read it at shared_race.cu:16")) << racy.output;
  EXPECT_TRUE(contains(racy.output, "wrote it at shared_race.cu:14")) << racy.output;
  EXPECT_TRUE(contains(racy.output, "in 2 CTAs")) << racy.output;
  const Outcome correct = shared_race("--racecheck", "0");
  EXPECT_TRUE(contains(correct.output, ": OK")) << correct.output;
  EXPECT_FALSE(contains(correct.output, "racecheck:")) << correct.output;
  // --stats records each launch's count (1536: 2 CTAs x 768, the report's total).
  const std::string stats = testing::TempDir() + "/racecheck_stats.json";
  const Outcome with_stats = shared_race("--racecheck --stats " + stats, "1");
  EXPECT_EQ(with_stats.exit_code, 0) << with_stats.output;
  const std::string racing = "racecheck: kernel 'tile_sum(float const*, float*, int, int)' (launch 0 of it, counting from 0): ";
  const size_t at = with_stats.output.find(racing);
  ASSERT_NE(at, std::string::npos) << with_stats.output;
  const std::string count = with_stats.output.substr(at + racing.size(), with_stats.output.find(' ', at + racing.size()) - at - racing.size());
  std::ifstream f(stats);
  const std::string json((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(json, "\"race_hazards\": " + count) || contains(json, "\"race_hazards\":" + count)) << count << "\n" << json;
  const Outcome unchecked = shared_race("", "1");
  EXPECT_FALSE(contains(unchecked.output, "racecheck:")) << unchecked.output;
}

}  // namespace
