// The resource policy (runtime/resource_limits.h): sizes parsed as documented, the default share
// of physical memory, and the simulator refusing launches over the work budget before it runs
// anything (gpusim issue 10, item 7).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>

#include "runtime/resource_limits.h"
#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

// Restores the process-wide limits after each test (0 = unset: environment, then default).
class ResourceLimitsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    set_host_memory_limit(0);
    set_launch_work_limit(0);
  }
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(ResourceLimitsTest, SizesParseWithBinaryUnits) {
  EXPECT_EQ(parse_memory_size("4096"), 4096u);
  EXPECT_EQ(parse_memory_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_memory_size("8G"), 8ull << 30);
  EXPECT_EQ(parse_memory_size("8GiB"), 8ull << 30);
  EXPECT_EQ(parse_memory_size("1.5K"), 1536u);
  EXPECT_EQ(parse_memory_size("2T"), 2ull << 40);
  for (const char* bad : {"abc", "-1", "0", "12Q", "", "1e30T"}) EXPECT_THROW(parse_memory_size(bad), std::invalid_argument) << bad;
}

TEST_F(ResourceLimitsTest, DefaultIsHalfThePhysicalMemory) {
  if (std::getenv("GPUSIM_MAX_HOST_MEMORY")) GTEST_SKIP() << "GPUSIM_MAX_HOST_MEMORY is set";
  // Independent reference: the kernel's MemTotal (kB).
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  while (meminfo >> key && key != "MemTotal:") meminfo.ignore(1 << 10, '\n');
  meminfo >> kib;
  ASSERT_GT(kib, 0u);
  const double expected = double(kib) * 1024 / 2;
  EXPECT_NEAR(double(host_memory_limit()), expected, expected * 0.02);
}

TEST_F(ResourceLimitsTest, RefusalNamesTheSizeTheLimitAndHowToRaiseIt) {
  set_host_memory_limit(1 << 20);
  const std::string e = error_of([] { require_host_memory(3 << 20, "three mebibytes"); });
  EXPECT_NE(e.find("three mebibytes needs 3.0 MiB (3145728 bytes) of host memory"), std::string::npos) << e;
  EXPECT_NE(e.find("the limit is 1.0 MiB (1048576 bytes)"), std::string::npos) << e;
  EXPECT_NE(e.find("--max-host-memory"), std::string::npos) << e;
  EXPECT_EQ(error_of([] { require_host_memory(1 << 20, "exactly the limit"); }), "(no error)");
}

TEST_F(ResourceLimitsTest, AstronomicalLaunchIsRefusedBeforeItRuns) {
  auto dev = make_sim_device();
  const ModuleHandle m = dev->load_ptx(
      "tiny.ptx", ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\nret;\n}\n");
  LaunchConfig c;
  c.grid = Dim3{2147483647u, 65535, 1};  // 1.4e14 blocks
  c.block = Dim3{1024, 1, 1};
  const auto start = std::chrono::steady_clock::now();
  const std::string e = error_of([&] { dev->launch(m, "k", c, {}); });
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
  EXPECT_NE(e.find("launch of 'k' (grid 2147483647x65535x1, block 1024x1x1"), std::string::npos) << e;
  EXPECT_NE(e.find("the budget per launch is 268435456"), std::string::npos) << e;
  EXPECT_NE(e.find("--max-launch-work"), std::string::npos) << e;
}

TEST_F(ResourceLimitsTest, LaunchWithinTheBudgetRuns) {
  set_launch_work_limit(64);
  auto dev = make_sim_device();
  const ModuleHandle m = dev->load_ptx(
      "tiny.ptx", ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\nret;\n}\n");
  LaunchConfig c;
  c.grid = Dim3{64, 1, 1};  // 64 warps x 1 instruction: exactly the budget
  c.block = Dim3{32, 1, 1};
  EXPECT_EQ(error_of([&] { dev->launch(m, "k", c, {}); }), "(no error)");
  c.grid = Dim3{65, 1, 1};
  EXPECT_NE(error_of([&] { dev->launch(m, "k", c, {}); }).find("would execute about 65 warp-instructions"),
            std::string::npos);
  // The largest grid CUDA allows: the estimate saturates, and is said so (it printed 2^64 - 1).
  c.grid = Dim3{2147483647u, 65535, 65535};
  c.block = Dim3{1024, 1, 1};
  const std::string e = error_of([&] { dev->launch(m, "k", c, {}); });
  EXPECT_NE(e.find("would execute more than 1.8e19 warp-instructions"), std::string::npos) << e;
}

