// `gpusim roofline`: the V100 roofs against its published figures, vecadd placed memory-bound at
// the intensity its FLOP and byte counts imply, a well-formed SVG naming every kernel, and bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"

namespace {

using namespace gpusim::test_support;

// The value printed on the table row of roof `name` ("  FP32   12748.8 GFLOP/s ..."), in G/s.
double roof_giga(const std::string& output, const std::string& name) {
  const size_t at = output.find("\n  " + name + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(output.c_str() + at + 3 + name.size(), nullptr);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Well-formed XML by python3's parser; skips where python3 is absent.
bool python_parses_xml(const std::filesystem::path& svg, std::string* error) {
  if (std::system("python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1") != 0) return true;
  const std::string command =
      "python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' '" + svg.string() + "' 2>&1";
  const int rc = std::system(command.c_str());
  if (rc != 0) *error = "python3 xml.etree rejected " + svg.string();
  return rc == 0;
}

const std::string kV100 = std::string(" --config ") + GPUSIM_SOURCE_DIR + "/configs/v100.ini";

TEST(RooflineCommand, V100RoofsMatchPublishedFigures) {
  const Outcome o = run_gpusim("roofline" + kV100);
  ASSERT_EQ(o.exit_code, 0) << o.output;
  // Hand-computed from the V100 (GV100) figures at the config's 1245 MHz core clock.
  EXPECT_NEAR(roof_giga(o.output, "FP32"), 80 * 64 * 2 * 1.245, 0.1) << o.output;               // 12.75 TFLOP/s
  EXPECT_NEAR(roof_giga(o.output, "FP64"), 80 * 32 * 2 * 1.245, 0.1) << o.output;               // 6.37 TFLOP/s
  EXPECT_NEAR(roof_giga(o.output, "TensorCore FP16"), 80 * 8 * 64 * 2 * 1.245, 0.1) << o.output;  // ~102 TFLOP/s
  EXPECT_NEAR(roof_giga(o.output, "DRAM"), 4096 / 8 * 2 * 0.877, 0.1) << o.output;              // 898 GB/s HBM2
  EXPECT_NEAR(roof_giga(o.output, "L2"), 64 * 32 * 1.245, 0.1) << o.output;
  EXPECT_NEAR(roof_giga(o.output, "L1"), 80 * 128 * 1.245, 0.1) << o.output;
  EXPECT_NEAR(roof_giga(o.output, "Shared"), 80 * 32 * 4 * 1.245, 0.1) << o.output;
  EXPECT_FALSE(contains(o.output, "# Kernels")) << "no --stats: just the roofs\n" << o.output;
}

TEST(RooflineCommand, VecaddIsMemoryBoundAtOneFlopPerTwelveOrFewerBytes) {
  const auto dir = scratch_dir("roofline_vecadd");
  const std::string stats = (dir / "vecadd.json").string(), svg = (dir / "vecadd.svg").string();
  const uint64_t n = 1 << 16;
  const Outcome run = run_gpusim("run vecadd --size " + std::to_string(n) + kV100 + " --stats '" + stats + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json launch = nlohmann::json::parse(read_text(stats))["launches"][0];
  // One FP32 add per element, counted by the timing model.
  EXPECT_EQ(launch["flops"]["fp32"].get<uint64_t>(), n);
  EXPECT_EQ(launch["flops"]["fp64"].get<uint64_t>(), 0u);
  const double bytes = launch["dram"]["read_bytes"].get<double>() + launch["dram"]["write_bytes"].get<double>();
  // a and b must come from DRAM (8 bytes per element); c (4 more) reaches DRAM only if L2 writes
  // it back before the launch ends, which the model does not do for a small array.
  EXPECT_GE(bytes, 8.0 * n);
  EXPECT_LE(bytes, 12.0 * n);

  const Outcome o = run_gpusim("roofline" + kV100 + " --stats '" + stats + "' -o '" + svg + "'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const size_t row = o.output.find("\nvecadd ");
  ASSERT_NE(row, std::string::npos) << o.output;
  std::istringstream fields(o.output.substr(row + 1));
  std::string name, bound;
  double flops = 0, dram_bytes = 0, intensity = 0;
  fields >> name >> flops >> dram_bytes >> intensity;
  EXPECT_NEAR(intensity, double(n) / bytes, 0.005) << o.output;
  EXPECT_GE(intensity, 1.0 / 12 - 0.005) << o.output;  // 1 FLOP per 12 bytes with c written back
  EXPECT_LE(intensity, 1.0 / 8 + 0.005) << o.output;   // 1 FLOP per 8 bytes without
  const std::string line = o.output.substr(row + 1, o.output.find('\n', row + 1) - row - 1);
  EXPECT_TRUE(contains(line, "memory (DRAM)")) << line;

  std::string error;
  EXPECT_TRUE(python_parses_xml(svg, &error)) << error;
  const std::string text = read_text(svg);
  EXPECT_TRUE(contains(text, ">vecadd (memory-bound)<")) << text;
  for (const char* roof : {"FP32", "FP64", "TensorCore FP16", "DRAM", "L2", "L1", "Shared"})
    EXPECT_TRUE(contains(text, std::string(">") + roof + " ")) << roof;
}

// An integer kernel without DRAM traffic sits under the FP32 roof at a fraction of a percent, which
// says nothing about it; the timing model's own class (the stats' "bound") is shown beside it (an
// outside robotics user's popc kernel read "compute (FP32)" where the source report said latency).
TEST(RooflineCommand, TheTimingModelsBoundClassIsShownBesideTheRooflines) {
  const auto dir = scratch_dir("roofline_model_bound");
  const std::string stats = write_file(dir / "s.json", R"({"launches": [{"kernel": "census", "seconds": 0.0001,
      "bound": "latency", "flops": {"fp32": 1000, "fp64": 0, "tensor": 0}, "dram": {"read_bytes": 0, "write_bytes": 0}}]})");
  const Outcome o = run_gpusim("roofline" + kV100 + " --stats '" + stats + "' -o '" + (dir / "s.svg").string() + "'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "; timing model: latency")) << o.output;
}

// A kernel with FLOPs whose data the caches served (a vector add reading inputs cudaMemcpy had
// just left in the L2) has no intensity per DRAM byte: it was "compute (FP32)" at AI inf, beside
// the timing model's "l2" (a PMPP student's vector add, matmul and stencils all read so).
TEST(RooflineCommand, AKernelWithFlopsButNoDramBytesIsNotComputeBound) {
  const auto dir = scratch_dir("roofline_no_dram");
  // 32 threads add 0.5 to their index and store it: FP32 work, 128 bytes that stay in the L2.
  const std::string ptx = write_file(dir / "k.ptx", R"(.version 8.0
.target sm_70
.address_size 64
.visible .entry vecAdd(.param .u64 out)
{
  .reg .b32 %r<4>;
  .reg .f32 %f<4>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  cvt.rn.f32.u32 %f1, %r1;
  add.f32 %f2, %f1, 0f3F000000;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.f32 [%rd3], %f2;
  ret;
}
)");
  const std::string stats = (dir / "s.json").string();
  const Outcome ran = run_gpusim("launch '" + ptx + "' --kernel vecAdd --grid 1 --block 32 --arg zeros:f32:32" + kV100 +
                                 " --stats '" + stats + "'");
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  const std::string svg = (dir / "s.svg").string();
  const Outcome o = run_gpusim("roofline" + kV100 + " --stats '" + stats + "' -o '" + svg + "'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "none (no DRAM bytes: the caches held its data); timing model:")) << o.output;
  EXPECT_FALSE(contains(o.output, "compute (FP32)")) << o.output;
  EXPECT_FALSE(contains(o.output, " inf ")) << o.output;
  EXPECT_TRUE(contains(o.output, "note: 1 kernel moved no DRAM bytes")) << o.output;
  EXPECT_TRUE(contains(o.output, "--cache-control all")) << o.output;
  EXPECT_TRUE(contains(read_text(svg), "not placed: vecAdd (no DRAM traffic: the caches held its data")) << read_text(svg);
  const Outcome page = run_gpusim("report --stats '" + stats + "' -o '" + (dir / "r.html").string() + "'");
  ASSERT_EQ(page.exit_code, 0) << page.output;
  const std::string html = read_text(dir / "r.html");
  EXPECT_TRUE(contains(html, "none (no DRAM bytes: the caches held its data)")) << html.substr(0, 3000);
  EXPECT_FALSE(contains(html, "compute (FP32)")) << html.substr(0, 3000);
}

TEST(RooflineCommand, KernelNamesAreEscapedAndComputeBoundIsRecognised) {
  const auto dir = scratch_dir("roofline_escape");
  // 1e9 FLOPs over 1e6 bytes in 1 ms: AI 1000, far right of the V100 ridge (12.75e12 / 898e9 = 14.2).
  const std::string stats = write_file(dir / "s.json", R"({"launches": [{"kernel": "a<b>&\"c\"", "seconds": 0.001,
      "flops": {"fp32": 1000000000, "fp64": 0, "tensor": 0}, "dram": {"read_bytes": 1000000, "write_bytes": 0}}]})");
  const std::string svg = (dir / "s.svg").string();
  const Outcome o = run_gpusim("roofline" + kV100 + " --stats '" + stats + "' -o '" + svg + "'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "compute (FP32)")) << o.output;
  // 1e12 FLOP/s achieved of the 12748.8 GFLOP/s roof: 7.84 %.
  EXPECT_TRUE(contains(o.output, "7.84")) << o.output;
  std::string error;
  EXPECT_TRUE(python_parses_xml(svg, &error)) << error;
  EXPECT_TRUE(contains(read_text(svg), "a&lt;b&gt;&amp;&quot;c&quot;")) << read_text(svg);
}

// A kernel with neither FLOPs nor DRAM bytes (a transpose served by the L2) has no intensity:
// 0/0 is not "infinitely compute-bound", as the table and the report page said.
TEST(RooflineCommand, AKernelWithNoFlopsAndNoDramBytesHasNoBound) {
  const auto dir = scratch_dir("roofline_no_work");
  // 32 threads store their index: integer work only, 128 bytes that stay in the L2.
  const std::string ptx = write_file(dir / "k.ptx", R"(.version 8.0
.target sm_70
.address_size 64
.visible .entry copy_in_l2(.param .u64 out)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r1;
  ret;
}
)");
  const std::string stats = (dir / "s.json").string();
  const Outcome ran = run_gpusim("launch '" + ptx + "' --kernel copy_in_l2 --grid 1 --block 32 --arg zeros:u32:32" + kV100 +
                                 " --stats '" + stats + "'");
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  const std::string svg = (dir / "s.svg").string();
  const Outcome o = run_gpusim("roofline" + kV100 + " --stats '" + stats + "' -o '" + svg + "'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "none (no FLOPs, no DRAM bytes)")) << o.output;
  EXPECT_FALSE(contains(o.output, "compute (FP32)")) << o.output;
  EXPECT_FALSE(contains(o.output, " inf ")) << o.output;
  EXPECT_TRUE(contains(read_text(svg), "not placed: copy_in_l2 (no FLOPs, no DRAM traffic)")) << read_text(svg);
  const Outcome page = run_gpusim("report --stats '" + stats + "' -o '" + (dir / "r.html").string() + "'");
  ASSERT_EQ(page.exit_code, 0) << page.output;
  const std::string html = read_text(dir / "r.html");
  EXPECT_TRUE(contains(html, "none (no FLOPs, no DRAM bytes)")) << html.substr(0, 3000);
  EXPECT_FALSE(contains(html, "compute (FP32)")) << html.substr(0, 3000);

  const std::string empty = write_file(dir / "empty.json", R"({"launches": []})");
  const Outcome none = run_gpusim("roofline --stats '" + empty + "'");
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_TRUE(contains(none.output, "'launches' is empty (no kernel was launched)")) << none.output;
}

TEST(RooflineCommand, MalformedStatsNameTheFile) {
  const auto dir = scratch_dir("roofline_bad");
  const std::string broken = write_file(dir / "broken.json", "{\"launches\": [");
  Outcome o = run_gpusim("roofline --stats '" + broken + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "broken.json: not valid JSON")) << o.output;

  const std::string old = write_file(dir / "old.json", R"({"launches": [{"kernel": "k", "seconds": 1e-6}]})");
  o = run_gpusim("roofline --stats '" + old + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "old.json: launch 0 (kernel 'k'): missing 'flops/fp32'")) << o.output;

