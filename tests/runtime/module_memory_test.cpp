// A module whose .global variables do not fit the device's memory is refused at load naming the
// variable and its declaration (an outside tester's `.global .b8 g[1 TiB]` got the size alone),
// as out of memory; unloading a module gives its variables' memory back.
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
  } catch (const OutOfMemory& e) {  // not "bad PTX": the driver says CUDA_ERROR_OUT_OF_MEMORY
    msg = e.what();
  }
  EXPECT_NE(msg.find("the largest is 'g', 549755813888 bytes, declared at huge.ptx:5"), std::string::npos) << msg;
  // The device goes on: a module that fits loads.
  EXPECT_NO_THROW(dev->load_ptx("small.ptx", ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k() { ret; }\n"));
}

// A plugin's load/unload loop with a 4 GiB __device__ array ran out of the 16 GiB after four
// rounds (an outside build engineer): cuModuleUnload kept the memory. Twelve rounds now fit, and a
// handle used after its unload is an error naming it.
TEST(ModuleMemory, UnloadingAModuleFreesItsVariables) {
  auto dev = make_sim_device();
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n.visible .global .align 4 .b8 g[4294967296];\n"
                          ".visible .entry k() { ret; }\n";
  ModuleHandle last = -1;
  for (int round = 0; round < 12; ++round) {
    ASSERT_NO_THROW(last = dev->load_ptx("big.ptx", ptx)) << "round " << round;
    dev->unload_module(last);
  }
  std::string msg;
  try {
    dev->launch(last, "k", LaunchConfig{}, {});
  } catch (const Error& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("was unloaded"), std::string::npos) << msg;
}

}  // namespace
