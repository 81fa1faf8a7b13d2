// A scripted `gpusim step` session on configs/teaching.ini, with the cycles derived by hand.
//
// teaching.ini: 4 sub-cores per SM, 16 INT lanes per sub-core (an integer instruction keeps the
// INT pipe 2 cycles), integer latency 4 cycles, the branch pipe as wide as INT (2 cycles), 8
// LD/ST lanes per sub-core (a memory instruction keeps the MEM pipe 4 cycles), lrr scheduling.
// A warp starts after the 2-cycle fetch bubble (sim/instruction_timing.h kFetchBubbleCycles) and
// pays it again after every redirect of its PC (taken branch, reconvergence).
//
// stepper_demo, one CTA of 64 threads = warps w0 (sub-core 0) and w1 (sub-core 1), PCs as in the
// fixture's comments. Timeline of w0 (w1 is the same until pc 12):
//   CTA placed in cycle 0; fetch ready at 0 + 2.
//   c2  pc0 mov %r1          -> %r1 readable at 6        c3..5 stalled:wait on %r1 (3 cycles left at c3)
//   c6  pc1 and %r2 <- %r1   -> %r2 at 10
//   c10 pc2 setp %p1 <- %r2  -> %p1 at 14
//   c14 pc3 @%p1 bra EVEN: divergent. Stack: [pc 7 rpc exit all], [pc 4 rpc 7 odd lanes],
//       [pc 6 rpc 7 even lanes] (top). Redirected: fetch ready at 14 + 1 + 2 = 17.
//   c17 pc6 add %r3 (even lanes 0x55555555) -> %r3 at 21; reaches pc 7 = its rpc, pops: the odd
//       path (pc 4) runs next, another redirect: fetch ready at 20.
//   c20 pc4 writes %r3 again: the WAW wait on %r3 (1 cycle left)   c21 pc4 issues, mask 0xaaaaaaaa
//   c22 pc5 bra.uni JOIN (branch pipe) -> pops to [pc 7, all lanes]; fetch ready at 25.
//   c25 pc7 shl %r4 (at 29)   c27 pc8 mov %r5 (INT pipe busy until 27; at 31)   c31 pc9 add %r6 (at 35)
//   c35 pc10 st.shared        c36 pc11 setp %p2 (INT free at 33; at 40)
//   c40 pc12 @!%p2 bra ARRIVE: warp 0 jumps (uniformly), fetch ready at 43
//   c43 pc15 bar.sync: w0 waits at the barrier from c44.
// w1 at c40 falls through: c41 pc13 add %r3 (at 45), c45 pc14 add %r3 (stalled:wait at c44,
// 1 cycle left), c46 pc15 bar.sync: every warp has arrived; the barrier is released at the end
// of c46 and both warps issue pc16 in c47.
// Results: thread i stores (i) + 200 for even i, + 100 for odd i, in shared; after the barrier it
// writes its partner i ^ 32's value to out[i].
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/stepper_test_support.h"
#include "tests/run_gpusim.h"
#include "workloads/workload.h"