  // A negative count (a damaged or hand-edited file) is refused, as `gpusim report` refuses it;
  // it was plotted as "FLOPs -inf".
  const std::string negative = write_file(
      dir / "neg.json", R"({"launches": [{"kernel": "k", "seconds": 1e-6, "cycles": 100,
      "flops": {"fp32": -1e308, "fp64": 0, "tensor": 0}, "dram": {"read_bytes": 64, "write_bytes": 0}}]})");
  o = run_gpusim("roofline --stats '" + negative + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "neg.json: launch 0 (kernel 'k'): 'flops/fp32' is not a non-negative number")) << o.output;
  EXPECT_FALSE(contains(o.output, "-inf")) << o.output;

  o = run_gpusim("roofline --stats '" + (dir / "absent.json").string() + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "absent.json")) << o.output;

  o = run_gpusim("roofline --no-such-option");
  EXPECT_EQ(o.exit_code, 2) << o.output;
}

// A faulted launch (gpusim exec --stats records it with "faulted": true and no statistics) is left
// out with a note by roofline and report, which refused the whole file with "was it run in
// functional mode?"; roofs of another chip than the stats' own are warned about, as report does.
TEST(RooflineCommand, FaultedLaunchesAreLeftOutAndAnotherChipsRoofsAreWarnedAbout) {
  const auto dir = scratch_dir("roofline_faulted");
  const std::string stats = (dir / "h100.json").string();
  const std::string h100 = std::string(" --config ") + GPUSIM_SOURCE_DIR + "/configs/h100.ini";
  const Outcome run = run_gpusim("run vecadd --size 4096 --mode timing" + h100 + " --stats " + stats);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  nlohmann::json doc = nlohmann::json::parse(read_text(stats));
  doc["launches"].push_back({{"kernel", "boom()"}, {"mangled", "_Z4boomv"}, {"faulted", true}});
  const std::string mixed = (dir / "mixed.json").string();
  std::ofstream(mixed) << doc.dump();

  const Outcome roofline = run_gpusim("roofline" + kV100 + " --stats " + mixed);
  EXPECT_EQ(roofline.exit_code, 0) << roofline.output;
  EXPECT_TRUE(contains(roofline.output, "launch 1 (kernel 'boom()') faulted: it has no statistics; left out")) << roofline.output;
  EXPECT_TRUE(contains(roofline.output, "warning: kernel 'vecadd' was simulated on H100")) << roofline.output;
  const Outcome same_chip = run_gpusim("roofline" + h100 + " --stats " + mixed);
  EXPECT_EQ(same_chip.exit_code, 0) << same_chip.output;
  EXPECT_FALSE(contains(same_chip.output, "warning")) << same_chip.output;

  const Outcome report = run_gpusim("report" + h100 + " " + mixed + " -o " + (dir / "r.html").string());
  EXPECT_EQ(report.exit_code, 0) << report.output;
  EXPECT_TRUE(contains(report.output, "(kernel 'boom()') faulted: it has no statistics; left out")) << report.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "r.html"));

  nlohmann::json only_faulted = {{"launches", nlohmann::json::array({doc["launches"][1]})}};
  const std::string faulted = (dir / "faulted.json").string();
  std::ofstream(faulted) << only_faulted.dump();
  const Outcome none = run_gpusim("roofline" + h100 + " --stats " + faulted);
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_TRUE(contains(none.output, "every launch faulted")) << none.output;
}

}  // namespace

