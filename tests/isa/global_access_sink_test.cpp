// The global accesses of CTAs run functionally, reported to a sink (isa::GlobalAccessSink: the
// wave sampler warms the timing model's L2 with them, sim/l2_warming.h). Checked against the
// accesses worked out on the CPU for a kernel with a coalesced load (reported from the step's
// affine summary), a gathered load (from its per-lane records), a store and an atomic; only the
// CTAs asked for are reported, and the results equal a run without the sink.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "runtime/device_memory.h"

namespace gpusim::isa {
namespace {

// out[i] = in[idx[i]]; every thread adds 1 to *count.
const char* kGatherPtx = R"(
.version 9.0
.target sm_80
.address_size 64
.visible .entry gather(.param .u64 in, .param .u64 idx, .param .u64 out, .param .u64 count)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<12>;
  ld.param.u64 %rd1, [in];
  ld.param.u64 %rd2, [idx];
  ld.param.u64 %rd3, [out];
  ld.param.u64 %rd4, [count];
  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %tid.x;
  mad.lo.u32 %r4, %r1, %r2, %r3;
  mul.wide.u32 %rd5, %r4, 4;
  add.u64 %rd6, %rd2, %rd5;
  ld.global.u32 %r5, [%rd6];
  mul.wide.u32 %rd7, %r5, 4;
  add.u64 %rd8, %rd1, %rd7;
  ld.global.u32 %r6, [%rd8];
  add.u64 %rd9, %rd3, %rd5;
  st.global.u32 [%rd9], %r6;
  atom.global.add.u32 %r7, [%rd4], 1;
  ret;
}
)";

using Access = std::tuple<uint64_t, uint32_t, bool>;  // address, bytes, write

struct Recorder : GlobalAccessSink {
  std::vector<Access> seen;
  void on_global_access(uint64_t address, uint32_t bytes, bool write) override { seen.emplace_back(address, bytes, write); }
};

constexpr unsigned kCtas = 6, kBlock = 64, kN = kCtas * kBlock;

struct GatherRun {
  std::vector<uint32_t> out;
  uint32_t count = 0;
  std::vector<Access> expected;  // of the CTAs run, worked out on the CPU
  std::vector<Access> seen;
};

GatherRun run_gather(uint64_t first, uint64_t end, bool with_sink) {
  const Module module = parse_ptx(kGatherPtx, "gather.ptx");
  runtime::DeviceMemory memory;
  const uint64_t in = memory.allocate(kN * 4), idx = memory.allocate(kN * 4), out = memory.allocate(kN * 4),
                 count = memory.allocate(4);
  std::vector<uint32_t> values(kN), index(kN);
  for (uint32_t i = 0; i < kN; ++i) values[i] = 1000 + i, index[i] = (i * 37 + 5) % kN;
  memory.copy_in(in, values.data(), kN * 4);
  memory.copy_in(idx, index.data(), kN * 4);
  memory.fill(out, 0, kN * 4);
  memory.fill(count, 0, 4);
  LaunchState ls;
  ls.module = &module;
  ls.kernel = module.find_function("gather");
  ls.grid = Dim3{kCtas, 1, 1};
  ls.block = Dim3{kBlock, 1, 1};
  ls.params.resize(32);
  for (int p = 0; p < 4; ++p) {
    const uint64_t a = p == 0 ? in : p == 1 ? idx : p == 2 ? out : count;
    std::memcpy(ls.params.data() + 8 * p, &a, 8);
  }
  ls.global = &memory;
  GatherRun r;
  Recorder recorder;
  run_ctas_functional(ls, FunctionalLimits{}, first, end, nullptr, with_sink ? &recorder : nullptr);
  r.seen = recorder.seen;
  r.out.resize(kN);
  memory.copy_out(r.out.data(), out, kN * 4);
  memory.copy_out(&r.count, count, 4);
  for (uint64_t i = first * kBlock; i < end * kBlock; ++i) {
    r.expected.emplace_back(idx + 4 * i, 4, false);
    r.expected.emplace_back(in + 4 * uint64_t(index[i]), 4, false);
    r.expected.emplace_back(out + 4 * i, 4, true);
    r.expected.emplace_back(count, 4, true);  // an atomic counts as a write
  }
  return r;
}

TEST(GlobalAccessSink, ReportsEveryGlobalAccessOfTheCtasRun) {
  GatherRun r = run_gather(2, 5, true);
  std::sort(r.seen.begin(), r.seen.end());
  std::sort(r.expected.begin(), r.expected.end());
  EXPECT_EQ(r.seen.size(), 3u * kBlock * 4);
  EXPECT_EQ(r.seen, r.expected);
}

TEST(GlobalAccessSink, ResultsAreThoseOfARunWithoutIt) {
  const GatherRun with = run_gather(0, kCtas, true), without = run_gather(0, kCtas, false);
  EXPECT_EQ(with.out, without.out);
  EXPECT_EQ(with.count, kN);
  EXPECT_EQ(without.count, kN);
  EXPECT_TRUE(without.seen.empty());
  EXPECT_EQ(with.out[7], 1000u + (7 * 37 + 5) % kN);
}

}  // namespace
}  // namespace gpusim::isa
