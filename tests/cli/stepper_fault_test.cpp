// The stepper at a kernel fault: the session stays open on the state at the fault (a debugger
// stops there), viewing the faulting warp's SM, so the user can print its registers; stepping on
// is refused. Each thread stores tid * 3 to buf[tid + (tid == 37 ? 1000000 : 0)]: thread 37 (CTA
// 0's warp 1, lane 5) stores 111 a million elements past the 128-element buffer.
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/stepper_test_support.h"
#include "tests/run_gpusim.h"

namespace gpusim::test_support {
namespace {

TEST(StepperCli, AFaultLeavesTheFaultingWarpToLookAt) {
  const auto dir = scratch_dir("stepper_fault");
  const std::string ptx = write_file(dir / "k.ptx", R"(.version 8.0
.target sm_70
.address_size 64
.visible .entry store_far(.param .u64 buf)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [buf];
  cvta.to.global.u64 %rd2, %rd1;
  mov.u32 %r1, %tid.x;
  mul.lo.u32 %r2, %r1, 3;
  setp.eq.u32 %p1, %r1, 37;
  selp.u32 %r3, 1000000, 0, %p1;
  add.u32 %r4, %r1, %r3;
  mul.wide.u32 %rd3, %r4, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r2;
  ret;
}
)");
  const std::string config = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  const std::string script = write_file(dir / "s.txt", "continue\nstep\nprint regs w1 5\nsm 1\nquit\n");
  const Outcome o = run_gpusim("step '" + ptx + "' --kernel store_far --grid 1 --block 64 --arg zeros:u32:128 --config '" +
                               config + "' --script '" + script + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;  // the launch still ends in its fault
  SteppedRun run;
  run.transcript = o.output;
  split_replies(run, "(gpusim step) ");
  split_replies(run, "(gpusim step, faulted) ");
  const std::string at_fault = run.reply("continue");
  EXPECT_TRUE(contains(at_fault, "the kernel faulted in cycle")) << at_fault;
  EXPECT_TRUE(contains(at_fault, "thread (37,0,0) lane 5: out-of-bounds global store")) << at_fault;
  EXPECT_TRUE(contains(at_fault, "the faulting warp is w1 of SM 0 (sub-core 1)")) << at_fault;
  EXPECT_TRUE(contains(at_fault, "w1   cta (0,0,0) warp 1")) << at_fault;  // the view of its SM
  EXPECT_TRUE(contains(run.reply("step"), "error: step: the kernel has faulted, nothing more runs")) << o.output;
  // Lane 5 is thread 37: the value it was storing (111) and the address a million words out.
  const std::string regs = run.reply("print regs w1 5");
  EXPECT_TRUE(contains(regs, "w1 lane 5 (thread (37,0,0))")) << regs;
  EXPECT_TRUE(contains(regs, "%r2        b32  0x6f  111")) << regs;
  EXPECT_TRUE(contains(regs, "%r4        b32  0xf4265  1000037")) << regs;
  EXPECT_TRUE(contains(run.reply("sm 1"), "SM 1")) << o.output;
  // The fault report follows once the user quits.
  EXPECT_TRUE(contains(o.output.substr(o.output.rfind("quit")), "kernel fault")) << o.output;
}

}  // namespace
}  // namespace gpusim::test_support
