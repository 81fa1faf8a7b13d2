// `gpusim exec --cache-control all|none`: with `all` every launch of a program starts with an empty
// L2 (Nsight Compute's default), so graph_capture's replays of one kernel each read their inputs from
// DRAM as its first launch did; with `none` (the default) a replay finds them in the L2 and reads
// less. Usage errors are refused before the program starts.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::exec_program;
using gpusim::test_support::Outcome;

// Each kernel's DRAM read bytes, launch by launch.
std::map<std::string, std::vector<uint64_t>> dram_reads(const std::string& cache_control) {
  const std::string stats = testing::TempDir() + "/cache_control_" + cache_control + ".json";
  const Outcome o = exec_program("--quiet --mode timing --cache-control " + cache_control + " --stats " + stats, "graph_capture");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  std::map<std::string, std::vector<uint64_t>> out;
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(stats));
  for (const nlohmann::json& l : j.at("launches"))
    out[l.at("kernel").get<std::string>()].push_back(l.at("timing").at("dram").at("read_bytes").get<uint64_t>());
  return out;
}

TEST(ExecCacheControl, AllStartsEveryLaunchWithAnEmptyL2) {
  const auto warm = dram_reads("none");
  const auto cold = dram_reads("all");
  ASSERT_FALSE(cold.empty());
  bool a_replay_read_less = false;
  for (const auto& [kernel, reads] : cold) {
    ASSERT_GE(reads.size(), 2u) << kernel;
    EXPECT_GT(reads[0], 0u) << kernel;
    for (uint64_t r : reads) EXPECT_EQ(r, reads[0]) << kernel;  // every replay as cold as the first
    const std::vector<uint64_t>& w = warm.at(kernel);
    for (size_t i = 1; i < w.size(); ++i) a_replay_read_less = a_replay_read_less || w[i] < reads[0];
  }
  EXPECT_TRUE(a_replay_read_less) << "without the option, replays should find their inputs in the L2";
}

TEST(ExecCacheControl, BadValuesAndFunctionalModeAreRefused) {
  Outcome o = exec_program("--mode timing --cache-control cold", "vector_add");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--cache-control 'cold': expected all or none")) << o.output;
  o = exec_program("--cache-control all", "vector_add");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "it needs --mode timing")) << o.output;
  EXPECT_FALSE(contains(o.output, "OK")) << o.output;
}

}  // namespace
