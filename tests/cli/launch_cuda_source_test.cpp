// `gpusim launch FILE.cu`: CUDA C++ compiled to PTX by nvcc on the way (tools/cuda_source_compile.h).
// The saved buffers are checked against the CPU; nvcc's own errors reach the user with file and line.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/launch_test_support.h"
#include "tests/run_gpusim.h"

namespace {

using namespace gpusim::test_support;

const std::string kUserSource = std::string(GPUSIM_FIXTURES) + "/launch_user.cu";

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// The `affine` kernel of launch_user.cu over five floats: its launch options (input written to
// `dir`), and a check of the output it leaves there against the CPU (in * 1.5 + 10 + 0.25).
const std::vector<float> kAffineIn = {0.0f, 1.0f, 2.0f, -4.0f, 0.5f};
std::string affine_options(const TempDir& dir) {
  write_bytes(dir.file("in.bin"), as_bytes(kAffineIn));
  return " --kernel affine --grid 1 --block 8 --arg in:f32:" + dir.file("in.bin") + " --arg out:f64:5:" + dir.file("out.bin") +
         " --arg struct:f32:1.5,s32:10,f64:0.25 --arg s32:5";
}
void expect_affine_output(const TempDir& dir) {
  const std::vector<double> out = from_bytes<double>(read_bytes(dir.file("out.bin")));
  ASSERT_EQ(out.size(), kAffineIn.size());
  for (size_t i = 0; i < kAffineIn.size(); ++i) EXPECT_EQ(out[i], double(kAffineIn[i] * 1.5f) + 10 + 0.25) << i;
}

TEST(LaunchCudaSource, StructKernelFromTheSourceFile) {
  TempDir dir;
  const Outcome o = run_gpusim("launch " + kUserSource + " --mode functional" + affine_options(dir));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "nvcc -ptx -lineinfo -arch=compute_75")) << o.output;  // the V100-like default
  expect_affine_output(dir);
}

// gpusim step takes a .cu file as gpusim launch does (it compiled nothing and blamed `gpusim run`).
TEST(LaunchCudaSource, StepCompilesTheSourceFileToo) {
  TempDir dir;
  write_text(dir.file("script.txt"), "continue\n");
  const Outcome o = run_gpusim("step --script " + dir.file("script.txt") + " " + kUserSource + affine_options(dir));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "stepping kernel")) << o.output;
  expect_affine_output(dir);
}

// The statistics keep the PTX (mangled) name; the roofline shows the kernel as the user wrote it.
TEST(LaunchCudaSource, RooflineShowsTheDemangledKernel) {
  TempDir dir;
  const Outcome o = run_gpusim("launch " + kUserSource + affine_options(dir) + " --stats " + dir.file("s.json"));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const Outcome roofline = run_gpusim("roofline --stats " + dir.file("s.json") + " -o " + dir.file("r.svg"));
  ASSERT_EQ(roofline.exit_code, 0) << roofline.output;
  EXPECT_TRUE(contains(roofline.output, "affine(float const*, double*, Affine, int)")) << roofline.output;
  EXPECT_FALSE(contains(roofline.output, "_Z6affine")) << roofline.output;
}

TEST(LaunchCudaSource, FlagsReachNvccAndTheConfigChoosesTheArchitecture) {
  TempDir dir;
  write_text(dir.file("k.cu"),
             "__global__ void times(const int* in, int* out, int n) {\n"
             "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
             "  if (i < n) out[i] = in[i] * FACTOR + __CUDA_ARCH__ / 10;\n"
             "}\n");
  const std::vector<int32_t> in = {1, -2, 30, 7};
  write_bytes(dir.file("in.bin"), as_bytes(in));
  const Outcome o = run_gpusim("launch " + dir.file("k.cu") + " --config " + std::string(GPUSIM_SOURCE_DIR) +
                               "/configs/h100.ini --nvcc-flag=-DFACTOR=7 --grid 1 --block 4 --arg in:s32:" +
                               dir.file("in.bin") + " --arg out:s32:4:" + dir.file("out.bin") + " --arg s32:4");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "-arch=compute_90a")) << o.output;
  const std::vector<int32_t> out = from_bytes<int32_t>(read_bytes(dir.file("out.bin")));
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], in[i] * 7 + 90) << i;  // __CUDA_ARCH__ 900
  // A flag that chooses the architecture replaces the configuration's.
  const Outcome chosen = run_gpusim("launch " + dir.file("k.cu") + " --mode functional --nvcc-flag=-DFACTOR=2 "
                                    "--nvcc-flag=-arch=compute_80 --grid 1 --block 4 --arg in:s32:" + dir.file("in.bin") +
                                    " --arg out:s32:4:" + dir.file("out2.bin") + " --arg s32:4");
  ASSERT_EQ(chosen.exit_code, 0) << chosen.output;
  const std::vector<int32_t> out2 = from_bytes<int32_t>(read_bytes(dir.file("out2.bin")));
  ASSERT_EQ(out2.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out2[i], in[i] * 2 + 80) << i;
}

