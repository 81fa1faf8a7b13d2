// An output file that is one of the command's inputs, or another of its outputs, is refused
// before anything runs, and the input is left as it was (tools/file_roles.h); a --stats file
// that cannot be written no longer costs `gpusim launch` its output buffers.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/launch_test_support.h"
#include "tests/run_gpusim.h"
#include "tools/file_roles.h"

namespace {

using namespace gpusim::test_support;

const std::string kUser = std::string(GPUSIM_FIXTURES) + "/launch_user.ptx";

// scale<float>(v, a, n): v[i] *= a.
std::string scale_args(const std::string& in, const std::string& out) {
  return "--kernel 'scale<float>' --grid 1 --block 4 --arg inout:f32:" + in + ":" + out + " --arg f32:2 --arg s32:4";
}

TEST(FileRoles, LaunchRefusesStatsOverItsKernelFileAndLeavesItIntact) {
  TempDir dir;
  const std::string ptx = dir.file("k.ptx"), in = dir.file("in.bin");
  std::filesystem::copy_file(kUser, ptx);
  write_bytes(in, as_bytes(std::vector<float>{1, 2, 3, 4}));
  const std::vector<uint8_t> before = read_bytes(ptx);
  const Outcome o = run_gpusim("launch '" + ptx + "' --mode functional " + scale_args(in, dir.file("out.bin")) +
                               " --stats '" + ptx + "'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--stats " + ptx + " is also the kernel file: writing it would destroy it")) << o.output;
  EXPECT_EQ(read_bytes(ptx), before);
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.bin"))) << "nothing ran";
}

TEST(FileRoles, LaunchRefusesAnOutputBufferOverAnInputBuffer) {
  TempDir dir;
  const std::string in = dir.file("in.bin");
  write_bytes(in, as_bytes(std::vector<float>{1, 2, 3, 4}));
  // The same file spelled another way (./ and a hard link) is still the same file.
  ASSERT_EQ(::link(in.c_str(), dir.file("again.bin").c_str()), 0);
  // affine(in, out, struct, n): argument 1's output is argument 0's input under another name.
  const Outcome o = run_gpusim("launch " + kUser + " --mode functional --kernel affine --grid 1 --block 8 --arg in:f32:" +
                               in + " --arg out:f64:5:" + dir.file("again.bin") +
                               " --arg struct:f32:1.5,s32:10,f64:0.25 --arg s32:4");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "'s output " + dir.file("again.bin") + " is the same file as argument 0")) << o.output;
  EXPECT_EQ(from_bytes<float>(read_bytes(in)), (std::vector<float>{1, 2, 3, 4}));
}

// One inout argument reading and writing the same file updates it in place: allowed.
TEST(FileRoles, AnInoutArgumentMayUpdateItsFileInPlace) {
  TempDir dir;
  const std::string io = dir.file("io.bin");
  write_bytes(io, as_bytes(std::vector<float>{1, 2, 3, 4}));
  const Outcome o = run_gpusim("launch " + kUser + " --mode functional " + scale_args(io, io));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(from_bytes<float>(read_bytes(io)), (std::vector<float>{2, 4, 6, 8}));
}

