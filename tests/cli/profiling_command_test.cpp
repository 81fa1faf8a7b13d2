// `gpusim run --trace / --vcd / --source-report` as a user runs them: the files parse, their
// counts agree with the --stats JSON of the same run, and misuse gets a clear error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"

namespace {

using namespace gpusim::test_support;

std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// vecadd on one SM: 4096 elements in 16 CTAs of 256 threads.
const std::string kRun = "run vecadd --size 4096 --set sm.count=1";

TEST(ProfilingCommand, TraceAndSourceReportAgreeWithStats) {
  const auto dir = scratch_dir("profiling_trace");
  const std::string trace = (dir / "t.json").string(), stats = (dir / "s.json").string();
  const Outcome o = run_gpusim(kRun + " --trace " + trace + " --source-report=3 --stats " + stats);
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "where the warp-cycles go")) << o.output;
  const nlohmann::json s = nlohmann::json::parse(read_text(stats));
  const nlohmann::json& launch = s["launches"].at(0);
  const nlohmann::json t = nlohmann::json::parse(read_text(trace));
  uint64_t issues = 0, ctas = 0;
  std::map<int, uint64_t> per_subcore;
  for (const nlohmann::json& e : t["traceEvents"]) {
    if (e.value("cat", std::string()) == "issue") ++issues, ++per_subcore[e["tid"].get<int>()];
    if (e.value("cat", std::string()) == "cta") ++ctas;
  }
  EXPECT_EQ(issues, launch["instructions"]["warp"].get<uint64_t>());
  EXPECT_EQ(ctas, 16u);
  // 8 warps per CTA spread over 4 sub-cores: every sub-core issues the same share.
  ASSERT_EQ(per_subcore.size(), 4u);
  for (const auto& [sc, n] : per_subcore) EXPECT_EQ(n, issues / 4) << "sub-core " << sc;
  // The source counters are in the stats and add up.
  ASSERT_TRUE(launch.contains("source")) << launch.dump();
  uint64_t issued = 0;
  for (const nlohmann::json& e : launch["source"]["ptx"]) issued += e["issued"].get<uint64_t>();
  EXPECT_EQ(issued, launch["instructions"]["warp"].get<uint64_t>());
}

TEST(ProfilingCommand, VcdIsWellFormed) {
  const auto dir = scratch_dir("profiling_vcd");
  const std::string vcd = (dir / "w.vcd").string(), stats = (dir / "s.json").string();
  const Outcome o = run_gpusim(kRun + " --vcd " + vcd + " --stats " + stats);
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const nlohmann::json s = nlohmann::json::parse(read_text(stats));
  const uint64_t warp_instructions = s["launches"].at(0)["instructions"]["warp"].get<uint64_t>();

  std::istringstream in(read_text(vcd));
  std::vector<std::pair<std::string, std::string>> vars;  // (signal name, VCD identifier); names repeat per scope
  std::map<std::string, uint64_t> changes, last;
  bool definitions_ended = false, saw_timescale = false, in_dumpvars = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("$timescale", 0) == 0) saw_timescale = true;
    if (line.rfind("$enddefinitions", 0) == 0) definitions_ended = true;
    std::istringstream w(line);
    std::string first;
    w >> first;
    if (first == "$dumpvars") in_dumpvars = true;
    if (first == "$end") in_dumpvars = false;
    if (first == "$var") {
      std::string type, width, id, name;
      w >> type >> width >> id >> name;
      vars.push_back({name, id});
      continue;
    }
    if (!definitions_ended || first.empty() || first[0] != 'b') continue;  // initial values count too, as 0
    std::string id;
    w >> id;
    if (!in_dumpvars) changes[id] += 1;
    last[id] = std::stoull(first.substr(1), nullptr, 2);
  }
  EXPECT_TRUE(saw_timescale);
  ASSERT_TRUE(definitions_ended);
  // 4 sub-cores x (issued warp, issue count, 7 pipe busy bits) + the MIO and LG queue depths.
  EXPECT_EQ(vars.size(), 4u * 9 + 2) << read_text(vcd).substr(0, 2000);
  uint64_t counted = 0, count_changes = 0;
  int counters = 0;
  for (const auto& [name, id] : vars) {
    if (name.find("issue_count") == std::string::npos) continue;
    ++counters;
    counted += last[id];
    count_changes += changes[id];
  }
  EXPECT_EQ(counters, 4);
  // One issue at most per sub-core per cycle: the counter changes once per issue.
  EXPECT_EQ(counted, warp_instructions);
  EXPECT_EQ(count_changes, warp_instructions);
}

TEST(ProfilingCommand, BareSourceReportBeforeTheWorkloadPrintsTen) {
  // Boost would take "vecadd" as the option's value; a bare --source-report means the top 10.
  const Outcome o = run_gpusim("run --source-report vecadd --size 4096 --set sm.count=1");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "workload vecadd")) << o.output;
  // "(top N of M)": N is min(10, M) (vecadd.cu has fewer than 10 lines with line info).
  const size_t at = o.output.find("(top ");
  ASSERT_NE(at, std::string::npos) << o.output;
  unsigned shown = 0, total = 0;
  ASSERT_EQ(std::sscanf(o.output.c_str() + at, "(top %u of %u)", &shown, &total), 2) << o.output;
  EXPECT_EQ(shown, std::min(10u, total));
  EXPECT_GT(total, 0u);
}

TEST(ProfilingCommand, MisuseIsAClearError) {
  Outcome o = run_gpusim(kRun + " --mode functional --trace /tmp/x.json");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--mode timing")) << o.output;
  o = run_gpusim(kRun + " --trace-sms 0");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--trace FILE.json")) << o.output;
  o = run_gpusim(kRun + " --trace /tmp/x.json --trace-sms 5");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "--trace-sms '5'")) << o.output;
  o = run_gpusim(kRun + " --vcd /tmp/x.txt");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "must end in .vcd")) << o.output;
  EXPECT_FALSE(contains(o.output, "device error")) << o.output;
}

}  // namespace
