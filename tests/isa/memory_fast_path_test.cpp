// The executor's direct ld/st paths (isa/memory_fast_path.h, exec_memory.cpp) against values
// computed here and against the PTX rules: sign extension of narrow loads, vector and generic
// accesses, guarded lanes, kernel parameters, and, on a fault, the memory accesses the trace
// holds for the lanes before the faulting one (lane order, as the general path records them).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "isa/affine_access.h"
#include "isa/launch_state.h"
#include "isa/ptx_parser.h"
#include "isa/step.h"
#include "runtime/device_memory.h"

using namespace gpusim::isa;

namespace {

// One warp: thread t stores -t (as s32) at sm[t], then reads back sm[t ^ 1] as s16 (sign
// extended), the pair sm[t & ~1], sm[(t & ~1) + 1] with ld.shared.v2, sm[31 - t] through a
// generic address, and, in odd lanes only, the kernel parameter k; out[t] gets their sum.
const char* kPtx = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry fast(.param .u64 p_out, .param .u32 p_k)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<10>;
  .reg .pred %p<2>;
  .shared .align 16 .b32 sm[32];
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [p_out];
  cvta.to.global.u64 %rd2, %rd1;
  mov.u32 %r2, sm;
  shl.b32 %r3, %r1, 2;
  add.s32 %r4, %r2, %r3;
  neg.s32 %r5, %r1;
  st.shared.u32 [%r4], %r5;
  xor.b32 %r6, %r1, 1;
  shl.b32 %r7, %r6, 2;
  add.s32 %r8, %r2, %r7;
  ld.shared.s16 %r9, [%r8];
  and.b32 %r10, %r3, 0xfffffff8;
  add.s32 %r11, %r2, %r10;
  ld.shared.v2.u32 {%r12, %r13}, [%r11];
  xor.b32 %r14, %r1, 31;
  shl.b32 %r15, %r14, 2;
  cvt.u64.u32 %rd3, %r15;
  mov.u64 %rd4, sm;
  cvta.shared.u64 %rd5, %rd4;
  add.s64 %rd6, %rd5, %rd3;
  ld.u32 %r16, [%rd6];
  mov.u32 %r17, 0;
  and.b32 %r18, %r1, 1;
  setp.ne.u32 %p1, %r18, 0;
  @%p1 ld.param.u32 %r17, [p_k];
  add.s32 %r19, %r9, %r12;
  add.s32 %r19, %r19, %r13;
  add.s32 %r19, %r19, %r16;
  add.s32 %r19, %r19, %r17;
  mul.wide.u32 %rd7, %r1, 4;
  add.s64 %rd8, %rd2, %rd7;
  st.global.u32 [%rd8], %r19;
  ret;
}

// Lane 3 loads from a misaligned shared address; every other lane's address is aligned.
.visible .entry misaligned()
{
  .reg .b32 %r<8>;
  .reg .pred %p<2>;
  .shared .align 4 .b32 sm2[40];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, sm2;
  shl.b32 %r3, %r1, 2;
  add.s32 %r4, %r2, %r3;
  setp.eq.u32 %p1, %r1, 3;
  selp.u32 %r5, 1, 0, %p1;
  add.s32 %r6, %r4, %r5;
  ld.shared.u32 %r7, [%r6];
  ret;
}

