// The C++ parameter types `gpusim launch` shows beside the PTX ones, read from mangled names
// (expected lists written by hand from the Itanium mangling rules), and the --arg forms it suggests.
#include "tools/launch/cxx_signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "isa/ptx_parser.h"
#include "tools/launch/arg_spec.h"
#include "tools/launch/kernel_params.h"

namespace {

using namespace gpusim::launch;
using Types = std::vector<std::string>;

TEST(CxxSignature, ParameterTypesFromMangledNames) {
  // template <typename T, int N> void scale(T*, T, int), T = float, N = 2
  EXPECT_EQ(cxx_parameter_types("_Z5scaleIfLi2EEvPT_S0_i"), (Types{"float*", "float", "int"}));
  // void copy(const float*, float*, size_t)
  EXPECT_EQ(cxx_parameter_types("_Z4copyPKfPfm"), (Types{"float const*", "float*", "unsigned long"}));
  // template <typename T> void affine(T*, Affine<T>, int): a comma inside template arguments
  EXPECT_EQ(cxx_parameter_types("_Z6affineIfEvPT_6AffineIS0_Ei"), (Types{"float*", "Affine<float>", "int"}));
  // namespace ns { void pair(std::pair<int, float>*) }: nested template commas
  EXPECT_EQ(cxx_parameter_types("_ZN2ns4pairEPSt4pairIifE"), (Types{"std::pair<int, float>*"}));
  EXPECT_EQ(cxx_parameter_types("_Z4tickv"), Types{});   // void tick()
  EXPECT_EQ(cxx_parameter_types("saxpy"), Types{});      // extern "C": no types to show
  EXPECT_EQ(cxx_parameter_types("_Zgarbage"), Types{});  // the demangler rejects it
}

TEST(CxxSignature, SuggestedArgForms) {
  EXPECT_EQ(suggested_arg_spec("float"), "f32:VALUE");
  EXPECT_EQ(suggested_arg_spec("unsigned long"), "u64:VALUE");
  // Vector types by value are structs of their fields (a kernel engineer's __half2 given as f16:1.5).
  EXPECT_EQ(suggested_arg_spec("__half2"), "struct:f16:X,f16:Y");
  EXPECT_EQ(suggested_arg_spec("float4"), "struct:f32:X,f32:Y,f32:Z,f32:W");
  EXPECT_EQ(suggested_arg_spec("float4*"), "");  // a pointer to them: no --arg type names float4
  EXPECT_EQ(suggested_arg_spec("float const*"), "in:f32:FILE | zeros:f32:COUNT");  // read-only input
  EXPECT_EQ(suggested_arg_spec("double*"), "in:f64:FILE | out:f64:COUNT:FILE | inout:f64:IN:OUT | zeros:f64:COUNT");
  EXPECT_EQ(suggested_arg_spec("__half*"), "in:f16:FILE | out:f16:COUNT:FILE | inout:f16:IN:OUT | zeros:f16:COUNT");
  EXPECT_EQ(suggested_arg_spec("Affine<float>"), "");  // a struct: no obvious form
  EXPECT_EQ(suggested_arg_spec("Affine<float>*"), "");
}

// The missing-argument listing names each parameter's C++ type and a form that fits it.
TEST(CxxSignature, MissingArgumentsListCxxTypesAndForms) {
  const gpusim::isa::Module m = gpusim::isa::parse_ptx(R"(
.version 8.0
.target sm_80
.address_size 64
.visible .entry _Z4copyPKfPfm(.param .u64 p0, .param .u64 p1, .param .u64 p2) { ret; }
)", "copy.ptx");
  try {
    check_kernel_args(m, m.functions.at(0), {parse_arg_spec("in:f32:x.npy", 0)});
    FAIL() << "one argument accepted for three parameters";
  } catch (const ArgSpecError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("p0 (.u64, 8 bytes) float const*  <-  'in:f32:x.npy'"), std::string::npos) << what;
    EXPECT_NE(what.find("float*  <-  (missing)  e.g. --arg in:f32:FILE | out:f32:COUNT:FILE"), std::string::npos) << what;
    EXPECT_NE(what.find("unsigned long  <-  (missing)  e.g. --arg u64:VALUE"), std::string::npos) << what;
  }
}

// A kernel of many parameters: the listing stops at 64 rows (200,000 gave a 9.5 MB message).
TEST(CxxSignature, TheMissingArgumentListingIsBounded) {
  std::string params;
  for (int i = 0; i < 100; ++i) params += std::string(i ? ", " : "") + ".param .u32 p" + std::to_string(i);
  const gpusim::isa::Module m =
      gpusim::isa::parse_ptx(".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry many(" + params + ") { ret; }\n",
                             "many.ptx");
  try {
    check_kernel_args(m, m.functions.at(0), {});
    FAIL() << "no arguments accepted for 100 parameters";
  } catch (const ArgSpecError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("63: p63"), std::string::npos) << what;
    EXPECT_EQ(what.find("64: p64"), std::string::npos) << what;
    EXPECT_NE(what.find("... and 36 more (gpusim ptx FILE lists every parameter)"), std::string::npos) << what;
  }
}

}  // namespace
