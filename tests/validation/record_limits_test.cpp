// Recorded measurement files with values no card produces, or bytes no text file holds
// (gpusim issue 10, item 9): refused at file:line with the column, never accepted or cut short.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <string>

#include "validation/csv.h"
#include "validation/measured_record.h"

using namespace gpusim::validation;

namespace {

const std::string kHeader =
    "gpu_name,compute_capability,sm_count,sm_clock_mhz,measured_sm_clock_mhz,memory_clock_mhz,memory_bus_bits,"
    "l2_bytes,driver,cuda_version,date,workload,size,seed,launch,kernel,ctas,warmup,repetitions,median_us,min_us,"
    "max_us,launch_overhead_us,verified\n";

// One row from the committed H200 recording, with `gpu` and `kernel` fields substituted.
std::string row(const std::string& sm_count = "132", const std::string& sm_clock = "1980",
                const std::string& ctas = "4096") {
  return "NVIDIA H200,9.0," + sm_count + "," + sm_clock + ",1980.00085,3201,6016,62914560,580.159.04,13.0," +
         "2026-11-27T05:35:44Z,vecadd,1048576,1,0,vecadd," + ctas + ",2,10,11.07,9.72,15.10,5.50,yes\n";
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "gpusim_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string read_error(const std::string& path) {
  try {
    read_kernel_record(path);
  } catch (const CsvError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(RecordLimits, AValidRowReads) { EXPECT_EQ(read_error(write("ok.csv", kHeader + row())), "(no error)"); }

TEST(RecordLimits, NegativeCtasIsRefused) {
  const std::string path = write("ctas.csv", kHeader + row("132", "1980", "-1"));
  const std::string e = read_error(path);
  EXPECT_NE(e.find(path + ":2: column 'ctas': -1 is outside 1.."), std::string::npos) << e;
}

TEST(RecordLimits, ZeroSmCountIsRefused) {
  const std::string path = write("sms.csv", kHeader + row("0"));
  const std::string e = read_error(path);
  EXPECT_NE(e.find(path + ":2: column 'sm_count': 0 is outside 1..1024"), std::string::npos) << e;
}

TEST(RecordLimits, ZeroClockIsRefused) {
  const std::string path = write("clock.csv", kHeader + row("132", "0"));
  const std::string e = read_error(path);
  EXPECT_NE(e.find(path + ":2: column 'sm_clock_mhz': 0 is outside 1..100000"), std::string::npos) << e;
}

TEST(RecordLimits, NulByteIsNamedAndDoesNotCutTheMessage) {
  std::string bad = row();
  bad.insert(bad.find(",vecadd,"), std::string("\0", 1));
  const std::string path = write("nul.csv", kHeader + bad);
  const std::string e = read_error(path);
  EXPECT_NE(e.find(path + ":2:"), std::string::npos) << e;
  EXPECT_NE(e.find("NUL byte: not a text CSV file"), std::string::npos) << e;
}

TEST(RecordLimits, ControlBytesInAFieldArePrintedEscaped) {
  const std::string path = write("ctl.csv", "a,b\n1,\x01x\n");
  const CsvTable t = read_csv(path, {"a", "b"});
  try {
    t.rows.at(0).integer("b");
    ADD_FAILURE() << "no error";
  } catch (const CsvError& e) {
    EXPECT_NE(std::string(e.what()).find(":2: column 'b': '\\x01x' is not an integer"), std::string::npos) << e.what();
  }
}

}  // namespace
