// The launch table's kernel names (runtime/kernel_table_names.h), on the demangled names of the
// kernels Thrust and CUB launched for an outside database engineer's program: instantiations of
// one library template are told apart by the argument that differs, and only those alike even
// then are numbered.
#include <gtest/gtest.h>

#include "runtime/kernel_table_names.h"

namespace gpusim::runtime {
namespace {

const std::string kThrust = "thrust::THRUST_300001_SM_750_NS::";
const std::string kCub = "cub::CUB_300001_SM_750::";

std::string for_each_kernel(const std::string& size, const std::string& functor) {
  return "void " + kCub + "detail::for_each::static_kernel<" + kCub + "detail::for_each::policy_hub_t::policy_500_t, " +
         size + ", " + functor + " >(" + size + ", " + functor + ")";
}
std::string agent_kernel(const std::string& agent) {
  return "void " + kThrust + "cuda_cub::core::detail::_kernel_agent<" + kThrust + "cuda_cub::" + agent + "<" + kCub +
         "ScanTileState<int, true>, int>, " + kCub + "ScanTileState<int, true>, int>(" + kCub + "ScanTileState<int, true>, int)";
}
std::string select_kernel(int impl, const std::string& predicate) {
  return "void " + kCub + "detail::select::DeviceSelectSweepKernel<" + kCub + "detail::select::policy_hub<int, " + kCub +
         "NullType, int, false, (" + kCub + "SelectImpl)" + std::to_string(impl) + ">::Policy1000, int*, int*, " + predicate +
         ", int>(int*, int*, " + predicate + ", int)";
}

TEST(KernelTableNames, LibraryInstantiationsShowTheArgumentThatDiffers) {
  const std::string fill_int = for_each_kernel("unsigned long", kThrust + "cuda_cub::__uninitialized_fill::functor<" + kThrust +
                                                                    "device_ptr<int>, int>");
  const std::string fill_ll = for_each_kernel("unsigned long", kThrust + "cuda_cub::__uninitialized_fill::functor<" + kThrust +
                                                                   "device_ptr<long long>, long long>");
  const std::string tabulate = for_each_kernel("long", kThrust + "cuda_cub::__tabulate::functor<int*, int>");
  const std::string reduce_init = agent_kernel("__reduce_by_key::InitAgent");
  const std::string set_op = agent_kernel("__set_operations::SetOpAgent");
  const std::string select_if = select_kernel(0, "Even"), select_unique = select_kernel(0, kCub + "NullType");
  const std::string partition_if = select_kernel(2, "Even");
  const std::string user = "scale(float*, int)";
  const KernelTableNames t = kernel_table_names(
      {fill_int, fill_ll, tabulate, reduce_init, set_op, select_if, select_unique, partition_if, user}, 40);
  // The functor tells the for_each kernels apart (the size type differs for one only); the two
  // fills differ only inside the functor's own arguments: numbered, in launch order.
  EXPECT_EQ(t.shown.at(fill_int), "static_kernel<functor<...>>(...) #1");
  EXPECT_EQ(t.shown.at(fill_ll), "static_kernel<functor<...>>(...) #2");
  EXPECT_EQ(t.shown.at(tabulate), "static_kernel<__tabulate::functor<...>>");
  EXPECT_EQ(t.shown.at(reduce_init), "_kernel_agent<InitAgent<...>>(...)");
  EXPECT_EQ(t.shown.at(set_op), "_kernel_agent<SetOpAgent<...>>(...)");
  // The tuning policy differs between select and partition, but it is no algorithm: the predicate
  // is shown, and the two kernels with the same predicate are numbered.
  EXPECT_EQ(t.shown.at(select_if), "DeviceSelectSweepKernel<Even>(...) #1");
  EXPECT_EQ(t.shown.at(partition_if), "DeviceSelectSweepKernel<Even>(...) #2");
  EXPECT_EQ(t.shown.at(select_unique), "DeviceSelectSweepKernel<NullType>(...)");
  EXPECT_EQ(t.shown.at(user), user);
  EXPECT_TRUE(t.numbered);
  for (const auto& [full, text] : t.shown) EXPECT_LE(text.size(), 40u) << text;
}

TEST(KernelTableNames, ShortNamesAndDistinctTextsAreLeftAlone) {
  const KernelTableNames t = kernel_table_names({"mma<0>(int*)", "mma<1>(int*)", ">>tree_sum(int*, int)"}, 40);
  EXPECT_EQ(t.shown.at("mma<0>(int*)"), "mma<0>(int*)");
  EXPECT_EQ(t.shown.at(">>tree_sum(int*, int)"), ">>tree_sum(int*, int)");
  EXPECT_FALSE(t.numbered);
  EXPECT_EQ(shorten_kernel_name("void ns::k<int, float>(int*, float*, unsigned long long, double)", 20), "k<int, float>(...)");
  EXPECT_EQ(shorten_kernel_name("void ns::k<int, float>(int*, float*, unsigned long long, double)", 12), "k<...>(...)");
}

}  // namespace
}  // namespace gpusim::runtime
