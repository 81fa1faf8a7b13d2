// `gpusim launch` for kernels users write in one .cu file: a struct passed by value
// (struct:TYPE:VALUE,...; the C layout checked against hand-computed bytes) and kernels chosen by
// their demangled names (template instantiations), with the errors for each misuse.
#include <gtest/gtest.h>

#include <string>

#include "isa/ptx_parser.h"
#include "tools/launch/arg_spec.h"
#include "tools/launch/kernel_choice.h"
#include "tools/launch/kernel_params.h"

namespace {

using namespace gpusim::launch;

std::string spec_error(const std::string& spec) {
  try {
    parse_arg_spec(spec, 2);
  } catch (const ArgSpecError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(LaunchStruct, FieldsAreLaidOutAsCLaysThemOut) {
  // struct { uint8_t a; double b; uint16_t c; }: a at 0, b at 8, c at 16, padded to 24.
  const ArgSpec a = parse_arg_spec("struct:u8:1,f64:2,u16:0x0304", 0);
  const ScalarArg& s = std::get<ScalarArg>(a.value);
  EXPECT_EQ(s.struct_fields, 3u);
  const std::vector<uint8_t> want = {1, 0, 0, 0, 0, 0, 0, 0,           // a, padding
                                     0, 0, 0, 0, 0, 0, 0, 0x40,        // 2.0 = 0x4000000000000000
                                     4, 3, 0, 0, 0, 0, 0, 0};          // c, tail padding
  EXPECT_EQ(s.bytes, want);
  // struct { float x; int y; }: 8 bytes, no padding.
  const ScalarArg f = std::get<ScalarArg>(parse_arg_spec("struct:f32:1.5,s32:-2", 0).value);
  const std::vector<uint8_t> want_f = {0, 0, 0xc0, 0x3f, 0xfe, 0xff, 0xff, 0xff};
  EXPECT_EQ(f.bytes, want_f);
}

TEST(LaunchStruct, MalformedFieldsAreNamed) {
  EXPECT_TRUE(contains(spec_error("struct:f32"), "struct field 0 ('f32'): expected TYPE:VALUE"));
  EXPECT_TRUE(contains(spec_error("struct:f32:1,q8:2"), "struct field 1 ('q8:2'): 'q8' is not a type"));
  EXPECT_TRUE(contains(spec_error("struct:f32:1,s8:300"), "struct field 1"));
  EXPECT_TRUE(contains(spec_error("struct:"), "struct field 0"));
  std::string many = "struct:u8:1";
  for (int i = 0; i < 1100; ++i) many += ",u8:1";
  EXPECT_TRUE(contains(spec_error(many), "more than 1024 struct fields"));
}

// nvcc -ptx of: template <typename T> struct Affine { T scale, shift; };
//   template <typename T> __global__ void affine(T*, Affine<T>, int);  (float and double)
const char* kTemplatePtx = R"(
.version 8.0
.target sm_80
.address_size 64
.visible .entry _Z6affineIfEvPT_6AffineIS0_Ei(.param .u64 p0, .param .align 4 .b8 p1[8], .param .u32 p2) { ret; }
.visible .entry _Z6affineIdEvPT_6AffineIS0_Ei(.param .u64 p0, .param .align 8 .b8 p1[16], .param .u32 p2) { ret; }
.visible .entry saxpy(.param .u64 p0) { ret; }
)";

TEST(LaunchStruct, KernelsAreFoundByDemangledNames) {
  const gpusim::isa::Module m = gpusim::isa::parse_ptx(kTemplatePtx, "affine.ptx");
  auto one = [&](const std::string& name) {
    const auto found = kernels_named(m, name);
    return found.size() == 1 ? found.front()->name : std::to_string(found.size()) + " matches";
  };
  EXPECT_EQ(one("_Z6affineIdEvPT_6AffineIS0_Ei"), "_Z6affineIdEvPT_6AffineIS0_Ei");
  EXPECT_EQ(one("affine<float>"), "_Z6affineIfEvPT_6AffineIS0_Ei");
  EXPECT_EQ(one("void affine<double>(double*, Affine<double>, int)"), "_Z6affineIdEvPT_6AffineIS0_Ei");
  EXPECT_EQ(one("void affine<double>(double*,Affine<double>,int)"), "_Z6affineIdEvPT_6AffineIS0_Ei");
  EXPECT_EQ(one("affine < float >"), "_Z6affineIfEvPT_6AffineIS0_Ei");  // spaces as the user types them
  EXPECT_EQ(one("affine"), "2 matches");  // ambiguous: the caller lists both
  EXPECT_EQ(one("saxpy"), "saxpy");
  EXPECT_EQ(one("affine<int>"), "0 matches");
  EXPECT_EQ(describe_kernel_name("_Z6affineIfEvPT_6AffineIS0_Ei"), "affine<float> (_Z6affineIfEvPT_6AffineIS0_Ei)");
}

TEST(LaunchStruct, AStructArgumentMustMatchTheParametersSize) {
  const gpusim::isa::Module m = gpusim::isa::parse_ptx(kTemplatePtx, "affine.ptx");
  const gpusim::isa::Function& affine_double = *kernels_named(m, "affine<double>").front();
  std::vector<ArgSpec> args = {parse_arg_spec("zeros:f64:16", 0), parse_arg_spec("struct:f64:2,f64:0.5", 1),
                               parse_arg_spec("s32:16", 2)};
  EXPECT_NO_THROW(check_kernel_args(m, affine_double, args));
  args[1] = parse_arg_spec("struct:f32:2,f32:0.5", 1);  // Affine<float> given to affine<double>
  try {
    check_kernel_args(m, affine_double, args);
    FAIL() << "an 8-byte struct was accepted for a 16-byte parameter";
  } catch (const ArgSpecError& e) {
    EXPECT_TRUE(contains(e.what(), "a struct of 2 fields is 8 bytes in C layout")) << e.what();
    EXPECT_TRUE(contains(e.what(), "16 bytes")) << e.what();
  }
}

}  // namespace