// Narrow and wide shared loads through the scalar path, with all lanes and with the odd lanes only:
// thread t stores the byte 0x80 + t at sb[t]; then ld.shared.s8 of sb[t ^ 1] in odd lanes (even
// lanes keep 7), ld.shared.u8 of sb[t ^ 1] and ld.shared.u16 of sb[t & ~1] in every lane, and
// ld.shared.u64 of sb[t & ~7]; the results go to out32[3t..3t+2] and out64[t].
.visible .entry narrow(.param .u64 p_out32, .param .u64 p_out64)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<12>;
  .reg .pred %p<2>;
  .shared .align 8 .b8 sb[32];
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [p_out32];
  cvta.to.global.u64 %rd2, %rd1;
  ld.param.u64 %rd3, [p_out64];
  cvta.to.global.u64 %rd4, %rd3;
  mov.u32 %r2, sb;
  add.s32 %r3, %r2, %r1;
  add.s32 %r4, %r1, 128;
  st.shared.u8 [%r3], %r4;
  xor.b32 %r5, %r1, 1;
  add.s32 %r6, %r2, %r5;
  mov.u32 %r7, 7;
  and.b32 %r8, %r1, 1;
  setp.ne.u32 %p1, %r8, 0;
  @%p1 ld.shared.s8 %r7, [%r6];
  ld.shared.u8 %r9, [%r6];
  and.b32 %r10, %r1, 30;
  add.s32 %r11, %r2, %r10;
  ld.shared.u16 %r12, [%r11];
  and.b32 %r13, %r1, 24;
  add.s32 %r14, %r2, %r13;
  ld.shared.u64 %rd5, [%r14];
  mul.lo.u32 %r15, %r1, 12;
  cvt.u64.u32 %rd6, %r15;
  add.s64 %rd7, %rd2, %rd6;
  st.global.u32 [%rd7], %r7;
  st.global.u32 [%rd7+4], %r9;
  st.global.u32 [%rd7+8], %r12;
  mul.wide.u32 %rd8, %r1, 8;
  add.s64 %rd9, %rd4, %rd8;
  st.global.u64 [%rd9], %rd5;
  ret;
}

// A 32-bit shared address is computed modulo 2^32: nvcc -O2 keeps buf[i % STAGES] as a "negative"
// register plus a positive offset. Thread t: sw[t] = 3t; then, through %r4 = sw - 4096 + 4t
// (wrapped), ld [%r4+4096] (sw[t], every lane), @odd ld [%r4+4100] (sw[t + 1]), st [%r4+4224]
// (sw[32 + t] = t + 100), ld.v2 of sw[32 + (t & ~1)] and its neighbour, atom.add [%r4+4096] (old
// sw[t] = 3t); out[t] = the sum.
.visible .entry wrap32(.param .u64 p_out)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<6>;
  .reg .pred %p<2>;
  .shared .align 8 .b32 sw[64];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, sw;
  shl.b32 %r3, %r1, 2;
  add.s32 %r5, %r2, %r3;
  mul.lo.u32 %r6, %r1, 3;
  st.shared.u32 [%r5], %r6;
  bar.sync 0;
  sub.s32 %r4, %r5, 4096;
  ld.shared.u32 %r7, [%r4+4096];
  mov.u32 %r8, 0;
  and.b32 %r9, %r1, 1;
  setp.ne.u32 %p1, %r9, 0;
  @%p1 ld.shared.u32 %r8, [%r4+4100];
  add.s32 %r10, %r1, 100;
  st.shared.u32 [%r4+4224], %r10;
  bar.sync 0;
  and.b32 %r11, %r3, 0xfffffff8;
  add.s32 %r12, %r2, %r11;
  sub.s32 %r12, %r12, 65536;
  ld.shared.v2.u32 {%r13, %r14}, [%r12+65664];
  atom.shared.add.u32 %r15, [%r4+4096], 1;
  add.s32 %r16, %r7, %r8;
  add.s32 %r16, %r16, %r13;
  add.s32 %r16, %r16, %r14;
  add.s32 %r16, %r16, %r15;
  ld.param.u64 %rd1, [p_out];
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r16;
  ret;
}
)";

class MemoryFastPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    module = parse_ptx(kPtx, "memory_fast_path.ptx");
  }
  // Sets up one CTA of 32 threads running `kernel` with the given parameter buffer.
  std::unique_ptr<CtaState> cta_for(const std::string& kernel, std::vector<uint8_t> params) {
    ls.module = &module;
    ls.kernel = module.find_function(kernel);
    EXPECT_NE(ls.kernel, nullptr);
    ls.grid = Dim3{1, 1, 1};
    ls.block = Dim3{32, 1, 1};
    ls.params = std::move(params);
    ls.global = &memory;
    ls.dynamic_shared_base = (ls.kernel->static_shared_bytes + 15) / 16 * 16;
    return std::make_unique<CtaState>(ls, Dim3{0, 0, 0});
  }
  Module module;
  LaunchState ls;
  gpusim::runtime::DeviceMemory memory;
};

