// SmMemoryPipeline with the real MemoryPartitions behind it: shared-memory bank conflicts, the
// latency of an L1 hit, an L2 hit and a DRAM access against the sums documented in the configs
// and the measured ranges of hardware.md 6, DRAM saturation from many SMs, MSHR merging,
// no-allocate stores, atomics and determinism.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/memory_partitions.h"
#include "sim/sm_memory_pipeline.h"

namespace gpusim::sim {
namespace {

using isa::StateSpace;

GpuConfig config_named(const std::string& name) {
  return load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name);
}

// A GPU's memory side with `sms` pipelines, clocked in three domains as SystemC does (periods
// rounded to whole picoseconds; core edges first when edges coincide).
class Rig {
 public:
  explicit Rig(const GpuConfig& c, int sms = 1)
      : config(c), memory(c, nullptr), core_ps_(period(c.core_clock_mhz)), l2_ps_(period(c.l2_clock_mhz)),
        dram_ps_(period(c.dram_clock_mhz)) {
    for (int s = 0; s < sms; ++s) pipes.push_back(std::make_unique<SmMemoryPipeline>(s, c, memory, nullptr));
  }

  // Runs until the next core edge has been processed; returns its cycle number.
  uint64_t core_cycle() {
    while (true) {
      const uint64_t t = std::min({next_core_, next_l2_, next_dram_});
      bool core = false;
      if (next_core_ == t) {
        for (size_t s = 0; s < pipes.size(); ++s) {
          pipes[s]->tick(cycle_, t);
          pipes[s]->flush_requests(t);
          for (uint64_t token : pipes[s]->take_completed()) completions.push_back({s, token, cycle_});
        }
        now_ps = t;
        next_core_ += core_ps_;
        core = true;
      }
      if (next_l2_ == t) {
        memory.tick_l2(t);
        next_l2_ += l2_ps_;
      }
      if (next_dram_ == t) {
        memory.tick_dram(t);
        next_dram_ += dram_ps_;
      }
      if (core) return cycle_++;
    }
  }
  // The cycle the next tick will run at (submit before it to enter the pipeline at that cycle).
  uint64_t next_cycle() const { return cycle_; }

  // Submits `op` to SM `sm` and returns the cycles until its token completes.
  uint64_t latency(WarpMemOp op, int sm = 0) {
    const uint64_t token = op.token, start = next_cycle();
    pipes[sm]->submit(std::move(op), start);
    for (int guard = 0; guard < 100000; ++guard) {
      core_cycle();
      for (const Done& d : completions)
        if (d.sm == size_t(sm) && d.token == token) return d.cycle - start;
    }
    ADD_FAILURE() << "op " << token << " never completed";
    return 0;
  }
  void drain() {
    for (int guard = 0; guard < 200000; ++guard) {
      bool idle = memory.idle();
      for (auto& p : pipes) idle = idle && p->idle();
      if (idle) return;
      core_cycle();
    }
    ADD_FAILURE() << "did not drain";
  }

  struct Done {
    size_t sm;
    uint64_t token, cycle;
  };
  GpuConfig config;
  MemoryPartitions memory;
  std::vector<std::unique_ptr<SmMemoryPipeline>> pipes;
  std::vector<Done> completions;
  uint64_t now_ps = 0;

