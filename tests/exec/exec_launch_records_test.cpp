// Programs of many launches (a training loop): the exit report keeps the first
// GPUSIM_LAUNCH_RECORDS (exec --launch-records) launches whole and sums the later ones per kernel
// (runtime/folded_launches.h), so its memory does not grow with every launch. The reference is the
// same run with every launch kept, and the program's launch order worked out here by hand.
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
using nlohmann::json;

// tests/cuda_programs/launch_loop.cu's launches in order: count_up every iteration, count_blocks
// after it every fourth (grids 1, 2, 3, 1, ...).
std::vector<std::string> launch_order(int iterations) {
  std::vector<std::string> order;
  for (int i = 0; i < iterations; ++i) {
    order.push_back("count_up");
    if (i % 4 == 0) order.push_back("count_blocks");
  }
  return order;
}

json read_json(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f, nullptr, false);
}

std::string plain_name(const std::string& demangled) { return demangled.substr(0, demangled.find('(')); }

// Per kernel: launches and warp- and thread-instructions over the whole and the folded launches.
struct Sums {
  uint64_t launches = 0, warp_instructions = 0, thread_instructions = 0;
};
std::map<std::string, Sums> sums(const json& stats) {
  std::map<std::string, Sums> out;
  for (const json& l : stats["launches"]) {
    Sums& s = out[plain_name(l["kernel"])];
    ++s.launches;
    s.warp_instructions += l["warp_instructions"].get<uint64_t>();
    s.thread_instructions += l["thread_instructions"].get<uint64_t>();
  }
  for (const json& k : stats.value("folded_launches", json::array())) {
    Sums& s = out[plain_name(k["kernel"])];
    s.launches += k["launches"].get<uint64_t>();
    s.warp_instructions += k["warp_instructions"].get<uint64_t>();
    s.thread_instructions += k["thread_instructions"].get<uint64_t>();
  }
  return out;
}

TEST(ExecLaunchRecords, LaunchesPastTheKeptOnesAreSummedPerKernel) {
  const int iterations = 60, kept = 10;
  const std::vector<std::string> order = launch_order(iterations);  // 75 launches
  const std::string folded_path = ::testing::TempDir() + "/launch_records_folded.json";
  const std::string all_path = ::testing::TempDir() + "/launch_records_all.json";
  const Outcome folded = exec_program("--launch-records " + std::to_string(kept) + " --stats '" + folded_path + "'",
                                      "launch_loop", std::to_string(iterations));
  ASSERT_EQ(folded.exit_code, 0) << folded.output;
  EXPECT_TRUE(contains(folded.output, "launch_loop: OK")) << folded.output;
  EXPECT_TRUE(contains(folded.output, std::to_string(order.size()) + " kernel launches")) << folded.output;
  EXPECT_TRUE(contains(folded.output, "launches after #10 are summed per kernel")) << folded.output;
  const Outcome all = exec_program("--launch-records all --stats '" + all_path + "'", "launch_loop", std::to_string(iterations));
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_FALSE(contains(all.output, "summed per kernel")) << all.output;

  const json f = read_json(folded_path), a = read_json(all_path);
  ASSERT_TRUE(f.is_object() && a.is_object());
  ASSERT_EQ(f["launches"].size(), size_t(kept));
  ASSERT_EQ(a["launches"].size(), order.size());
  EXPECT_EQ(f["launch_count"], order.size());
  EXPECT_FALSE(a.contains("folded_launches"));
  // Each kernel's folded object starts at its first launch after the kept ones; count_blocks'
  // grids differ, count_up's do not.
  ASSERT_EQ(f["folded_launches"].size(), 2u);
  for (const json& k : f["folded_launches"]) {
    const std::string name = plain_name(k["kernel"]);
    size_t first = kept;
    while (order.at(first) != name) ++first;
    EXPECT_EQ(k["first_launch"], first + 1) << k;
    EXPECT_EQ(k["faulted"], 0) << k;
    if (name == "count_up") EXPECT_EQ(k["grid"], json::array({1, 1, 1})) << k;
    else EXPECT_EQ(k["grid"], "various") << k;
  }
  // Kept and folded together: every launch, with the same instruction counts as all kept.
  const auto fs = sums(f), as = sums(a);
  ASSERT_EQ(fs.size(), 2u);
  for (const auto& [name, s] : as) {
    ASSERT_TRUE(fs.count(name)) << name;
    EXPECT_EQ(fs.at(name).launches, s.launches) << name;
    EXPECT_EQ(fs.at(name).warp_instructions, s.warp_instructions) << name;
    EXPECT_EQ(fs.at(name).thread_instructions, s.thread_instructions) << name;
  }
  EXPECT_EQ(as.at("count_up").launches, uint64_t(iterations));

  // One row per launch asked for: the kept launches' rows, then the rest per kernel.
  const Outcome rows = exec_program("--launch-records 10 --launch-table launches", "launch_loop", std::to_string(iterations));
  EXPECT_TRUE(contains(rows.output, "the 65 launches after #10, one row per kernel")) << rows.output;
}

TEST(ExecLaunchRecords, AFaultPastTheKeptOnesIsNamedByItsNumberAndFailsTheRun) {
  // Iterations 0-11 make 15 launches; at iteration 12 count_up is #16 and the faulting kernel #17.
  const Outcome o = exec_program("--launch-records 5 --error-exitcode 7", "launch_loop", "20 12");
  EXPECT_TRUE(contains(o.output, "the fault reached the program as cudaErrorIllegalAddress")) << o.output;
  EXPECT_TRUE(contains(o.output, "launch #17 store_through")) << o.output;
  EXPECT_EQ(o.exit_code, 7) << o.output;
}

TEST(ExecLaunchRecords, GridsLaunchedFromTheDeviceAreFoldedWithTheirDepth) {
  const std::string folded_path = ::testing::TempDir() + "/launch_records_cdp_folded.json";
  const std::string all_path = ::testing::TempDir() + "/launch_records_cdp_all.json";
  const Outcome folded = exec_program("--launch-records 1 --stats '" + folded_path + "'", "cdp_recursion");
  ASSERT_EQ(folded.exit_code, 0) << folded.output;
  const Outcome all = exec_program("--stats '" + all_path + "'", "cdp_recursion");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  const json f = read_json(folded_path), a = read_json(all_path);
  ASSERT_TRUE(f.contains("folded_launches")) << f.dump(1);
  EXPECT_EQ(f["launch_count"], a["launches"].size());
  uint64_t deepest = 0, folded_warp = 0, all_warp = 0;
  for (const json& k : f["folded_launches"]) {
    deepest = std::max<uint64_t>(deepest, k.value("device_launch_depth", 0));
    folded_warp += k["warp_instructions"].get<uint64_t>();
  }
  uint64_t all_deepest = 0;
  for (const json& l : a["launches"]) {
    all_deepest = std::max<uint64_t>(all_deepest, l.value("device_launch_depth", 0));
    all_warp += l["warp_instructions"].get<uint64_t>();
  }
  EXPECT_GT(all_deepest, 0u);
  EXPECT_EQ(deepest, all_deepest);
  EXPECT_EQ(folded_warp + f["launches"][0]["warp_instructions"].get<uint64_t>(), all_warp);
}

TEST(ExecLaunchRecords, ABadCountIsRefused) {
  for (const char* bad : {"0", "-3", "ten", "1e6"}) {
    const Outcome o = exec_program(std::string("--launch-records=") + bad, "vector_add");
    EXPECT_EQ(o.exit_code, 2) << bad << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, std::string("--launch-records '") + bad + "': expected a positive whole number"))
        << o.output;
  }
}

}  // namespace
