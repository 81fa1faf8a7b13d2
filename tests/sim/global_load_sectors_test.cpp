// "sectors per global load" (l1.sectors_per_request) counts global loads alone: a warp loading
// every second float touches 32 x 8 bytes = 256 bytes = 8 sectors, whatever stores and local
// memory the kernel also has (both used to be mixed in: a stride-2 load with a coalesced store
// read 6.00, an outside researcher's finding; an ML engineer's kernel with a local array read
// 8.00 with no global load at all).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

const char* kPtx = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry strided(.param .u64 p_in, .param .u64 p_out, .param .u32 p_stride)
{
  .reg .u32 %i, %s, %v;
  .reg .u64 %in, %out, %a, %o;
  ld.param.u64 %in, [p_in];
  ld.param.u64 %out, [p_out];
  ld.param.u32 %s, [p_stride];
  mov.u32 %i, %tid.x;
  mad.lo.u32 %v, %i, %s, 0;
  mul.wide.u32 %a, %v, 4;
  add.u64 %a, %a, %in;
  ld.global.u32 %v, [%a];
  mul.wide.u32 %o, %i, 4;
  add.u64 %o, %o, %out;
  st.global.u32 [%o], %v;
  ret;
}
.visible .entry strided_store(.param .u64 p_out, .param .u32 p_stride)
{
  .reg .u32 %i, %s, %v;
  .reg .u64 %out, %o;
  ld.param.u64 %out, [p_out];
  ld.param.u32 %s, [p_stride];
  mov.u32 %i, %tid.x;
  mul.lo.u32 %v, %i, %s;
  mul.wide.u32 %o, %v, 4;
  add.u64 %o, %o, %out;
  st.global.u32 [%o], %i;
  ret;
}
.visible .entry local_only(.param .u64 p_out)
{
  .reg .u32 %i, %v;
  .reg .u64 %out, %o, %l;
  .local .align 4 .b8 scratch[32];
  ld.param.u64 %out, [p_out];
  mov.u32 %i, %tid.x;
  and.b32 %v, %i, 7;
  mul.wide.u32 %l, %v, 4;
  mov.u64 %o, scratch;
  add.u64 %l, %l, %o;
  st.local.u32 [%l], %i;
  ld.local.u32 %v, [%l];
  mul.wide.u32 %o, %i, 4;
  add.u64 %o, %o, %out;
  st.global.u32 [%o], %v;
  ret;
}
)";

TEST(GlobalLoadSectors, CountGlobalLoadsAloneNotStoresOrLocalMemoryAndStoresApart) {
  SimDeviceOptions o;
  o.mode = SimMode::Timing;
  auto dev = make_sim_device(o);
  const ModuleHandle m = dev->load_ptx("sectors.ptx", kPtx);
  LaunchConfig c;
  c.grid = Dim3{1, 1, 1};
  c.block = Dim3{32, 1, 1};
  const DevPtr in = dev->alloc(32 * 4 * 4), out = dev->alloc(32 * 4);
  for (uint32_t stride : {1u, 2u, 4u}) {
    const nlohmann::json l1 = nlohmann::json::parse(dev->launch(m, "strided", c, args(in, out, stride)).report_json).at("l1");
    EXPECT_EQ(l1.at("global_load_requests").get<uint64_t>(), 1u);
    EXPECT_EQ(l1.at("global_load_sectors").get<uint64_t>(), 4u * stride) << "stride " << stride;
    EXPECT_DOUBLE_EQ(l1.at("sectors_per_request").get<double>(), 4.0 * stride) << "stride " << stride;
  }
  // Stores have their own figure: a warp writing 32 consecutive words writes 4 sectors, one
  // writing every 8th word (32 bytes apart, as a naive transpose's column) 32.
  const DevPtr wide = dev->alloc(32 * 8 * 4);
  for (uint32_t stride : {1u, 2u, 8u}) {
    const nlohmann::json l1 = nlohmann::json::parse(dev->launch(m, "strided_store", c, args(wide, stride)).report_json).at("l1");
    EXPECT_EQ(l1.at("global_store_requests").get<uint64_t>(), 1u);
    EXPECT_EQ(l1.at("global_store_sectors").get<uint64_t>(), 4u * stride) << "stride " << stride;
    EXPECT_DOUBLE_EQ(l1.at("sectors_per_store_request").get<double>(), 4.0 * stride) << "stride " << stride;
    EXPECT_EQ(l1.at("global_load_requests").get<uint64_t>(), 0u);
  }
  const nlohmann::json local = nlohmann::json::parse(dev->launch(m, "local_only", c, args(out)).report_json).at("l1");
  EXPECT_EQ(local.at("global_load_requests").get<uint64_t>(), 0u);
  EXPECT_GT(local.at("local_requests").get<uint64_t>(), 0u);
  EXPECT_DOUBLE_EQ(local.at("sectors_per_request").get<double>(), 0.0);
}

}  // namespace
