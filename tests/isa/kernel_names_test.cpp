// The names a user gives a kernel by (isa/kernel_names.h), against mangled names written out by
// hand from the Itanium C++ ABI: PTX name, signature, name with template arguments (with or without
// namespaces, spaces free), plain name; "(anonymous namespace)::" is a namespace.
#include <gtest/gtest.h>

#include <string>

#include "isa/kernel_names.h"

namespace gpusim::isa {
namespace {

TEST(KernelNames, EveryFormAUserTypesSelectsTheKernel) {
  const std::string scale = "_Z5scaleIfEvPT_S0_i";  // void scale<float>(float*, float, int)
  EXPECT_EQ(kernel_name_match(scale, scale), 0);
  EXPECT_EQ(kernel_name_match(scale, "void scale<float>(float*, float, int)"), 1);
  EXPECT_EQ(kernel_name_match(scale, "void scale<float>(float*,float,int)"), 1);
  EXPECT_EQ(kernel_name_match(scale, "scale<float>(float*, float, int)"), 1);  // without the return type
  EXPECT_EQ(kernel_name_match("_Z5idx3dPiiii", "void idx3d(int*, int, int, int)"), 1);  // with one it lacks
  EXPECT_EQ(kernel_name_match(scale, "scale<float>"), 2);
  EXPECT_EQ(kernel_name_match(scale, "scale"), 3);
  EXPECT_EQ(kernel_name_match(scale, "scale<double>"), -1);
  EXPECT_EQ(kernel_name_match(scale, "scal"), -1);

  // The source's spelling "const float*" as well as the demangler's "float const*" (a kernel
  // engineer's "(..., const float*, ...)" was not found).
  EXPECT_EQ(kernel_name_match("_Z4gemmPKfS0_Pfi", "gemm(const float*, const float*, float*, int)"), 1);
  EXPECT_EQ(kernel_name_match("_Z4gemmPKfS0_Pfi", "gemm(float const*, float const*, float*, int)"), 1);
  EXPECT_EQ(kernel_name_match("_Z1kPKj", "k(const unsigned int*)"), 1);
  EXPECT_EQ(kernel_name_match("_Z1kPKj", "k(unsigned int*)"), -1);

  const std::string fill = "_ZN3lin4fillEPii";  // lin::fill(int*, int)
  EXPECT_EQ(kernel_name_match(fill, "lin::fill"), 2);
  EXPECT_EQ(kernel_name_match(fill, "fill"), 2);  // the name without its namespaces
  EXPECT_EQ(kernel_name_match(fill, "other::fill"), -1);

  // (anonymous namespace)::anon(int*): the namespace is dropped for comparison.
  const std::string anon = "_ZN12_GLOBAL__N_14anonEPi";
  EXPECT_EQ(demangled_kernel_name(anon), "(anonymous namespace)::anon(int*)");
  EXPECT_EQ(qualified_kernel_name(demangled_kernel_name(anon)), "anon");
  EXPECT_EQ(kernel_name_match(anon, "anon"), 2);
  EXPECT_EQ(kernel_name_match(anon, "(anonymous namespace)::anon"), 2);

  EXPECT_EQ(kernel_name_match("vector_add", "vector_add"), 0);  // extern "C": the PTX name only
  EXPECT_EQ(kernel_name_match("vector_add", "vector"), -1);
}

// Error messages list at most 20 kernels, each cut at 120 characters (an outside tester's 5 MB
// kernel name came back whole in "no kernel named ...").
TEST(KernelNames, ListedNamesAreBounded) {
  EXPECT_EQ(listed_names({"a", "b"}), "a, b");
  std::vector<std::string> many;
  for (int i = 0; i < 25; ++i) many.push_back("k" + std::to_string(i));
  const std::string list = listed_names(many);
  EXPECT_NE(list.find("k19, ... and 5 more"), std::string::npos) << list;
  EXPECT_EQ(list.find("k20"), std::string::npos) << list;
  const std::string long_name(5'000'000, 'a');
  const std::string cut = listed_names({long_name});
  EXPECT_LT(cut.size(), 200u);
  EXPECT_NE(cut.find("... (5000000 characters)"), std::string::npos) << cut.substr(0, 200);
}

}  // namespace
}  // namespace gpusim::isa
