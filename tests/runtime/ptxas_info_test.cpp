// Reading `ptxas -v` output and running ptxas under a time limit.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "runtime/ptxas_info.h"

namespace gpusim::runtime {
namespace {

// Lines as ptxas 13 prints them (see `ptxas -v -arch=sm_80 tests/fixtures/device_call.ptx`).
std::string verbose_output(const std::string& kernel, const std::string& device_function) {
  return "ptxas info    : 0 bytes gmem\n"
         "ptxas info    : Compiling entry function '" + kernel + "' for 'sm_80'\n"
         "ptxas info    : Function properties for " + kernel + "\n"
         "    16 bytes stack frame, 8 bytes spill stores, 4 bytes spill loads\n"
         "ptxas info    : Used 14 registers, used 0 barriers, 2048 bytes smem, 384 bytes cmem[0]\n"
         "ptxas info    : Function properties for " + device_function + "\n"
         "    32 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n";
}

TEST(PtxasInfo, ParsesKernelAndDeviceFunctionFigures) {
  const auto functions = parse_ptxas_functions(verbose_output("k", "_Z4bumpPi"));
  ASSERT_EQ(functions.size(), 2u);
  EXPECT_TRUE(functions[0].is_entry);
  EXPECT_EQ(functions[0].registers, 14u);
  EXPECT_EQ(functions[0].static_shared_bytes, 2048u);
  EXPECT_EQ(functions[0].stack_bytes, 16u);
  EXPECT_FALSE(functions[1].is_entry);
  EXPECT_EQ(functions[1].name, "_Z4bumpPi");
  EXPECT_EQ(functions[1].stack_bytes, 32u);
  const auto kernels = parse_ptxas_verbose(verbose_output("k", "_Z4bumpPi"));
  ASSERT_EQ(kernels.size(), 2u);
  // The device function's 32-byte frame must not overwrite the kernel's 16; it is kept on its own.
  EXPECT_TRUE(kernels.at("k").entry);
  EXPECT_EQ(kernels.at("k").stack_bytes, 16u);
  EXPECT_EQ(kernels.at("k").spill_bytes, 12u);
  EXPECT_FALSE(kernels.at("_Z4bumpPi").entry);
  EXPECT_EQ(kernels.at("_Z4bumpPi").stack_bytes, 32u);
}

TEST(PtxasInfo, HugeNamesDoNotExhaustTheStack) {
  // std::regex recursed once per character of a 50 KB name and overflowed the stack.
  const std::string name(200000, 'n');
  const auto kernels = parse_ptxas_verbose(verbose_output(name, name + "_dev"));
  ASSERT_EQ(kernels.count(name), 1u);
  EXPECT_EQ(kernels.at(name).registers, 14u);
}

TEST(PtxasInfo, StopsAPtxasThatRunsTooLong) {
  const std::filesystem::path fake = std::filesystem::path(testing::TempDir()) / "gpusim_slow_ptxas";
  std::ofstream(fake) << "#!/bin/sh\nsleep 30\n";
  ::chmod(fake.c_str(), 0755);
  const auto start = std::chrono::steady_clock::now();
  const PtxasRun run = run_ptxas_on_file(fake.string(), "/dev/null", "sm_80", 1);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(run.timed_out);
  EXPECT_FALSE(run.ok());
  EXPECT_LT(seconds, 5.0);
}

TEST(PtxasInfo, ReportsTheExitStatusOfARejection) {
  const std::filesystem::path fake = std::filesystem::path(testing::TempDir()) / "gpusim_failing_ptxas";
  std::ofstream(fake) << "#!/bin/sh\necho 'ptxas fatal   : nope'\nexit 255\n";
  ::chmod(fake.c_str(), 0755);
  const PtxasRun run = run_ptxas_on_file(fake.string(), "/dev/null", "sm_80", 5);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_status, 255);
  EXPECT_NE(run.output.find("nope"), std::string::npos);
}

// sm_80 PTX on an sm_75 configuration whose first ptxas error is not "higher than" (fp64 wmma's
// library call): the timing model's resource query must still assemble it for sm_80, as the
// functional mode runs it (every launch of such a module was cudaErrorInvalidPtx in timing mode).
TEST(PtxasInfo, NewerTargetIsAssembledForItselfWhateverPtxasSaysFirst) {
  if (!find_ptxas()) GTEST_SKIP() << "no ptxas";
  std::ifstream in(std::string(GPUSIM_SOURCE_DIR) + "/tests/fixtures/dmma_sm80.ptx");
  const std::string ptx((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(ptx.empty());
  std::string note;
  const auto kernels = ptxas_resources_for(ptx, "sm_75", &note);
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_GT(kernels.begin()->second.registers, 0u);
  EXPECT_NE(note.find("sm_80"), std::string::npos) << note;
}

TEST(PtxasInfo, MessagesNameTheModuleInsteadOfTheTemporaryFile) {
  EXPECT_EQ(with_source_name("ptxas /tmp/gpusim-ptxas-akDptM.ptx, line 91; error   : Type of argument\n"
                             "ptxas /tmp/gpusim-ptxas-Zz0912.ptx, line 7; error   : x\n",
                             "calls2.ptx"),
            "ptxas calls2.ptx, line 91; error   : Type of argument\nptxas calls2.ptx, line 7; error   : x\n");
  EXPECT_EQ(with_source_name("ptxas /tmp/gpusim-ptxas-short, line 1", "m.ptx"), "ptxas /tmp/gpusim-ptxas-short, line 1");
}

}  // namespace
}  // namespace gpusim::runtime
