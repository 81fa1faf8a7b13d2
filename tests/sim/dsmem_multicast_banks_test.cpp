// A multicast bulk copy (cp.async.bulk ... .multicast::cluster) writes its bytes into every
// destination CTA's shared memory, so it occupies the banks of each destination SM, not only the
// issuer's (sim/sm_memory_pipeline_dsmem.cpp). Expectations from configs/h100.ini by hand: 32 banks
// x 4 B = 128 B per bank pass, so a 32 KiB fill takes 256 passes on every SM it lands on.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/sim_device.h"
#include "tests/sim/h100_tma_test_support.h"

namespace gpusim {
namespace {

using h100_tma_test::kH100;
using h100_tma_test::kHeader;
using h100_tma_test::tma_wait;

struct Outcome {
  std::vector<uint64_t> cycles;  // per rank: the store window
  nlohmann::json report;
};

// A cluster of 2 CTAs of 128 threads. Rank 0's thread 0 issues one cold 32 KiB copy with ctaMask
// `mask` (1: into rank 0 alone, 3: into both); every CTA whose rank the mask names expects the
// bytes on its own barrier. Meanwhile the 4 warps of each CTA store 160 x 512 B through their
// own banks (2560 passes); out[rank] = the cycles from before the copy to after the stores.
Outcome run(unsigned mask) {
  const std::string expect = mask == 3 ? "" : "  setp.ne.u32 %q, %rank, 0;\n  @%q bra EXPECTED;\n";
  std::string stores = "  mul.lo.u32 %r1, %tx, 16;\n  add.u32 %r1, %r1, %sb;\n  mov.b32 %r2, 7;\n";
  for (int i = 0; i < 160; ++i) stores += "  st.shared.v4.b32 [%r1], {%r2, %r2, %r2, %r2};\n";
  const std::string ptx =
      std::string(kHeader) +
      ".visible .entry k(.param .u64 p_src, .param .u64 p_out)\n{\n"
      "  .reg .u32 %tx, %rank, %r<8>, %sb, %sbar;\n  .reg .u64 %src, %out, %a<4>, %t<4>;\n"
      "  .reg .pred %p, %q;\n  .reg .b16 %mask;\n"
      "  .shared .align 1024 .b8 buf[40960];\n  .shared .align 8 .b64 bar;\n"
      "  mov.u32 %tx, %tid.x;\n  mov.u32 %rank, %cluster_ctarank;\n"
      "  ld.param.u64 %src, [p_src];\n  ld.param.u64 %out, [p_out];\n  mov.u32 %sb, buf;\n  mov.u32 %sbar, bar;\n"
      "  setp.ne.u32 %p, %tx, 0;\n  @%p bra INITED;\n  mbarrier.init.shared::cta.b64 [%sbar], 1;\n"
      "  fence.mbarrier_init.release.cluster;\n  fence.proxy.async.shared::cta;\nINITED:\n"
      "  barrier.cluster.arrive;\n  barrier.cluster.wait;\n"
      "  bar.sync 0;\n  mov.u64 %t0, %clock64;\n  @%p bra ISSUED;\n" + expect +
      "  mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%sbar], 32768;\nEXPECTED:\n"
      "  setp.ne.u32 %q, %rank, 0;\n  @%q bra ISSUED;\n  mov.b16 %mask, " + std::to_string(mask) + ";\n"
      "  add.u32 %r0, %sb, 8192;\n"
      "  cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [%r0], [%src], 32768, "
      "[%sbar], %mask;\nISSUED:\n" + stores +
      "  bar.sync 0;\n  mov.u64 %t1, %clock64;\n  @%p bra DONE;\n" +
      (mask == 3 ? "" : "  setp.ne.u32 %q, %rank, 0;\n  @%q bra WAITED;\n") + tma_wait(0, "t") +
      "WAITED:\n  sub.u64 %t1, %t1, %t0;\n  mul.wide.u32 %a1, %rank, 8;\n  add.u64 %a1, %out, %a1;\n"
      "  st.global.u64 [%a1], %t1;\nDONE:\n  barrier.cluster.arrive;\n  barrier.cluster.wait;\n  ret;\n}\n";
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.config_path = kH100;
  auto dev = runtime::make_sim_device(o);
  const auto mod = dev->load_ptx("dsmem_multicast_banks", ptx);
  const auto src = dev->alloc(1 << 16), out = dev->alloc(16);
  dev->memset(src, 1, 1 << 16);
  dev->memset(out, 0, 16);
  runtime::LaunchConfig cfg;
  cfg.grid = {2, 1, 1};
  cfg.block = {128, 1, 1};
  cfg.cluster = {2, 1, 1};
  const runtime::LaunchStats stats = dev->launch(mod, "k", cfg, runtime::args(src, out));
  return {dev->download<uint64_t>(out, 2), nlohmann::json::parse(stats.report_json)};
}

TEST(DsmemMulticastBanks, MulticastFillOccupiesEveryDestinationsBanks) {
  const Outcome own = run(1), both = run(3);
  std::printf("[ measured ] 2560 STS passes on rank 1: %llu cycles beside a copy into rank 0 alone, %llu beside a "
              "multicast into both\n",
              static_cast<unsigned long long>(own.cycles[1]), static_cast<unsigned long long>(both.cycles[1]));
  // Rank 1's stores: 2560 passes alone; the multicast adds its 32768 / 128 = 256 fill passes.
  EXPECT_NEAR(double(own.cycles[1]), 2560.0, 0.05 * 2560);
  EXPECT_NEAR(double(both.cycles[1]) - double(own.cycles[1]), 256.0, 0.1 * 256);
  // The issuer's banks take the fill either way.
  EXPECT_NEAR(double(both.cycles[0]), double(own.cycles[0]), 0.02 * double(own.cycles[0]));
  // Counted at the receiver: 256 passes, one per 128-B answer; none without the multicast.
  EXPECT_FALSE(own.report.contains("dsmem"));
  ASSERT_TRUE(both.report.contains("dsmem"));
  EXPECT_EQ(both.report["dsmem"]["received_wavefronts"].get<uint64_t>(), 256u);
}

}  // namespace
}  // namespace gpusim