TEST_F(MemoryFastPathTest, LoadsAndStoresMatchTheirDefinition) {
  const uint64_t out = memory.allocate(32 * 4);
  std::vector<uint8_t> params(16);
  const uint32_t k = 1000;
  std::memcpy(params.data(), &out, 8);
  std::memcpy(params.data() + 8, &k, 4);
  auto cta = cta_for("fast", params);
  Warp& w = *cta->warps[0];
  std::vector<MemAccess> trace;
  std::vector<MemAccess> shared_s16;  // the trace of `ld.shared.s16`
  while (!w.done()) {
    trace.clear();
    const StepResult r = step_warp(w, *cta, ls, &trace);
    if (r.inst && r.inst->op == Opcode::Ld && r.inst->mod.space == StateSpace::Shared && r.inst->mod.vec == 1)
      shared_s16 = trace;
  }
  std::vector<int32_t> got(32);
  memory.copy_out(got.data(), out, 32 * 4);
  for (int t = 0; t < 32; ++t) {
    // sm[t ^ 1] = -(t ^ 1): its low 16 bits sign-extended are the same value.
    const int32_t s16 = -(t ^ 1);
    const int32_t pair = -(t & ~1) + -((t & ~1) + 1);
    const int32_t generic = -(31 - t);
    const int32_t param = (t & 1) ? int32_t(k) : 0;
    EXPECT_EQ(got[t], s16 + pair + generic + param) << "thread " << t;
  }
  ASSERT_EQ(shared_s16.size(), 32u);
  for (unsigned l = 0; l < 32; ++l) {
    EXPECT_EQ(shared_s16[l].lane, l);
    EXPECT_EQ(shared_s16[l].space, StateSpace::Shared);
    EXPECT_EQ(shared_s16[l].addr, uint64_t(l ^ 1) * 4);
    EXPECT_EQ(shared_s16[l].size, 2);
    EXPECT_FALSE(shared_s16[l].write);
  }
}

TEST_F(MemoryFastPathTest, ThirtyTwoBitSharedAddressesWrap) {
  const uint64_t out = memory.allocate(32 * 4);
  std::vector<uint8_t> params(8);
  std::memcpy(params.data(), &out, 8);
  auto cta = cta_for("wrap32", params);
  Warp& w = *cta->warps[0];
  while (!w.done()) step_warp(w, *cta, ls, nullptr);
  std::vector<uint32_t> got(32);
  memory.copy_out(got.data(), out, 32 * 4);
  for (uint32_t t = 0; t < 32; ++t) {
    const uint32_t odd = (t & 1) && t < 31 ? 3 * (t + 1) : 0;  // sw[32] is still 0 then
    const uint32_t pair = ((t & ~1u) + 100) + ((t & ~1u) + 101);
    EXPECT_EQ(got[t], 3 * t + odd + pair + 3 * t) << "thread " << t;
  }
}

// step_warp with a summary: each instruction's summary, written out, is exactly the records the
// same instruction leaves without one (two warps run side by side, one asking for records only).
TEST_F(MemoryFastPathTest, SummariesStandForExactlyTheRecords) {
  const uint64_t out = memory.allocate(32 * 4);
  std::vector<uint8_t> params(16);
  std::memcpy(params.data(), &out, 8);
  auto by_records = cta_for("fast", params);
  auto by_summary = cta_for("fast", params);
  Warp& a = *by_records->warps[0];
  Warp& b = *by_summary->warps[0];
  std::vector<MemAccess> records, trace, expanded;
  AffineAccess summary;
  int summarised = 0, memory_instructions = 0;
  while (!a.done()) {
    ASSERT_FALSE(b.done());
    records.clear();
    trace.clear();
    const StepResult ra = step_warp(a, *by_records, ls, &records);
    const StepResult rb = step_warp(b, *by_summary, ls, &trace, &summary);
    ASSERT_EQ(ra.inst, rb.inst);
    if (summary.valid()) {
      EXPECT_TRUE(trace.empty());
      expanded.clear();
      summary.append_records(expanded);
      ++summarised;
    } else {
      expanded = trace;
    }
    memory_instructions += records.empty() ? 0 : 1;
    ASSERT_EQ(expanded.size(), records.size()) << "line " << ra.inst->line;
    for (size_t i = 0; i < records.size(); ++i) {
      EXPECT_EQ(expanded[i].addr, records[i].addr);
      EXPECT_EQ(expanded[i].lane, records[i].lane);
      EXPECT_EQ(expanded[i].space, records[i].space);
      EXPECT_EQ(expanded[i].size, records[i].size);
      EXPECT_EQ(expanded[i].write, records[i].write);
    }
  }
  EXPECT_TRUE(b.done());
  // st.shared (dense), ld.shared.s16 (lanes swapped in pairs: rows of two lanes, stride -4),
  // ld.shared.v2 (rows of two lanes, stride 0), ld.u32 generic (descending) and st.global (the
  // warp's first access to that allocation: the scalar store moves the warp's cached allocation
  // to its first lane's before checking the lanes, as scalar loads do) are summarised; the
  // kernel-parameter loads are left as records.
  EXPECT_GE(memory_instructions, 7);
  EXPECT_EQ(summarised, 5);
}

