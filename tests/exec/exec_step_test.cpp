// `gpusim exec --step KERNEL[:N]`: the stepper inside an unmodified CUDA program, commands from a
// script, output on stderr. vector_add (tests/cuda_programs) launches 40 CTAs of 256 threads; on
// configs/teaching.ini an SM holds 2 of them (16 warp slots). The dispatcher gives each SM one CTA
// per cycle, round-robin from SM 0: CTA 0 reaches SM 0 in cycle 0 and CTA 2 in cycle 1, so in
// cycle 2 (after the 2-cycle fetch bubble) CTA 0's warps issue while CTA 2's still wait for
// their first instruction.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

TEST(ExecStep, StepsALaunchInsideAProgram) {
  const std::filesystem::path script = std::filesystem::path(testing::TempDir()) / "gpusim_exec_step_script.txt";
  std::ofstream(script) << "continue cycle 2\nprint stack w8\ncontinue\n";
  const std::string program = std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add";
  const std::string config = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  // --script, the name `gpusim step` gives it, works here too (a tutorial reader's first try);
  // the next test uses --step-script.
  const Outcome o = run_gpusim("exec --config '" + config + "' --step vector_add --script '" + script.string() +
                               "' -- '" + program + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "vector_add of 10000 elements: OK")) << o.output;
  EXPECT_TRUE(contains(o.output, "stepping kernel _Z10vector_addPKfS0_Pfi: grid 40,1,1, block 256,1,1")) << o.output;
  EXPECT_TRUE(contains(o.output, "cycle 2  SM 0: 2 CTAs resident")) << o.output;
  EXPECT_TRUE(contains(o.output, "sub-core 0 [lrr]: issued w0 pc 0 mask 0xffffffff")) << o.output;
  EXPECT_TRUE(contains(o.output, "w8   cta (2,0,0) warp 0  pc 0  mask 0xffffffff  stalled:no_instruction")) << o.output;
  EXPECT_TRUE(contains(o.output, "(gpusim step) print stack w8\nframe 0 _Z10vector_addPKfS0_Pfi (1 entry, top last)\n"
                                 "  pc    0  rpc exit  mask 0xffffffff\n"))
      << o.output;
  EXPECT_TRUE(contains(o.output, "launch finished")) << o.output;

  const Outcome functional = run_gpusim("exec --mode functional --step vector_add -- '" + program + "'");
  EXPECT_EQ(functional.exit_code, 2) << functional.output;
  EXPECT_TRUE(contains(functional.output, "--step runs the timing model")) << functional.output;
}

// Any name a kernel goes by selects it (warp_intrinsics.cu launches reduce_volatile<256u>); a name
// that matches no launch says so at exit, and an unreadable script is a usage error.
TEST(ExecStep, KernelNamesAndLaunchesThatNeverRan) {
  const std::filesystem::path script = std::filesystem::path(testing::TempDir()) / "gpusim_exec_step_names.txt";
  std::ofstream(script) << "continue\n";
  const std::string program = std::string(GPUSIM_CUDA_PROGRAMS) + "/warp_intrinsics";
  const std::string config = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  auto step = [&](const std::string& kernel, const std::string& script_path) {
    return run_gpusim("exec --config '" + config + "' --step '" + kernel + "' --step-script '" + script_path + "' -- '" +
                      program + "'");
  };
  for (const char* name : {"reduce_volatile<256u>", "void reduce_volatile<256u>(int const*, int*)", "reduce_volatile"}) {
    const Outcome o = step(name, script.string());
    EXPECT_EQ(o.exit_code, 0) << name << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "stepping kernel _Z15reduce_volatileILj256EEvPKiPi")) << name << "\n" << o.output;
  }
  const Outcome missing = step("reduce_volatile:3", script.string());
  EXPECT_EQ(missing.exit_code, 0) << missing.output;
  EXPECT_TRUE(contains(missing.output, "gpusim: --step: launch 3 of kernel 'reduce_volatile' never ran")) << missing.output;
  const Outcome unreadable = step("reduce_volatile", script.string() + ".missing");
  EXPECT_EQ(unreadable.exit_code, 2) << unreadable.output;
  EXPECT_TRUE(contains(unreadable.output, "--step-script '" + script.string() + ".missing': cannot be read")) << unreadable.output;
}

// A stepped program's later launches start where the SystemC driver would start them (at the
// last clock edge of the launch before, not the next one), so they end in the same cycles as
// unstepped: classic_kernels' twelve launches on configs/v100.ini (DRAM refresh on, so a shifted
// start moves refreshes) differed by 2-102 cycles from the fourth launch on.
TEST(ExecStep, EveryLaunchOfASteppedProgramTakesTheUnsteppedCycles) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_step_cycles";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "quit.txt") << "quit\n";
  const std::string program = "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/classic_kernels'";
  const std::string config = "--config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini'";
  auto cycles = [&](const std::string& options, const std::string& stats) {
    const Outcome o = run_gpusim("exec --quiet " + config + " " + options + " --stats '" + (dir / stats).string() + "' -- " + program);
    EXPECT_EQ(o.exit_code, 0) << o.output;
    std::ifstream in(dir / stats);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<uint64_t> out;
    const nlohmann::json doc = nlohmann::json::parse(text.str());
    for (const nlohmann::json& l : doc.at("launches")) out.push_back(l.at("timing").at("cycles").get<uint64_t>());
    return out;
  };
  const std::vector<uint64_t> plain = cycles("--mode timing", "plain.json");
  const std::vector<uint64_t> stepped =
      cycles("--step bitonic_sort --step-script '" + (dir / "quit.txt").string() + "'", "stepped.json");
  ASSERT_GE(plain.size(), 8u);
  EXPECT_EQ(stepped, plain);
}

}  // namespace