TEST(FileRoles, TwoOutputsOnOneFileAreRefused) {
  TempDir dir;
  const std::string stats = dir.file("s.json");
  const Outcome o = run_gpusim("run vecadd --size 1024 --mode timing --set sm.count=2 --stats '" + stats + "' --trace '" +
                               dir.path().string() + "/./s.json'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "is the same file as --stats")) << o.output;
  EXPECT_TRUE(contains(o.output, "one would overwrite the other")) << o.output;
  EXPECT_FALSE(std::filesystem::exists(stats));
  // Devices are not files to protect: both to /dev/null is fine.
  const Outcome null = run_gpusim("run vecadd --size 1024 --mode timing --set sm.count=2 --stats /dev/null --trace /dev/null");
  EXPECT_EQ(null.exit_code, 0) << null.output;
}

TEST(FileRoles, ReportAndRooflineRefuseToOverwriteTheirStatistics) {
  TempDir dir;
  const std::string stats = dir.file("s.json");
  std::filesystem::copy_file(std::string(GPUSIM_FIXTURES) + "/report/source_report_stats.json", stats);
  const std::vector<uint8_t> before = read_bytes(stats);
  Outcome o = run_gpusim("report '" + stats + "' -o '" + stats + "'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "-o " + stats + " is also the statistics file")) << o.output;
  o = run_gpusim("roofline --stats '" + stats + "' -o '" + stats + "'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "-o " + stats + " is also --stats")) << o.output;
  EXPECT_EQ(read_bytes(stats), before);
}

// compare's outputs over its recording or configuration, or over each other, and a sweep plot over
// its database, replaced them (an outside tester's --csv rec.csv, --json cfg.ini, -o t.db).
TEST(FileRoles, CompareAndSweepReportRefuseToOverwriteTheirInputs) {
  TempDir dir;
  const std::string rec = dir.file("rec.kernels.csv"), ini = dir.file("rec.ini");
  std::filesystem::copy_file(std::string(GPUSIM_SOURCE_DIR) + "/configs/measured/h200_2026-11-27.kernels.csv", rec);
  std::filesystem::copy_file(std::string(GPUSIM_SOURCE_DIR) + "/configs/measured/h200_2026-11-27.ini", ini);
  const std::vector<uint8_t> rec_before = read_bytes(rec), ini_before = read_bytes(ini);
  Outcome o = run_gpusim("compare --recorded '" + rec + "' --no-ubench --csv '" + rec + "'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--csv " + rec + " is also --recorded")) << o.output;
  o = run_gpusim("compare --recorded '" + rec + "' --no-ubench --json '" + ini + "'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "is also the recording's configuration")) << o.output;
  o = run_gpusim("compare --recorded '" + rec + "' --no-ubench --csv '" + dir.file("o.x") + "' --json '" + dir.file("o.x") + "'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_EQ(read_bytes(rec), rec_before);
  EXPECT_EQ(read_bytes(ini), ini_before);
  EXPECT_FALSE(std::filesystem::exists(dir.file("o.x")));

  const std::string spec = dir.file("spec.ini"), db = dir.file("sweep.db");
  std::ofstream(spec) << "workloads = vecadd\nsizes.vecadd = 1024\n";
  ASSERT_EQ(run_gpusim("sweep '" + spec + "' --db '" + db + "'").exit_code, 0);
  const std::vector<uint8_t> db_before = read_bytes(db);
  o = run_gpusim("sweep --report '" + db + "' -o '" + db + "'");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "-o " + db + " is also the sweep database")) << o.output;
  EXPECT_EQ(read_bytes(db), db_before);
}

TEST(FileRoles, LaunchSavesItsBuffersWhenStatsCannotBeWritten) {
  TempDir dir;
  const std::string in = dir.file("in.bin"), out = dir.file("out.bin");
  write_bytes(in, as_bytes(std::vector<float>{1, 2, 3, 4}));
  const Outcome o =
      run_gpusim("launch " + kUser + " --mode functional " + scale_args(in, out) + " --stats /dev/full");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "--stats: cannot write /dev/full")) << o.output;
  EXPECT_EQ(from_bytes<float>(read_bytes(out)), (std::vector<float>{2, 4, 6, 8}));
}

TEST(FileRoles, CheckComparesFilesNotSpellings) {
  TempDir dir;
  const std::string a = dir.file("a.txt");
  write_bytes(a, {1});
  gpusim::cli::FileRoles fine;
  fine.reads(a, "the input");
  fine.writes(dir.file("b.txt"), "--stats");
  fine.writes(dir.file("c.txt"), "--trace");
  fine.writes("/dev/null", "--vcd");
  fine.writes("/dev/null", "-o");
  EXPECT_NO_THROW(fine.check());
  gpusim::cli::FileRoles clash;
  clash.reads(dir.path().string() + "/sub/../a.txt", "the input");  // a path through a folder that does not exist
  clash.writes(a, "--stats");
  std::filesystem::create_directory(dir.file("sub"));
  EXPECT_THROW(clash.check(), std::invalid_argument);
  gpusim::cli::FileRoles new_files;  // neither exists yet: compared by normalised path
  new_files.writes(dir.file("new.json"), "--stats");
  new_files.writes(dir.path().string() + "//./new.json", "--trace");
  EXPECT_THROW(new_files.check(), std::invalid_argument);
}

}  // namespace
