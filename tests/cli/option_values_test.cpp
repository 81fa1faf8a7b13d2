// Command-line values that used to be accepted silently (gpusim issue 10, item 6).
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"

namespace {

using namespace gpusim::test_support;

// `--source-report 0` leaves 0 as a second workload name (an optional value needs '='): the error
// says so instead of only counting workloads.
TEST(OptionValues, OptionalValueWithoutEqualsIsExplained) {
  const Outcome o = run_gpusim("run vecadd --size 4096 --source-report 3");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_TRUE(contains(o.output, "one workload at a time (got 2: vecadd, 3); '3' is no workload: an option with an "
                                 "optional value takes it after '=' (--source-report=3)"))
      << o.output;
}

// The same under exec, where the word after the options is the program: an outside user's
// `--source-report 3 -- ./prog` read "program '3' not found on PATH".
TEST(OptionValues, ExecOptionalValueWithoutEqualsIsNotTheProgram) {
  const Outcome o = run_gpusim("exec --mode timing --source-report 3 -- /bin/true");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_TRUE(contains(o.output, "'3' is no program: an option with an optional value takes it after '=' "
                                 "(--source-report=3)"))
      << o.output;
}

// Values that depend on the configuration, and empty output names, are usage errors (exit 2) found
// before anything runs: they were "device error in KERNEL" (exit 1) after the launch's header, or,
// for an empty --stats, after the whole simulation (an outside student's and tester's reports).
TEST(OptionValues, ConfigDependentValuesAreUsageErrorsBeforeTheRun) {
  const std::string teaching = " --config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini'";
  const struct {
    std::string options, message;
  } cases[] = {
      {"--trace t.json --trace-sms 5", "--trace-sms '5': SM range '5' is outside 0..1"},
      {"--trace t.json --trace-cycles 500:100", "the window is empty"},
      {"--vcd v.vcd --vcd-sm 4000", "--vcd-sm 4000: the configuration has SMs 0..1"},
      {"--set sm.cnt=4", "unknown key 'sm.cnt'"},
      {"--set sm.count=abc", "'abc'"},
      {"--stats ''", "--stats needs a file name"},
      {"--trace ''", "--trace needs a file name"},
  };
  for (const auto& c : cases) {
    const Outcome o = run_gpusim("run vecadd --size 1024 --mode timing" + teaching + " " + c.options);
    EXPECT_EQ(o.exit_code, 2) << c.options << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, c.message)) << c.options << "\n" << o.output;
    EXPECT_FALSE(contains(o.output, "device error")) << c.options << "\n" << o.output;
    EXPECT_FALSE(contains(o.output, "launch vecadd")) << "nothing ran: " << c.options << "\n" << o.output;
  }
}

TEST(OptionValues, NegativeSeedIsRefused) {
  // Boost wrapped "-1" to 18446744073709551615 and ran with it.
  const Outcome o = run_gpusim("run vecadd --size 64 --mode functional --seed -1");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "seed")) << o.output;
  EXPECT_TRUE(contains(o.output, "-1")) << o.output;
}

TEST(OptionValues, ConfigNamingADirectoryFails) {
  const auto dir = scratch_dir("config_dir");
  const Outcome o = run_gpusim("info --config '" + dir.string() + "'");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "is a directory")) << o.output;
}

// A bad configuration is the configuration's fault: named by file and line, not as a "device error
// in sgemm_tiled" (nor in the kernel of gpusim launch).
TEST(OptionValues, ConfigErrorsDoNotBlameTheWorkload) {
  const auto dir = scratch_dir("config_blame");
  const std::string ini = write_file(dir / "huge.ini", "[sm]\ncount = 1000000000000\n");
  const Outcome o = run_gpusim("run vecadd --size 64 --mode functional --config '" + ini + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim run: GPU config " + ini + ":2: ")) << o.output;
  EXPECT_TRUE(contains(o.output, "expected a whole number up to 2147483647")) << o.output;
  EXPECT_FALSE(contains(o.output, "device error")) << o.output;
}

TEST(OptionValues, HugeCarveoutFailsCleanly) {
  const Outcome o = run_gpusim("info --set shared.carveouts_kib=0,3000000");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "implausibly large")) << o.output;
}

TEST(OptionValues, PlaceholderSpelledInAValueIsQuotedAsTyped) {
  // Boost formats "the argument ('%value%') ..." by replacing the token until none is left; a
  // value spelling the token grew the message forever (found by fuzzing the INI reader in CI).
  for (const char* command : {"run vecadd --mode functional --seed '%value%'",
                              "run vecadd --mode functional --seed '%value%%option%'",
                              "info --set 'sm.count=%value%'"}) {
    const Outcome o = run_gpusim(command);
    EXPECT_NE(o.exit_code, 0) << command << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "'%value%")) << command << "\n" << o.output;
  }
}

TEST(OptionValues, TrainThreadsAreCheckedAndOnlyForTheSimulator) {
  Outcome o = run_gpusim("train --backend sim --threads 0");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--threads")) << o.output;
  o = run_gpusim("train --backend cpu --threads 2");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "use it with --backend sim")) << o.output;
}

}  // namespace
