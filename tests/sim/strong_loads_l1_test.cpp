// Loads that must see other SMs' stores are served by the L2, never the (incoherent) L1: volatile
// loads and relaxed/acquire loads at .gpu or .sys scope, as .cg loads are. A thread reading one
// word 8 times in a dependent chain hits the L1 7 times with plain loads (and with .cta scope,
// which one SM's L1 serves coherently) and 0 times with these (an outside user's volatile flags
// hit the L1 89 % of the time).
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

std::string chain_kernel(const std::string& name, const std::string& load) {
  std::string body;
  for (int i = 0; i < 8; ++i)
    body += "  " + load + " %v, [%a];\n  and.b32 %z, %v, 0;\n  cvt.u64.u32 %zz, %z;\n  add.u64 %a, %a, %zz;\n"
            "  add.u32 %sum, %sum, %v;\n";
  return ".visible .entry " + name + "(.param .u64 p)\n{\n  .reg .u32 %v, %z, %sum;\n  .reg .u64 %a, %zz;\n"
         "  ld.param.u64 %a, [p];\n  mov.u32 %sum, 0;\n" + body + "  st.global.u32 [%a], %sum;\n  ret;\n}\n";
}

uint64_t l1_hits(Device& dev, ModuleHandle m, const std::string& kernel, DevPtr p) {
  LaunchConfig c;
  c.grid = Dim3{1, 1, 1};
  c.block = Dim3{1, 1, 1};
  const nlohmann::json l1 = nlohmann::json::parse(dev.launch(m, kernel, c, args(p)).report_json).at("l1");
  return l1.at("read_sector_hits").get<uint64_t>();
}

// The same chain on a thread's local memory through a generic address, as nvcc reads a `volatile`
// local variable (ptxas allows no .volatile on .local): private to the thread, so cached as plain
// loads are.
std::string local_chain_kernel(const std::string& name, const std::string& load) {
  std::string body;
  for (int i = 0; i < 8; ++i)
    body += "  " + load + " %v, [%a];\n  and.b32 %z, %v, 0;\n  cvt.u64.u32 %zz, %z;\n  add.u64 %a, %a, %zz;\n"
            "  add.u32 %sum, %sum, %v;\n";
  return ".visible .entry " + name + "(.param .u64 p)\n{\n  .local .align 8 .b8 depot[64];\n"
         "  .reg .u32 %v, %z, %sum;\n  .reg .u64 %a, %zz, %out;\n  ld.param.u64 %out, [p];\n  mov.u64 %a, depot;\n"
         "  st.local.u32 [%a], 1;\n  cvta.local.u64 %a, %a;\n  mov.u32 %sum, 0;\n" + body + "  st.global.u32 [%out], %sum;\n  ret;\n}\n";
}

TEST(StrongLoads, VolatileLocalLoadsAreCachedAsPlainOnes) {
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n" +
                          local_chain_kernel("plain_local", "ld.u32") +
                          local_chain_kernel("volatile_local", "ld.volatile.u32");
  SimDeviceOptions o;
  o.mode = SimMode::Timing;
  auto dev = make_sim_device(o);
  const ModuleHandle m = dev->load_ptx("local.ptx", ptx);
  const DevPtr p = dev->alloc(128);
  const uint64_t plain = l1_hits(*dev, m, "plain_local", p);
  EXPECT_GE(plain, 7u);
  EXPECT_EQ(l1_hits(*dev, m, "volatile_local", p), plain);
}

TEST(StrongLoads, VolatileAndGpuScopedLoadsAreServedByTheL2NotTheL1) {
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n" + chain_kernel("plain", "ld.global.u32") +
                          chain_kernel("cta", "ld.relaxed.cta.global.u32") +
                          chain_kernel("vol", "ld.volatile.global.u32") +
                          chain_kernel("gpu", "ld.relaxed.gpu.global.u32") +
                          chain_kernel("acq", "ld.acquire.sys.global.u32") + chain_kernel("cg", "ld.global.cg.u32");
  SimDeviceOptions o;
  o.mode = SimMode::Timing;
  auto dev = make_sim_device(o);
  const ModuleHandle m = dev->load_ptx("strong.ptx", ptx);
  const DevPtr p = dev->alloc(128);
  EXPECT_EQ(l1_hits(*dev, m, "plain", p), 7u);
  EXPECT_EQ(l1_hits(*dev, m, "cta", p), 7u);
  for (const char* kernel : {"vol", "gpu", "acq", "cg"}) EXPECT_EQ(l1_hits(*dev, m, kernel, p), 0u) << kernel;
}

}  // namespace
