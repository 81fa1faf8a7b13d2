// The parts of the Hopper timing model that need no kernel: the TMA unit's request generation and
// rate (sim/tma_unit.h), its per-barrier arrival records, and the wgmma group bookkeeping
// (sim/wgmma_groups.h). Expected values follow from the definitions (sectors of 32 B in lines of
// 128 B, bytes per cycle, the PTX ISA's wait_group rule).
#include <gtest/gtest.h>

#include <vector>

#include "sim/tma_unit.h"
#include "sim/wgmma_groups.h"

namespace gpusim::sim {
namespace {

isa::MemAccess global(uint64_t addr, uint8_t size, bool write) {
  return isa::MemAccess{isa::StateSpace::Global, addr, size, write, false, 0};
}

TEST(TmaRequestQueue, GlobalAccessesBecomeLineRequestsWithTheirSectors) {
  std::vector<isa::MemAccess> a;
  for (uint64_t off = 0; off < 192; off += 16) a.push_back(global(0x1000 + off, 16, false));  // 1.5 lines
  a.push_back(isa::MemAccess{isa::StateSpace::Shared, 0, 16, true, false, 0});                 // the destination: not requested
  a.push_back(global(0x2020, 8, true));                                                         // one sector written
  const auto r = TmaRequestQueue::requests_of(a, 128, 32);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].line, 0x1000u);
  EXPECT_EQ(r[0].sector_mask, 0xfu);
  EXPECT_FALSE(r[0].write);
  EXPECT_EQ(r[1].line, 0x1080u);
  EXPECT_EQ(r[1].sector_mask, 0x3u);  // bytes 0x1080..0x10bf: sectors 0 and 1
  EXPECT_EQ(r[2].line, 0x2000u);
  EXPECT_EQ(r[2].sector_mask, 0x2u);
  EXPECT_TRUE(r[2].write);
}

TEST(TmaRequestQueue, SendsAtItsByteRateAfterTheIssueLatency) {
  // 64 B/clk and 128-B requests: one request every other cycle, the first at submit + 5.
  TmaRequestQueue q(64, 5, 32);
  q.push(7, 10, std::vector<TmaRequestQueue::Request>(4, {0, 0xf, false, {}}));
  std::vector<uint64_t> sent_at;
  uint64_t finished_at = 0;
  for (uint64_t cycle = 10; cycle < 40 && !q.empty(); ++cycle)
    q.run(cycle, [&](const TmaRequestQueue::Request&, uint64_t op) { EXPECT_EQ(op, 7u); sent_at.push_back(cycle); return true; },
          [&](uint64_t op) { EXPECT_EQ(op, 7u); finished_at = cycle; });
  EXPECT_EQ(sent_at, (std::vector<uint64_t>{15, 17, 19, 21}));
  EXPECT_EQ(finished_at, 21u);
}

TEST(TmaBarriers, ABarrierIsReadyWhenItsLastCopyArrived) {
  TmaBarriers b;
  b.add(1, 0, 0x40, 0);
  b.add(2, 0, 0x40, 0);
  b.add(3, 1, 0x40, 0);  // another CTA's barrier at the same offset
  EXPECT_TRUE(b.of(0, 0x40, 0).in_flight);
  EXPECT_EQ(b.complete(2, 100), -1);  // one copy still in flight
  EXPECT_EQ(b.complete(1, 90), 0);    // the last: CTA slot 0's waiters look again
  EXPECT_FALSE(b.of(0, 0x40, 0).in_flight);
  EXPECT_EQ(b.of(0, 0x40, 0).arrived, 100u);
  EXPECT_TRUE(b.of(1, 0x40, 0).in_flight);
  EXPECT_EQ(b.complete(99, 5), -1);   // not a bulk copy
  b.forget_cta(1);
  EXPECT_FALSE(b.of(1, 0x40, 0).in_flight);
}

