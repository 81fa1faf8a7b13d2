// Where gpusim's own output goes inside a CUDA program: the stderr the program started with, even
// after the program closed fd 2 and opened a file of its own there (tests/cuda_programs/
// stderr_reopened); one trace file per simulating process; no statistics file left by an earlier run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/scratch_dir.h"
#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

TEST(ExecOutputStreams, MessagesStayOffAFileTheProgramOpenedAsFd2) {
  gpusim::runtime::ScratchDir dir("gpusim_fd2_");
  const std::string data = dir.file("data.txt");
  const Outcome o = run_gpusim("exec -- '" + std::string(GPUSIM_CUDA_PROGRAMS) + "/stderr_reopened' '" + data + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "stderr_reopened OK")) << o.output;
  // Both of gpusim's messages reached the original stderr ...
  EXPECT_TRUE(contains(o.output, "gpusim: 1 kernel launch on")) << o.output;
  EXPECT_TRUE(contains(o.output, "cudaMalloc")) << o.output;
  // ... and the program's file holds what the program wrote, nothing else.
  std::ifstream in(data);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "USER DATA ONLY\n");
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Two CUDA processes of one run (a script): the first to simulate writes the named trace, the
// other its own beside it (t.PID.json), each a complete JSON trace of its own kernels; they wrote
// the same file at their own offsets, which left invalid JSON.
TEST(ExecOutputStreams, EachProcessOfARunWritesAWholeTrace) {
  gpusim::runtime::ScratchDir dir("gpusim_traces_");
  const std::string trace = dir.file("t.json");
  const std::string app = std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add";
  const std::string script = "'" + app + "' 256 && '" + app + "' 512";
  const Outcome o = run_gpusim("exec --quiet --mode timing --set sm.count=2 --trace '" + trace + "' -- /bin/sh -c \"" +
                               script + "\"");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files.push_back(e.path().filename().string());
  ASSERT_EQ(files.size(), 2u) << o.output;
  for (const std::string& f : files) {
    EXPECT_TRUE(f == "t.json" || (f.rfind("t.", 0) == 0 && f.size() > 7 && f.substr(f.size() - 5) == ".json")) << f;
    const nlohmann::json t = nlohmann::json::parse(read_text(dir.file(f)));  // complete JSON, or this throws
    int kernels = 0;
    for (const nlohmann::json& e : t["traceEvents"]) kernels += e.value("cat", std::string()) == "kernel";
    EXPECT_GE(kernels, 1) << f;
  }
}

// A statistics file an earlier run left is removed when the run starts: a run that writes none (a
// program that makes no CUDA call here; one that ends with _exit()) must not leave the old one to be
// read as its own.
TEST(ExecOutputStreams, AnEarlierRunsStatisticsAreNotLeftForThisOne) {
  gpusim::runtime::ScratchDir dir("gpusim_stale_stats_");
  const std::string stats = dir.file("s.json");
  std::ofstream(stats) << R"({"launches": [{"kernel": "from_an_earlier_run"}]})";
  const Outcome o = run_gpusim("exec --stats '" + stats + "' -- /bin/true");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_FALSE(std::filesystem::exists(stats)) << read_text(stats);
}

}  // namespace