// Each width's zero or sign extension, with all lanes and with half of them, against the bytes
// computed here.
TEST_F(MemoryFastPathTest, NarrowAndWideLoadsExtendAsTheirTypeSays) {
  const uint64_t out32 = memory.allocate(32 * 12), out64 = memory.allocate(32 * 8);
  std::vector<uint8_t> params(16);
  std::memcpy(params.data(), &out32, 8);
  std::memcpy(params.data() + 8, &out64, 8);
  auto cta = cta_for("narrow", params);
  Warp& w = *cta->warps[0];
  std::vector<MemAccess> trace;
  AffineAccess summary;
  while (!w.done()) {
    trace.clear();
    step_warp(w, *cta, ls, &trace, &summary);
  }
  std::vector<uint32_t> got32(32 * 3);
  std::vector<uint64_t> got64(32);
  memory.copy_out(got32.data(), out32, got32.size() * 4);
  memory.copy_out(got64.data(), out64, got64.size() * 8);
  auto byte = [](unsigned t) { return uint32_t(0x80 + t); };
  for (unsigned t = 0; t < 32; ++t) {
    const uint32_t s8 = (t & 1) ? uint32_t(int32_t(int8_t(uint8_t(byte(t ^ 1))))) : 7u;
    EXPECT_EQ(got32[3 * t], s8) << "ld.shared.s8, thread " << t;
    EXPECT_EQ(got32[3 * t + 1], byte(t ^ 1)) << "ld.shared.u8, thread " << t;
    EXPECT_EQ(got32[3 * t + 2], byte(t & ~1u) | byte((t & ~1u) + 1) << 8) << "ld.shared.u16, thread " << t;
    uint64_t wide = 0;
    for (unsigned j = 0; j < 8; ++j) wide |= uint64_t(byte((t & ~7u) + j)) << (8 * j);
    EXPECT_EQ(got64[t], wide) << "ld.shared.u64, thread " << t;
  }
}

TEST_F(MemoryFastPathTest, FaultNamesTheLaneAndKeepsTheEarlierLanesAccesses) {
  auto cta = cta_for("misaligned", {});
  Warp& w = *cta->warps[0];
  std::vector<MemAccess> trace;
  try {
    for (int i = 0; i < 100 && !w.done(); ++i) {
      trace.clear();
      step_warp(w, *cta, ls, &trace);
    }
    FAIL() << "the misaligned load did not fault";
  } catch (const ExecError& e) {
    EXPECT_EQ(e.kind(), FaultKind::MisalignedAddress);
    EXPECT_NE(std::string(e.what()).find("lane 3"), std::string::npos) << e.what();
  }
  // Lanes 0..2 loaded before lane 3 faulted, in lane order.
  ASSERT_EQ(trace.size(), 3u);
  for (unsigned l = 0; l < 3; ++l) {
    EXPECT_EQ(trace[l].lane, l);
    EXPECT_EQ(trace[l].addr, uint64_t(l) * 4);
  }
}

}  // namespace
