// `gpusim ptx` on input that is not (valid) PTX: it must fail with a message, never crash or
// exit 0. The expected behaviour comes from the issue (gpusim issue 10) and ptxas' own verdicts.
#include <gtest/gtest.h>

#include <string>

#include "tests/cli/cli_test_util.h"

namespace {

using namespace gpusim::test_support;

bool have_ptxas() { return std::system("command -v ptxas >/dev/null || test -x /usr/local/cuda/bin/ptxas") == 0; }

TEST(PtxCommand, FiftyKilobyteKernelNameDoesNotCrash) {
  // std::regex over ptxas' "Function properties for <name>" overflowed the stack on this.
  const auto dir = scratch_dir("longname");
  const std::string name(50000, 'k');
  const std::string file = write_file(dir / "long.ptx", ptx_module(".visible .entry " + name + "()\n{\nret;\n}\n"));
  const Outcome o = run_gpusim("ptx '" + file + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output.substr(0, 500);
  EXPECT_TRUE(contains(o.output, "kernel " + name)) << o.output.substr(0, 500);
  if (have_ptxas()) {
    EXPECT_TRUE(contains(o.output, name + ": 4 registers")) << o.output.substr(o.output.size() - 300);
  }
}

// ptxas compiles for the architecture the PTX names: sm_90a PTX (wgmma, TMA) needs no --arch.
TEST(PtxCommand, PtxasTargetsThePtxsOwnArchitecture) {
  if (!have_ptxas()) GTEST_SKIP() << "no ptxas";
  const Outcome o = run_gpusim("ptx '" + std::string(GPUSIM_FIXTURES) + "/hopper_sm90a.ptx'");
  EXPECT_EQ(o.exit_code, 0) << o.output.substr(0, 2000);
  EXPECT_TRUE(contains(o.output, "registers,")) << o.output.substr(0, 2000);
  const Outcome older = run_gpusim("ptx --arch sm_80 '" + std::string(GPUSIM_FIXTURES) + "/hopper_sm90a.ptx'");
  EXPECT_EQ(older.exit_code, 1) << older.output.substr(0, 2000);  // ptxas refuses sm_90a code for sm_80
}

TEST(PtxCommand, EmptyFileIsNotPtx) {
  const auto dir = scratch_dir("empty");
  const std::string file = write_file(dir / "empty.ptx", "");
  const Outcome o = run_gpusim("ptx '" + file + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, file + ":1: error: not PTX: the file is empty")) << o.output;
}

TEST(PtxCommand, DevNullIsNotPtx) {
  const Outcome o = run_gpusim("ptx /dev/null");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "/dev/null:1: error: not PTX")) << o.output;
}

TEST(PtxCommand, DirectoryIsNotPtx) {
  const auto dir = scratch_dir("dir");
  const Outcome o = run_gpusim("ptx '" + dir.string() + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "is a directory, not a PTX file")) << o.output;
}

TEST(PtxCommand, TextWithoutVersionIsNotPtx) {
  const auto dir = scratch_dir("noversion");
  const std::string file = write_file(dir / "notes.txt", "// just a comment\n");
  const Outcome o = run_gpusim("ptx '" + file + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, ":1: error: not PTX: no .version directive")) << o.output;
}

TEST(PtxCommand, PtxasRejectionFailsTheCommand) {
  if (!have_ptxas()) GTEST_SKIP() << "ptxas not installed";
  // PTX ISA 1.0 has neither .address_size nor sm_80: ptxas refuses it, our parser does not care.
  const auto dir = scratch_dir("rejected");
  const std::string file = write_file(
      dir / "old.ptx", ".version 1.0\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\nret;\n}\n");
  const Outcome o = run_gpusim("ptx '" + file + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "ptxas rejected '" + file + "'")) << o.output;
  EXPECT_TRUE(contains(o.output, "PTX .version 1.0 does not support .target sm_80")) << o.output;
}

// nvcc declares one `.extern .shared` array per file for all its kernels: only the kernels that
// reach it (themselves or through a call) use dynamic shared memory.
TEST(PtxCommand, DynamicSharedIsReportedForTheKernelsThatUseIt) {
  const auto dir = scratch_dir("dynshared");
  const std::string file = write_file(dir / "dyn.ptx", ptx_module(
      ".extern .shared .align 16 .b8 dyn[];\n"
      ".func touch()\n{\n.reg .b32 %r<2>;\nmov.u32 %r1, 7;\nst.shared.u32 [dyn+4], %r1;\nret;\n}\n"
      ".visible .entry direct()\n{\n.reg .b64 %rd<2>;\nmov.u64 %rd1, dyn;\nret;\n}\n"
      ".visible .entry through_call()\n{\ncall touch, ();\nret;\n}\n"
      ".visible .entry plain()\n{\nret;\n}\n"));
  const Outcome o = run_gpusim("ptx '" + file + "'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  auto section = [&](const std::string& kernel) {
    const size_t at = o.output.find("kernel " + kernel);
    return at == std::string::npos ? std::string() : o.output.substr(at, o.output.find("\nkernel ", at + 1) - at);
  };
  EXPECT_TRUE(contains(section("direct"), "dynamic shared: used")) << o.output;
  EXPECT_TRUE(contains(section("through_call"), "dynamic shared: used")) << o.output;
  ASSERT_FALSE(section("plain").empty()) << o.output;
  EXPECT_FALSE(contains(section("plain"), "dynamic shared")) << o.output;
}

}  // namespace

namespace {

// The launch bounds a kernel was compiled with and whether it synchronises its CTA (a kernel
// engineer compared `gpusim ptx` with `nvcc -Xptxas -v` and missed them).
TEST(PtxCommand, LaunchBoundsAndBarriersAreListed) {
  const auto dir = gpusim::test_support::scratch_dir("bounds");
  const std::string file = gpusim::test_support::write_file(
      dir / "b.ptx", gpusim::test_support::ptx_module(".visible .entry bounded() .maxntid 256, 1, 1\n{\nbar.sync 0;\nret;\n}\n"
                                                      ".visible .entry exact() .reqntid 32, 4\n{\nret;\n}\n"));
  const gpusim::test_support::Outcome o = gpusim::test_support::run_gpusim("ptx '" + file + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(gpusim::test_support::contains(o.output, "launch bounds: at most 256 threads per block (.maxntid")) << o.output;
  EXPECT_TRUE(gpusim::test_support::contains(o.output, "launch bounds: the block must be 32x4x1 threads (.reqntid)")) << o.output;
  EXPECT_TRUE(gpusim::test_support::contains(o.output, "CTA barriers: yes")) << o.output;
  EXPECT_EQ(o.output.find("CTA barriers"), o.output.rfind("CTA barriers")) << o.output;  // only `bounded` has one
}

}  // namespace