namespace gpusim::test_support {
namespace {

const char* const kDemoScript =
    "continue cycle 2\n"
    "step\n"
    "continue pc 3\n"
    "print stack w0\n"
    "step 3\n"
    "print stack w0\n"
    "step 3\n"
    "step\n"
    "continue state w0 barrier\n"
    "continue cycle 47\n"
    "print regs w0 0\n"
    "print regs w0 1\n"
    "print shared w0 0 8\n"
    "continue\n";

TEST(StepperSession, TeachingChipCyclesMatchHandDerivation) {
  const std::string script = kDemoScript;
  const SteppedRun run = run_fixture("stepper_demo", 64, &script);
  ASSERT_TRUE(run.stepped) << run.transcript;

  std::string r = run.reply("continue cycle 2");
  EXPECT_TRUE(contains(r, "cycle 2  SM 0: 1 CTA resident")) << r;
  EXPECT_TRUE(contains(r, "sub-core 0 [lrr]: issued w0 pc 0 mask 0xffffffff `mov.u32")) << r;
  EXPECT_TRUE(contains(r, "%tid.x;` (ptx line 20)")) << r;
  EXPECT_TRUE(contains(r, "sub-core 1 [lrr]: issued w1 pc 0 mask 0xffffffff")) << r;
  EXPECT_TRUE(contains(r, "w0   cta (0,0,0) warp 0  pc 1  mask 0xffffffff  issued")) << r;
  EXPECT_TRUE(contains(r, "sub-core 2 [lrr]: no warps")) << r;

  r = run.reply("step");
  EXPECT_TRUE(contains(r, "cycle 3  SM 0")) << r;
  EXPECT_TRUE(contains(r, "sub-core 0 [lrr]: no issue")) << r;
  EXPECT_TRUE(contains(r, "w0   cta (0,0,0) warp 0  pc 1  mask 0xffffffff  stalled:wait")) << r;
  EXPECT_TRUE(contains(r, "scoreboard: %r1 (wait, ready in 3)")) << r;

  r = run.reply("continue pc 3");
  EXPECT_TRUE(contains(r, "cycle 14  SM 0")) << r;
  EXPECT_TRUE(contains(r, "issued w0 pc 3 mask 0xffffffff `@%p1 bra")) << r;
  // After the divergent branch the even lanes run first, the odd lanes wait below them.
  r = run.reply("print stack w0", 0);
  EXPECT_TRUE(contains(r, "frame 0 stepper_demo (3 entries, top last)\n"
                          "  pc    7  rpc exit  mask 0xffffffff\n"
                          "  pc    4  rpc    7  mask 0xaaaaaaaa\n"
                          "  pc    6  rpc    7  mask 0x55555555\n"))
      << r;
  r = run.reply("step 3");
  EXPECT_TRUE(contains(r, "cycle 17  SM 0")) << r;
  EXPECT_TRUE(contains(r, "issued w0 pc 6 mask 0x55555555 `add.u32")) << r;
  r = run.reply("print stack w0", 1);  // the even path reached its reconvergence PC and popped
  EXPECT_TRUE(contains(r, "frame 0 stepper_demo (2 entries, top last)\n"
                          "  pc    7  rpc exit  mask 0xffffffff\n"
                          "  pc    4  rpc    7  mask 0xaaaaaaaa\n"))
      << r;
  r = run.reply("step 3", 1);
  EXPECT_TRUE(contains(r, "cycle 20  SM 0")) << r;
  EXPECT_TRUE(contains(r, "w0   cta (0,0,0) warp 0  pc 4  mask 0xaaaaaaaa  stalled:wait")) << r;
  EXPECT_TRUE(contains(r, "scoreboard: %r3 (wait, ready in 1)")) << r;
  r = run.reply("step", 1);
  EXPECT_TRUE(contains(r, "cycle 21  SM 0")) << r;
  EXPECT_TRUE(contains(r, "issued w0 pc 4 mask 0xaaaaaaaa `add.u32")) << r;

  r = run.reply("continue state w0 barrier");
  EXPECT_TRUE(contains(r, "cycle 44  SM 0")) << r;
  EXPECT_TRUE(contains(r, "w0   cta (0,0,0) warp 0  pc 16  mask 0xffffffff  barrier")) << r;
  EXPECT_TRUE(contains(r, "w1   cta (0,0,0) warp 1  pc 14  mask 0xffffffff  stalled:wait")) << r;

  r = run.reply("continue cycle 47");
  EXPECT_TRUE(contains(r, "issued w0 pc 16 mask 0xffffffff `xor.b32")) << r;
  EXPECT_TRUE(contains(r, "issued w1 pc 16 mask 0xffffffff `xor.b32")) << r;

  r = run.reply("print regs w0 0");
  EXPECT_TRUE(contains(r, "w0 lane 0 (thread (0,0,0)) in stepper_demo")) << r;
  EXPECT_TRUE(contains(r, "%r3        b32  0xc8  200\n")) << r;  // 0 + 200
  // The xor of pc 16 issued in this cycle: its result (%r4 ^ 128, %r4 = lane * 4) is already in the
  // register file (computed at issue) but readable only in c51, 4 cycles on: marked pending.
  EXPECT_TRUE(contains(r, "%r7        b32  0x80  128  pending (wait, ready in 4)\n")) << r;
  EXPECT_TRUE(contains(r, "the value shown is the one that will arrive")) << r;
  r = run.reply("print regs w0 1");
  EXPECT_TRUE(contains(r, "%r3        b32  0x65  101\n")) << r;  // 1 + 100
  EXPECT_TRUE(contains(r, "%r7        b32  0x84  132  pending (wait, ready in 4)\n")) << r;
  r = run.reply("print shared w0 0 8");
  EXPECT_TRUE(contains(r, "  0x00000: c8 00 00 00 65 00 00 00\n")) << r;

  r = run.reply("continue");
  ASSERT_EQ(run.launches.size(), 1u);
  EXPECT_TRUE(contains(r, "launch finished: " + std::to_string(run.launches[0].cycles) + " core cycles run")) << r;

  // Stepping changed nothing the kernel computed.
  for (uint32_t i = 0; i < 64; ++i) {
    const uint32_t partner = i ^ 32;
    EXPECT_EQ(run.out[i], partner + (partner % 2 == 0 ? 200u : 100u)) << "thread " << i;
  }
}

// A stepped launch takes exactly the cycles the SystemC driver computes, however it is stepped;
// a second launch in the same device too.
TEST(StepperSession, SteppedLaunchesTakeTheSystemCCycles) {
  const SteppedRun plain = run_fixture("stepper_demo", 64, nullptr, {}, 2);
  const std::string script = "step 5\nnext\nnext warp w1\ncontinue barrier\ncontinue line 45\nquit\n";
  const SteppedRun stepped = run_fixture("stepper_demo", 64, &script, {}, 2);
  ASSERT_EQ(plain.launches.size(), 2u);
  ASSERT_EQ(stepped.launches.size(), 2u);
  EXPECT_EQ(stepped.launches[0].cycles, plain.launches[0].cycles);
  EXPECT_EQ(stepped.launches[1].cycles, plain.launches[1].cycles);
  EXPECT_EQ(stepped.out, plain.out);
  EXPECT_TRUE(contains(stepped.reply("quit"), "quit: running the launch to its end")) << stepped.transcript;
  // The second launch is the target when asked for.
  const std::string just_continue = "continue\n";
  const SteppedRun second = run_fixture("stepper_demo", 64, &just_continue, {}, 2, {"stepper_demo", 1});
  EXPECT_TRUE(second.stepped);
  EXPECT_EQ(second.launches[1].cycles, plain.launches[1].cycles);
}

// The same for a workload with several CTAs on both SMs and global-memory traffic through L1, L2
// and DRAM (clock domains whose edges interleave with the core's).
TEST(StepperSession, SteppedWorkloadTakesTheSystemCCycles) {
  const workloads::Workload* w = workloads::find_workload("reduce_sum");
  ASSERT_NE(w, nullptr);
  workloads::WorkloadParams params;
  params.size = {4096};
  // Non-integer clock ratios: the L2 and DRAM edges fall between core edges.
  const std::vector<std::string> clocks = {"clocks.l2_mhz=1300", "clocks.dram_mhz=877"};
  auto plain_device = runtime::make_sim_device(teaching_timing(clocks));
  const workloads::WorkloadResult plain = w->run(*plain_device, params);

  std::istringstream commands("step 100\nsm 1\nnext\ncontinue barrier\ncontinue\n");
  std::ostringstream out;
  auto reader = stepper::make_stream_reader(commands, &out);
  stepper::LaunchStepper stepper({}, *reader, out);
  runtime::SimDeviceOptions options = teaching_timing(clocks);
  options.timed_launch_runner = stepper.runner();
  auto stepped_device = runtime::make_sim_device(options);
  const workloads::WorkloadResult stepped = w->run(*stepped_device, params);
  EXPECT_TRUE(stepper.stepped());
  EXPECT_TRUE(stepped.passed) << stepped.detail;
  ASSERT_EQ(stepped.launches.size(), plain.launches.size());
  for (size_t i = 0; i < plain.launches.size(); ++i) EXPECT_EQ(stepped.launches[i].cycles, plain.launches[i].cycles) << i;
  EXPECT_TRUE(contains(out.str(), "(gpusim step) sm 1\ncycle 99  SM 1")) << out.str();
}

// `print lines`: stepper_demo's 64 4-byte stores fill two 128-byte lines of `out` (allocations are
// 256-byte aligned). L1 is write-through without allocation, so it holds neither line; L2 is
// write-back with allocation, so both lines sit there with all four 32-byte sectors valid and
// dirty once the stores arrived (well before the launch drains in cycle 268).
TEST(StepperSession, PrintLinesShowsL1AndL2) {
  std::istringstream commands;
  std::ostringstream out;
  auto reader = stepper::make_stream_reader(commands, &out);
  stepper::LaunchStepper stepper({}, *reader, out);
  runtime::SimDeviceOptions options = teaching_timing();
  options.timed_launch_runner = stepper.runner();
  auto device = runtime::make_sim_device(options);
  const runtime::ModuleHandle m = device->load_ptx("stepper_demo.ptx", read_fixture("stepper_demo.ptx"));
  const runtime::DevPtr buffer = device->alloc(256);
  ASSERT_EQ(buffer % 256, 0u);
  commands.str("print lines " + std::to_string(buffer) + "\ncontinue cycle 250\nprint lines " + std::to_string(buffer) +
               "\nprint lines " + std::to_string(buffer + 128 + 4) + "\ncontinue\n");
  runtime::LaunchConfig cfg;
  cfg.grid = {1, 1, 1};
  cfg.block = {64, 1, 1};
  device->launch(m, "stepper_demo", cfg, {runtime::KernelArg::of(buffer)});
  SteppedRun run;
  run.transcript = out.str();
  split_replies(run, "(gpusim step) ");
  std::ostringstream first, second;
  first << std::hex << "line 0x" << buffer << " ";
  second << std::hex << "line 0x" << buffer + 128 << " ";
  const std::string before = run.reply("print lines " + std::to_string(buffer), 0);
  EXPECT_TRUE(contains(before, "L2 slice")) << before;
  EXPECT_TRUE(contains(before, first.str() + "not present")) << before;
  const std::string after = run.reply("print lines " + std::to_string(buffer), 1);
  EXPECT_TRUE(contains(after, "L1 of SM 0: " + first.str() + "not present")) << after;
  EXPECT_TRUE(contains(after, first.str() + "sectors valid 1111 dirty 1111")) << after;
  const std::string next = run.reply("print lines " + std::to_string(buffer + 128 + 4));
  EXPECT_TRUE(contains(next, second.str() + "sectors valid 1111 dirty 1111")) << next;
}

// stepper_order: 5 warps, so sub-core 0 holds w0 (slot 0, oldest) and w4 (slot 1). Both can issue
// from cycle 2; each mov keeps the INT pipe 2 cycles, so in cycle 3 both wait on the pipe.
// lrr: w0 issues in cycle 2, then the search starts after w0: w4 issues in cycle 4.
// gto: w0 issues in cycle 2 and, still eligible, again in cycle 4 (pc 1).
TEST(StepperSession, LrrAndGtoOrderOnTheTeachingChip) {
  const std::string script = "continue cycle 2\nstep\nstep\ncontinue\n";
  const SteppedRun lrr = run_fixture("stepper_order", 160, &script);
  std::string r = lrr.reply("continue cycle 2");
  EXPECT_TRUE(contains(r, "sub-core 0 [lrr]: issued w0 pc 0")) << r;
  r = lrr.reply("step", 0);
  EXPECT_TRUE(contains(r, "w0   cta (0,0,0) warp 0  pc 1  mask 0xffffffff  stalled:math_pipe_throttle")) << r;
  EXPECT_TRUE(contains(r, "w4   cta (0,0,0) warp 4  pc 0  mask 0xffffffff  stalled:math_pipe_throttle")) << r;
  r = lrr.reply("step", 1);
  EXPECT_TRUE(contains(r, "sub-core 0 [lrr]: issued w4 pc 0")) << r;
  EXPECT_TRUE(contains(r, "order w4=issued w0=ready")) << r;

  const SteppedRun gto = run_fixture("stepper_order", 160, &script, {"sm.warp_scheduler=gto"});
  r = gto.reply("continue cycle 2");
  EXPECT_TRUE(contains(r, "sub-core 0 [gto]: issued w0 pc 0")) << r;
  r = gto.reply("step", 1);
  EXPECT_TRUE(contains(r, "sub-core 0 [gto]: issued w0 pc 1")) << r;
  EXPECT_TRUE(contains(r, "order w0=issued w4=ready")) << r;
}

TEST(StepperSession, BadCommandsSayWhatIsExpected) {
  const std::string script =
      "step x\nfrobnicate\nprint regs w9 0\nprint regs w0 40\nsm 5\ncontinue state w0 dancing\nnext subcore 7\nnext warp w999\n"
      "print shared w0 250 100\nshow\ncontinue line 99999\ncontinue pc 5000\nstep\n"
      "print shared w0 18446744073709551615 99999999999\nprint shared w0 0 0\ncontinue\n";
  const SteppedRun run = run_fixture("stepper_demo", 64, &script);
  EXPECT_TRUE(contains(run.reply("step x"), "error: step: expected a cycle count")) << run.transcript;
  EXPECT_TRUE(contains(run.reply("frobnicate"), "error: unknown command 'frobnicate'; `help` lists the commands"));
  EXPECT_TRUE(contains(run.reply("print regs w9 0"), "error: print regs: no warp in slot w9 of SM 0")) << run.transcript;
  EXPECT_TRUE(contains(run.reply("print regs w0 40"), "lane 40 is outside 0..31")) << run.transcript;
  EXPECT_TRUE(contains(run.reply("sm 5"), "error: sm: SM 5 is outside 0..1"));
  EXPECT_TRUE(contains(run.reply("continue state w0 dancing"), "error: continue state: unknown state 'dancing'; states: issued"));
  EXPECT_TRUE(contains(run.reply("next subcore 7"), "error: next subcore: sub-core 7 is outside 0..3"));
  // A warp slot the SM does not have would never issue (the launch ran to its end).
  EXPECT_TRUE(contains(run.reply("next warp w999"), "error: next warp: w999 is outside the SM's warp slots w0..w"))
      << run.transcript;
  // A range whose end would wrap past 2^64 is named by its start and length.
  EXPECT_TRUE(contains(run.reply("print shared w0 18446744073709551615 99999999999"),
                       "99999999999 bytes at 18446744073709551615 reach outside the CTA's"))
      << run.transcript;
  EXPECT_TRUE(contains(run.reply("print shared w0 0 0"), "error: print shared: a byte count of 0 shows nothing"))
      << run.transcript;
  EXPECT_TRUE(contains(run.reply("show"), "no cycle has run yet")) << run.transcript;
  // A place no instruction has is refused instead of running the launch to its end.
  EXPECT_TRUE(contains(run.reply("continue line 99999"), "error: continue line: no instruction is on PTX line 99999"))
      << run.transcript;
  EXPECT_TRUE(contains(run.reply("continue pc 5000"), "error: continue pc: no instruction has PC 5000")) << run.transcript;
  EXPECT_TRUE(contains(run.reply("continue"), "launch finished")) << run.transcript;
}

// Warp arguments: a slot the SM does not have (teaching.ini: 4 sub-cores x 4 = w0..w15) can never
// hold a warp, and `continue state w99 exited` ran the launch to its end and dropped the rest of
// the script. An empty slot is worth waiting for only while a CTA is still to start: before cycle 0
// (the CTA not placed yet) `next warp w1` waits for it, as in the hand derivation above (w1 first
// issues in c2); once stepper_demo's only CTA (w0, w1) has started, w5 stays empty.
TEST(StepperSession, WarpSlotsThatCanNeverHoldAWarpAreErrors) {
  const std::string script =
      "next warp w1\ncontinue state w99 exited\ncontinue state w5 issued\nnext warp w5\nprint regs w99 0\n"
      "print stack w16\nprint shared w16 0\ncontinue state w0 barrier\ncontinue\n";
  const SteppedRun run = run_fixture("stepper_demo", 64, &script);
  std::string r = run.reply("next warp w1");
  EXPECT_TRUE(contains(r, "note: no warp in slot w1 of SM 0 yet; waiting for one from a CTA still to start")) << r;
  EXPECT_TRUE(contains(r, "cycle 2  SM 0")) << r;
  EXPECT_TRUE(contains(r, "sub-core 1 [lrr]: issued w1 pc 0")) << r;
  const std::string outside = " is outside the SM's warp slots w0..w15";
  EXPECT_TRUE(contains(run.reply("continue state w99 exited"), "error: continue state: w99" + outside)) << run.transcript;
  EXPECT_TRUE(contains(run.reply("print regs w99 0"), "error: print regs: w99" + outside)) << run.transcript;
  EXPECT_TRUE(contains(run.reply("print stack w16"), "error: print stack: w16" + outside)) << run.transcript;
  EXPECT_TRUE(contains(run.reply("print shared w16 0"), "error: print shared: w16" + outside)) << run.transcript;
  const std::string none = ": no warp in slot w5 of SM 0, and every CTA of the launch has started";
  EXPECT_TRUE(contains(run.reply("continue state w5 issued"), "error: continue state" + none)) << run.transcript;
  EXPECT_TRUE(contains(run.reply("next warp w5"), "error: next warp" + none)) << run.transcript;
  // The session went on: the next stop is the hand-derived one, and no command was dropped.
  r = run.reply("continue state w0 barrier");
  EXPECT_TRUE(contains(r, "cycle 44  SM 0")) << r;
  EXPECT_TRUE(contains(r, "w0   cta (0,0,0) warp 0  pc 16  mask 0xffffffff  barrier")) << r;
  ASSERT_EQ(run.launches.size(), 1u);
  EXPECT_TRUE(contains(run.reply("continue"), "launch finished: " + std::to_string(run.launches[0].cycles) + " core cycles run"))
      << run.transcript;
  EXPECT_FALSE(contains(run.transcript, "never happened")) << run.transcript;
  EXPECT_FALSE(contains(run.transcript, "not run")) << run.transcript;
}

// The command line: commands from stdin (not a terminal), the run's own output around them.
// A stop condition the rest of the launch never meets ends the launch with a line naming it, not
// only "launch finished" (the user would wonder why the stepper did not stop).
TEST(StepperSession, AStopThatNeverHappensIsNamed) {
  // The commands after it are not run (the launch is over): said, not dropped silently.
  const std::string script = "continue state w0 sleeping\nprint regs w0 0\n\n# done\nstep\n";
  const SteppedRun run = run_fixture("stepper_demo", 64, &script);
  EXPECT_TRUE(contains(run.reply("continue state w0 sleeping"), "core cycles run; 'state w0 sleeping' never happened"))
      << run.transcript;
  EXPECT_TRUE(contains(run.transcript, "the launch has ended: 2 commands of the script not run (from `print regs w0 0`)"))
      << run.transcript;
}

// A warp whose issued instruction is its last (reduce_sum's branch to the kernel's end) shows as
// issued and exited in the cycle it issued (it showed only "exited", as if another warp had
// issued); `continue state wN exited` still stops there.
TEST(StepperCli, AWarpThatIssuesItsLastInstructionShowsBoth) {
  const auto dir = scratch_dir("stepper_last_issue");
  const std::string script = write_file(dir / "s.txt", "continue state w3 exited\nquit\n");
  const Outcome o = run_gpusim("step reduce_sum --size 4096 --config '" + std::string(GPUSIM_SOURCE_DIR) +
                               "/configs/teaching.ini' --script '" + script + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "issued w3 pc ")) << o.output;
  EXPECT_TRUE(contains(o.output, "w3=issued+exited")) << o.output;
  EXPECT_TRUE(contains(o.output, "warp 3  issued its last instruction: exited")) << o.output;
}

// A CTA whose last warp exits with no memory in flight retires in the cycle of its `ret`, so the
// warp was never in a snapshot as exited: `continue state w0 exited` ran to the launch's end
// ("never happened") and `continue pc` of the ret showed no warps. The stepper now takes a warp
// that left with its CTA in a cycle as exited in it, and shows it.
TEST(StepperCli, AWarpWhoseCtaRetiresAtOnceIsSeenExiting) {
  const auto dir = scratch_dir("stepper_retire");
  const std::string ptx = write_file(dir / "k.ptx", R"(.version 8.0
.target sm_70
.address_size 64
.visible .entry alu_only(.param .u64 out)
{
  .reg .b32 %r<4>;
  mov.u32 %r1, %tid.x;
  add.u32 %r2, %r1, 7;
  mul.lo.u32 %r3, %r2, %r2;
  ret;
}
)");
  const std::string config = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  for (const std::string command : {"continue state w0 exited", "continue pc 3"}) {
    const std::string script = write_file(dir / "s.txt", command + "\nquit\n");
    const Outcome o = run_gpusim("step '" + ptx + "' --kernel alu_only --grid 1 --block 32 --arg zeros:u32:32 --config '" +
                                 config + "' --script '" + script + "'");
    EXPECT_EQ(o.exit_code, 0) << command << "\n" << o.output;
    EXPECT_FALSE(contains(o.output, "never happened")) << command << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "issued w0 pc 3 ")) << command << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "w0 exited: its CTA retired in this cycle")) << command << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "order w0=exited")) << command << "\n" << o.output;
  }
}