TEST_F(ResourceLimitsTest, StaticSharedMemoryOfGigabytesIsRefusedAtLaunch) {
  // 4 GiB of static shared memory: the occupancy code counts bytes in an int, where this wrapped
  // to 0 and the launch ran. The device allows 96 KiB per block (configs/v100.ini).
  auto dev = make_sim_device();
  const ModuleHandle m = dev->load_ptx("shared.ptx",
                                       ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\n"
                                       ".shared .align 4 .b8 s[4294967296];\n.reg .b32 %r;\nmov.u32 %r, 5;\n"
                                       "st.shared.u32 [s], %r;\nret;\n}\n");
  LaunchConfig c;
  c.grid = Dim3{1, 1, 1};
  c.block = Dim3{32, 1, 1};
  const std::string e = error_of([&] { dev->launch(m, "k", c, {}); });
  EXPECT_NE(e.find("launch of 'k'"), std::string::npos) << e;
  EXPECT_NE(e.find("4294967296 bytes of static shared memory"), std::string::npos) << e;
  EXPECT_NE(e.find("per-block limit of 98304 bytes"), std::string::npos) << e;
}

// The fault of kernel k, one thread calling `deeper` (a .func with a `frame_bytes` .local frame
// that calls itself for ever) on a device with the default 1 KiB cudaLimitStackSize.
std::string endless_recursion_fault(unsigned frame_bytes) {
  auto dev = make_sim_device();
  const ModuleHandle m = dev->load_ptx("recurse.ptx", ".version 8.0\n.target sm_80\n.address_size 64\n"
                                                      ".func deeper()\n{\n.local .align 4 .b8 frame[" +
                                                          std::to_string(frame_bytes) +
                                                          "];\ncall.uni deeper, ();\nret;\n}\n"
                                                          ".visible .entry k()\n{\ncall.uni deeper, ();\nret;\n}\n");
  LaunchConfig c;
  c.grid = Dim3{1, 1, 1};
  c.block = Dim3{1, 1, 1};
  return error_of([&] { dev->launch(m, "k", c, {}); });
}

// A recursion's fault names its one call site once with its count and then the kernel that
// started it (a teaching assistant's student got the same site eight times, then nothing: no
// kernel, and a depth that disagreed with the "call depth" after it).
TEST_F(ResourceLimitsTest, ADeepRecursionSaysItsCallSiteOnceWithItsCount) {
  const std::string e = endless_recursion_fault(64);
  // 64 + 16 bytes a frame: the 13th nested call passes 1024 bytes; 12 frames of 'deeper' are live.
  EXPECT_NE(e.find("called from 'deeper' at PTX line 7 11 times, from 'k' at PTX line 12 (12 calls deep)"),
            std::string::npos) << e;
  EXPECT_NE(e.find("calling 'deeper' (nested call 13)"), std::string::npos) << e;
}

TEST_F(ResourceLimitsTest, RecursionThroughLargeFramesStopsAtTheStackLimit) {
  // Each call adds a 256 KiB .local frame per thread: recursion (a stack ptxas cannot size) gets
  // cudaLimitStackSize (1 KiB by default) and overflows it at the first call, naming the limit.
  const std::string e = endless_recursion_fault(262144);
  EXPECT_NE(e.find("stack overflow: calling 'deeper' (nested call 1)"), std::string::npos) << e;
  EXPECT_NE(e.find("more than the 1024 of cudaLimitStackSize"), std::string::npos) << e;
}

TEST_F(ResourceLimitsTest, BoundedCallsPastGpusimsFrameMemoryStopAtItsLimit) {
  // No recursion (the driver would size the stack), but three 400 KiB frames (each within CUDA's
  // 512 KiB): past the 1 MiB of local memory per thread gpusim holds, the warp fails naming the
  // call and that limit.
  auto dev = make_sim_device();
  const ModuleHandle m = dev->load_ptx("frames.ptx",
                                       ".version 8.0\n.target sm_80\n.address_size 64\n"
                                       ".func inner()\n{\n.local .align 4 .b8 frame[409600];\nret;\n}\n"
                                       ".func middle()\n{\n.local .align 4 .b8 frame[409600];\n"
                                       "call.uni inner, ();\nret;\n}\n"
                                       ".func outer()\n{\n.local .align 4 .b8 frame[409600];\n"
                                       "call.uni middle, ();\nret;\n}\n"
                                       ".visible .entry k()\n{\ncall.uni outer, ();\nret;\n}\n");
  LaunchConfig c;
  c.grid = Dim3{1, 1, 1};
  c.block = Dim3{1, 1, 1};
  const std::string e = error_of([&] { dev->launch(m, "k", c, {}); });
  EXPECT_NE(e.find("calling 'inner' would grow each thread's stack to"), std::string::npos) << e;
  EXPECT_NE(e.find("past the 1048576 gpusim allows"), std::string::npos) << e;
}

}  // namespace
