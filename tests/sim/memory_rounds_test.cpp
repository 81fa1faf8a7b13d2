// The memory side's parallel paths against its serial one, on random traffic: the answers (core
// cycle, SM, request, in order) and the statistics must be the same.
//  - Deferred DRAM edges (MemoryPartitions::defer_dram): edges recorded and run later by channel
//    groups in any order, against every edge ticked when it falls (tick_dram).
//  - L2 rounds (begin_l2_round / run_l2_group / end_l2_round): the SMs' staged packets and the
//    coincident L2 edge done by groups of slices in any order, against accept per SM in SM order
//    and tick_l2 (docs/ARCHITECTURE.md, "Staged commit").
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/memory_partitions.h"

namespace gpusim::sim {
namespace {

GpuConfig config_named(const std::string& name) {
  return load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name);
}

// How the DRAM edges are handled: ticked at once, or recorded and run by `groups` channel
// groups (in reverse group order, to show the order of the groups does not matter) at every
// `run_every`-th core edge; the other core edges leave them to the next L2 edge, which settles.
struct Deferral {
  bool defer = false;
  size_t groups = 1;
  int run_every = 1;
  size_t l2_groups = 0;  // > 0: hand-off and coincident L2 edges in rounds of that many groups
};

struct Answer {
  uint64_t cycle;
  int sm;
  uint64_t id;
  bool operator==(const Answer& o) const { return std::tie(cycle, sm, id) == std::tie(o.cycle, o.sm, o.id); }
};

struct Outcome {
  std::vector<Answer> answers;
  MemoryStats stats;
};

// Random reads and write-backs over `span` bytes (16 MiB: far more than the L2 holds, so most go to DRAM) from
// `sms` SMs for `cycles` core cycles, then drained; the same seed gives the same traffic.
Outcome drive(const GpuConfig& c, const Deferral& how, int sms, int cycles, uint64_t seed, uint64_t span = 16u << 20) {
  MemoryPartitions m(c, nullptr);
  std::mt19937_64 rng(seed);
  const uint64_t line = uint64_t(c.l2_line_bytes), lines = span / line;
  const auto period = [](int mhz) { return uint64_t(1e6 / mhz + 0.5); };
  const uint64_t core_ps = period(c.core_clock_mhz), l2_ps = period(c.l2_clock_mhz), dram_ps = period(c.dram_clock_mhz);
  uint64_t next_core = 0, next_l2 = 0, next_dram = 0, cycle = 0, id = 0;
  Outcome out;
  std::vector<MemPacket> waiting(static_cast<size_t>(sms));  // each SM's refused packet, retried
  std::vector<bool> has_waiting(size_t(sms), false);
  std::vector<MemoryPartitions::Staged> staged(static_cast<size_t>(sms));
  std::vector<const MemoryPartitions::Staged*> staged_ptrs;
  for (const auto& st : staged) staged_ptrs.push_back(&st);
  for (int guard = 0; guard < 2000000; ++guard) {
    const uint64_t t = std::min({next_core, next_l2, next_dram});
    if (next_core == t) {
      if (how.defer && m.has_deferred_dram() && cycle % uint64_t(how.run_every) == 0) {
        for (size_t g = how.groups; g-- > 0;) m.run_deferred_dram(g, how.groups);
        m.merge_deferred_dram();
      }
      for (int s = 0; s < sms; ++s) {
        MemPacket r;
        while (m.pop_response(s, t, &r)) out.answers.push_back({cycle, s, r.id});
        if (!has_waiting[size_t(s)] && cycle < uint64_t(cycles)) {
          const bool write = rng() % 4 == 0;
          const uint64_t address = (rng() % lines) * line;
          waiting[size_t(s)] = write ? MemPacket{id, s, MemPacket::Kind::Write, address, 0xF, 128, 0, {}}
                                     : MemPacket{id, s, MemPacket::Kind::Read, address, uint32_t(1 + rng() % 15), 0, 0, {}};
          ++id;
          has_waiting[size_t(s)] = true;
        }
        MemoryPartitions::Staged& st = staged[size_t(s)];
        st.forget_handed_off();  // as every SM does at the start of its tick
        if (!has_waiting[size_t(s)]) continue;
        if (how.l2_groups == 0) {
          if (m.push_request(waiting[size_t(s)], t)) has_waiting[size_t(s)] = false;
        } else if (m.inject(waiting[size_t(s)], t, st)) {
          has_waiting[size_t(s)] = false;
        }
      }
      if (how.l2_groups > 0) {
        // The staged commit's round: every SM's buffer (some empty), and the L2 edge if it falls now.
        const bool l2_edge = next_l2 == t;
        m.begin_l2_round(t, staged_ptrs.data(), staged_ptrs.size(), l2_edge, how.l2_groups);
        for (size_t g = how.l2_groups; g-- > 0;) m.run_l2_group(g);
        m.end_l2_round();
        for (auto& st : staged) st.handed_off = true;
        if (l2_edge) next_l2 += l2_ps;
      }
      ++cycle;
      next_core += core_ps;
    }
    if (next_l2 == t) {
      m.tick_l2(t);
      next_l2 += l2_ps;
    }
    if (next_dram == t) {
      if (how.defer) m.defer_dram(t);
      else m.tick_dram(t);
      next_dram += dram_ps;
    }
    if (cycle > uint64_t(cycles) && m.idle()) break;
  }
  EXPECT_TRUE(m.idle()) << "the traffic did not drain";
  EXPECT_FALSE(m.has_deferred_dram()) << "idle() settles what is deferred";
  out.stats = m.stats();
  return out;
}

void expect_same(const Outcome& reference, const Outcome& got, const std::string& what) {
  ASSERT_EQ(reference.answers.size(), got.answers.size()) << what;
  for (size_t i = 0; i < reference.answers.size(); ++i)
    ASSERT_TRUE(reference.answers[i] == got.answers[i])
        << what << ": answer " << i << " was request " << got.answers[i].id << " of SM " << got.answers[i].sm
        << " at cycle " << got.answers[i].cycle << ", ticked at once it is request " << reference.answers[i].id
        << " of SM " << reference.answers[i].sm << " at cycle " << reference.answers[i].cycle;
  const MemoryStats &a = reference.stats, &b = got.stats;
  EXPECT_EQ(a.dram_read_bytes, b.dram_read_bytes) << what;
  EXPECT_EQ(a.dram_write_bytes, b.dram_write_bytes) << what;
  EXPECT_EQ(a.dram_row_hits, b.dram_row_hits) << what;
  EXPECT_EQ(a.dram_row_misses, b.dram_row_misses) << what;
  EXPECT_EQ(a.dram_row_conflicts, b.dram_row_conflicts) << what;
  EXPECT_EQ(a.dram_refreshes, b.dram_refreshes) << what;
  EXPECT_EQ(a.dram_turnarounds, b.dram_turnarounds) << what;
  EXPECT_EQ(a.l2_read_sector_hits, b.l2_read_sector_hits) << what;
  EXPECT_EQ(a.l2_read_sector_misses, b.l2_read_sector_misses) << what;
}

TEST(DeferredDram, SameAnswersAsTickingEveryEdgeAtOnce) {
  // v100.ini: DRAM at 877 MHz, core and L2 at 1245 (at most one DRAM edge between core edges).
  const GpuConfig c = config_named("v100.ini");
  const Outcome reference = drive(c, {}, 24, 1500, 7);
  ASSERT_GT(reference.stats.dram_read_bytes, 100000u) << "the traffic must reach DRAM";
  for (size_t groups : {1, 2, 3, 5})
    expect_same(reference, drive(c, {true, groups, 1}, 24, 1500, 7), "v100, " + std::to_string(groups) + " groups");
}

TEST(DeferredDram, SeveralEdgesRecordedBeforeTheyRun) {
  // DRAM four times as fast as the core and L2 (h100.ini has 2619 against 1980 MHz), and edges
  // run only at every third core edge or when an L2 edge settles them: channels then tick through
  // several recorded edges, some going idle after the first of them.
  GpuConfig c = config_named("h100.ini");
  c.dram_clock_mhz = 4 * c.core_clock_mhz;
  c.l2_clock_mhz = c.core_clock_mhz / 3;
  const Outcome reference = drive(c, {}, 12, 1200, 11);
  ASSERT_GT(reference.stats.dram_read_bytes, 100000u);
  for (size_t groups : {1, 2, 4})
    for (int every : {1, 3})
      expect_same(reference, drive(c, {true, groups, every}, 12, 1200, 11),
                  "4x DRAM clock, " + std::to_string(groups) + " groups, run every " + std::to_string(every) + " core edges");
}

TEST(L2Rounds, SameAnswersAsAcceptingSmBySmThenTickingTheL2) {
  // v100.ini: the L2 on the core clock, so every round has an L2 edge; with the DRAM edges also
  // deferred, as the staged commit runs them.
  const GpuConfig c = config_named("v100.ini");
  const Outcome reference = drive(c, {}, 24, 1500, 5);
  ASSERT_GT(reference.stats.l2_read_sector_hits, 1000u) << "the traffic must hit in the L2 too";
  for (size_t groups : {1, 2, 3, 7}) {
    expect_same(reference, drive(c, {false, 1, 1, groups}, 24, 1500, 5), "v100, " + std::to_string(groups) + " slice groups");
    expect_same(reference, drive(c, {true, 2, 1, groups}, 24, 1500, 5),
                "v100, " + std::to_string(groups) + " slice groups, DRAM deferred");
  }
}

TEST(L2Rounds, HandOffsWithoutAnL2EdgeKeepTheirOrder) {
  // The L2 at a third of the core clock: most rounds only hand packets off, and the slices become
  // active over several rounds before an edge ticks them (their order then spans rounds).
  GpuConfig c = config_named("v100.ini");
  c.l2_clock_mhz = c.core_clock_mhz / 3;
  const Outcome reference = drive(c, {}, 16, 1200, 13);
  for (size_t groups : {2, 5})
    expect_same(reference, drive(c, {false, 1, 1, groups}, 16, 1200, 13), "slow L2, " + std::to_string(groups) + " groups");
}

TEST(L2Rounds, ParkedRequestsComeBackInFillOrder) {
  // l2.merge_limit_blocks = 0: reads over a line's merge limit are parked and re-queued by the
  // fill of their line, which activates their slice after the round's hand-offs; 24 SMs reading
  // 256 KiB make that frequent (two groups' slices then compete in the merged order).
  GpuConfig c = config_named("v100.ini");
  c.l2_merge_limit_blocks = 0;
  const Outcome reference = drive(c, {}, 24, 1500, 17, 256u << 10);
  ASSERT_GT(reference.stats.l2_queue.merge_limit_stalls, 100u) << "the traffic must park requests";
  for (size_t groups : {2, 3})
    expect_same(reference, drive(c, {true, 2, 1, groups}, 24, 1500, 17, 256u << 10),
                "parked requests, " + std::to_string(groups) + " groups");
}

}  // namespace
}  // namespace gpusim::sim