TEST(LaunchCudaSource, CompileErrorsNameTheSourceLine) {
  TempDir dir;
  write_text(dir.file("broken.cu"), "__global__ void k(int* p) {\n  p[0] = undefined_name;\n}\n");
  const Outcome o = run_gpusim("launch " + dir.file("broken.cu") + " --grid 1 --block 1 --arg zeros:s32:1");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "nvcc failed")) << o.output;
  EXPECT_TRUE(contains(o.output, "broken.cu(2)")) << o.output;  // nvcc's file(line) form
  EXPECT_TRUE(contains(o.output, "undefined_name")) << o.output;
  // --nvcc-flag means nothing for PTX.
  const Outcome ptx = run_gpusim("launch " + std::string(GPUSIM_FIXTURES) +
                                 "/launch_user.ptx --nvcc-flag=-O3 --kernel weigh --grid 1 --block 1 "
                                 "--arg zeros:f32:1 --arg zeros:f32:1 --arg s32:1");
  EXPECT_EQ(ptx.exit_code, 2) << ptx.output;
  EXPECT_TRUE(contains(ptx.output, "--nvcc-flag applies to a .cu file")) << ptx.output;
}

// A fault names the PTX line and, from nvcc's -lineinfo, the CUDA line it was compiled from.
TEST(LaunchCudaSource, FaultNamesTheCudaSourceLine) {
  TempDir dir;
  write_text(dir.file("oob.cu"),
             "__global__ void oob(int* p, int n) {\n"
             "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
             "  p[i * 1000000] = n;\n"
             "}\n");
  const Outcome o = run_gpusim("launch " + dir.file("oob.cu") + " --mode functional --grid 1 --block 32 "
                               "--arg zeros:s32:4 --arg s32:1");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "out-of-bounds global store")) << o.output;
  EXPECT_TRUE(contains(o.output, "oob.cu.ptx:")) << o.output;
  EXPECT_TRUE(contains(o.output, ", oob.cu:3)")) << o.output;
}

// An argument of the wrong size names the parameter's C++ type and a spec that fits it, not only
// its PTX type (".s32").
TEST(LaunchCudaSource, AWrongArgumentNamesTheCxxType) {
  TempDir dir;
  const Outcome o = run_gpusim("launch " + kUserSource + " --mode functional --kernel affine --grid 1 --block 8 "
                               "--arg zeros:f32:5 --arg zeros:f64:5 --arg struct:f32:1.5,s32:10,f64:0.25 --arg f64:5");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel 'affine (_Z6affinePKfPd6Affinei)' parameter 3 is")) << o.output;
  EXPECT_TRUE(contains(o.output, "int in C++ (e.g. --arg s32:VALUE); an f64 scalar is 8 bytes")) << o.output;
}

// --expect checks an output against a reference file: a match exits 0, a difference 1 with the
// first differing element; a reference an output would overwrite, or a non-output, is refused.
TEST(LaunchCudaSource, ExpectComparesAnOutputWithItsReference) {
  TempDir dir;
  std::vector<double> reference;
  for (float v : kAffineIn) reference.push_back(double(std::fma(v, 1.5f, 10.0f)) + 0.25);
  write_bytes(dir.file("ref.bin"), as_bytes(reference));
  const Outcome ok = run_gpusim("launch " + kUserSource + " --mode functional" + affine_options(dir) + " --expect 1:" +
                                dir.file("ref.bin"));
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(contains(ok.output, "against " + dir.file("ref.bin") + ": all 5 elements match")) << ok.output;
  reference[3] += 1;
  write_bytes(dir.file("wrong.bin"), as_bytes(reference));
  const Outcome wrong = run_gpusim("launch " + kUserSource + " --mode functional" + affine_options(dir) + " --expect 1:" +
                                   dir.file("wrong.bin"));
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_TRUE(contains(wrong.output, "1 of 5 elements differ; first at index 3")) << wrong.output;
  const Outcome input = run_gpusim("launch " + kUserSource + " --mode functional" + affine_options(dir) + " --expect 0:" +
                                   dir.file("ref.bin"));
  EXPECT_EQ(input.exit_code, 2) << input.output;
  EXPECT_TRUE(contains(input.output, "is not an output buffer")) << input.output;
  const Outcome clobber = run_gpusim("launch " + kUserSource + " --mode functional" + affine_options(dir) + " --expect 1:" +
                                     dir.file("out.bin"));
  EXPECT_EQ(clobber.exit_code, 2) << clobber.output;
}