// A run with --set may keep its configuration's name (a value the name does not state: the DRAM
// bus here), so the roofs drawn without the same --set were those of other values, unnoticed (an
// outside performance engineer read 5.49 % of roof for 55 % with sm.count=8, which the name now
// states). The statistics carry the values' fingerprint.
TEST(RooflineCommand, RoofsOfOtherValuesUnderTheSameNameAreWarnedAbout) {
  const auto dir = scratch_dir("roofline_set");
  const std::string stats = (dir / "s.json").string();
  const std::string narrow = " --set dram.bus_width_bits=64";
  const Outcome run = run_gpusim("run vecadd --size 4096" + kV100 + narrow + " --stats '" + stats + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const Outcome other = run_gpusim("roofline" + kV100 + " --stats '" + stats + "'");
  ASSERT_EQ(other.exit_code, 0) << other.output;
  EXPECT_TRUE(contains(other.output, "with other values than the roofs drawn here")) << other.output;
  // gpusim report says so on the terminal as well as in the page.
  const Outcome page = run_gpusim("report '" + stats + "' -o '" + (dir / "page.html").string() + "'" + kV100);
  ASSERT_EQ(page.exit_code, 0) << page.output;
  EXPECT_TRUE(contains(page.output, "gpusim report: warning: kernel 'vecadd' was simulated on V100-like (80 SM, 1245 MHz) "
                                    "with other values than the roofs drawn here"))
      << page.output;
  const Outcome same = run_gpusim("roofline" + kV100 + narrow + " --stats '" + stats + "'");
  ASSERT_EQ(same.exit_code, 0) << same.output;
  EXPECT_FALSE(contains(same.output, "warning")) << same.output;
  // With sm.count=8 the name says so, and the warning names both chips.
  const Outcome smaller = run_gpusim("run vecadd --size 4096" + kV100 + " --set sm.count=8 --stats '" + stats + "'");
  ASSERT_EQ(smaller.exit_code, 0) << smaller.output;
  const Outcome named = run_gpusim("roofline" + kV100 + " --stats '" + stats + "'");
  EXPECT_TRUE(contains(named.output, "was simulated on V100-like (8 SM, 1245 MHz), not on V100-like (80 SM, 1245 MHz)"))
      << named.output;
}

// Without --config, roofline and report draw the roofs of the chip the statistics name (an outside
// LLM engineer's H100 run got V100 roofs): its INI file and --set values, read again, and only
// while the file still gives the run's values.
TEST(RooflineCommand, WithoutConfigTheRunsOwnConfigurationIsDrawn) {
  const auto dir = scratch_dir("roofline_named");
  const std::string ini = (dir / "chip.ini").string();
  std::filesystem::copy_file(std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini", ini);
  const std::string stats = (dir / "s.json").string();
  const Outcome run = run_gpusim("run vecadd --size 4096 --config '" + ini + "' --set sm.count=8 --stats '" + stats + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const Outcome drawn = run_gpusim("roofline --stats '" + stats + "'");
  ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
  EXPECT_TRUE(contains(drawn.output, "# Roofline of H100-SXM5-like (8 SM, 1980 MHz)")) << drawn.output;
  EXPECT_FALSE(contains(drawn.output, "warning")) << drawn.output;
  const std::string page = (dir / "page.html").string();
  const Outcome report = run_gpusim("report '" + stats + "' -o '" + page + "'");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_TRUE(contains(report.output, "roofs of H100-SXM5-like (8 SM, 1980 MHz) (" + ini + " --set sm.count=8"))
      << report.output;
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(html, "Roofline of H100-SXM5-like (8 SM, 1980 MHz)"));
  // The file changed since the run: its roofs would not be the run's; the default's are drawn, warned.
  std::filesystem::copy_file(std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini", ini,
                             std::filesystem::copy_options::overwrite_existing);
  const Outcome changed = run_gpusim("roofline --stats '" + stats + "'");
  ASSERT_EQ(changed.exit_code, 0) << changed.output;
  EXPECT_TRUE(contains(changed.output, ini + " --set sm.count=8 has changed since the run")) << changed.output;
  EXPECT_TRUE(contains(changed.output, "warning: kernel 'vecadd' was simulated on H100")) << changed.output;
}
