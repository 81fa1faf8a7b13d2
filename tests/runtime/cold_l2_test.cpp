// GPUSIM_CACHE_CONTROL=all (`gpusim exec --cache-control all`): every timed launch starts with an
// empty L2, as Nsight Compute measures by default. A kernel reading 1 MiB twice: the second launch
// finds the data in the 6 MiB L2 of the default configuration and reads (almost) nothing from DRAM;
// with the option it reads the whole MiB again, as the first did. The references are the buffer's
// size and the first launch, not an earlier run's figures.
#include <gtest/gtest.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "runtime/sim_device.h"
#include "runtime/sim_environment.h"

using namespace gpusim::runtime;

namespace {

const char* kPtx = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry read_all(.param .u64 in, .param .u64 out)
{
  .reg .u32 %t, %b, %n, %i, %v;
  .reg .u64 %a, %o, %off;
  .reg .pred %p;
  ld.param.u64 %a, [in];
  ld.param.u64 %o, [out];
  mov.u32 %t, %tid.x;
  mov.u32 %b, %ctaid.x;
  mov.u32 %n, %ntid.x;
  mad.lo.u32 %i, %b, %n, %t;
  mul.wide.u32 %off, %i, 4;
  add.u64 %a, %a, %off;
  ld.global.u32 %v, [%a];
  setp.eq.u32 %p, %v, 12345;
  @%p st.global.u32 [%o], %v;
  ret;
}
)";

constexpr uint64_t kBytes = 1 << 20;

uint64_t dram_read_bytes(const LaunchStats& s) {
  return nlohmann::json::parse(s.report_json).at("dram").at("read_bytes").get<uint64_t>();
}

std::pair<uint64_t, uint64_t> two_launches(bool cold) {
  SimDeviceOptions o;
  o.mode = SimMode::Timing;
  o.cold_l2_per_launch = cold;
  auto dev = make_sim_device(o);
  const ModuleHandle m = dev->load_ptx("read_all.ptx", kPtx);
  const DevPtr in = dev->alloc(kBytes), out = dev->alloc(4);
  dev->memset(in, 0, kBytes);
  LaunchConfig c;
  c.grid = Dim3{uint32_t(kBytes / 4 / 256), 1, 1};
  c.block = Dim3{256, 1, 1};
  const uint64_t first = dram_read_bytes(dev->launch(m, "read_all", c, args(in, out)));
  const uint64_t second = dram_read_bytes(dev->launch(m, "read_all", c, args(in, out)));
  return {first, second};
}

TEST(ColdL2, EveryLaunchReadsItsDataFromDramAgainWhenAsked) {
  const auto [first, warm_second] = two_launches(false);
  EXPECT_GE(first, kBytes);
  EXPECT_LT(warm_second, kBytes / 16) << "the second launch should find the MiB in the L2";
  const auto [cold_first, cold_second] = two_launches(true);
  EXPECT_GE(cold_first, kBytes);
  EXPECT_GE(cold_second, kBytes);
}

TEST(ColdL2, TheEnvironmentVariableSaysAllOrNone) {
  const auto env = [](const char* value) {
    return [value](const char* name) -> const char* {
      return std::string(name) == "GPUSIM_CACHE_CONTROL" ? value : nullptr;
    };
  };
  EXPECT_TRUE(read_sim_environment(env("all")).device.cold_l2_per_launch);
  EXPECT_FALSE(read_sim_environment(env("none")).device.cold_l2_per_launch);
  EXPECT_FALSE(read_sim_environment(env(nullptr)).device.cold_l2_per_launch);
  try {
    read_sim_environment(env("cold"));
    FAIL() << "GPUSIM_CACHE_CONTROL=cold accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("GPUSIM_CACHE_CONTROL='cold': expected all"), std::string::npos) << e.what();
  }
}

}  // namespace
