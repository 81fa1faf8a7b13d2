// DRAM channel timing rules against hand-computed timelines (sim/dram_channel.h).
//
// A toy channel with round numbers: 1 GHz DRAM and core clocks (edges every 1000 ps), 32 B per
// clock on the bus (a 32-B sector holds it 1000 ps), no extra latency after the bus (the return
// time is the end of the data), 4 banks in 2 groups, rows of 2 lines of 128 B. The address map
// (dram_timing.h) puts lines 0-1 in bank 0 row 0, lines 2-3 in bank 1 row 0, 4-5 in bank 2, 6-7 in
// bank 3 (row 0: fold 0), line 14 (row block 7, row 1, fold 1) in bank (3 + 1) mod 4 = 0, and line
// 32 (block 16, row 4 = 0b0100, fold 01 ^ 00 = 1) in bank 1.
#include <gtest/gtest.h>

#include <vector>

#include "sim/dram_channel.h"

namespace gpusim::sim {
namespace {

constexpr uint64_t kClockPs = 1000;

DramTiming toy_timing() {
  DramTiming t;
  t.banks = 4;
  t.bank_groups = 2;
  t.trcd = 10000;
  t.trp = 8000;
  t.tras = 20000;
  t.tcl = 5000;
  t.tcwl = 2000;
  t.twr = 3000;
  t.trtp = 2000;
  t.tccd_l = 0;
  t.trrd = 1000;
  t.twtr = 3000;
  t.trtw = 7000;
  t.trefi = 0;
  t.trfc = 0;
  t.burst_ps_per_byte = 1000.0 / 32;
  t.write_high = 32;
  t.write_low = 8;
  t.lookahead = 16;
  return t;
}

GpuConfig one_ghz() {
  GpuConfig c;
  c.core_clock_mhz = c.l2_clock_mhz = c.icnt_clock_mhz = c.dram_clock_mhz = 1000;
  return c;
}

struct Timeline {
  std::vector<uint64_t> read_returns;  // data at the L2, in issue order
  std::vector<uint64_t> write_edges;   // edges at which a write command issued
  DramChannelStats stats;
};

DramAccess read_of(uint64_t line, uint64_t ready_ps = 0) { return {false, 0, line * 128, 0x1, ready_ps}; }
DramAccess write_of(uint64_t line, uint64_t ready_ps = 0) { return {true, 0, line * 128, 0x1, ready_ps}; }

Timeline run(const DramTiming& timing, const std::vector<DramAccess>& accesses, uint64_t until_ps = 200000) {
  const GpuConfig c = one_ghz();
  const MemoryClocks clocks(c);
  DramChannel ch(timing, DramAddressMap(128, 256, timing.banks, 1, 1), 32, 0, clocks);
  for (const DramAccess& a : accesses) ch.enqueue(a);
  Timeline t;
  std::vector<DramReturn> returns;
  uint64_t read_bytes = 0, write_bytes = 0;
  for (uint64_t now = 0; now <= until_ps; now += kClockPs) {
    const uint64_t w = write_bytes;
    ch.tick(now, returns, &read_bytes, &write_bytes);
    if (write_bytes != w) t.write_edges.push_back(now);
  }
  EXPECT_TRUE(ch.idle());
  for (const DramReturn& r : returns) t.read_returns.push_back(r.ready_ps);
  t.stats = ch.stats();
  return t;
}

TEST(DramTiming, AddressMapPutsRowsOnBanksAsDocumented) {
  const DramAddressMap map(128, 256, 4, 1, 1);
  EXPECT_EQ(map.locate(0, 0 * 128).bank, 0);
  EXPECT_EQ(map.locate(0, 1 * 128).bank, 0);
  EXPECT_EQ(map.locate(0, 2 * 128).bank, 1);
  EXPECT_EQ(map.locate(0, 6 * 128).bank, 3);
  EXPECT_EQ(map.locate(0, 14 * 128).bank, 0);
  EXPECT_EQ(map.locate(0, 14 * 128).row, 1);
  EXPECT_EQ(map.locate(0, 32 * 128).bank, 1);
  EXPECT_EQ(map.locate(0, 32 * 128).row, 4);
  // Two slices on one channel: their local lines interleave (slice 1 is channel 1's... here the
  // single channel's second slice), so local line 0 of slice 1 is channel line 1: bank 0, row 0.
  const DramAddressMap two(128, 256, 4, 2, 1);
  EXPECT_EQ(two.locate(1, 0).bank, 0);
  EXPECT_EQ(two.locate(1, 128).bank, 1);  // channel line 3 -> block 1
}

TEST(DramTiming, RowMissActivatesThenReads) {
  // ACT at 0, READ at tRCD = 10000, data 15000-16000.
  const Timeline t = run(toy_timing(), {read_of(0)});
  EXPECT_EQ(t.read_returns, (std::vector<uint64_t>{16000}));
  EXPECT_EQ(t.stats.row_misses, 1u);
  EXPECT_EQ(t.stats.row_hits, 0u);
}

TEST(DramTiming, RowHitFollowsOnTheOpenRow) {
  // Line 1 shares line 0's row: READ at 11000 (next clock; the bus frees at 16000 = 11000 + tCL),
  // data 16000-17000, no second ACTIVATE.
  const Timeline t = run(toy_timing(), {read_of(0), read_of(1)});
  EXPECT_EQ(t.read_returns, (std::vector<uint64_t>{16000, 17000}));
  EXPECT_EQ(t.stats.row_misses, 1u);
  EXPECT_EQ(t.stats.row_hits, 1u);
}

TEST(DramTiming, RowConflictWaitsForTrasAndPrecharge) {
  // Line 14 is bank 0, row 1. PRECHARGE no earlier than ACT + tRAS = 20000, ACT at 20000 + tRP =
  // 28000, READ at 38000, data 43000-44000.
  const Timeline t = run(toy_timing(), {read_of(0), read_of(14)});
  EXPECT_EQ(t.read_returns, (std::vector<uint64_t>{16000, 44000}));
  EXPECT_EQ(t.stats.row_conflicts, 1u);
}

TEST(DramTiming, BanksWorkInParallel) {
  // Four banks: ACTs at 0, 1000, 2000, 3000 (tRRD), READs at 10000..13000, back-to-back data.
  const Timeline t = run(toy_timing(), {read_of(0), read_of(2), read_of(4), read_of(6)});
  EXPECT_EQ(t.read_returns, (std::vector<uint64_t>{16000, 17000, 18000, 19000}));
  EXPECT_EQ(t.stats.row_misses, 4u);
}

TEST(DramTiming, ReadToWriteWaitsTrtw) {
  // READ line 0 at 10000; the WRITE to line 1 (same open row) waits for READ + tRTW = 17000.
  const Timeline t = run(toy_timing(), {read_of(0), write_of(1)});
  EXPECT_EQ(t.read_returns, (std::vector<uint64_t>{16000}));
  EXPECT_EQ(t.write_edges, (std::vector<uint64_t>{17000}));
  EXPECT_EQ(t.stats.read_to_write, 1u);
}

TEST(DramTiming, WriteToReadWaitsTwtrAfterTheWriteData) {
  // WRITE line 0 at 10000, data 12000-13000. The read of line 1 arrives at 12000 and waits for
  // 13000 + tWTR = 16000: data 21000-22000.
  const Timeline t = run(toy_timing(), {write_of(0), read_of(1, 12000)});
  EXPECT_EQ(t.write_edges, (std::vector<uint64_t>{10000}));
  EXPECT_EQ(t.read_returns, (std::vector<uint64_t>{22000}));
  EXPECT_EQ(t.stats.write_to_read, 1u);
}

TEST(DramTiming, AllBankRefreshBlocksAndClosesRows) {
  DramTiming timing = toy_timing();
  timing.trefi = 50000;
  timing.trfc = 30000;
  // Line 0 at 0 opens bank 0 (returns 16000). Refresh due at 50000: PRECHARGE all no earlier than
  // tRAS (20000), so it starts at 50000 + tRP = 58000 and holds every bank until 88000. Line 1
  // (arriving at 50000) lost its open row: ACT 88000, READ 98000, data 103000-104000. Line 2
  // (bank 1, closed) also waits: ACT 89000 (tRRD), data 104000-105000.
  const Timeline t = run(timing, {read_of(0), read_of(1, 50000), read_of(2, 50000)});
  EXPECT_EQ(t.read_returns, (std::vector<uint64_t>{16000, 104000, 105000}));
  EXPECT_GE(t.stats.refreshes, 1u);
  EXPECT_EQ(t.stats.row_hits, 0u);

  // Without refresh line 1 hits the open row: READ at 50000, data 55000-56000.
  const Timeline none = run(toy_timing(), {read_of(0), read_of(1, 50000)});
  EXPECT_EQ(none.read_returns, (std::vector<uint64_t>{16000, 56000}));
}

TEST(DramTiming, PerBankRefreshBlocksOnlyTheRefreshedBank) {
  DramTiming timing = toy_timing();
  timing.refresh_per_bank = true;
  timing.trefi = 200000;  // 4 banks: one bank every 50000
  timing.trfcpb = 30000;
  // At 50000 bank 0 refreshes until 80000: line 0 activates at 80000 (data 95000-96000); line 2
  // in bank 1 goes at once (ACT 50000, data 65000-66000).
  const Timeline t = run(timing, {read_of(0, 50000), read_of(2, 50000)});
  EXPECT_EQ(t.read_returns, (std::vector<uint64_t>{66000, 96000}));
}

TEST(DramTiming, AThirdQueuedWriteMakesTheControllerDrainBeforeTheRemainingReads) {
  DramTiming timing = toy_timing();
  timing.write_high = 3;
  timing.write_low = 0;
  // Six reads of bank 0's open row issue one per clock from 10000 (data to 16000..). Writes to
  // lines 2, 3 (bank 1) wait below the watermark; the write to line 4 (bank 2) arriving at 14000
  // makes three: the controller turns to writes with two reads still queued. Banks 1 and 2 are
  // activated at 14000 and 15000 (tRRD), so the writes go at 24000, 25000, 26000 (data ends
  // 29000), and the two reads wait for 29000 + tWTR = 32000 and 33000.
  std::vector<DramAccess> a = {write_of(2), write_of(3)};
  for (uint64_t i = 0; i < 6; ++i) a.push_back(read_of(i % 2, i * 1000));
  a.push_back(write_of(4, 14000));
  const Timeline t = run(timing, a);
  EXPECT_EQ(t.write_edges, (std::vector<uint64_t>{24000, 25000, 26000}));
  EXPECT_EQ(t.read_returns, (std::vector<uint64_t>{16000, 17000, 18000, 19000, 38000, 39000}));

  // With the default watermark (32) all six reads go first and the writes follow.
  const Timeline later = run(toy_timing(), a);
  ASSERT_EQ(later.read_returns.size(), 6u);
  ASSERT_EQ(later.write_edges.size(), 3u);
  EXPECT_LT(later.read_returns.back(), later.write_edges.front() + 5000);
}

}  // namespace
}  // namespace gpusim::sim
