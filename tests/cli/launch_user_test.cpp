// `gpusim launch` on kernels a user writes in one .cu file (tests/fixtures/launch_user.cu): a
// template instantiation chosen by its demangled name, a struct passed by value, a __constant__
// table written with --symbol. The saved buffers are checked against the CPU.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/cli/launch_test_support.h"
#include "tests/run_gpusim.h"

namespace {

using namespace gpusim::test_support;

const std::string kUser = std::string(GPUSIM_FIXTURES) + "/launch_user.ptx";

Outcome launch(const std::string& arguments) { return run_gpusim("launch " + kUser + " --mode functional " + arguments); }

TEST(LaunchUserKernels, TemplateInstantiationByItsDemangledName) {
  TempDir dir;
  const std::vector<double> v = {1.0, -2.5, 3.25, 1e10};
  write_bytes(dir.file("v.bin"), as_bytes(v));
  const Outcome o = launch("--kernel 'scale<double>' --grid 1 --block 4 --arg inout:f64:" + dir.file("v.bin") + ":" +
                           dir.file("out.bin") + " --arg f64:-0.5 --arg s32:4");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const std::vector<double> out = from_bytes<double>(read_bytes(dir.file("out.bin")));
  ASSERT_EQ(out.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(out[i], v[i] * -0.5) << i;
  // The plain name is ambiguous between the two instantiations: both are named.
  const Outcome ambiguous = launch("--kernel scale --grid 1 --block 4 --arg zeros:f32:4 --arg f32:1 --arg s32:4");
  EXPECT_EQ(ambiguous.exit_code, 2) << ambiguous.output;
  EXPECT_TRUE(contains(ambiguous.output, "scale<float> (_Z5scaleIfEvPT_S0_i), scale<double> (_Z5scaleIdEvPT_S0_i)"))
      << ambiguous.output;
}

TEST(LaunchUserKernels, StructByValueInCLayout) {
  TempDir dir;
  const std::vector<float> in = {0.0f, 1.0f, 2.0f, -4.0f, 0.5f};
  write_bytes(dir.file("in.bin"), as_bytes(in));
  // struct Affine { float scale; int offset; double bias; } = {1.5, 10, 0.25}
  const Outcome o = launch("--kernel affine --grid 1 --block 8 --arg in:f32:" + dir.file("in.bin") + " --arg out:f64:5:" +
                           dir.file("out.bin") + " --arg struct:f32:1.5,s32:10,f64:0.25 --arg s32:5");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const std::vector<double> out = from_bytes<double>(read_bytes(dir.file("out.bin")));
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], double(in[i] * 1.5f) + 10 + 0.25) << i;
  // Two floats where the struct has a float, an int and a double: refused before running.
  const Outcome wrong = launch("--kernel affine --grid 1 --block 8 --arg zeros:f32:5 --arg zeros:f64:5 "
                               "--arg struct:f32:1.5,f32:2 --arg s32:5");
  EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
  EXPECT_TRUE(contains(wrong.output, "a struct of 2 fields is 8 bytes in C layout")) << wrong.output;
}

TEST(LaunchUserKernels, ConstantTableFromSymbolOption) {
  TempDir dir;
  const std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8}, weights = {0.5f, -1.0f, 2.0f, 4.0f};
  write_bytes(dir.file("in.bin"), as_bytes(in));
  write_bytes(dir.file("w.bin"), as_bytes(weights));
  const Outcome o = launch("--kernel weigh --grid 1 --block 8 --symbol weights:f32:" + dir.file("w.bin") +
                           " --arg in:f32:" + dir.file("in.bin") + " --arg out:f32:8:" + dir.file("out.bin") +
                           " --arg s32:8");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const std::vector<float> out = from_bytes<float>(read_bytes(dir.file("out.bin")));
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], in[i] * weights[i % 4]) << i;
  // Errors: an unknown variable, a file larger than the variable.
  const Outcome unknown = launch("--kernel weigh --grid 1 --block 8 --symbol biases:f32:" + dir.file("w.bin") +
                                 " --arg zeros:f32:8 --arg zeros:f32:8 --arg s32:8");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_TRUE(contains(unknown.output, "no __constant__ or __device__ variable 'biases'")) << unknown.output;
  const Outcome too_big = launch("--kernel weigh --grid 1 --block 8 --symbol weights:f32:" + dir.file("in.bin") +
                                 " --arg zeros:f32:8 --arg zeros:f32:8 --arg s32:8");
  EXPECT_EQ(too_big.exit_code, 2) << too_big.output;
  EXPECT_TRUE(contains(too_big.output, "32 bytes do not fit in 'weights' (16 bytes)")) << too_big.output;
  EXPECT_FALSE(contains(o.output, "the file holds")) << o.output;  // a file of the variable's size: nothing said
  // A shorter file runs, and is said: the rest of the table keeps its zeros.
  write_bytes(dir.file("w2.bin"), as_bytes(std::vector<float>{0.5f, -1.0f}));
  const Outcome short_file = launch("--kernel weigh --grid 1 --block 8 --symbol weights:f32:" + dir.file("w2.bin") +
                                    " --arg in:f32:" + dir.file("in.bin") + " --arg out:f32:8:" + dir.file("out.bin") +
                                    " --arg s32:8");
  ASSERT_EQ(short_file.exit_code, 0) << short_file.output;
  EXPECT_TRUE(contains(short_file.output, "the file holds 8 of 'weights''s 16 bytes; the rest keeps the value the PTX gives it"))
      << short_file.output;
  const std::vector<float> partial = from_bytes<float>(read_bytes(dir.file("out.bin")));
  ASSERT_EQ(partial.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(partial[i], i % 4 < 2 ? in[i] * weights[i % 4] : 0.0f) << i;
}

}  // namespace
