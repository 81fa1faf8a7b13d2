// `gpusim launch` refusals: every bad spec, option, kernel choice, parameter mismatch and input
// file gets a message naming it and the documented exit status (2 usage, 1 files/devices), and
// nothing crashes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "runtime/cuda_device.h"
#include "runtime/ptxas_info.h"
#include "tests/cli/launch_test_support.h"
#include "tests/run_gpusim.h"

namespace {

using namespace gpusim::test_support;

const std::string kKernels = std::string(GPUSIM_FIXTURES) + "/launch_kernels.ptx";

Outcome launch(const std::string& arguments) { return run_gpusim("launch " + arguments); }

// saxpy's six arguments with the one at `index` replaced by `spec`.
std::string saxpy_with(size_t index, const std::string& spec, const TempDir& dir) {
  std::vector<std::string> args = {"u32:16", "f32:2", "zeros:f32:16", "zeros:f32:16", "out:f32:16:" + dir.file("o.npy"),
                                   "zeros:f32:16"};
  args[index] = spec;
  std::string line = kKernels + " --kernel saxpy --grid 1 --block 16 --mode functional";
  for (const std::string& a : args) line += " --arg '" + a + "'";
  return line;
}

TEST(LaunchErrors, BadSpecsNameTheArgumentAndExit2) {
  TempDir dir;
  struct Case {
    size_t index;
    std::string spec, expected;
  };
  const Case cases[] = {
      {0, "u32:12q", "argument 0 ('u32:12q'): '12q' is not a u32 value: expected a decimal or 0x-hex integer"},
      {0, "u32:-1", "argument 0 ('u32:-1'): '-1' is out of range for u32"},
      {1, "f32:fast", "argument 1 ('f32:fast'): 'fast' is not an f32 value"},
      {1, "x32:1", "argument 1 ('x32:1'): 'x32' is neither a type"},
      {1, "2", "argument 1 ('2'): expected TYPE:VALUE"},
      {2, "in:f32:", "argument 2 ('in:f32:'): empty input file name"},
      {3, "inout:f32:a.npy", "argument 3 ('inout:f32:a.npy'): expected inout:TYPE:INPUT:OUTPUT"},
      {4, "out:f32:many:o.npy", "argument 4 ('out:f32:many:o.npy'): element count 'many'"},
      {4, "out:f32:16", "argument 4 ('out:f32:16'): expected out:TYPE:COUNT:FILE"},
      {5, "zeros:q8:16", "argument 5 ('zeros:q8:16'): unknown type 'q8'"},
      {5, "zeros:f32:0", "argument 5 ('zeros:f32:0'): element count '0'"},
  };
  for (const Case& c : cases) {
    const Outcome o = launch(saxpy_with(c.index, c.spec, dir));
    EXPECT_EQ(o.exit_code, 2) << c.spec << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, c.expected)) << c.spec << "\n" << o.output;
  }
}

TEST(LaunchErrors, ArgumentsThatDoNotFitTheKernel) {
  TempDir dir;
  // Too few: every parameter listed with its PTX name, type and size beside the spec given.
  Outcome o = launch(kKernels + " --kernel saxpy --grid 1 --block 16 --arg u32:16 --arg f32:2");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel 'saxpy' takes 6 parameters, 2 --arg given")) << o.output;
  EXPECT_TRUE(contains(o.output, "1: saxpy_param_1 (.f32, 4 bytes)  <-  'f32:2'")) << o.output;
  EXPECT_TRUE(contains(o.output, "5: saxpy_param_5 (.u64, 8 bytes)  <-  (missing)")) << o.output;
  // Too many.
  o = launch(saxpy_with(0, "u32:16", dir) + " --arg u32:1");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "6: (no parameter)  <-  'u32:1'")) << o.output;
  // Sizes: a 64-bit scalar for the .f32, a scalar for a pointer, a buffer for the .u32.
  o = launch(saxpy_with(1, "f64:2", dir));
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "argument 1 ('f64:2'): kernel 'saxpy' parameter 1 is saxpy_param_1 (.f32, 4 bytes); "
                                 "an f64 scalar is 8 bytes")) << o.output;
  o = launch(saxpy_with(2, "u32:0", dir));
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "parameter 2 is saxpy_param_2 (.u64, 8 bytes); a u32 scalar is 4 bytes")) << o.output;
  o = launch(saxpy_with(0, "zeros:u32:4", dir));
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "(.u32, 4 bytes); a buffer is passed as a 64-bit device address (8 bytes)")) << o.output;
  // The size fits but the kind does not: a note, and the launch goes on.
  o = launch(saxpy_with(1, "u32:0x40000000", dir));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "note: argument 1 ('u32:0x40000000') is an integer for kernel 'saxpy' parameter "
                                 "saxpy_param_1 (.f32, 4 bytes): its bits are passed unchanged")) << o.output;
}