TEST(TmaBarriers, EachPhaseWaitsOnlyForItsOwnCopies) {
  // Phase 0 has copies 1 and 2, phase 1 (the next) copy 3, all on one barrier. A waiter on
  // parity 0 is free once 1 and 2 are in, while 3 is still in flight, and the reverse.
  TmaBarriers b;
  b.add(1, 0, 0x80, 0);
  b.add(2, 0, 0x80, 0);
  b.add(3, 0, 0x80, 1);
  EXPECT_EQ(b.complete(1, 50), -1);
  EXPECT_EQ(b.complete(2, 60), 0);  // phase 0 complete although phase 1's copy is in flight
  EXPECT_FALSE(b.of(0, 0x80, 0).in_flight);
  EXPECT_EQ(b.of(0, 0x80, 0).arrived, 60u);
  EXPECT_TRUE(b.of(0, 0x80, 1).in_flight);
  EXPECT_EQ(b.complete(3, 200), 0);
  EXPECT_EQ(b.of(0, 0x80, 1).arrived, 200u);
  EXPECT_EQ(b.of(0, 0x80, 0).arrived, 60u) << "phase 0's arrival is not moved by phase 1's bytes";
  // The reverse order: a later phase's copy that arrives first does not free the earlier phase.
  b.add(4, 0, 0x80, 0);
  b.add(5, 0, 0x80, 1);
  EXPECT_EQ(b.complete(5, 300), 0);
  EXPECT_TRUE(b.of(0, 0x80, 0).in_flight);
}

TEST(WgmmaGroups, WaitGroupWaitsForAllButTheNewestN) {
  WgmmaGroups g;
  g.issued(100);
  g.issued(120);
  g.commit();  // group 0 completes at 120
  g.issued(300);
  g.commit();  // group 1 at 300
  g.commit();  // group 2: empty, complete at once
  EXPECT_EQ(g.wait_until(3), 0u);
  EXPECT_EQ(g.wait_until(2), 120u);
  EXPECT_EQ(g.wait_until(1), 300u);
  EXPECT_EQ(g.wait_until(0), 300u);
  g.waited(1);
  EXPECT_EQ(g.committed_groups(), 1u);
}

// The occupancy as a number of core cycles (a fraction num / den).
double core_cycles(const WgmmaCoreCycles& w) { return double(w.num) / double(w.den); }

TEST(WgmmaCycles, DenseRateAndPrecisions) {
  GpuConfig c;
  c.subcores_per_sm = 4;
  c.tensor_wgmma_flops_per_clock = 4096;
  c.core_clock_mhz = c.tensor_clock_mhz = 1000;
  // m64n256k16 f16: per warp 2*16*256*16 = 131072 FLOP at 1024 per sub-core per clock = 128.
  EXPECT_DOUBLE_EQ(core_cycles(wgmma_warp_core_cycles(c, 256, 16, 16)), 128);
  // tf32 (k8) has half the FLOPs at half the rate, fp8/s8 (k32) double at double, b1 (k256)
  // sixteen times at sixteen times: the same time.
  EXPECT_DOUBLE_EQ(core_cycles(wgmma_warp_core_cycles(c, 256, 8, 32)), 128);
  EXPECT_DOUBLE_EQ(core_cycles(wgmma_warp_core_cycles(c, 256, 32, 8)), 128);
  EXPECT_DOUBLE_EQ(core_cycles(wgmma_warp_core_cycles(c, 256, 256, 1)), 128);
  // A 2 GHz core clock against a 1 GHz tensor clock: twice the core cycles.
  c.core_clock_mhz = 2000;
  EXPECT_DOUBLE_EQ(core_cycles(wgmma_warp_core_cycles(c, 256, 16, 16)), 256);
  // H100's 1980 MHz core against its 1830 MHz tensor clock: 128 x 1980 / 1830 = 138.49 core
  // cycles, kept as a fraction (the sub-core carries the part of a cycle to the next wgmma).
  c.core_clock_mhz = 1980;
  c.tensor_clock_mhz = 1830;
  EXPECT_NEAR(core_cycles(wgmma_warp_core_cycles(c, 256, 16, 16)), 128.0 * 1980 / 1830, 1e-9);
  // Operand bytes from shared memory: A 64x16 and B 256x16 halves; A from registers drops A.
  EXPECT_EQ(wgmma_shared_operand_bytes(256, 16, 16, false), 64 * 16 * 2 + 256 * 16 * 2);
  EXPECT_EQ(wgmma_shared_operand_bytes(256, 16, 16, true), 256 * 16 * 2);
}

}  // namespace
}  // namespace gpusim::sim
