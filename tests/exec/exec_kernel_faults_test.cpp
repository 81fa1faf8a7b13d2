// Kernel faults under `gpusim exec`: each kind reaches the program as the error a GPU returns, with
// the simulator's report (kernel, CTA, thread, PTX and source line) on stderr; endless loops and
// runaways are named where their warps are. Split from exec_programs_test.cpp.
#include <gtest/gtest.h>

#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;

Outcome exec(const std::string& options, const std::string& name, const std::string& args = "") {
  return gpusim::test_support::exec_program(options, name, args);
}

TEST(Exec, DeviceAssertIsCudaErrorAssertWithFileAndLine) {
  const Outcome o = exec("", "device_assert");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "sync: cudaErrorAssert")) << o.output;
  EXPECT_TRUE(contains(o.output, "after: cudaErrorAssert")) << o.output;  // sticky, as on a GPU
  EXPECT_TRUE(contains(o.output, "device_assert.cu:7:")) << o.output;
  EXPECT_TRUE(contains(o.output, "block: [1,0,0], thread: [5,0,0] Assertion `p[i] > 0` failed.")) << o.output;
}

// Each kind of kernel fault reaches the program as the error a GPU returns, with the simulator's
// report (kernel, PTX line) on stderr; never a crash or a hang of the host.
TEST(Exec, EachKernelFaultKindReachesTheProgram) {
  struct Case {
    const char* kind;
    const char* error;
    const char* report;  // what the simulator's report names
  } cases[] = {{"oob", "cudaErrorIllegalAddress", "kernel_faults.fatbin0.compute_80.ptx:"},
               {"misaligned", "cudaErrorMisalignedAddress", "kernel_faults.fatbin0.compute_80.ptx:"},
               {"cpasync", "cudaErrorMisalignedAddress", "cp.async needs its source and destination aligned to its 16-byte size"},
               {"cpasync_race", "cudaErrorLaunchFailure", "'s cp.async (PTX line "},
               {"cpasync_race_vector", "cudaErrorLaunchFailure", "'s cp.async (PTX line "},
               {"unchecked_malloc", "cudaErrorIllegalAddress", " times in this launch (largest request 1073741824 bytes; the heap, cudaLimitMallocHeapSize, is 8388608 bytes"},
               {"gridsync", "cudaErrorLaunchFailure", "this launch was not cooperative"},
               {"notmember", "cudaErrorLaunchFailure", "executes shfl.sync with membermask 0x0000ffff, which does not name it"},
               {"trap", "cudaErrorLaunchFailure", "kernel_faults.fatbin0.compute_80.ptx:"},
               {"deadlock", "cudaErrorLaunchFailure", "barrier"},
               {"runaway", "cudaErrorLaunchTimeout", "probably never terminates"},
               {"readonly", "cudaErrorIllegalAddress", "registered read-only (cudaHostRegisterReadOnly)"},
               {"unmapped", "cudaErrorIllegalAddress", "the program has since unmapped"}};
  for (const char* mode : {"functional", "timing"})
    for (const Case& c : cases) {
      const Outcome o = exec(std::string("--max-warp-instructions 100000 --mode ") + mode, "kernel_faults", c.kind);
      EXPECT_EQ(o.exit_code, 0) << o.output;
      EXPECT_TRUE(contains(o.output, std::string(c.kind) + ": " + c.error)) << mode << "\n" << o.output;
      // The runaway spins on a flag nothing sets: the budget ends it in functional mode (before
      // the endless-loop watch starts at 2^24), the watch proves it endless first in timing mode.
      const bool runaway = std::string(c.kind) == "runaway", proven = runaway && std::string(mode) == "timing";
      EXPECT_TRUE(contains(o.output, proven ? "can never finish" : c.report)) << mode << "\n" << o.output;
      EXPECT_TRUE(contains(o.output, "FAULT")) << o.output;  // the launch table marks the faulted launch
      {
        // ... with no warp-instruction count (it has no statistics), not a count of 0.
        const size_t at = o.output.find("FAULT");
        const size_t line = o.output.rfind('\n', at) + 1;
        std::istringstream row(o.output.substr(line, at - line));
        std::vector<std::string> fields{std::istream_iterator<std::string>(row), std::istream_iterator<std::string>()};
        ASSERT_FALSE(fields.empty());
        EXPECT_EQ(fields.back(), "-") << o.output.substr(line, at - line + 5);
      }
      // A runaway past the budget says how to let a kernel that is only long finish; a proven
      // endless loop and other faults do not.
      EXPECT_EQ(contains(o.output, "GPUSIM_MAX_WARP_INSTRUCTIONS=N"), runaway && !proven)
          << mode << " " << c.kind << "\n" << o.output;
      // ... and that a kernel waiting for the host to write after the launch cannot finish here;
      // a proven endless loop says so only where host memory is mapped for kernels (none here).
      EXPECT_EQ(contains(o.output, "host writes after the launch"), runaway && !proven) << o.output;
    }
}

