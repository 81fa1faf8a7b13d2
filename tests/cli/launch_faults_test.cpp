// A user's kernel that faults, through `gpusim launch`: each kind (out of bounds, misaligned,
// trap, runaway loop, divergent barrier) gives the simulator's fault report and exit status 1 in
// both modes, never a host crash or hang (the runaway loop: the budget, or in timing mode the proof
// that it is endless).
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

const std::string kFaults = std::string(GPUSIM_FIXTURES) + "/launch_faults.ptx";

TEST(LaunchFaults, EveryKindIsAReportAndExit1) {
  struct Case {
    int kind;
    const char* report;
  } cases[] = {{0, "out-of-bounds global store"},
               {1, "misaligned"},
               {2, "trap"},
               {3, "probably never terminates"},
               {4, "barrier"}};
  for (const char* mode : {"functional", "timing"})
    for (const Case& c : cases) {
      const Outcome o = run_gpusim("launch " + kFaults + " --grid 1 --block 64 --max-warp-instructions 100000 --mode " + mode +
                                   " --arg s32:" + std::to_string(c.kind) + " --arg zeros:s32:256 --arg zeros:s32:1");
      EXPECT_EQ(o.exit_code, 1) << mode << " kind " << c.kind << "\n" << o.output;
      EXPECT_TRUE(contains(o.output, "kernel fault")) << o.output;
      // The runaway is a spin on a flag nothing sets: in functional mode the budget (100,000) ends
      // it before the endless-loop watch starts (2^24), and the report suggests a larger budget; in
      // timing mode the watch (from 65,536 cycles) proves it endless first, and suggests nothing.
      const bool proven = c.kind == 3 && std::string(mode) == "timing";
      EXPECT_TRUE(contains(o.output, proven ? "can never finish" : c.report)) << mode << " kind " << c.kind << "\n"
                                                                              << o.output;
      EXPECT_EQ(contains(o.output, "raise the budget with --max-warp-instructions"), c.kind == 3 && !proven)
          << mode << " kind " << c.kind << "\n" << o.output;
    }
}

// --stats with a faulting launch: nothing to write, and said so (an outside tester found the file
// silently missing); a file already there is left as it was.
TEST(LaunchFaults, StatsOfAFaultedLaunchAreSaidNotToBeWritten) {
  const std::string stats = testing::TempDir() + "/faulted_launch_stats.json";
  const Outcome o = run_gpusim("launch " + kFaults + " --grid 1 --block 64 --mode functional --stats " + stats +
                               " --arg s32:2 --arg zeros:s32:256 --arg zeros:s32:1");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "--stats " + stats + " not written: the launch faulted")) << o.output;
}

// A launch refused for its resources writes nothing either, and says so: a --stats file from an
// earlier run, left as it was, would be read as this one's (an outside architect's loop over
// configurations did). Also `gpusim run`.
TEST(LaunchFaults, StatsOfARefusedLaunchAreSaidNotToBeWritten) {
  const std::string stats = testing::TempDir() + "/refused_launch_stats.json";
  const Outcome o = run_gpusim("launch " + kFaults + " --grid 1 --block 64 --mode functional --shared 10000000 --stats " +
                               stats + " --arg s32:0 --arg zeros:s32:256 --arg zeros:s32:1");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "exceed the per-block limit")) << o.output;
  EXPECT_TRUE(contains(o.output, "--stats " + stats + " not written: the launch did not run")) << o.output;
  const Outcome run = run_gpusim("run vecadd --size 4096 --set sm.max_threads_per_block=128 --stats " + stats);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output, "--stats " + stats + " not written: the launch did not run")) << run.output;
}

}  // namespace

namespace {

// An endless loop whose if reconverges before a barrier every thread reaches (isa/cfg.cpp): the
// report says the kernel never ends (proven, or at the warp-instruction budget), not that a divergent warp reached the barrier (what both said while the if
// reconverged only at the function's end).
TEST(LaunchFaults, AnEndlessLoopAroundABarrierIsReportedAsEndless) {
  const std::string ptx = std::string(GPUSIM_FIXTURES) + "/endless_loop_barrier.ptx";
  for (const char* mode : {"functional", "timing"}) {
    const gpusim::test_support::Outcome o = gpusim::test_support::run_gpusim(
        "launch " + ptx + " --kernel endless --grid 1 --block 64 --arg zeros:u32:4 --max-warp-instructions 200000 --mode " +
        mode);
    EXPECT_EQ(o.exit_code, 1) << o.output;
    // "can never finish" (proven) or "probably never terminates" (the budget, 200,000 here).
    EXPECT_NE(o.output.find("never"), std::string::npos) << mode << "\n" << o.output;
    EXPECT_EQ(o.output.find("divergent"), std::string::npos) << mode << "\n" << o.output;
  }
}

}  // namespace
