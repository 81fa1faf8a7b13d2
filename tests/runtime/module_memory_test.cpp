// A module whose .global variables do not fit the device's memory is refused at load naming the
// variable and its declaration (an outside tester's `.global .b8 g[1 TiB]` got the size alone).
#include <gtest/gtest.h>

#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

TEST(ModuleMemory, AGlobalVariableTooLargeForTheDeviceIsNamed) {
  auto dev = make_sim_device();
  std::string msg;
  try {
    dev->load_ptx("huge.ptx", ".version 8.0\n.target sm_80\n.address_size 64\n.global .align 4 .b8 small[64];\n"
                              ".global .align 4 .b8 g[549755813888];\n.visible .entry k() { ret; }\n");
  } catch (const std::exception& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("the largest is 'g', 549755813888 bytes, declared at huge.ptx:5"), std::string::npos) << msg;
  // The device goes on: a module that fits loads.
  EXPECT_NO_THROW(dev->load_ptx("small.ptx", ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k() { ret; }\n"));
}

}  // namespace