TEST(LaunchErrors, KernelChoiceAndOptions) {
  Outcome o = launch(kKernels + " --grid 1 --block 1");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "has 5 kernels (saxpy, scalars, where_am_i, reverse_blocks, write_past_end): choose one "
                                 "with --kernel NAME")) << o.output;
  o = launch(kKernels + " --kernel saxpi --grid 1 --block 1");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "no kernel named 'saxpi'")) << o.output;
  EXPECT_TRUE(contains(o.output, "kernels: saxpy, scalars")) << o.output;

  const std::string k = kKernels + " --kernel where_am_i --arg zeros:u32:1 ";
  const std::pair<std::string, std::string> cases[] = {
      {"--block 1", "missing --grid"},
      {"--grid 1", "missing --block"},
      {"--grid 0 --block 1", "--grid '0': '0' is not a positive 32-bit integer"},
      {"--grid 1,2,3,4 --block 1", "--grid '1,2,3,4': at most 3 extents"},
      {"--grid 1 --block 8,x", "--block '8,x': 'x' is not a positive"},
      {"--grid 1 --block 1 --shared lots", "--shared 'lots': expected an integer"},
      {"--grid 1 --block 1 --mode fast", "--mode 'fast': expected 'functional' or 'timing'"},
      {"--grid 1 --block 1 --backend gpu", "--backend 'gpu': expected sim, cuda or both"},
      {"--grid 1 --block 1 --tolerance -1", "--tolerance must be a non-negative number"},
      {"--grid 1 --block 1 --frobnicate", "unrecognised option '--frobnicate'"},
      {"--grid 1 --block 1 other.ptx", "one file at a time"},
  };
  for (const auto& [options, expected] : cases) {
    o = launch(k + options);
    EXPECT_EQ(o.exit_code, 2) << options << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, expected)) << options << "\n" << o.output;
  }
  o = launch("--grid 1 --block 1");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "missing FILE.ptx")) << o.output;
}

TEST(LaunchErrors, FilesThatCannotBeUsed) {
  TempDir dir;
  Outcome o = launch(dir.file("none.ptx") + " --grid 1 --block 1");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "cannot open '" + dir.file("none.ptx") + "': No such file or directory")) << o.output;
  write_bytes(dir.file("broken.ptx"), {'.', 'v', 'e', 'r', 's', 'i', 'o', 'n', ' ', '9', '.', '0', '\n', 'q', 'q', '\n'});
  o = launch(dir.file("broken.ptx") + " --grid 1 --block 1");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, dir.file("broken.ptx") + ":")) << o.output;

  const std::vector<uint8_t> sixteen(64, 0);
  write_bytes(dir.file("f8.npy"), npy_v1(npy_dict("<f8", "(8,)"), sixteen));
  write_bytes(dir.file("fortran.npy"), npy_v1("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 4), }", sixteen));
  write_bytes(dir.file("short.npy"), npy_v1(npy_dict("<f4", "(17,)"), sixteen));
  write_bytes(dir.file("magic.npy"), std::vector<uint8_t>(80, 'x'));
  write_bytes(dir.file("odd.bin"), std::vector<uint8_t>(63, 0));
  write_bytes(dir.file("empty.bin"), {});
  const std::pair<std::string, std::string> cases[] = {
      {"in:f32:" + dir.file("f8.npy"), "f8.npy: dtype '<f8' does not match the argument's type f32 (expected '<f4')"},
      {"in:f32:" + dir.file("fortran.npy"), "fortran.npy: the array is in Fortran order"},
      {"in:f32:" + dir.file("short.npy"), "short.npy: truncated data: shape (17,) of '<f4' needs 68 bytes, the file has 64"},
      {"in:f32:" + dir.file("magic.npy"), "magic.npy: not an .npy file"},
      {"in:f32:" + dir.file("absent.npy"), "absent.npy: cannot open: No such file or directory"},
      {"inout:f32:" + dir.file("odd.bin") + ":" + dir.file("x.npy"), "odd.bin: a raw file of 63 bytes is not a whole number of f32"},
      {"in:f32:" + dir.file(""), "is a directory"},
      {"in:f32:" + dir.file("empty.bin"), "empty.bin: the file is empty"},
  };
  for (const auto& [spec, expected] : cases) {
    o = launch(saxpy_with(2, spec, dir));
    EXPECT_EQ(o.exit_code, 1) << spec << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "argument 2 ('" + spec + "')")) << spec << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, expected)) << spec << "\n" << o.output;
  }
}