// A generated input runs the kernel without an input file, and its copy is what the kernel read.
TEST(LaunchCudaSource, GeneratedInputAndItsCopy) {
  TempDir dir;
  const Outcome o = run_gpusim("launch " + kUserSource + " --mode functional --kernel affine --grid 1 --block 8 "
                               "--arg rand:f32:5:9:" + dir.file("in.bin") + " --arg out:f64:5:" + dir.file("out.bin") +
                               " --arg struct:f32:1.5,s32:10,f64:0.25 --arg s32:5");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const std::vector<float> in = from_bytes<float>(read_bytes(dir.file("in.bin")));
  const std::vector<double> out = from_bytes<double>(read_bytes(dir.file("out.bin")));
  ASSERT_EQ(in.size(), 5u);
  ASSERT_EQ(out.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_TRUE(in[i] >= -1.0f && in[i] < 1.0f) << in[i];
    // nvcc contracts in * scale + offset (float) into one FMA.
    EXPECT_EQ(out[i], double(std::fma(in[i], 1.5f, 10.0f)) + 0.25) << i;
  }
  EXPECT_NE(in[0], in[1]);
}

// --keep-ptx writes the PTX the fault report cites (a kernel engineer's reports named a file nvcc's
// scratch folder had taken with it), and never over the source; --kernel takes the source's
// "const float*" spelling; PTX newer than the simulated chip gets exec's note.
TEST(LaunchCudaSource, KeptPtxIsTheFileTheReportCites) {
  TempDir dir;
  write_text(dir.file("oob.cu"),
             "__global__ void oob(const float* in, int* p, int n) {\n"
             "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
             "  p[i * 1000000] = n + int(in[0]);\n"
             "}\n");
  const std::string kept = dir.file("kept.ptx");
  const Outcome o = run_gpusim("launch " + dir.file("oob.cu") + " --mode functional --grid 1 --block 32 --kernel "
                               "'oob(const float*, int*, int)' --nvcc-flag=-arch=compute_80 --keep-ptx " + kept +
                               " --arg zeros:f32:1 --arg zeros:s32:4 --arg s32:1");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "out-of-bounds global store")) << o.output;
  EXPECT_TRUE(contains(o.output, "(" + kept + ":")) << o.output;
  std::ifstream ptx(kept);
  std::string first;
  std::getline(ptx, first);
  EXPECT_TRUE(ptx.good()) << "no PTX kept in " << kept;
  EXPECT_TRUE(contains(o.output, "kept.ptx is PTX for compute_80, newer than the simulated GPU")) << o.output;
  const Outcome over_source = run_gpusim("launch " + dir.file("oob.cu") + " --grid 1 --block 32 --keep-ptx " +
                                         dir.file("oob.cu") + " --arg zeros:f32:1 --arg zeros:s32:4 --arg s32:1");
  EXPECT_EQ(over_source.exit_code, 2) << over_source.output;
  EXPECT_TRUE(contains(over_source.output, "--keep-ptx " + dir.file("oob.cu") + " is also the kernel file")) << over_source.output;
  std::ifstream source(dir.file("oob.cu"));
  std::getline(source, first);
  EXPECT_EQ(first, "__global__ void oob(const float* in, int* p, int n) {");
}

// `gpusim ptx` takes the same .cu file: nvcc's PTX summarised, kernels also by their C++ names,
// compiled for the architecture `gpusim launch` compiles it for on the default configuration (the
// V100-like default: sm_75), so the register figures are the ones launch's occupancy uses.
TEST(LaunchCudaSource, PtxCommandCompilesTheSourceFile) {
  const Outcome o = run_gpusim("ptx " + kUserSource);
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "nvcc -ptx -lineinfo -arch=compute_75")) << o.output;
  EXPECT_TRUE(contains(o.output, "launch_user.cu.ptx: PTX")) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel _Z6affine")) << o.output;
  EXPECT_TRUE(contains(o.output, "affine(float const*, double*, Affine, int)")) << o.output;
  EXPECT_TRUE(contains(o.output, "ptxas -v -arch=sm_75")) << o.output;
}

// nvcc refuses `.CU`; read as PTX, the C++ gave "unexpected character" at some column instead.
TEST(LaunchCudaSource, UpperCaseSuffixIsRefusedWithTheFix) {
  TempDir dir;
  write_text(dir.file("User.CU"), "__global__ void k(int* p) { p[0] = 1; }\n");
  const std::string launch_options = " --grid 1 --block 1 --arg zeros:s32:1 </dev/null";
  for (const std::string& command : {"ptx " + dir.file("User.CU"), "launch " + dir.file("User.CU") + launch_options,
                                     "step " + dir.file("User.CU") + launch_options}) {
    const Outcome o = run_gpusim(command);
    EXPECT_EQ(o.exit_code, 1) << command << o.output;
    EXPECT_TRUE(contains(o.output, "must be in a file named *.cu, in lower case")) << command << o.output;
    EXPECT_TRUE(contains(o.output, "rename it to User.cu")) << command << o.output;
    EXPECT_FALSE(contains(o.output, "unexpected character")) << command << o.output;
  }
}

}  // namespace
