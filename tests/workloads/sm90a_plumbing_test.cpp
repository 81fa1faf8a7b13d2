// The plumbing for sm_90a workloads: a workload that declares required_sm() = 90 is refused on an
// older configuration with a message naming the workload and both architectures, accepted on
// the H100 configuration (and on a newer architecture: sm_90a code runs on 9.0 only); tensor_map_arg
// has the device build the 128-byte map the driver's encoder would.
#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>

#include "isa/tensor_map.h"
#include "runtime/sim_device.h"
#include "workloads/tensor_map_arg.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

class NeedsHopper final : public Workload {
 public:
  std::string name() const override { return "needs_hopper"; }
  std::string description() const override { return "test double"; }
  std::string size_help() const override { return "N"; }
  std::vector<uint64_t> default_size() const override { return {1}; }
  WorkloadResult run(runtime::Device& dev, const WorkloadParams&) const override {
    require_architecture(*this, dev);
    return {};
  }
  unsigned required_sm() const override { return 90; }
};

std::unique_ptr<runtime::Device> sim_device(const std::string& config) {
  runtime::SimDeviceOptions o;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/" + config;
  return runtime::make_sim_device(o);
}

TEST(Sm90aPlumbing, OlderConfigurationIsRefusedByName) {
  const NeedsHopper w;
  const auto v100 = sim_device("v100.ini");
  const std::string why = architecture_mismatch(w, v100->properties());
  EXPECT_NE(why.find("needs_hopper"), std::string::npos) << why;
  EXPECT_NE(why.find("sm_90"), std::string::npos) << why;
  EXPECT_NE(why.find("sm_75"), std::string::npos) << why;  // configs/v100.ini: sm_arch = sm_75
  EXPECT_THROW(w.run(*v100, {}), std::invalid_argument);
}

TEST(Sm90aPlumbing, HopperConfigurationRunsIt) {
  const NeedsHopper w;
  const auto h100 = sim_device("h100.ini");
  EXPECT_EQ(architecture_mismatch(w, h100->properties()), "");
  EXPECT_NO_THROW(w.run(*h100, {}));
}

TEST(Sm90aPlumbing, NewerArchitectureIsRefusedToo) {
  const NeedsHopper w;
  runtime::DeviceProperties blackwell;
  blackwell.name = "a compute capability 10.0 card";
  blackwell.compute_major = 10;
  const std::string why = architecture_mismatch(w, blackwell);
  EXPECT_NE(why.find("needs_hopper"), std::string::npos) << why;
  EXPECT_NE(why.find("sm_90a"), std::string::npos) << why;
  EXPECT_NE(why.find("sm_100"), std::string::npos) << why;
}

TEST(Sm90aPlumbing, TensorMapArgEncodesTheDenseLayout) {
  // A 256 (K, contiguous) x 512 (rows) bf16 matrix, 64 x 128 boxes, 128B swizzle.
  const auto dev = sim_device("h100.ini");
  const TiledTensorMap spec{TensorElement::BF16, {256, 512}, {64, 128}, 128};
  const runtime::KernelArg arg = tensor_map_arg(*dev, 0x10000, spec, "test A");
  ASSERT_EQ(arg.bytes.size(), 128u);
  const auto m = isa::tmap::decode(arg.bytes.data());
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->rank, 2u);
  EXPECT_EQ(m->elem_bytes, 2u);
  EXPECT_EQ(m->global_address, 0x10000u);
  EXPECT_EQ(m->dims[0], 256u);
  EXPECT_EQ(m->dims[1], 512u);
  EXPECT_EQ(m->strides[1], 256u * 2);  // row pitch in bytes
  EXPECT_EQ(m->box[0], 64u);
  EXPECT_EQ(m->box[1], 128u);
  EXPECT_EQ(m->swizzle_bytes, 128u);
}

TEST(Sm90aPlumbing, TensorMapArgRejectsWhatTheDriverRejects) {
  const auto dev = sim_device("h100.ini");
  // 128 bf16 = 256 bytes per box row: wider than the 128-byte swizzle span.
  try {
    tensor_map_arg(*dev, 0x10000, {TensorElement::BF16, {256, 512}, {128, 64}, 128}, "test B");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("test B"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("swizzle"), std::string::npos) << e.what();
  }
  EXPECT_THROW(tensor_map_arg(*dev, 0x10008, {TensorElement::BF16, {256, 512}, {64, 64}, 128}, "unaligned"),
               std::invalid_argument);
}

}  // namespace
}  // namespace gpusim::workloads