TEST(LaunchErrors, OutputsAndMemory) {
  TempDir dir;
  Outcome o = launch(saxpy_with(4, "out:f32:16:" + dir.file("no/such/dir/o.npy"), dir));
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "folder '" + dir.file("no/such/dir") + "' does not exist")) << o.output;
  o = launch(saxpy_with(3, "inout:f32:" + dir.file("a.bin") + ":" + dir.file("o.npy"), dir));
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "arguments 3 and 4 both save to '" + dir.file("o.npy") + "'")) << o.output;
  o = launch(saxpy_with(5, "zeros:f32:1000000000000000", dir));  // 4 PB
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "more than half of this host's")) << o.output;
}

// A --stats path that cannot be written is refused before the launch runs: it was found after the
// simulation, which then exited without saving the output buffers.
TEST(LaunchErrors, AnUnwritableStatsPathIsRefusedBeforeTheRun) {
  TempDir dir;
  for (const std::string& stats : {dir.file("no/such/dir/s.json"), dir.file("")}) {
    const Outcome o = launch(saxpy_with(0, "u32:16", dir) + " --stats '" + stats + "'");
    EXPECT_EQ(o.exit_code, 2) << o.output;
    EXPECT_TRUE(contains(o.output, "--stats " + stats + ": ")) << o.output;
    EXPECT_FALSE(contains(o.output, "kernel   saxpy")) << o.output;  // nothing ran
  }
}

// Without a usable GPU the cuda backends say why and exit 1 (with one, --backend both must agree
// with the simulator on every output element).
TEST(LaunchErrors, CudaBackendWithoutAGpu) {
  TempDir dir;
  if (gpusim::runtime::probe_cuda().available) {
    const Outcome o = launch(saxpy_with(1, "f32:2", dir) + " --backend both");
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_TRUE(contains(o.output, "argument 4 ('out:f32:16:" + dir.file("o.npy") + "'): all 16 elements match")) << o.output;
    EXPECT_TRUE(std::filesystem::exists(dir.file("o.cuda.npy")));
    return;
  }
  for (const char* backend : {"cuda", "both"}) {
    const Outcome o = launch(saxpy_with(1, "f32:2", dir) + " --backend " + backend);
    EXPECT_EQ(o.exit_code, 1) << o.output;
    EXPECT_TRUE(contains(o.output, "gpusim launch: the cuda backend is unavailable")) << o.output;
  }
}

// PTX that ptxas rejects is refused in functional mode too, with ptxas's message naming the file
// and line: a 64-bit register as an f32 operand ran and wrote garbage (exit 0).
TEST(LaunchErrors, PtxThatPtxasRejectsIsRefusedInFunctionalMode) {
  if (!gpusim::runtime::find_ptxas()) GTEST_SKIP() << "no ptxas";
  TempDir dir;
  const std::string ptx = dir.file("wrongtype.ptx");
  std::ofstream(ptx) << ".version 8.0\n.target sm_80\n.address_size 64\n"
                        ".visible .entry scale(.param .u64 out)\n{\n"
                        "  .reg .f32 %f<4>;\n  .reg .b64 %rd<4>;\n"
                        "  ld.param.u64 %rd1, [out];\n  mov.f32 %f1, 0f40000000;\n"
                        "  mul.f32 %f3, %rd1, %f1;\n"  // line 10: %rd1 is 64 bits wide
                        "  cvta.to.global.u64 %rd2, %rd1;\n  st.global.f32 [%rd2], %f3;\n  ret;\n}\n";
  const Outcome o = launch(ptx + " --grid 1 --block 1 --mode functional --arg 'out:f32:1:" + dir.file("o.npy") + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "ptxas -arch=")) << o.output;
  EXPECT_TRUE(contains(o.output, "wrongtype.ptx, line 10")) << o.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("o.npy"))) << o.output;
}

}  // namespace
