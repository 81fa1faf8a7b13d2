// The report library (tools/report/): reading --stats JSON with its "source" object, ranking
// source lines by stall cycles, escaping every string taken from the JSON, and the page holding
// every kernel's sections. Expected values are worked out by hand from the fixture
// tests/fixtures/report/source_report_stats.json (numbers in the comments).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/config_fingerprint.h"
#include "sim/gpu_config.h"
#include "tools/report/html_format.h"
#include "tools/report/report_page.h"
#include "tools/report/source_section.h"
#include "tools/report/stats_model.h"

namespace {

using namespace gpusim::report;

const std::string kFixture = std::string(GPUSIM_FIXTURES) + "/report/source_report_stats.json";

nlohmann::json fixture_json() {
  std::ifstream in(kFixture);
  return nlohmann::json::parse(in);
}

std::string page_of(const StatsFile& file) {
  ReportInputs in;
  in.config = gpusim::sim::load_gpu_config("", {});
  in.files.push_back(file);
  return report_html(in);
}

std::string error_of(const nlohmann::json& doc) {
  try {
    parse_stats(doc, "bad.json");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ReportStats, ReadsEveryLaunchAndTheSourceObject) {
  const StatsFile f = read_stats_file(kFixture);
  ASSERT_EQ(f.kernels.size(), 2u);
  const KernelStats& k = f.kernels[0];
  EXPECT_EQ(k.kernel, "window_sum_shared");
  EXPECT_EQ(k.cycles, 4000u);
  EXPECT_EQ(k.occupancy_limiter, "shared_memory");
  EXPECT_EQ(k.shared_bank_conflicts, 60u);
  EXPECT_EQ(k.total_state_cycles(), 2200u);  // 600+900+40+26+400+50+184
  ASSERT_TRUE(k.source.has_value());
  EXPECT_EQ(k.source->files.at(1), "workloads/kernels/window_sum.cu");
  EXPECT_EQ(k.source->ptx.size(), 6u);
  EXPECT_EQ(k.source->lines.size(), 4u);
  EXPECT_EQ(k.source->ptx[2].text, "bar.sync 0;");
  EXPECT_EQ(k.source->ptx[3].file, -1);
  EXPECT_FALSE(f.kernels[1].source.has_value());
  EXPECT_EQ(f.kernels[1].kernel, "scale<float, \"x\"&y>");
}

TEST(ReportStats, LineStallCyclesLeaveOutIssuing) {
  const StatsFile f = read_stats_file(kFixture);
  const LineStats& line12 = f.kernels[0].source->lines[0];
  EXPECT_EQ(line12.stall_cycles(), 955u);  // 900 + 25 + 30; the 200 selected cycles are issuing
  ASSERT_NE(line12.dominant_stall(), nullptr);
  EXPECT_EQ(line12.dominant_stall()->reason, "long_scoreboard");
  EXPECT_EQ(f.kernels[0].source->ptx[3].dominant_stall(), nullptr);  // ret: never waited
}

TEST(ReportSource, TopLinesAreOrderedByStallCycles) {
  const StatsFile f = read_stats_file(kFixture);
  const auto top = top_stalled_lines(f.kernels[0].source->lines, 10);
  ASSERT_EQ(top.size(), 4u);
  EXPECT_EQ(top[0]->line, 12u);  // 955
  EXPECT_EQ(top[1]->line, 15u);  // 400
  EXPECT_EQ(top[2]->line, 14u);  // 60
  EXPECT_EQ(top[3]->line, 7u);   // 1
  EXPECT_EQ(top_stalled_lines(f.kernels[0].source->lines, 2).size(), 2u);
  const auto ptx = top_stalled_ptx(f.kernels[0].source->ptx, 10);
  ASSERT_EQ(ptx.size(), 5u);  // ret never waited
  EXPECT_EQ(ptx[0]->pc, 0u);  // 920
  EXPECT_EQ(ptx[1]->pc, 2u);  // 400
}

TEST(ReportSource, TableShowsLinesTheirDominantReasonAndShare) {
  const StatsFile f = read_stats_file(kFixture);
  const std::string html = source_section_html(f.kernels[0].source);
  // Shares are of all PTX stall cycles: 920 + 60 + 400 + 35 + 1 = 1416.
  EXPECT_NE(html.find("workloads/kernels/window_sum.cu:12</td><td>955</td><td>67.4%</td><td class=\"loc\">long_scoreboard (94.2%)"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("window_sum.cu:15</td><td>400</td><td>28.2%</td><td class=\"loc\">barrier (100.0%)"), std::string::npos);
  EXPECT_NE(html.find("window_sum.cu:14</td><td>60</td><td>4.2%</td><td class=\"loc\">mio_throttle (83.3%)"), std::string::npos);
  // Line 12 comes before line 15, which comes before line 14.
  EXPECT_LT(html.find("window_sum.cu:12"), html.find("window_sum.cu:15"));
  EXPECT_LT(html.find("window_sum.cu:15"), html.find("window_sum.cu:14"));
  // Paths and PTX text from the JSON are escaped.
  EXPECT_NE(html.find("include/&lt;tile&gt;&amp;&quot;util&quot;.h:7"), std::string::npos);
  EXPECT_NE(html.find("mov.u32 %r1, &lt;&amp;&gt;;"), std::string::npos);
  EXPECT_EQ(html.find("<tile>"), std::string::npos);
}

TEST(ReportSource, AbsentSourceSaysHowToGetIt) {
  const std::string html = source_section_html(std::nullopt);
  EXPECT_NE(html.find("--source-report"), std::string::npos);
  EXPECT_NE(html.find("-lineinfo"), std::string::npos);
}

TEST(ReportPage, HoldsEveryKernelEscapedWithItsSections) {
  const std::string page = page_of(read_stats_file(kFixture));
  EXPECT_NE(page.find("<h2>Kernel window_sum_shared</h2>"), std::string::npos);
  EXPECT_NE(page.find("<h2>Kernel scale&lt;float, &quot;x&quot;&amp;y&gt;</h2>"), std::string::npos);
  EXPECT_EQ(page.find("scale<float"), std::string::npos);
  for (const char* heading : {"Stall breakdown", "Occupancy and issue slots", "Memory hierarchy", "Source lines"}) {
    size_t count = 0;
    for (size_t at = page.find(std::string("<h3>") + heading); at != std::string::npos;
         at = page.find(std::string("<h3>") + heading, at + 1))
      ++count;
    EXPECT_EQ(count, 2u) << heading;
  }
  EXPECT_NE(page.find("<h2 id=\"roofline\">"), std::string::npos);
  EXPECT_EQ(page.find("<?xml"), std::string::npos);  // the roofline SVG is inlined without its declaration
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("http://www.w3.org/2000/svg\" width=\"900\""), page.rfind("http://www.w3.org/2000/svg\" width=\"900\""));
}

TEST(ReportPage, StallShareAndDominantReasonComeFromTheJson) {
  const std::string page = page_of(read_stats_file(kFixture));
  // window_sum_shared: long_scoreboard 900 of 2200 warp-cycles = 40.9%.
  EXPECT_NE(page.find("long_scoreboard (40.9% of warp-cycles)"), std::string::npos);
  // scale: math_pipe_throttle 300 of 500 = 60.0%; FP64 work sets its compute roof.
  EXPECT_NE(page.find("math_pipe_throttle (60.0% of warp-cycles)"), std::string::npos);
  // Bank conflicts and L2 hit rate as in the file.
  EXPECT_NE(page.find("bank conflicts (extra wavefronts)</td><td>60</td>"), std::string::npos);
  EXPECT_NE(page.find(">75.0%</text>"), std::string::npos);
}

TEST(ReportPage, ConfigurationMismatchIsPointedOut) {
  StatsFile f = read_stats_file(kFixture);
  ReportInputs in;
  in.config = gpusim::sim::load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini", {});
  in.files.push_back(f);
  EXPECT_NE(report_html(in).find("not on the configuration whose roofs are drawn"), std::string::npos);
  EXPECT_EQ(page_of(f).find("not on the configuration whose roofs are drawn"), std::string::npos);
}

TEST(ReportStats, MalformedInputNamesTheFileLaunchAndField) {
  nlohmann::json doc = fixture_json();
  doc["launches"][0]["l1"].erase("hit_rate");
  EXPECT_EQ(error_of(doc), "bad.json: launch 0 (kernel 'window_sum_shared'): missing 'l1/hit_rate'");
  doc = fixture_json();
  doc["launches"][1]["cycles"] = "many";
  EXPECT_EQ(error_of(doc), "bad.json: launch 1 (kernel 'scale<float, \"x\"&y>'): not a non-negative integer: 'cycles'");
  doc = fixture_json();
  doc["launches"][0]["source"]["lines"][2]["stall_warp_cycles"]["barrier"] = -4;
  EXPECT_EQ(error_of(doc),
            "bad.json: launch 0 (kernel 'window_sum_shared'): source: lines[2]: not a non-negative integer: "
            "'stall_warp_cycles/barrier'");
  doc = fixture_json();
  doc["launches"][0]["source"]["files"]["one"] = "a.cu";
  EXPECT_NE(error_of(doc).find("source: files: key 'one' is not a file number"), std::string::npos);
  doc = fixture_json();
  doc["launches"][0].erase("kernel");
  EXPECT_EQ(error_of(doc), "bad.json: launch 0: missing 'kernel'");
  EXPECT_NE(error_of(nlohmann::json::object()).find("bad.json: missing the 'launches' array"), std::string::npos);
  EXPECT_NE(error_of({{"launches", {nlohmann::json::object()}}}).find("functional mode"), std::string::npos);
}

TEST(ReportFormat, EscapesAndFormats) {
  EXPECT_EQ(escape("a<b>&\"c\"'\x01"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;?");
  EXPECT_EQ(grouped(0), "0");
  EXPECT_EQ(grouped(999), "999");
  EXPECT_EQ(grouped(1234567), "1 234 567");
  EXPECT_EQ(percent(0.4629), "46.3%");
  EXPECT_EQ(si(524288, "B"), "524 KB");
}

TEST(ReportFormat, BarLengthsAreProportionalToTheScale) {
  // Bars are 380 px at full scale: 0.5 of scale 1 is 190 px; 3 of the largest value 4 is 285 px.
  const std::string half = bar_chart("t", {{"a", 0.5, "50%", ""}}, 1.0);
  EXPECT_NE(half.find("width=\"190\""), std::string::npos) << half;
  const std::string auto_scale = bar_chart("t", {{"a", 3, "3", ""}, {"b", 4, "4", ""}});
  EXPECT_NE(auto_scale.find("width=\"285\""), std::string::npos);
  EXPECT_NE(auto_scale.find("width=\"380\""), std::string::npos);
}

}  // namespace

namespace {

// `gpusim exec --stats` wraps each launch's timing object as "timing" under the demangled name.
TEST(ReportStats, ReadsExecRecordsWithTheirTimingObject) {
  const nlohmann::json fixture = fixture_json();
  nlohmann::json doc = {{"program", "./app"}, {"mode", "timing"}, {"launches", nlohmann::json::array()}};
  doc["launches"].push_back({{"kernel", "saxpy(int, float)"}, {"mangled", "_Z5saxpyif"}, {"timing", fixture["launches"][0]}});
  const StatsFile f = parse_stats(doc, "exec.json");
  ASSERT_EQ(f.kernels.size(), 1u);
  EXPECT_EQ(f.kernels[0].kernel, "saxpy(int, float)");
  EXPECT_EQ(f.kernels[0].cycles, 4000u);
  EXPECT_TRUE(f.kernels[0].source.has_value());
  doc["launches"][0].erase("timing");
  try {
    parse_stats(doc, "exec.json");
    ADD_FAILURE() << "a functional-mode exec record was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "exec.json: launch 0 (kernel 'saxpy(int, float)'): no timing statistics (was it run "
                                     "in functional mode? rerun with --mode timing)");
  }
}

}  // namespace

namespace {

// A corrupt file with absurd magnitudes still gives a page: the kernel is listed as not placed
// on the roofline instead of stretching its axes past what an int holds (UBSan found this).
TEST(ReportPage, AbsurdMagnitudesAreNotPlacedOnTheRoofline) {
  nlohmann::json doc = fixture_json();
  doc["launches"][0]["flops"]["fp32"] = 1e308;
  doc["launches"][0]["dram"]["read_bytes"] = 1;
  doc["launches"][0]["dram"]["write_bytes"] = 0;
  doc["launches"][0]["seconds"] = 1e10;
  const std::string page = page_of(parse_stats(doc, "absurd.json"));
  EXPECT_NE(page.find("not placed: window_sum_shared"), std::string::npos);
  EXPECT_NE(page.find("</html>"), std::string::npos);
}

}  // namespace

namespace {

TEST(ReportSource, TheLineWaitedOnMostIsNamedUpFront) {
  const StatsFile f = read_stats_file(kFixture);
  // Line 12: 955 of the 1416 stall cycles of all PTX instructions.
  EXPECT_EQ(top_wait_location(*f.kernels[0].source), "window_sum.cu:12 (67.4% of stall cycles)");
  SourceReport no_lines = *f.kernels[0].source;
  no_lines.lines.clear();
  EXPECT_EQ(top_wait_location(no_lines), "PTX line 30 (65.0% of stall cycles)");  // ld.global: 920 of 1416
  no_lines.ptx.clear();
  EXPECT_EQ(top_wait_location(no_lines), "");
  // Paired with the kernel's dominant reason, the line with the most cycles of that reason: all 900
  // long_scoreboard cycles are line 12's.
  const std::string page = page_of(f);
  EXPECT_NE(page.find("; at window_sum.cu:12 (100.0% of long_scoreboard cycles)</td>"), std::string::npos);  // summary
  EXPECT_NE(page.find("most of all at <b>window_sum.cu:12 (100.0% of long_scoreboard cycles)</b>"), std::string::npos);
  // A kernel waiting mostly at barriers is pointed at the line with the barrier cycles (15, all 400
  // of them), not at line 12, which waits longest but on memory (an outside user's tiled matmul:
  // "long_scoreboard; at" the shared-memory line whose stalls were mio_throttle).
  EXPECT_EQ(top_wait_location(*f.kernels[0].source, "barrier"), "window_sum.cu:15 (100.0% of barrier cycles)");
  EXPECT_EQ(top_wait_location(*f.kernels[0].source, "short_scoreboard"), "window_sum.cu:12 (75.0% of short_scoreboard cycles)");
  StatsFile barrier_bound = f;
  for (StateCycles& st : barrier_bound.kernels[0].states)
    if (st.reason == "barrier") st.warp_cycles = 5000;
  EXPECT_NE(page_of(barrier_bound).find("; at window_sum.cu:15 (100.0% of barrier cycles)</td>"), std::string::npos);
}

// A header line inlined into the kernel names the line it was called from (`"called_from"` of
// --source-report), in the table and in the summary; a malformed one is refused with its place.
TEST(ReportSource, InlinedLinesNameTheirCallSite) {
  nlohmann::json doc = fixture_json();
  nlohmann::json& line12 = doc["launches"][0]["source"]["lines"][0];
  ASSERT_EQ(line12["line"], 12);
  line12["file"] = 2;
  line12["called_from"] = {{"file", 1}, {"line", 30}};
  const std::string page = page_of(parse_stats(doc, "inlined.json"));
  EXPECT_NE(page.find("include/&lt;tile&gt;&amp;&quot;util&quot;.h:12 (from workloads/kernels/window_sum.cu:30)"),
            std::string::npos);
  EXPECT_NE(page.find("; at &lt;tile&gt;&amp;&quot;util&quot;.h:12 from window_sum.cu:30 (100.0% of long_scoreboard cycles)"),
            std::string::npos);
  line12["called_from"] = {{"file", 1}};
  try {
    parse_stats(doc, "inlined.json");
    ADD_FAILURE() << "a called_from without its line was read";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("called_from"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

TEST(ReportSource, PtxWithoutLineInformationIsExplained) {
  SourceReport source = *read_stats_file(kFixture).kernels[0].source;
  source.lines.clear();
  const std::string html = source_section_html(source);
  EXPECT_NE(html.find("no CUDA line information"), std::string::npos);
  EXPECT_NE(html.find("PTX instructions with the most stall warp-cycles"), std::string::npos);
  source = *read_stats_file(kFixture).kernels[0].source;
  for (LineStats& l : source.lines) l.states.clear();  // lines that never waited
  EXPECT_NE(source_section_html(source).find("No CUDA source line waited."), std::string::npos);
}

}  // namespace

namespace {

// A program of many launches: the file is read one launch at a time and shown per kernel. 70
// launches alternate between the fixture's two kernels with cycles 1000 + 7i (launch i), so kernel
// A (even i) has 35 launches summing to 35*1000 + 7*(0+2+...+68) = 43,330 cycles, longest at i=68;
// kernel B (odd i) 35 launches, 35*1000 + 7*(1+3+...+69) = 43,575 cycles, longest at i=69.
TEST(ReportStats, AFileOfManyLaunchesIsShownPerKernelWithItsSums) {
  const nlohmann::json fixture = fixture_json();
  nlohmann::json doc = {{"launches", nlohmann::json::array()}};
  for (int i = 0; i < 70; ++i) {
    nlohmann::json launch = fixture["launches"][i % 2];
    launch["cycles"] = 1000 + 7 * i;
    launch["seconds"] = 1e-6 * (1000 + 7 * i);
    doc["launches"].push_back(launch);
  }
  const std::string path = testing::TempDir() + "/many_launches.json";
  std::ofstream(path) << doc.dump();
  const StatsFile f = read_stats_file(path);
  EXPECT_EQ(f.timed_launches, 70u);
  ASSERT_TRUE(f.summarised());
  ASSERT_EQ(f.kernels.size(), 2u);
  ASSERT_EQ(f.totals.size(), 2u);
  EXPECT_EQ(f.kernels[0].kernel, "window_sum_shared");
  EXPECT_EQ(f.totals[0].launches, 35u);
  EXPECT_EQ(f.totals[0].cycles, 43330u);
  EXPECT_EQ(f.kernels[0].launch, 68u);
  EXPECT_EQ(f.kernels[0].cycles, 1476u);
  EXPECT_EQ(f.totals[1].cycles, 43575u);
  EXPECT_EQ(f.kernels[1].launch, 69u);
  const std::string page = page_of(f);
  EXPECT_NE(page.find("<th>launches</th>"), std::string::npos);
  EXPECT_NE(page.find("<td>43 330</td>"), std::string::npos) << "the kernel's row sums its launches";
  EXPECT_NE(page.find("Launch 68 of"), std::string::npos);
  EXPECT_NE(page.find("the longest of this kernel's 35 launches"), std::string::npos);
  size_t sections = 0;
  for (size_t at = 0; (at = page.find("<section class=\"kernel\"", at)) != std::string::npos; ++at) ++sections;
  EXPECT_EQ(sections, 2u);
  // At the threshold every launch is shown as before.
  doc["launches"].erase(doc["launches"].begin() + kLaunchesShownOneByOne, doc["launches"].end());
  const StatsFile few = parse_stats(doc, "few.json");
  EXPECT_FALSE(few.summarised());
  EXPECT_EQ(few.kernels.size(), kLaunchesShownOneByOne);
  EXPECT_EQ(few.kernels[5].launch, 5u);
}

// gpusim exec past its kept launches (--launch-records) writes per-kernel "folded_launches": the
// page adds them to the kernels' totals, read whole or streamed; a kernel with no launch kept whole
// is noted. Fixture launches: 1,000 and 1,007 cycles; folded: 9 launches / 20,000 cycles of the
// first kernel, 4 of one not in "launches".
TEST(ReportStats, LaunchesFoldedPerKernelJoinTheirKernelsTotals) {
  const nlohmann::json fixture = fixture_json();
  nlohmann::json doc = {{"launches", nlohmann::json::array()}};
  for (int i = 0; i < 2; ++i) {
    nlohmann::json launch = fixture["launches"][i];
    launch["cycles"] = 1000 + 7 * i;
    launch["seconds"] = 1e-6 * (1000 + 7 * i);
    doc["launches"].push_back(launch);
  }
  doc["folded_launches"] = nlohmann::json::array(
      {{{"kernel", doc["launches"][0]["kernel"]}, {"launches", 9}, {"cycles", 20000}, {"seconds", 2e-5}},
       {{"kernel", "only_folded(int)"}, {"launches", 4}, {"cycles", 80}, {"seconds", 8e-8}}});
  const std::string path = testing::TempDir() + "/folded_launches.json";
  std::ofstream(path) << doc.dump();
  for (const StatsFile& f : {parse_stats(doc, "folded.json"), read_stats_file(path)}) {
    ASSERT_TRUE(f.summarised());
    ASSERT_EQ(f.totals.size(), 2u);
    EXPECT_EQ(f.totals[0].launches, 10u);
    EXPECT_EQ(f.totals[0].cycles, 21000u);
    EXPECT_EQ(f.totals[1].launches, 1u);
    EXPECT_EQ(f.folded_launches, 13u);
    ASSERT_EQ(f.unshown.size(), 1u);
    EXPECT_NE(f.unshown[0].find("kernel 'only_folded(int)': its 4 launches were all past the ones kept whole"),
              std::string::npos) << f.unshown[0];
    EXPECT_NE(page_of(f).find("<td>21 000</td>"), std::string::npos) << "the kernel's row sums its folded launches";
  }
}

TEST(ReportStats, FaultedLaunchesAreCountedAndNotedUpToALimit) {
  const nlohmann::json fixture = fixture_json();
  nlohmann::json doc = {{"launches", nlohmann::json::array()}};
  for (int i = 0; i < 30; ++i) doc["launches"].push_back({{"kernel", "k"}, {"mangled", "_Z1kv"}, {"faulted", true}});
  doc["launches"].push_back(fixture["launches"][0]);
  const StatsFile f = parse_stats(doc, "faults.json");
  EXPECT_EQ(f.faulted_launches, 30u);
  EXPECT_EQ(f.faulted.size(), kFaultNotesAtMost);
  ASSERT_EQ(f.kernels.size(), 1u);
  EXPECT_EQ(f.kernels[0].launch, 30u) << "a launch keeps its index in the file";
}

TEST(ReportStats, NegativeQuantitiesAreRefusedByName) {
  nlohmann::json doc = fixture_json();
  doc["launches"][1]["seconds"] = -0.5;
  EXPECT_EQ(error_of(doc), "bad.json: launch 1 (kernel 'scale<float, \"x\"&y>'): not a non-negative number: 'seconds'");
}

TEST(ReportStats, TheStreamingReaderRefusesWhatTheDocumentReaderRefuses) {
  const std::string path = testing::TempDir() + "/odd_launches.json";
  std::ofstream(path) << R"({"launches": {"0": {"kernel": "k"}}})";
  EXPECT_THROW(read_stats_file(path), std::runtime_error);
  std::ofstream(path, std::ios::trunc) << R"({"launches": [5]})";
  try {
    read_stats_file(path);
    ADD_FAILURE() << "a number as a launch was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": launch 0: missing 'kernel'"), std::string::npos) << e.what();
  }
  std::ofstream(path, std::ios::trunc) << R"({"other": [{"kernel": "k"}], "launches": []})";
  EXPECT_THROW(read_stats_file(path), std::runtime_error);
}

}  // namespace

namespace {

// The same configuration name with other values (a run with --set) is pointed out, as another name
// is; the statistics carry a fingerprint of the values. A store figure is shown where recorded.
TEST(ReportPage, OtherValuesUnderTheSameConfigurationNameArePointedOut) {
  const gpusim::sim::GpuConfig defaults = gpusim::sim::load_gpu_config("", {});
  nlohmann::json doc = fixture_json();
  for (auto& launch : doc["launches"]) {
    launch["config"] = defaults.name;
    launch["config_fingerprint"] = gpusim::sim::config_fingerprint(defaults);
  }
  doc["launches"][0]["l1"]["sectors_per_store_request"] = 32.0;
  std::string page = page_of(parse_stats(doc, "same.json"));
  EXPECT_EQ(page.find("with other values"), std::string::npos);
  EXPECT_NE(page.find("sectors per global store</td><td>32"), std::string::npos) << "the store figure is shown";
  doc["launches"][1]["config_fingerprint"] =
      gpusim::sim::config_fingerprint(gpusim::sim::load_gpu_config("", {"sm.count=8"}));
  page = page_of(parse_stats(doc, "other.json"));
  EXPECT_NE(page.find("with other values than the configuration whose roofs are drawn"), std::string::npos);
}

}  // namespace