// The simulator computes a load's result when it issues; the timing model makes it readable when
// the memory pipeline returns it. `print regs` showed the loaded value unmarked in the load's issue
// cycle, while the view's scoreboard line said %r3 was still in flight. Each thread stores
// tid + 100 and loads it back (lane 5: 105 = 0x69); the add waits for the load, so when it issues
// %r3 has arrived, and the add's own result (106, integer latency 4 on teaching.ini) is pending.
// (PTX lines, not PCs: the parser may hoist the ld.param.)
TEST(StepperCli, PrintRegsMarksResultsStillPending) {
  const auto dir = scratch_dir("stepper_pending_regs");
  const std::string ptx = write_file(dir / "k.ptx", R"(.version 8.0
.target sm_70
.address_size 64
.visible .entry load_back(.param .u64 buf)
{
  .reg .b32 %r<5>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [buf];
  cvta.to.global.u64 %rd2, %rd1;
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  add.u32 %r2, %r1, 100;
  st.global.u32 [%rd4], %r2;
  ld.global.u32 %r3, [%rd4];
  add.u32 %r4, %r3, 1;
  st.global.u32 [%rd4], %r4;
  ret;
}
)");
  const std::string config = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  const std::string script = write_file(dir / "s.txt", "continue line 15\nprint regs w0 5\ncontinue line 16\nprint regs w0 5\nquit\n");
  const Outcome o = run_gpusim("step '" + ptx + "' --kernel load_back --grid 1 --block 32 --arg zeros:u32:32 --config '" +
                               config + "' --script '" + script + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  SteppedRun run;
  run.transcript = o.output;
  split_replies(run, "(gpusim step) ");
  std::string r = run.reply("continue line 15");
  EXPECT_TRUE(contains(r, "`ld.global.u32 %r3, [%rd4];` (ptx line 15)")) << r;
  EXPECT_TRUE(contains(r, "scoreboard: %r3 (long_scoreboard, memory)")) << r;
  r = run.reply("print regs w0 5");
  EXPECT_TRUE(contains(r, "the value shown is the one that will arrive")) << r;
  EXPECT_TRUE(contains(r, "%r3        b32  0x69  105  pending (long_scoreboard, memory)\n")) << r;
  EXPECT_TRUE(contains(r, "%r2        b32  0x69  105\n")) << r;  // the store read it: readable, unmarked
  r = run.reply("continue line 16");
  EXPECT_TRUE(contains(r, "`add.u32 %r4, %r3, 1;` (ptx line 16)")) << r;
  r = run.reply("print regs w0 5", 1);
  EXPECT_TRUE(contains(r, "%r3        b32  0x69  105\n")) << r;
  EXPECT_TRUE(contains(r, "%r4        b32  0x6a  106  pending (wait, ready in 4)\n")) << r;
}

// `continue source FILE:LINE` names the file, and a line finds the code inlined there: in the
// inline_chain fixture, x * x + 1 (inline_chain.h:2) is inlined at inline_chain.h:3, itself inlined
// at the kernel's line 7 (an outside user's `continue source 38` stopped in a header's line 38).
TEST(StepperCli, ContinueSourceTakesAFileAndFindsInlinedCode) {
  const std::string config = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  auto step = [&](const std::string& script) {
    return run_gpusim("step '" + std::string(GPUSIM_FIXTURES) + "/inline_chain.ptx' --kernel chain --grid 1 --block 32 "
                      "--arg zeros:f32:32 --arg zeros:f32:32 --config '" + config + "' <<'EOF'\n" + script + "\nEOF");
  };
  const Outcome o = step("continue source inline_chain.h:3\ncontinue");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  const size_t issued = o.output.find("sub-core 0 [lrr]: issued w0");
  ASSERT_NE(issued, std::string::npos) << o.output;
  const std::string issue_line = o.output.substr(issued, o.output.find('\n', issued) - issued);
  EXPECT_TRUE(contains(issue_line, "fma.rn.f32")) << issue_line;
  EXPECT_TRUE(contains(issue_line, "inline_chain.h:2 inlined at inline_chain.h:3 ... at inline_chain.cu:7 (3 calls deep)"))
      << issue_line;
  const Outcome nowhere = step("continue source inline_chain.cu:3\ncontinue");
  EXPECT_TRUE(contains(nowhere.output, "continue source: no instruction comes from CUDA line inline_chain.cu:3 in this module"))
      << nowhere.output;
}

TEST(StepperCli, StepsAPtxKernelFromStdin) {
  const std::string fixture = std::string(GPUSIM_FIXTURES) + "/stepper_demo.ptx";
  const std::string config = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  const Outcome o = run_gpusim("step '" + fixture + "' --kernel stepper_demo --grid 1 --block 64 --arg zeros:u32:64 --config '" +
                               config + "' <<'EOF'\ncontinue pc 3\ncontinue\nEOF");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "(gpusim step) continue pc 3\ncycle 14  SM 0")) << o.output;
  EXPECT_TRUE(contains(o.output, "launch stepper_demo: 1 CTAs")) << o.output;

  // nvcc -lineinfo: the CUDA line beside the PTX line (device_call.cu line 17 is
  // `int i = threadIdx.x;`; its `.loc 1 17 3` in device_call_lineinfo.ptx covers PTX lines 103-105).
  const Outcome lineinfo = run_gpusim("step '" + std::string(GPUSIM_FIXTURES) +
                                      "/device_call_lineinfo.ptx' --kernel eval_poly --grid 1 --block 32 --arg zeros:f32:32 "
                                      "--arg zeros:f32:4 --arg zeros:f32:64 --arg zeros:s32:1 --config '" + config +
                                      "' <<'EOF'\ncontinue source 17\ncontinue\nEOF");
  EXPECT_EQ(lineinfo.exit_code, 0) << lineinfo.output;
  // Line 17's instructions are on PTX lines 103-105 (the load hoister may reorder them).
  const size_t issued = lineinfo.output.find("sub-core 0 [lrr]: issued w0");
  ASSERT_NE(issued, std::string::npos) << lineinfo.output;
  const std::string issue_line = lineinfo.output.substr(issued, lineinfo.output.find('\n', issued) - issued);
  EXPECT_TRUE(contains(issue_line, ", device_call.cu:17)")) << issue_line;
  EXPECT_TRUE(contains(issue_line, "(ptx line 10")) << issue_line;

  const Outcome functional = run_gpusim("step vecadd --size 64 --mode functional </dev/null");
  EXPECT_EQ(functional.exit_code, 2) << functional.output;
  EXPECT_TRUE(contains(functional.output, "gpusim step: gpusim step runs the timing model: --mode functional cannot be stepped"))
      << functional.output;  // the command the user typed, not the launch/run it drives
  const Outcome missing = run_gpusim("step vecadd --size 64 --kernel nosuch </dev/null");
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_TRUE(contains(missing.output, "never made launch 0 of kernel 'nosuch'")) << missing.output;
}

}  // namespace
}  // namespace gpusim::test_support
