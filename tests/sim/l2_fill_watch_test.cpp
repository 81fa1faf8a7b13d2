// The wave sampler's view of the L2 filling up (sim/l2_fill_watch.h), on line counts whose
// course is known: a streaming grid that fills the L2 part-way, one whose data fits, an L2 full
// from the start, a kernel that allocates nothing, and sets that conflict before the L2 is full.
#include <gtest/gtest.h>

#include "sim/l2_fill_watch.h"

namespace gpusim::sim {
namespace {

// Streams `per_wave` new lines a wave into an L2 of `capacity` lines that starts with `valid`:
// empty ways first, then every new line evicts one.
struct Stream {
  L2LineCounts lines;
  uint64_t per_wave;
  L2LineCounts next() {
    const uint64_t room = lines.capacity - lines.valid;
    const uint64_t fill = per_wave < room ? per_wave : room;
    lines.valid += fill;
    lines.evictions += per_wave - fill;
    return lines;
  }
};

TEST(L2FillWatch, StreamingGridFillsItPartWay) {
  // 100 lines a wave into 1,000: full during wave 10 (index 9), every line evicts from wave 11.
  Stream s{{0, 1000, 0}, 100};
  L2FillWatch w;
  w.start(s.lines, 120);
  for (int k = 0; k < 9; ++k) {
    w.on_wave_end(s.next());
    EXPECT_TRUE(w.filling()) << "wave end " << k;
    EXPECT_FALSE(w.turned_over());
    EXPECT_NEAR(w.projected_full_wave(), 10.0, 1e-9);
  }
  w.on_wave_end(s.next());  // index 9: the last empty ways taken, nothing evicted yet
  EXPECT_FALSE(w.turned_over());
  EXPECT_DOUBLE_EQ(w.occupancy(), 1.0);
  w.on_wave_end(s.next());  // index 10: all 100 new lines evicted one
  EXPECT_TRUE(w.turned_over());
  EXPECT_FALSE(w.filling());
  EXPECT_EQ(w.turned_over_at(), 10u);
  w.on_wave_end(s.next());
  EXPECT_EQ(w.turned_over_at(), 10u) << "the first wave it turned over in stays the answer";
}

TEST(L2FillWatch, GridWhoseDataFitsIsNotFilling) {
  // 100 lines a wave into 1,000, but only 8 waves: it never fills, so nothing holds the sampler.
  Stream s{{0, 1000, 0}, 100};
  L2FillWatch w;
  w.start(s.lines, 8);
  for (int k = 0; k < 8; ++k) {
    w.on_wave_end(s.next());
    EXPECT_FALSE(w.filling()) << "wave end " << k;
    EXPECT_FALSE(w.turned_over());
  }
  EXPECT_DOUBLE_EQ(w.occupancy(), 0.8);
}

TEST(L2FillWatch, LinesLeftByAnEarlierKernelCount) {
  // Full from the start (an earlier launch's lines): the first wave already evicts.
  Stream full{{1000, 1000, 5000}, 100};
  L2FillWatch w;
  w.start(full.lines, 120);
  w.on_wave_end(full.next());
  EXPECT_TRUE(w.turned_over());
  EXPECT_EQ(w.turned_over_at(), 0u);
  // Half full: fills in 5 waves, not 10.
  Stream half{{500, 1000, 0}, 100};
  L2FillWatch h;
  h.start(half.lines, 120);
  h.on_wave_end(half.next());
  EXPECT_TRUE(h.filling());
  EXPECT_NEAR(h.projected_full_wave(), 5.0, 1e-9);
}

TEST(L2FillWatch, NoNewLinesNeverHoldsTheSampler) {
  Stream s{{300, 1000, 0}, 0};
  L2FillWatch w;
  w.start(s.lines, 120);
  for (int k = 0; k < 5; ++k) w.on_wave_end(s.next());
  EXPECT_FALSE(w.filling());
  EXPECT_FALSE(w.turned_over());
}

TEST(L2FillWatch, ConflictingSetsBeforeItIsFullDoNotCountAsTurnedOver) {
  // 100 new lines a wave of which 40 already evict (a few hot sets): still filling at 60 a wave.
  L2LineCounts c{0, 1000, 0};
  L2FillWatch w;
  w.start(c, 120);
  for (int k = 0; k < 5; ++k) {
    c.valid += 60, c.evictions += 40;
    w.on_wave_end(c);
  }
  EXPECT_FALSE(w.turned_over());
  EXPECT_TRUE(w.filling());
  EXPECT_NEAR(w.projected_full_wave(), 5.0 + 700.0 / 60.0, 1e-9);
  // Then the L2 is full: 95 of 100 evict (>= 90 %).
  c.valid += 5, c.evictions += 95;
  w.on_wave_end(c);
  EXPECT_TRUE(w.turned_over());
  EXPECT_EQ(w.turned_over_at(), 5u);
}

// The sampler warmed the L2 with 6 waves it skipped (sim/l2_warming.h): those lines do not raise
// the rate per detailed wave, the projection counts detailed waves, and the turn-over is still seen.
TEST(L2FillWatch, WarmedLinesDoNotCountAsDetailedWaves) {
  Stream s{{0, 1000, 0}, 100};
  L2FillWatch w;
  w.start(s.lines, 120);
  for (int k = 0; k < 2; ++k) w.on_wave_end(s.next());
  EXPECT_NEAR(w.lines_per_wave(), 100.0, 1e-9);
  EXPECT_EQ(w.room(), 800u);
  for (int k = 0; k < 6; ++k) s.next();  // warmed: 600 lines without a wave end
  w.after_warming(s.lines, 114);
  EXPECT_NEAR(w.lines_per_wave(), 100.0, 1e-9) << "warmed lines are not a detailed wave's";
  EXPECT_EQ(w.room(), 200u);
  w.on_wave_end(s.next());
  EXPECT_TRUE(w.filling());
  EXPECT_NEAR(w.projected_full_wave(), 4.0, 1e-9);  // 3 detailed waves, then 100 lines of room
  w.on_wave_end(s.next());  // takes the last empty ways
  EXPECT_FALSE(w.turned_over());
  w.on_wave_end(s.next());
  EXPECT_TRUE(w.turned_over());
  EXPECT_EQ(w.turned_over_at(), 4u);
}

}  // namespace
}  // namespace gpusim::sim
