// .reqntid fixes the block a kernel must be launched with (PTX ISA: the launch fails otherwise);
// it used to be taken as a maximum, so a smaller block ran (an outside tester's finding).
#include <gtest/gtest.h>

#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

LaunchConfig block_of(unsigned x, unsigned y) {
  LaunchConfig c;
  c.grid = Dim3{1, 1, 1};
  c.block = Dim3{x, y, 1};
  return c;
}

TEST(RequiredBlock, OnlyTheExactBlockLaunches) {
  auto dev = make_sim_device();
  const ModuleHandle m = dev->load_ptx("reqntid.ptx", ".version 8.0\n.target sm_80\n.address_size 64\n"
                                                      ".visible .entry k() .reqntid 64, 2\n{\n  ret;\n}\n");
  EXPECT_NO_THROW(dev->launch(m, "k", block_of(64, 2), {}));
  for (const LaunchConfig& wrong : {block_of(32, 2), block_of(128, 1), block_of(64, 1)}) {
    std::string msg;
    try {
      dev->launch(m, "k", wrong, {});
    } catch (const Error& e) {
      msg = e.what();
    }
    EXPECT_NE(msg.find("the kernel requires a block of exactly (64,2,1) threads (.reqntid)"), std::string::npos) << msg;
  }
}

}  // namespace
