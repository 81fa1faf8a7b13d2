// The report side of `gpusim sweep`: metrics read from a hand-written statistics document,
// parameters, the x axis of the plot, and the SVG.
#include <gtest/gtest.h>

#include "tools/sweep/sweep_report.h"

namespace gpusim::cli::sweep {
namespace {

StoredPoint point(const std::string& workload, const std::string& size, const std::string& sets, int64_t cycles) {
  StoredPoint p;
  p.workload = workload;
  p.size = size;
  p.config = "v100.ini";
  p.mode = "timing";
  p.status = "ok";
  p.sets_json = sets;
  p.cycles = cycles;
  p.seconds = cycles / 1e9;
  p.host_seconds = 0.5;
  p.stats = R"({"launches": [{"cycles": 100, "ipc_per_sm": 2.0, "instructions": {"warp": 1000}},
                              {"cycles": 300, "ipc_per_sm": 1.0, "instructions": {"warp": 500}}]})";
  return p;
}

TEST(SweepReport, MetricsFromTheStatisticsDocument) {
  const StoredPoint p = point("sgemm_tiled", "64x64x64", "{}", 400);
  EXPECT_EQ(metric_value(p, "cycles"), 400.0);
  EXPECT_EQ(metric_value(p, "host_seconds"), 0.5);
  // ipc: the cycles-weighted mean, (2.0 x 100 + 1.0 x 300) / 400 = 1.25.
  EXPECT_DOUBLE_EQ(*metric_value(p, "ipc"), 1.25);
  EXPECT_DOUBLE_EQ(*metric_value(p, "sum:instructions.warp"), 1500.0);
  EXPECT_FALSE(metric_value(p, "no.such.key"));
  StoredPoint failed = p;
  failed.status = "failed";
  EXPECT_FALSE(metric_value(failed, "cycles"));
}

// `gpusim exec --stats` points: each launch's statistics sit under "timing" in a record naming
// the kernel. The same metric names work for them ("ipc", "dram.bandwidth_gbs", "sum:..."), and
// "timing.<key>" names the same value for both kinds, so one database of both plots with one metric.
TEST(SweepReport, ExecPointsUseTheSameMetricNames) {
  StoredPoint exec = point("exec", "", "{}", 400);
  exec.stats = R"json({"launches": [
      {"kernel": "k(int)", "mangled": "_Z1ki", "timing": {"cycles": 100, "ipc_per_sm": 2.0, "instructions": {"warp": 1000}}},
      {"kernel": "k(int)", "mangled": "_Z1ki", "timing": {"cycles": 300, "ipc_per_sm": 1.0, "instructions": {"warp": 500}}}]})json";
  const StoredPoint run = point("sgemm_tiled", "64x64x64", "{}", 400);
  for (const StoredPoint& p : {exec, run}) {
    EXPECT_DOUBLE_EQ(*metric_value(p, "ipc"), 1.25) << p.workload;
    EXPECT_DOUBLE_EQ(*metric_value(p, "timing.ipc_per_sm"), 1.25) << p.workload;
    EXPECT_DOUBLE_EQ(*metric_value(p, "sum:instructions.warp"), 1500.0) << p.workload;
    EXPECT_DOUBLE_EQ(*metric_value(p, "sum:timing.instructions.warp"), 1500.0) << p.workload;
    EXPECT_FALSE(metric_value(p, "timing.no_such_key")) << p.workload;
  }
}

TEST(SweepReport, ParametersAndNumericAxis) {
  const StoredPoint p = point("vecadd", "", R"({"sm.count": "40"})", 10);
  EXPECT_EQ(parameter_value(p, "sm.count"), "40");
  EXPECT_EQ(parameter_value(p, "size"), "default");
  EXPECT_EQ(parameter_value(p, "config"), "v100.ini");
  EXPECT_EQ(numeric_parameter("64x64x32"), 131072.0);
  EXPECT_EQ(numeric_parameter("40"), 40.0);
  EXPECT_FALSE(numeric_parameter("v100.ini"));
  EXPECT_FALSE(numeric_parameter("default"));
}