// Endless loops are proven by their repeating state (functional mode: isa/repeat_watch.h), on
// the default budget of 2^36 warp-instructions (hours of simulation): a spin on a flag nothing
// sets and a grid-stride loop whose stride is 0 stop within seconds, naming the loop, and the
// report does not suggest a larger budget. In timing mode (sim/endless_loop_watch.h) the spin is
// proven too (a loop that stores, as nostride does, is left to the budget there).
TEST(Exec, EndlessLoopsAreProvenWithoutWaitingForTheBudget) {
  for (const auto& [mode, kind] : {std::pair{"functional", "runaway"}, std::pair{"functional", "nostride"},
                                   std::pair{"timing", "runaway"}}) {
    const Outcome o = exec(std::string("--mode ") + mode, "kernel_faults", kind);
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_TRUE(contains(o.output, std::string(kind) + ": cudaErrorLaunchTimeout")) << o.output;
    EXPECT_TRUE(contains(o.output, "can never finish")) << o.output;
    EXPECT_TRUE(contains(o.output, "kernel_faults.fatbin0.compute_80.ptx:")) << o.output;
    EXPECT_FALSE(contains(o.output, "GPUSIM_MAX_WARP_INSTRUCTIONS=N")) << o.output;
  }
}

// A runaway the watches cannot prove (a loop that stores, in timing mode; anything under a budget
// smaller than the watch's start in functional mode) still says where the loop is: the places of
// the running warps of the lowest CTA, with their PTX lines.
TEST(Exec, ABudgetRunawayNamesWhereItsWarpsAre) {
  for (const char* mode : {"functional", "timing"}) {
    const Outcome o = exec(std::string("--max-warp-instructions 100000 --mode ") + mode, "kernel_faults", "nostride");
    EXPECT_TRUE(contains(o.output, "nostride: cudaErrorLaunchTimeout")) << mode << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "probably never terminates")) << mode << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, std::string(mode) == "timing" ? "warps of its lowest resident CTA (0,0,0) are at:"
                                                                  : "its running warps are at:"))
        << mode << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "in function 'fault(int, int*, int volatile*)' at PC")) << mode << "\n" << o.output;
  }
}


// cudaGraphSetConditional on a device address that no cudaGraphConditionalHandleCreate returned is
// a kernel fault naming the call and the handle (it was a call gpusim did not provide at all).
TEST(Exec, SettingAConditionThroughANonHandleIsAKernelFault) {
  for (const char* mode : {"functional", "timing"}) {
    const Outcome o = exec(std::string("--mode ") + mode, "graph_conditional", "badhandle");
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_TRUE(contains(o.output, "badhandle: cudaErrorIllegalAddress")) << mode << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "cudaGraphSetConditional: handle 0x")) << o.output;
    EXPECT_TRUE(contains(o.output, "is not a conditional handle")) << o.output;
    EXPECT_TRUE(contains(o.output, "graph_conditional.fatbin0.compute_80.ptx:")) << o.output;
  }
}

}  // namespace
