// Every kernel fault carries the kind a CUDA runtime needs to return the error a GPU would:
// out of bounds -> IllegalAddress, misaligned -> MisalignedAddress, trap -> Trap, barrier that
// can never complete or divergent barrier -> Barrier, instruction budget -> Runaway, a function
// the simulator lacks -> Unsupported (assert -> Assert: device_runtime_test.cpp). Functional and
// timing mode report the same kind.
#include <gtest/gtest.h>

#include "runtime/sim_device.h"
#include "tests/runtime/fixture_util.h"

using namespace gpusim::runtime;

namespace {

LaunchConfig grid(unsigned blocks, unsigned threads) {
  LaunchConfig c;
  c.grid = Dim3{blocks, 1, 1};
  c.block = Dim3{threads, 1, 1};
  return c;
}

const char* kUnsupportedPtx = R"(.version 9.0
.target sm_80
.address_size 64
.extern .func (.param .b32 func_retval0) cudaGetDeviceCount (.param .b64 p0);
.visible .entry calls_runtime_api()
{
  .reg .b32 %r<2>;
  {
  .param .b64 param0;
  st.param.b64 [param0+0], 0;
  .param .b32 retval0;
  call.uni (retval0), cudaGetDeviceCount, (param0);
  ld.param.b32 %r1, [retval0+0];
  }
  ret;
}
)";

class FaultKindTest : public ::testing::TestWithParam<SimMode> {
 protected:
  void SetUp() override {
    SimDeviceOptions o;
    o.mode = GetParam();
    o.max_warp_instructions = 100000;
    dev = make_sim_device(o);
    faults = dev->load_ptx("runtime_faults.ptx", read_fixture("runtime_faults.ptx"));
    simt = dev->load_ptx("runtime_simt.ptx", read_fixture("runtime_simt.ptx"));
  }
  KernelFault fault_of(ModuleHandle m, const std::string& kernel, const LaunchConfig& c, const KernelArgs& a) {
    try {
      dev->launch(m, kernel, c, a);
    } catch (const KernelFault& e) {
      return e;
    }
    ADD_FAILURE() << kernel << " did not fault";
    return KernelFault("none");
  }
  std::unique_ptr<Device> dev;
  ModuleHandle faults = -1, simt = -1;
};

TEST_P(FaultKindTest, OutOfBoundsIsIllegalAddress) {
  const KernelFault f = fault_of(faults, "write_past_end", grid(1, 64), args(dev->alloc(32 * 4), 32));
  EXPECT_EQ(f.kind(), FaultKind::IllegalAddress) << f.what();
  EXPECT_NE(std::string(f.what()).find("out-of-bounds global store"), std::string::npos) << f.what();  // message kept
  EXPECT_EQ(fault_of(faults, "null_store", grid(1, 32), args(DevPtr(0))).kind(), FaultKind::IllegalAddress);
}

TEST_P(FaultKindTest, MisalignedIsMisalignedAddress) {
  const KernelFault f = fault_of(faults, "misaligned_load", grid(1, 32), args(dev->alloc(1024), dev->alloc(128)));
  EXPECT_EQ(f.kind(), FaultKind::MisalignedAddress) << f.what();
}

TEST_P(FaultKindTest, TrapIsTrap) {
  const KernelFault f = fault_of(faults, "trapper", grid(1, 32), args(dev->alloc(128)));
  EXPECT_EQ(f.kind(), FaultKind::Trap) << f.what();
  EXPECT_STREQ(fault_kind_name(f.kind()), "trap");
}

TEST_P(FaultKindTest, BarrierDeadlockAndDivergentBarrierAreBarrierFaults) {
  const KernelFault deadlock = fault_of(simt, "barrier_deadlock", grid(1, 64), args(dev->alloc(64 * 4)));
  EXPECT_EQ(deadlock.kind(), FaultKind::Barrier) << deadlock.what();
  EXPECT_NE(std::string(deadlock.what()).find("never complete"), std::string::npos) << deadlock.what();
  const KernelFault divergent = fault_of(simt, "divergent_barrier", grid(1, 64), args(dev->alloc(64 * 4)));
  EXPECT_EQ(divergent.kind(), FaultKind::Barrier) << divergent.what();
}

TEST_P(FaultKindTest, UnknownExternFunctionIsUnsupported) {
  if (GetParam() == SimMode::Timing) {
    // Timing mode runs ptxas at load for the register count; like the driver's JIT, it refuses
    // the unresolved function before anything runs.
    try {
      dev->load_ptx("unsupported.ptx", kUnsupportedPtx);
      FAIL() << "expected the load to be refused";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("cudaGetDeviceCount"), std::string::npos) << e.what();
    }
    return;
  }
  const ModuleHandle m = dev->load_ptx("unsupported.ptx", kUnsupportedPtx);
  const KernelFault f = fault_of(m, "calls_runtime_api", grid(1, 32), {});
  EXPECT_EQ(f.kind(), FaultKind::Unsupported) << f.what();
  EXPECT_NE(std::string(f.what()).find("'cudaGetDeviceCount'"), std::string::npos) << f.what();
}

// The instruction budget stops runaway kernels in functional mode (the timing model has no budget).
TEST(FaultKindFunctional, InfiniteLoopIsRunaway) {
  SimDeviceOptions o;
  o.max_warp_instructions = 100000;
  auto dev = make_sim_device(o);
  const ModuleHandle simt = dev->load_ptx("runtime_simt.ptx", read_fixture("runtime_simt.ptx"));
  DevPtr flag = dev->alloc(4);
  dev->memset(flag, 0, 4);
  try {
    dev->launch(simt, "spin_forever", grid(1, 32), args(flag));
    FAIL() << "expected a KernelFault";
  } catch (const KernelFault& e) {
    EXPECT_EQ(e.kind(), FaultKind::Runaway) << e.what();
  }
}

// A fault does not stick to the device: the next launch runs, and its faults have their own kind.
TEST_P(FaultKindTest, DeviceStaysUsableAfterEachKind) {
  EXPECT_EQ(fault_of(faults, "trapper", grid(1, 32), args(dev->alloc(128))).kind(), FaultKind::Trap);
  DevPtr out = dev->alloc(32 * 4);
  dev->launch(faults, "write_past_end", grid(1, 32), args(out, 32));
  EXPECT_EQ(fault_of(faults, "null_store", grid(1, 32), args(DevPtr(0))).kind(), FaultKind::IllegalAddress);
}

INSTANTIATE_TEST_SUITE_P(Modes, FaultKindTest, ::testing::Values(SimMode::Functional, SimMode::Timing),
                         [](const ::testing::TestParamInfo<SimMode>& info) {
                           return info.param == SimMode::Timing ? std::string("timing") : std::string("functional");
                         });

}  // namespace