 private:
  static uint64_t period(int mhz) { return uint64_t(1e6 / mhz + 0.5); }
  uint64_t core_ps_, l2_ps_, dram_ps_;
  uint64_t next_core_ = 0, next_l2_ = 0, next_dram_ = 0, cycle_ = 0;
};

// A warp memory op: lane l (of the lanes in `lanes`) accesses address(l).
template <typename Address>
WarpMemOp make_op(uint64_t token, isa::Opcode opcode, StateSpace space, uint32_t lanes, Address address,
                  uint8_t size = 4, bool write = false, bool atomic = false) {
  WarpMemOp op;
  op.token = token;
  op.op = opcode;
  op.load = !write && !atomic;
  op.store = write;
  op.atomic = atomic;
  op.active_lanes = lanes;
  for (uint8_t l = 0; l < 32; ++l)
    if (lanes >> l & 1u) op.accesses.push_back(isa::MemAccess{space, uint64_t(address(l)), size, write, atomic, l});
  return op;
}
WarpMemOp one_thread_load(uint64_t token, uint64_t address) {
  return make_op(token, isa::Opcode::Ld, StateSpace::Global, 1u, [&](int) { return address; });
}
WarpMemOp shared_load(uint64_t token, uint64_t stride_bytes) {
  return make_op(token, isa::Opcode::Ld, StateSpace::Shared, ~0u, [&](int l) { return l * stride_bytes; });
}

TEST(SmMemoryPipeline, SharedBankConflictsSerialise) {
  const GpuConfig c = config_named("v100.ini");
  const uint64_t base = uint64_t(c.shared_latency_cycles);  // 23 on v100.ini
  Rig rig(c);
  EXPECT_EQ(rig.latency(shared_load(1, 4)), base);          // one word per bank: conflict-free
  EXPECT_EQ(rig.latency(shared_load(2, 0)), base);          // all lanes one word: broadcast
  EXPECT_EQ(rig.latency(shared_load(3, 128)), base + 31);   // 32 words in bank 0: 32 wavefronts
  EXPECT_EQ(rig.latency(shared_load(4, 8)), base + 1);      // stride 2 words: 2-way conflict
  // ld.shared.v4.f32 at 16 B per lane: four quarter-warp phases, conflict-free within each.
  WarpMemOp v4;
  v4.token = 5;
  v4.op = isa::Opcode::Ld;
  for (uint8_t l = 0; l < 32; ++l)
    for (int e = 0; e < 4; ++e) v4.accesses.push_back({StateSpace::Shared, uint64_t(l * 16 + e * 4), 4, false, false, l});
  EXPECT_EQ(rig.latency(v4), base + 3);
  // Shared atomics to one word: each lane is its own read-modify-write.
  EXPECT_EQ(rig.latency(make_op(6, isa::Opcode::Atom, StateSpace::Shared, ~0u, [](int) { return 0; }, 4, false, true)),
            base + 31);
  const SmMemStats& s = rig.pipes[0]->stats();
  EXPECT_EQ(s.shared_requests, 6u);
  EXPECT_EQ(s.shared_wavefronts, 1u + 1 + 32 + 2 + 4 + 32);
}

TEST(SmMemoryPipeline, ConflictingOpHoldsTheBanksForItsWavefronts) {
  const GpuConfig c = config_named("v100.ini");
  Rig rig(c);
  const uint64_t start = rig.next_cycle();
  rig.pipes[0]->submit(shared_load(1, 128), start);  // 32 wavefronts: banks busy for 32 cycles
  rig.pipes[0]->submit(shared_load(2, 4), start);    // starts 32 cycles later
  rig.drain();
  ASSERT_EQ(rig.completions.size(), 2u);
  EXPECT_EQ(rig.completions[0].cycle - start, uint64_t(c.shared_latency_cycles) + 31);
  EXPECT_EQ(rig.completions[1].cycle - start, 32u + c.shared_latency_cycles);
}

// One-thread p-chase steps: a cold line (DRAM), the same line again (L1 hit) and the line from
// another SM (its L1 is cold; L2 hit). Expected values are the sums the configs document:
//   L1 = l1; L2 = l1 + 2 x icnt + l2; DRAM = L2 + dram + the bank's own timing: at least a column
// access (tCL), at most a row conflict (tRP + tRCD + tCL) and the far-partition crossing, plus up to 3 cycles of clock-edge
// alignment; and they must fall in the measured ranges of hardware.md 6.
struct Ranges {
  const char* config;
  uint64_t l1_lo, l1_hi, l2_lo, l2_hi, dram_lo, dram_hi;
};

TEST(SmMemoryPipeline, PointerChaseLatenciesMatchConfigsAndHardware) {
  for (const Ranges& r : {Ranges{"v100.ini", 28, 34, 193, 221, 400, 440}, Ranges{"h100.ini", 32, 40, 219, 266, 570, 834}}) {
    SCOPED_TRACE(r.config);
    const GpuConfig c = config_named(r.config);
    Rig rig(c, 2);
    const uint64_t l1 = uint64_t(c.l1_latency_cycles);
    const uint64_t l2 = l1 + 2 * uint64_t(c.icnt_latency_cycles) + uint64_t(c.l2_latency_cycles);
    const uint64_t dram = l2 + uint64_t(c.dram_latency_cycles);
    auto core_cycles = [&](int ps) { return uint64_t(double(ps) * c.core_clock_mhz * 1e-6); };
    const uint64_t column = core_cycles(c.dram_tcl_ps);
    const uint64_t conflict = core_cycles(c.dram_trp_ps + c.dram_trcd_ps + c.dram_tcl_ps) + 1;
    // A line whose DRAM channel is in the far L2 partition (H100) crosses there and back.
    const uint64_t crossing = c.l2_partitions > 1 ? 2 * uint64_t(c.l2_far_latency_cycles) : 0;

    // A dependent chain over 16 cold lines, each load issued the cycle after the previous one
    // completes (the average is what a p-chase reports).
    uint64_t total = 0;
    for (uint64_t i = 0; i < 16; ++i) {
      const uint64_t cold = rig.latency(one_thread_load(i, 0x100000 + i * 4096));
      EXPECT_GE(cold, dram + column);
      EXPECT_LE(cold, dram + conflict + crossing + 3);
      total += cold;
    }
    const double average_dram = total / 16.0;
    EXPECT_GE(average_dram, r.dram_lo);
    EXPECT_LE(average_dram, r.dram_hi);

    const uint64_t hit = rig.latency(one_thread_load(100, 0x100000));
    EXPECT_EQ(hit, l1);
    EXPECT_GE(hit, r.l1_lo);
    EXPECT_LE(hit, r.l1_hi);

    const uint64_t l2_hit = rig.latency(one_thread_load(101, 0x100000), /*sm=*/1);
    EXPECT_EQ(l2_hit, l2);
    EXPECT_GE(l2_hit, r.l2_lo);
    EXPECT_LE(l2_hit, r.l2_hi);
  }
}

TEST(SmMemoryPipeline, OpsSubmittedAfterTheTickStartInTheirSubmitCycle) {
  // The SM core ticks its memory pipeline first and issues afterwards, so it submits at cycle c
  // after tick(c); the op must still see exactly the modelled latency from c.
  const GpuConfig c = config_named("v100.ini");
  Rig rig(c);
  rig.latency(one_thread_load(1, 0x5000));  // bring the line into L1
  for (auto [token, op, expected] : {std::tuple{2, one_thread_load(2, 0x5000), uint64_t(c.l1_latency_cycles)},
                                     std::tuple{3, shared_load(3, 4), uint64_t(c.shared_latency_cycles)},
                                     std::tuple{4, shared_load(4, 128), uint64_t(c.shared_latency_cycles) + 31}}) {
    const uint64_t issue = rig.core_cycle();
    rig.pipes[0]->submit(op, issue);
    uint64_t done = 0;
    for (int guard = 0; guard < 1000 && !done; ++guard) {
      rig.core_cycle();
      for (const auto& d : rig.completions)
        if (d.token == uint64_t(token)) done = d.cycle;
    }
    EXPECT_EQ(done - issue, expected) << "token " << token;
  }
}

TEST(SmMemoryPipeline, ParamAndConstantLoadsHitTheConstantCache) {
  Rig rig(config_named("v100.ini"));
  EXPECT_EQ(rig.latency(make_op(1, isa::Opcode::Ld, StateSpace::Param, ~0u, [](int) { return 8; })), 8u);
  // Four distinct constant addresses across the warp are served one after another.
  EXPECT_EQ(rig.latency(make_op(2, isa::Opcode::Ld, StateSpace::Const, ~0u, [](int l) { return (l % 4) * 4; })), 11u);
}

TEST(SmMemoryPipeline, TwoWarpsMissingOnOneLineShareOneDramRead) {
  const GpuConfig c = config_named("v100.ini");
  Rig rig(c);
  const uint64_t start = rig.next_cycle();
  auto coalesced = [](uint64_t token) {
    return make_op(token, isa::Opcode::Ld, StateSpace::Global, ~0u, [](int l) { return 0x40000 + l * 4; });
  };
  rig.pipes[0]->submit(coalesced(1), start);
  rig.pipes[0]->submit(coalesced(2), start);
  rig.drain();
  ASSERT_EQ(rig.completions.size(), 2u);
  EXPECT_EQ(rig.memory.stats().dram_read_bytes, 128u);
  EXPECT_EQ(rig.memory.stats().l2_read_sector_misses, 4u);  // one L2 request
  EXPECT_EQ(rig.pipes[0]->stats().l1_read_sector_misses, 8u);  // both warps missed (one merged)
  EXPECT_EQ(rig.completions[0].cycle, rig.completions[1].cycle);  // one fill answers both
}

TEST(SmMemoryPipeline, StoresDoNotAllocateInL1) {
  const GpuConfig c = config_named("v100.ini");
  Rig rig(c);
  const uint64_t l2_hit = uint64_t(c.l1_latency_cycles) + 2 * uint64_t(c.icnt_latency_cycles) + c.l2_latency_cycles;
  // A store completes as soon as it has left for the L2 (the same cycle on an idle port).
  EXPECT_EQ(rig.latency(make_op(1, isa::Opcode::St, StateSpace::Global, ~0u, [](int l) { return 0x9000 + l * 4; }, 4, true)),
            0u);
  rig.drain();
  // The stored line is in L2 (write-back, allocated) but not in L1: the load is an L2 hit.
  EXPECT_EQ(rig.latency(make_op(2, isa::Opcode::Ld, StateSpace::Global, ~0u, [](int l) { return 0x9000 + l * 4; })),
            l2_hit);
  EXPECT_EQ(rig.pipes[0]->stats().l1_read_sector_misses, 4u);
  EXPECT_EQ(rig.memory.stats().dram_read_bytes, 0u);
  // Now the line is in L1; a store to it updates it there (write-through), so it still hits.
  EXPECT_EQ(rig.latency(make_op(3, isa::Opcode::St, StateSpace::Global, ~0u, [](int l) { return 0x9000 + l * 4; }, 4, true)),
            0u);
  EXPECT_EQ(rig.latency(make_op(4, isa::Opcode::Ld, StateSpace::Global, 1u, [](int) { return 0x9000; })),
            uint64_t(c.l1_latency_cycles));
  EXPECT_EQ(rig.pipes[0]->stats().global_store_requests, 2u);
  EXPECT_EQ(rig.memory.stats().l2_write_sectors, 8u);
}

TEST(SmMemoryPipeline, AtomicsCompleteWhenTheL2Answers) {
  const GpuConfig c = config_named("v100.ini");
  Rig rig(c);
  const uint64_t l2_hit = uint64_t(c.l1_latency_cycles) + 2 * uint64_t(c.icnt_latency_cycles) + c.l2_latency_cycles;
  auto same_word = [](uint64_t token, isa::Opcode opcode) {
    return make_op(token, opcode, StateSpace::Global, ~0u, [](int) { return 0x7000; }, 4, false, true);
  };
  EXPECT_GE(rig.latency(same_word(1, isa::Opcode::Atom)), l2_hit + c.dram_latency_cycles);  // cold sector
  EXPECT_EQ(rig.latency(same_word(2, isa::Opcode::Atom)), l2_hit);
  // red returns nothing: it completes when its packet leaves, after the L1 pipeline.
  EXPECT_EQ(rig.latency(same_word(3, isa::Opcode::Red)), uint64_t(c.l1_latency_cycles));
  rig.drain();
  EXPECT_EQ(rig.memory.stats().l2_atomics, 3u);
  EXPECT_EQ(rig.pipes[0]->stats().atomic_requests, 3u);
}

TEST(SmMemoryPipeline, UncoalescedAccessOccupiesTheL1Stage) {
  const GpuConfig c = config_named("v100.ini");
  Rig rig(c);
  auto strided = [](uint64_t token) {  // 32 lanes, one sector each in 32 lines
    return make_op(token, isa::Opcode::Ld, StateSpace::Global, ~0u, [](int l) { return 0x200000 + l * 128; });
  };
  rig.latency(strided(1));  // brings the 32 lines into L1
  // 32 sectors x 32 B at 128 B per cycle: the last line is looked up 7 cycles after the first.
  EXPECT_EQ(rig.latency(strided(2)), uint64_t(c.l1_latency_cycles) + 7);
  EXPECT_EQ(rig.pipes[0]->stats().l1_sectors_requested, 64u);
}

// l1.bytes_per_clock below a sector's 32 B: each sector holds the L1 stage 32 / bytes cycles
// (it went through in one cycle whatever the setting; an outside architect's sweep of 128, 8 and
// 1 B/clk gave the same cycles).
TEST(SmMemoryPipeline, NarrowL1MovesASectorOverSeveralCycles) {
  GpuConfig c = config_named("v100.ini");
  c.l1_bytes_per_clock = 16;
  Rig rig(c);
  auto strided = [](uint64_t token) {  // 32 lanes, one sector each in 32 lines
    return make_op(token, isa::Opcode::Ld, StateSpace::Global, ~0u, [](int l) { return 0x200000 + l * 128; });
  };
  rig.latency(strided(1));
  // 32 sectors of 32 B at 16 B per cycle: the last is looked up 31 x 2 cycles after the first.
  EXPECT_EQ(rig.latency(strided(2)), uint64_t(c.l1_latency_cycles) + 62);
}

TEST(SmMemoryPipeline, ConfigureSizesL1FromTheCarveout) {
  // teaching.ini: 32 KiB unified, 4-way, 128-B lines. With a 16 KiB carve-out, L1 holds 128
  // lines; reading 256 distinct lines twice therefore hits nothing the second time (LRU), while
  // with no carve-out all 256 lines stay.
  for (int carveout_kib : {16, 0}) {
    Rig rig(config_named("teaching.ini"));
    rig.pipes[0]->configure(carveout_kib * 1024);
    for (int pass = 0; pass < 2; ++pass)
      for (uint64_t i = 0; i < 256; ++i) rig.latency(one_thread_load(pass * 1000 + i, i * 128));
    EXPECT_EQ(rig.pipes[0]->stats().l1_read_sector_hits, carveout_kib == 16 ? 0u : 256u);
  }
  Rig rig(config_named("teaching.ini"));
  EXPECT_THROW(rig.pipes[0]->configure(32 * 1024), std::invalid_argument);
}

// Every SM streams coalesced 128-B warp loads over its own region, keeping its LG queue full.
double sm_streaming_efficiency(const GpuConfig& c) {
  Rig rig(c, c.num_sms);
  std::vector<uint64_t> next(size_t(c.num_sms), 0);
  const uint64_t warmup = 2000, measured = 6000;
  uint64_t bytes0 = 0, t0 = 0;
  for (uint64_t cycle = 0; cycle < warmup + measured; ++cycle) {
    for (int s = 0; s < c.num_sms; ++s) {
      while (rig.pipes[s]->can_accept(SmMemoryPipeline::Queue::Lg)) {
        const uint64_t base = (uint64_t(s) << 30) + next[s]++ * 128;
        rig.pipes[s]->submit(make_op(next[s], isa::Opcode::Ld, StateSpace::Global, ~0u, [&](int l) { return base + l * 4; }),
                             rig.next_cycle());
      }
    }
    rig.core_cycle();
    rig.completions.clear();
    if (cycle + 1 == warmup) {
      bytes0 = rig.memory.stats().dram_read_bytes;
      t0 = rig.now_ps;
    }
  }
  const double peak_bytes_per_ps =
      c.dram_channels * c.dram_bus_width_bits / 8.0 * c.dram_transfers_per_clock * c.dram_clock_mhz * 1e-6;
  return double(rig.memory.stats().dram_read_bytes - bytes0) / double(rig.now_ps - t0) / peak_bytes_per_ps;
}

TEST(SmMemoryPipeline, ManySmsStreamingSaturateDram) {
  for (const char* name : {"v100.ini", "h100.ini"}) {
    SCOPED_TRACE(name);
    const double e = sm_streaming_efficiency(config_named(name));
    RecordProperty(std::string("dram_efficiency_") + name, std::to_string(e));
    EXPECT_GE(e, 0.85);
    EXPECT_LE(e, 1.001);  // the configured peak, with the picosecond rounding of the clock periods
  }
}

// A mixed, pseudo-random workload on the teaching chip run twice: identical completions.
std::vector<std::tuple<size_t, uint64_t, uint64_t>> mixed_run() {
  Rig rig(config_named("teaching.ini"), 2);
  uint64_t x = 12345;
  auto next_random = [&] { return x = x * 6364136223846793005ull + 1442695040888963407ull; };
  uint64_t token = 0;
  for (int cycle = 0; cycle < 4000; ++cycle) {
    for (int s = 0; s < 2; ++s) {
      const uint64_t r = next_random() >> 33;
      const uint64_t base = (r % 512) * 64;
      WarpMemOp op;
      switch (r % 5) {
        case 0: op = make_op(++token, isa::Opcode::Ld, StateSpace::Global, ~0u, [&](int l) { return base + l * 4; }); break;
        case 1: op = make_op(++token, isa::Opcode::St, StateSpace::Global, ~0u, [&](int l) { return base + l * 8; }, 4, true); break;
        case 2: op = make_op(++token, isa::Opcode::Ld, StateSpace::Shared, ~0u, [&](int l) { return (base + l * (r % 3) * 4) % 16384; }); break;
        case 3: op = make_op(++token, isa::Opcode::Atom, StateSpace::Global, 0xFFu, [&](int l) { return base + l % 2 * 4; }, 4, false, true); break;
        default: op = make_op(++token, isa::Opcode::Ld, StateSpace::Local, ~0u, [&](int) { return r % 64 * 4; }); break;
      }
      if (rig.pipes[s]->can_accept(SmMemoryPipeline::queue_for(op))) rig.pipes[s]->submit(std::move(op), rig.next_cycle());
    }
    rig.core_cycle();
  }
  rig.drain();
  std::vector<std::tuple<size_t, uint64_t, uint64_t>> out;
  for (const auto& d : rig.completions) out.emplace_back(d.sm, d.token, d.cycle);
  out.emplace_back(99, rig.memory.stats().dram_read_bytes, rig.memory.stats().dram_write_bytes);
  return out;
}

TEST(SmMemoryPipeline, Deterministic) {
  const auto a = mixed_run();
  const auto b = mixed_run();
  EXPECT_GT(a.size(), 1000u);
  EXPECT_EQ(a, b);
}

TEST(SmMemoryPipeline, QueueRouting) {
  EXPECT_EQ(SmMemoryPipeline::queue_for(shared_load(1, 4)), SmMemoryPipeline::Queue::Mio);
  EXPECT_EQ(SmMemoryPipeline::queue_for(one_thread_load(1, 0)), SmMemoryPipeline::Queue::Lg);
  WarpMemOp shfl;
  shfl.op = isa::Opcode::Shfl;
  EXPECT_EQ(SmMemoryPipeline::queue_for(shfl), SmMemoryPipeline::Queue::Mio);
  Rig rig(config_named("v100.ini"));
  EXPECT_EQ(rig.latency(shfl), uint64_t(rig.config.shared_latency_cycles));
}

// The same instructions submitted as per-lane records and as one isa::AffineAccess (what
// step_warp writes for a plain ld/st) complete in the same cycles with the same counts.
TEST(SmMemoryPipeline, AffineSummaryPricedAsItsRecords) {
  struct Pattern {
    StateSpace space;
    uint64_t base;
    int64_t stride;
    uint8_t size, elements;
    uint32_t lanes;
    bool write;
    uint8_t row_shift = 5;  // rows of a 2-D block
    int64_t row_stride = 0;
  };
  const Pattern patterns[] = {
      {StateSpace::Shared, 0, 4, 4, 1, ~0u, false},     {StateSpace::Shared, 64, 0, 4, 1, ~0u, false},
      {StateSpace::Shared, 0, 128, 4, 1, ~0u, true},    {StateSpace::Shared, 0, 16, 4, 4, ~0u, false},
      {StateSpace::Shared, 0, 32, 8, 4, 0xFFFFu, false}, {StateSpace::Shared, 256, 8, 4, 2, 0x0F0Fu, true},
      {StateSpace::Shared, 0, 12, 4, 1, ~0u, false},    {StateSpace::Global, 1 << 20, 4, 4, 1, ~0u, false},
      {StateSpace::Global, 1 << 20, 0, 4, 1, ~0u, false}, {StateSpace::Global, 2 << 20, 4096, 4, 1, ~0u, false},
      {StateSpace::Global, 1 << 20, 16, 4, 4, ~0u, true}, {StateSpace::Global, 3 << 20, -8, 8, 1, 0xFF00FF00u, false},
      {StateSpace::Global, 1 << 20, 32, 8, 4, ~0u, false}, {StateSpace::Global, (1 << 20) + 64, 4, 4, 1, ~0u, true},
      {StateSpace::Shared, 0, 0, 4, 1, ~0u, false, 4, 128}, {StateSpace::Shared, 0, 4, 4, 1, ~0u, false, 4, 0},
      {StateSpace::Global, 1 << 20, 4, 4, 1, ~0u, false, 4, 1024}, {StateSpace::Global, 1 << 20, 8, 8, 1, ~0u, true, 2, 0},
  };
  for (const char* config : {"v100.ini", "h100.ini"}) {
    const GpuConfig c = config_named(config);
    Rig by_records(c), by_summary(c);
    uint64_t token = 1;
    for (int round = 0; round < 2; ++round) {  // the second round hits the lines the first brought in
      for (const Pattern& p : patterns) {
        isa::AffineAccess a;
        a.base = p.base, a.stride = p.stride, a.lanes = p.lanes, a.space = p.space;
        a.elem_size = p.size, a.elements = p.elements, a.write = p.write;
        a.row_shift = p.row_shift, a.row_stride = p.row_stride;
        WarpMemOp records;
        records.token = token;
        records.op = isa::Opcode::Ld;
        records.load = !p.write, records.store = p.write;
        records.active_lanes = p.lanes;
        WarpMemOp summary = records;
        a.append_records(records.accesses);
        summary.affine = a;
        EXPECT_EQ(SmMemoryPipeline::queue_for(records), SmMemoryPipeline::queue_for(summary));
        EXPECT_EQ(by_records.latency(records), by_summary.latency(summary)) << config << " pattern " << token;
        ++token;
      }
    }
    by_records.drain();
    by_summary.drain();
    const SmMemStats& x = by_records.pipes[0]->stats();
    const SmMemStats& y = by_summary.pipes[0]->stats();
    EXPECT_EQ(x.shared_requests, y.shared_requests);
    EXPECT_EQ(x.shared_wavefronts, y.shared_wavefronts);
    EXPECT_EQ(x.global_load_requests, y.global_load_requests);
    EXPECT_EQ(x.global_store_requests, y.global_store_requests);
    EXPECT_EQ(x.l1_sectors_requested, y.l1_sectors_requested);
    EXPECT_EQ(x.l1_read_sector_hits, y.l1_read_sector_hits);
    EXPECT_EQ(x.l1_read_sector_misses, y.l1_read_sector_misses);
    EXPECT_EQ(by_records.memory.stats().dram_read_bytes, by_summary.memory.stats().dram_read_bytes);
    EXPECT_GT(x.shared_wavefronts, x.shared_requests);  // the patterns include conflicts
  }
}

}  // namespace
}  // namespace gpusim::sim
