// Report lines that carry a kernel's name keep their whole text: Thrust and CUB kernels' mangled
// names run to 200-500 characters, and fixed 256- and 512-byte line buffers cut the source
// report's summary line (losing its cycle count and newline) and the roofline table's rows (every
// row ran into one line) — an outside Thrust user's finding.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/timing_report.h"
#include "tools/roofline.h"

namespace {

const std::string kLongName = "_ZN6thrust" + std::string(480, 'x') + "_kernel_end";

size_t count_lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(LongKernelNames, TheTimingSummaryLineKeepsItsCyclesAfterTheName) {
  const gpusim::sim::GpuConfig config = gpusim::sim::load_gpu_config("", {});
  gpusim::sim::LaunchTiming t;
  t.cycles = 12345;
  t.seconds = 1e-5;
  t.sms_used = 7;
  const std::string text = gpusim::sim::timing_summary(config, kLongName, t);
  const std::string first = text.substr(0, text.find('\n'));
  EXPECT_NE(first.find(kLongName + " on "), std::string::npos) << first;
  EXPECT_NE(first.find("12345 cycles"), std::string::npos) << first;
  EXPECT_NE(first.find("7 SMs used"), std::string::npos) << first;
}

TEST(LongKernelNames, RooflineRowsStayOneLineEach) {
  const std::vector<gpusim::cli::Roof> roofs = gpusim::cli::roofs_of(gpusim::sim::load_gpu_config("", {}));
  std::vector<gpusim::cli::KernelPoint> points(2);
  points[0].label = kLongName + "_a";
  points[1].label = kLongName + "_b";
  for (auto& p : points) {
    p.fp32_flops = 1e9;
    p.dram_bytes = 1e8;
    p.seconds = 1e-3;
  }
  const std::string table = gpusim::cli::roofline_table(roofs, points);
  const size_t kernels = table.find("# Kernels");
  ASSERT_NE(kernels, std::string::npos) << table;
  const std::string rows = table.substr(kernels);
  EXPECT_EQ(count_lines(rows), 4u) << rows;  // the heading, the column names, two kernels
  EXPECT_NE(rows.find(points[1].label), std::string::npos);
  EXPECT_NE(rows.find("memory (DRAM)\n"), std::string::npos) << rows;
}

}  // namespace
