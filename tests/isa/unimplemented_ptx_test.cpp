// PTX instructions gpusim does not implement (isa/ptx_unimplemented.h): a module that uses one in
// one kernel still loads, its other kernels run, and the instruction faults, naming itself and
// its line, only when a warp executes it; guarded off, it does nothing. A mnemonic that is no PTX
// instruction stays a parse error.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "runtime/device_memory.h"

namespace gpusim::isa {
namespace {

// `plain` stores 7; `clustered` runs tcgen05 and multimem instructions (sm_100 and multi-GPU
// instructions gpusim lacks) unless `skip` is non-zero, then stores 9.
const char* kModulePtx = R"(
.version 8.0
.target sm_90
.address_size 64
.visible .entry plain(.param .u64 out, .param .u32 skip)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, 7;
  st.global.u32 [%rd1], %r1;
  ret;
}
.visible .entry clustered(.param .u64 out, .param .u32 skip)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<4>;
  .reg .pred %p<2>;
  ld.param.u64 %rd1, [out];
  ld.param.u32 %r5, [skip];
  setp.ne.u32 %p1, %r5, 0;
  mov.u32 %r2, 0;
  @!%p1 tcgen05.fence::before_thread_sync;
  @!%p1 multimem.red.relaxed.sys.global.add.u32 [%rd1], %r2;
  mov.u32 %r3, 9;
  st.global.u32 [%rd1], %r3;
  ret;
}
)";

struct Outcome {
  uint32_t out = 0;
  std::string error;
};

Outcome run(const Module& module, const char* kernel, uint32_t skip) {
  runtime::DeviceMemory memory;
  const uint64_t out = memory.allocate(4);
  memory.fill(out, 0, 4);
  LaunchState ls;
  ls.module = &module;
  ls.kernel = module.find_function(kernel);
  ls.grid = Dim3{1, 1, 1};
  ls.block = Dim3{32, 1, 1};
  ls.params.resize(12);
  std::memcpy(ls.params.data(), &out, 8);
  std::memcpy(ls.params.data() + 8, &skip, 4);
  ls.global = &memory;
  Outcome r;
  try {
    run_grid_functional(ls);
  } catch (const ExecError& e) {
    r.error = e.what();
    EXPECT_EQ(e.kind(), FaultKind::Unsupported) << r.error;
  }
  memory.copy_out(&r.out, out, 4);
  return r;
}

TEST(UnimplementedPtx, TheModuleLoadsAndItsOtherKernelsRun) {
  const Module module = parse_ptx(kModulePtx, "cluster.ptx");
  const Outcome plain = run(module, "plain", 0);
  EXPECT_EQ(plain.error, "");
  EXPECT_EQ(plain.out, 7u);
}

TEST(UnimplementedPtx, ExecutingOneFaultsNamingItAndItsLine) {
  const Module module = parse_ptx(kModulePtx, "cluster.ptx");
  const Outcome r = run(module, "clustered", 0);
  EXPECT_NE(r.error.find("tcgen05.fence::before_thread_sync"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("does not implement"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("(cluster.ptx:23)"), std::string::npos) << r.error;
  EXPECT_EQ(r.out, 0u) << "the kernel stopped at the instruction";
}

TEST(UnimplementedPtx, GuardedOffItDoesNothing) {
  const Module module = parse_ptx(kModulePtx, "cluster.ptx");
  const Outcome r = run(module, "clustered", 1);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.out, 9u);
}

// .b128 registers (PTX 8.3) would need 128-bit register storage: a move into or out of one faults
// naming itself (it returned the low halves twice, silently).
TEST(UnimplementedPtx, MovesOf128BitRegistersFault) {
  const char* ptx = R"(
.version 8.3
.target sm_90
.address_size 64
.visible .entry wide(.param .u64 out, .param .u32 skip)
{
  .reg .b64 %rd<6>;
  .reg .b128 %q<2>;
  ld.param.u64 %rd1, [out];
  mov.b64 %rd2, 1;
  mov.b64 %rd3, 2;
  mov.b128 %q1, {%rd2, %rd3};
  mov.b128 {%rd4, %rd5}, %q1;
  st.global.u32 [%rd1], %rd5;
  ret;
}
)";
  const Module module = parse_ptx(ptx, "wide.ptx");
  const Outcome r = run(module, "wide", 0);
  EXPECT_NE(r.error.find("mov.b128"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(".b128 registers are not supported"), std::string::npos) << r.error;
  EXPECT_EQ(r.out, 0u);
}

TEST(UnimplementedPtx, AMnemonicThatIsNoPtxInstructionIsAParseError) {
  std::string text = kModulePtx;
  text.replace(text.find("tcgen05"), 7, "tcgen50");
  try {
    parse_ptx(text, "typo.ptx");
    FAIL() << "a typo parsed";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("unknown opcode 'tcgen50.fence::before_thread_sync'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gpusim::isa
