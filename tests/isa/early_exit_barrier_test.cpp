// `if (i >= n) return;` before a __syncthreads(): nvcc branches the returning threads to the
// kernel's final `ret`, after the barrier. Lanes of a partly returning warp must not hold the
// barrier up (on a GPU ptxas makes that branch an EXIT): the kernel completes with every
// remaining thread's result, for n inside a warp and at a warp's edge. A branch to the `ret` of a
// called function only returns from it: those lanes go on in the caller. A barrier guarded off for
// the whole warp is skipped.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "runtime/device_memory.h"

namespace gpusim::isa {
namespace {

// nvcc 13 -O2 for sm_80 of:
//   __global__ void k(const int* in, int* out, int n) {
//     __shared__ int s[128]; int i = threadIdx.x;
//     if (i >= n) return;
//     s[i] = in[i]; __syncthreads(); out[i] = s[n - 1 - i]; }
// and `callee`, whose lanes with tid >= n return from a .func early; the kernel then stores
// tid + 1000 for every thread.
const char* kPtx = R"(
.version 9.0
.target sm_80
.address_size 64
.visible .entry k(.param .u64 k_param_0, .param .u64 k_param_1, .param .u32 k_param_2)
{
  .reg .pred %p<2>;
  .reg .b32 %r<12>;
  .reg .b64 %rd<8>;
  .shared .align 4 .b8 s[512];
  ld.param.u64 %rd1, [k_param_0];
  ld.param.u64 %rd2, [k_param_1];
  ld.param.u32 %r2, [k_param_2];
  mov.u32 %r1, %tid.x;
  setp.ge.s32 %p1, %r1, %r2;
  @%p1 bra $L__BB0_2;
  cvta.to.global.u64 %rd3, %rd1;
  mul.wide.s32 %rd4, %r1, 4;
  add.s64 %rd5, %rd3, %rd4;
  ld.global.u32 %r3, [%rd5];
  shl.b32 %r4, %r1, 2;
  mov.u32 %r5, s;
  add.s32 %r6, %r5, %r4;
  st.shared.u32 [%r6], %r3;
  bar.sync 0;
  not.b32 %r7, %r1;
  add.s32 %r8, %r7, %r2;
  shl.b32 %r9, %r8, 2;
  add.s32 %r10, %r5, %r9;
  ld.shared.u32 %r11, [%r10];
  cvta.to.global.u64 %rd6, %rd2;
  add.s64 %rd7, %rd6, %rd4;
  st.global.u32 [%rd7], %r11;
$L__BB0_2:
  ret;
}
.func (.param .b32 r) early(.param .b32 t, .param .b32 n)
{
  .reg .pred %p<2>;
  .reg .b32 %r<4>;
  ld.param.b32 %r1, [t];
  ld.param.b32 %r2, [n];
  mov.u32 %r3, 1000;
  st.param.b32 [r], %r3;
  setp.ge.s32 %p1, %r1, %r2;
  @%p1 bra $L_done;
  st.param.b32 [r], %r3;
$L_done:
  ret;
}
.visible .entry callee(.param .u64 callee_param_0, .param .u64 callee_param_1, .param .u32 callee_param_2)
{
  .reg .b32 %r<6>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [callee_param_1];
  ld.param.u32 %r2, [callee_param_2];
  mov.u32 %r1, %tid.x;
  {
  .param .b32 a0;
  st.param.b32 [a0], %r1;
  .param .b32 a1;
  st.param.b32 [a1], %r2;
  .param .b32 rv;
  call.uni (rv), early, (a0, a1);
  ld.param.b32 %r3, [rv];
  }
  add.s32 %r4, %r3, %r1;
  bar.sync 0;
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r4;
  ret;
}
.visible .entry guarded(.param .u64 g_param_0, .param .u64 g_param_1, .param .u32 g_param_2)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [g_param_1];
  ld.param.u32 %r2, [g_param_2];
  mov.u32 %r1, %tid.x;
  setp.eq.s32 %p1, %r2, 999;
  @%p1 bar.sync 0;
  @%p1 barrier.sync 1;
  @%p1 bar.red.popc.u32 %r3, 2, %p1;
  add.s32 %r4, %r1, 2000;
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r4;
  ret;
}
)";

struct Outcome {
  std::vector<int32_t> out;
  std::string error;
};

Outcome run(const char* kernel, int32_t n) {
  const Module module = parse_ptx(kPtx, "early_exit.ptx");
  runtime::DeviceMemory memory;
  const unsigned threads = 128;
  std::vector<int32_t> in(threads);
  for (unsigned i = 0; i < threads; ++i) in[i] = int32_t(i) * 3;
  const uint64_t din = memory.allocate(threads * 4), dout = memory.allocate(threads * 4);
  memory.copy_in(din, in.data(), threads * 4);
  memory.fill(dout, 0xff, threads * 4);
  LaunchState ls;
  ls.module = &module;
  ls.kernel = module.find_function(kernel);
  ls.grid = Dim3{1, 1, 1};
  ls.block = Dim3{threads, 1, 1};
  ls.dynamic_shared_base = (ls.kernel->static_shared_bytes + 15) / 16 * 16;  // the static shared bytes
  ls.params.resize(20);
  std::memcpy(ls.params.data(), &din, 8);
  std::memcpy(ls.params.data() + 8, &dout, 8);
  std::memcpy(ls.params.data() + 16, &n, 4);
  ls.global = &memory;
  Outcome r;
  try {
    run_grid_functional(ls);
  } catch (const ExecError& e) {
    r.error = e.what();
  }
  r.out.resize(threads);
  memory.copy_out(r.out.data(), dout, threads * 4);
  return r;
}

TEST(EarlyExitBeforeBarrier, ReturnedLanesDoNotHoldTheBarrier) {
  for (int32_t n : {100, 97, 64, 33, 1}) {
    const Outcome r = run("k", n);
    ASSERT_EQ(r.error, "") << "n = " << n;
    for (int32_t i = 0; i < 128; ++i)
      EXPECT_EQ(r.out[i], i < n ? (n - 1 - i) * 3 : -1) << "n = " << n << ", thread " << i;
  }
}

TEST(EarlyExitBeforeBarrier, ABranchToACalleesReturnOnlyReturns) {
  const Outcome r = run("callee", 50);
  ASSERT_EQ(r.error, "");
  for (int32_t i = 0; i < 128; ++i) EXPECT_EQ(r.out[i], 1000 + i) << "thread " << i;
}

// A barrier whose guard is false for the whole warp is skipped (the warp re-ran it forever: an
// endless-loop fault); with the guard true the barriers complete as usual.
TEST(EarlyExitBeforeBarrier, ABarrierGuardedOffIsSkipped) {
  for (int32_t n : {1, 999}) {
    const Outcome r = run("guarded", n);
    ASSERT_EQ(r.error, "") << "n = " << n;
    for (int32_t i = 0; i < 128; ++i) EXPECT_EQ(r.out[i], 2000 + i) << "n = " << n << ", thread " << i;
  }
}

}  // namespace
}  // namespace gpusim::isa
