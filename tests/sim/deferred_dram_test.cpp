// Deferred DRAM edges (MemoryPartitions::defer_dram, docs/ARCHITECTURE.md "Staged commit"): the
// memory side driven with edges recorded and run later, by channel groups in any order, must
// answer every request at the same core cycle, in the same order, with the same statistics as
// the same traffic with every DRAM edge ticked when it falls (tick_dram, the reference).
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

// Random reads and write-backs over 16 MiB (far more than the L2 holds, so most go to DRAM) from
// `sms` SMs for `cycles` core cycles, then drained; the same seed gives the same traffic.
Outcome drive(const GpuConfig& c, const Deferral& how, int sms, int cycles, uint64_t seed) {
  MemoryPartitions m(c, nullptr);
  std::mt19937_64 rng(seed);
  const uint64_t line = uint64_t(c.l2_line_bytes), lines = (16u << 20) / line;
  const auto period = [](int mhz) { return uint64_t(1e6 / mhz + 0.5); };
  const uint64_t core_ps = period(c.core_clock_mhz), l2_ps = period(c.l2_clock_mhz), dram_ps = period(c.dram_clock_mhz);
  uint64_t next_core = 0, next_l2 = 0, next_dram = 0, cycle = 0, id = 0;
  Outcome out;
  std::vector<MemPacket> waiting(static_cast<size_t>(sms));  // each SM's refused packet, retried
  std::vector<bool> has_waiting(size_t(sms), false);
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
        if (has_waiting[size_t(s)] && m.push_request(waiting[size_t(s)], t)) has_waiting[size_t(s)] = false;
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

}  // namespace
}  // namespace gpusim::sim
