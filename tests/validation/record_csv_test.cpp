// The CSV reader and the configs/measured/ record format: quoting, round trips and the errors a
// hand-edited or truncated file gets (file:line, column).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/validation/sample_identity.h"
#include "validation/csv.h"
#include "validation/measured_record.h"

using namespace gpusim::validation;

namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "gpusim_" + std::to_string(::getpid()) + "_" + name;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

GpuIdentity sample_gpu() {
  GpuIdentity g = sample_identity();
  g.name = "NVIDIA Test GPU, \"quoted\"";
  g.memory_bus_bits = 5120;
  g.l2_bytes = 52428800;
  g.measured_sm_clock_mhz = 1755.5;
  return g;
}

}  // namespace

TEST(Csv, FieldsAreQuotedOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_line({"x", "1,2", ""}), "x,\"1,2\",");
}

TEST(Csv, ReaderHandlesQuotesCommentsAndReportsFileLine) {
  const std::string path = temp_path("t.csv");
  write_file(path, "# comment\nname,value\n\"a, b\",1.5\n\"q\"\"x\",2\n");
  const CsvTable t = read_csv(path, {"name", "value"});
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].text("name"), "a, b");
  EXPECT_DOUBLE_EQ(t.rows[0].number("value"), 1.5);
  EXPECT_EQ(t.rows[1].text("name"), "q\"x");
  EXPECT_EQ(t.rows[1].where(), path + ":4");

  write_file(path, "name,value\nx,abc\n");
  const CsvTable bad = read_csv(path, {"name"});
  try {
    bad.rows[0].number("value");
    FAIL() << "no error for a non-number";
  } catch (const CsvError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":2: column 'value': 'abc'"), std::string::npos) << e.what();
  }
  // A spreadsheet's byte-order mark before the header (it hid the first column's name).
  write_file(path, "\xef\xbb\xbfname,value\nx,3\n");
  const CsvTable bom = read_csv(path, {"name", "value"});
  ASSERT_EQ(bom.rows.size(), 1u);
  EXPECT_EQ(bom.rows[0].text("name"), "x");
  write_file(path, "name,value\nx\n");
  EXPECT_THROW(read_csv(path, {}), CsvError);
  write_file(path, "name\nx\n");
  EXPECT_THROW(read_csv(path, {"value"}), CsvError);
  write_file(path, "name\n\"open\n");
  EXPECT_THROW(read_csv(path, {}), CsvError);
  EXPECT_THROW(read_csv(path + ".missing", {}), CsvError);
  std::remove(path.c_str());
}

TEST(MeasuredRecord, KernelRecordRoundTrips) {
  KernelRecord r{sample_gpu(), {}};
  MeasuredKernel k;
  k.workload = "sgemm_tiled";
  k.size = "256x256x256";
  k.seed = 7;
  k.launch = 0;
  k.kernel = "sgemm_tiled";
  k.ctas = 256;
  k.warmup = 2;
  k.repetitions = 10;
  k.median_us = 12.25;
  k.min_us = 12.0;
  k.max_us = 13.5;
  k.launch_overhead_us = 2.1;
  k.verified = true;
  r.kernels.push_back(k);
  const std::string path = temp_path("k.csv");
  write_kernel_record(path, r);
  const KernelRecord back = read_kernel_record(path);
  EXPECT_EQ(back.gpu.name, r.gpu.name);
  EXPECT_EQ(back.gpu.sm_count, 132);
  EXPECT_DOUBLE_EQ(back.gpu.measured_sm_clock_mhz, 1755.5);
  EXPECT_EQ(back.gpu.l2_bytes, 52428800);
  EXPECT_EQ(back.gpu.driver, "580.159.04");
  ASSERT_EQ(back.kernels.size(), 1u);
  EXPECT_EQ(back.kernels[0].size, "256x256x256");
  EXPECT_EQ(back.kernels[0].seed, 7u);
  EXPECT_EQ(back.kernels[0].ctas, 256u);
  EXPECT_DOUBLE_EQ(back.kernels[0].median_us, 12.25);
  EXPECT_TRUE(back.kernels[0].verified);
  std::remove(path.c_str());
}

TEST(MeasuredRecord, RowsFromTwoCardsInOneFileAreRejectedWithTheLine) {
  UbenchRecord a{sample_gpu(), {{"L1 hit latency (p-chase)", 33.0, "cycles"}}};
  const std::string path = temp_path("u.csv"), other = temp_path("u2.csv");
  write_ubench_record(path, a);
  UbenchRecord b = a;
  b.gpu.name = "Another GPU";
  write_ubench_record(other, b);
  std::ifstream in(other);
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  std::ofstream(path, std::ios::app) << row << "\n";
  try {
    read_ubench_record(path);
    FAIL() << "mixed cards accepted";
  } catch (const CsvError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Another GPU"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
  std::remove(other.c_str());
}

TEST(MeasuredRecord, NonPositiveMedianAndBadVerdictAreRejected) {
  KernelRecord r{sample_gpu(), {MeasuredKernel{"vecadd", "1000", 1, 0, "vecadd", 8, 0, 1, 0.0, 0, 0, 0, true}}};
  const std::string path = temp_path("z.csv");
  write_kernel_record(path, r);
  EXPECT_THROW(read_kernel_record(path), CsvError);
  std::remove(path.c_str());
}