TEST(SweepReport, PanelsGroupByWorkloadAndTheOtherParameters) {
  const std::vector<StoredPoint> points = {
      point("vecadd", "1024", R"({"sm.count": "80"})", 30), point("vecadd", "1024", R"({"sm.count": "20"})", 90),
      point("vecadd", "4096", R"({"sm.count": "20"})", 120), point("sgemm_tiled", "64x64x64", R"({"sm.count": "20"})", 500)};
  const std::vector<PlotPanel> panels = plot_panels(points, "cycles", "sm.count");
  ASSERT_EQ(panels.size(), 2u);
  EXPECT_EQ(panels[0].workload, "vecadd");
  ASSERT_EQ(panels[0].series.size(), 2u);  // size=1024 and size=4096
  EXPECT_EQ(panels[0].series[0].label, "size=1024 config=v100.ini mode=timing");
  const std::vector<std::pair<double, double>> xy = {{20, 90}, {80, 30}};  // sorted by x
  EXPECT_EQ(panels[0].series[0].xy, xy);
  EXPECT_TRUE(panels[0].categories.empty());

  const std::vector<PlotPanel> by_config = plot_panels(points, "cycles", "config");
  EXPECT_EQ(by_config[0].categories, std::vector<std::string>{"v100.ini"});

  const std::string svg = plot_svg(panels, "cycles", "sm.count");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("vecadd: cycles against sm.count"), std::string::npos);
  EXPECT_NE(svg.find("sgemm_tiled: cycles against sm.count"), std::string::npos);
  size_t polylines = 0;
  for (size_t at = 0; (at = svg.find("<polyline", at)) != std::string::npos; ++at) ++polylines;
  EXPECT_EQ(polylines, 3u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

// Two contents under one config name (the file edited between sweeps) are told apart by hash;
// a name with one content keeps its name.
TEST(SweepReport, EditedConfigVersionsAreToldApart) {
  std::vector<StoredPoint> points = {point("vecadd", "1024", "{}", 100), point("vecadd", "1024", "{}", 200),
                                     point("vecadd", "2048", "{}", 300)};
  points[0].config_hash = "aaaaaaaa11111111";
  points[1].config_hash = "bbbbbbbb22222222";
  points[2].config_hash = "aaaaaaaa11111111";
  points[2].config = "h100.ini";
  tell_config_versions_apart(points);
  EXPECT_EQ(points[0].config, "v100.ini (aaaaaaaa)");
  EXPECT_EQ(points[1].config, "v100.ini (bbbbbbbb)");
  EXPECT_EQ(points[2].config, "h100.ini");
  EXPECT_NE(report_table(points, "cycles").find("v100.ini (bbbbbbbb)"), std::string::npos);
}

TEST(SweepReport, TableListsEveryPointAndTheFailures) {
  std::vector<StoredPoint> points = {point("vecadd", "1024", R"({"sm.count": "80"})", 30)};
  StoredPoint bad = point("vecadd", "2048", R"({"sm.count": "80"})", 0);
  bad.status = "failed";
  bad.error = "killed by signal 9 (Killed); output ends:\nrunning vecadd\ngpusim run: the reason\n\n";
  points.push_back(bad);
  const std::string table = report_table(points, "cycles");
  EXPECT_NE(table.find("sm.count"), std::string::npos);
  EXPECT_NE(table.find("2 points: 1 failed 1 ok"), std::string::npos) << table;
  // The error's first line and the output's last non-empty line, on one line.
  EXPECT_NE(table.find("killed by signal 9 (Killed); output ends: gpusim run: the reason\n"), std::string::npos) << table;
}

}  // namespace
}  // namespace gpusim::cli::sweep
