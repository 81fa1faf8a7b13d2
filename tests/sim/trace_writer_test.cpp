// The --trace timeline: valid JSON whose event counts match the launch's statistics and the
// counts worked out by hand for a straight-line kernel.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>

#include "sim/trace_writer.h"
#include "tests/sim/profiling_test_support.h"

namespace gpusim::sim {
namespace {

using testing::kStoreKernel;
using testing::kStoreKernelInstructions;

constexpr int kCtas = 8, kThreads = 128, kWarpsPerCta = kThreads / 32;

runtime::SimDeviceOptions two_sm_timing(const std::string& trace_path) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.overrides = {"sm.count=2"};
  o.profiling.trace_path = trace_path;
  o.profiling.trace_sms = "all";
  return o;
}

TEST(TraceWriter, EventCountsEqualTheStats) {
  testing::TempPath trace(".json");
  const runtime::LaunchStats stats =
      testing::run_profiled(two_sm_timing(trace.path), kStoreKernel, "store_tid", {kCtas, 1, 1}, {kThreads, 1, 1}, kCtas * kThreads * 4);
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  const nlohmann::json doc = testing::read_json(trace.path);
  ASSERT_TRUE(doc.contains("traceEvents"));

  std::map<std::pair<int, int>, uint64_t> issues;  // (pid, tid) -> issue slices
  std::map<int, uint64_t> ctas, stall_cycles;      // per pid
  uint64_t kernels = 0, mem_begin = 0, mem_end = 0;
  std::set<std::string> levels;
  for (const nlohmann::json& e : doc["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph == "M") continue;
    const std::string cat = e["cat"];
    const int pid = e["pid"];
    if (cat == "issue") {
      EXPECT_EQ(e["dur"], 1);
      issues[{pid, e["tid"].get<int>()}] += 1;
    } else if (cat == "stall") {
      stall_cycles[pid] += e["dur"].get<uint64_t>();
    } else if (cat == "cta") {
      ctas[pid] += 1;
    } else if (cat == "kernel") {
      kernels += 1;
      EXPECT_EQ(e["name"], "store_tid");
      EXPECT_EQ(e["dur"].get<uint64_t>(), stats.cycles);
    } else if (cat == "memory" && ph == "b") {
      mem_begin += 1;
      levels.insert(e["args"]["level"].get<std::string>());
      EXPECT_EQ(e["args"]["kind"], "write");
      EXPECT_EQ(e["args"]["bytes"], 128);  // one warp's 32 x 4 contiguous bytes
      EXPECT_GT(e["args"]["latency_cycles"].get<uint64_t>(), 0u);
    } else if (cat == "memory" && ph == "e") {
      mem_end += 1;
    }
  }
  EXPECT_EQ(kernels, 1u);
  // The dispatcher gives each SM one CTA per cycle in turn: 4 CTAs each, one warp per sub-core.
  for (int pid : {1, 2}) {
    EXPECT_EQ(ctas[pid], uint64_t(kCtas / 2)) << "SM " << pid - 1;
    for (int sc = 0; sc < 4; ++sc)
      EXPECT_EQ(issues[std::make_pair(pid, sc)], uint64_t(kCtas / 2 * kStoreKernelInstructions)) << "SM " << pid - 1 << " sub-core " << sc;
  }
  EXPECT_EQ(issues.size(), 8u);
  // The same totals from the statistics.
  uint64_t all_issues = 0, all_stalls = 0;
  for (const auto& [k, n] : issues) all_issues += n;
  for (const auto& [k, n] : stall_cycles) all_stalls += n;
  EXPECT_EQ(all_issues, report["instructions"]["warp"].get<uint64_t>());
  uint64_t warp_cycles = 0;
  for (const auto& [reason, n] : report["stall_warp_cycles"].items()) warp_cycles += n.get<uint64_t>();
  EXPECT_EQ(all_issues + all_stalls, warp_cycles);  // every resident warp-cycle is an issue or in a stall slice
  EXPECT_EQ(all_stalls, warp_cycles - report["stall_warp_cycles"]["selected"].get<uint64_t>());
  // One write per warp leaves the SM and is acknowledged.
  EXPECT_EQ(mem_begin, uint64_t(kCtas * kWarpsPerCta));
  EXPECT_EQ(mem_end, mem_begin);
  for (const std::string& l : levels) EXPECT_TRUE(l == "L2" || l == "DRAM" || l == "L2 (waited for DRAM)") << l;
}

// Every CTA of 8 on 2 SMs reads the same 4 lines at once (out[i] = in[(i / 32) % 4 * 32 + i % 32],
// `in` the buffer's second half): each SM's L1 merges its warps' reads, and the L2 the two SMs' reads
// of a line into one DRAM fill.
// The trace names the request DRAM read for "read DRAM" and the ones that waited for it "read L2
// (waited for DRAM)", so its dram_bytes add up to the DRAM counter; calling every fill's answer
// "DRAM" counted a line once per waiting request (a student's 49,152 bytes against 32,768).
TEST(TraceWriter, DramBytesAddUpToTheDramCounterWhenReadsMerge) {
  const char* kShared = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry shared_lines(.param .u64 out)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mad.lo.u32 %r4, %r2, %r3, %r1;
  shr.u32 %r5, %r4, 5;
  and.b32 %r5, %r5, 3;
  and.b32 %r6, %r4, 31;
  mad.lo.u32 %r7, %r5, 32, %r6;
  add.u32 %r7, %r7, 4096;
  mul.wide.u32 %rd2, %r7, 4;
  add.s64 %rd3, %rd1, %rd2;
  ld.global.u32 %r7, [%rd3];
  mul.wide.u32 %rd4, %r4, 4;
  add.s64 %rd5, %rd1, %rd4;
  st.global.u32 [%rd5], %r7;
  ret;
}
)";
  testing::TempPath trace(".json");
  const runtime::LaunchStats stats = testing::run_profiled(two_sm_timing(trace.path), kShared, "shared_lines",
                                                           {kCtas, 1, 1}, {kThreads, 1, 1}, 2 * 4096 * 4);
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  const nlohmann::json doc = testing::read_json(trace.path);
  uint64_t dram_bytes = 0, dram_named_bytes = 0, waited = 0, reads = 0;
  for (const nlohmann::json& e : doc["traceEvents"]) {
    if (e["ph"] != "b" || e["cat"] != "memory" || e["args"]["kind"] != "read") continue;
    reads += 1;
    dram_bytes += e["args"]["dram_bytes"].get<uint64_t>();
    if (e["name"] == "read DRAM") dram_named_bytes += e["args"]["bytes"].get<uint64_t>();
    if (e["name"] == "read L2 (waited for DRAM)") {
      waited += 1;
      EXPECT_EQ(e["args"]["dram_bytes"], 0);
    }
  }
  EXPECT_GE(reads, 8u);  // at least each SM's read of each line leaves it
  EXPECT_EQ(report["dram"]["read_bytes"].get<uint64_t>(), 4u * 128u);  // 4 lines, each read once
  EXPECT_EQ(dram_bytes, report["dram"]["read_bytes"].get<uint64_t>());
  EXPECT_EQ(dram_named_bytes, dram_bytes);  // here each "read DRAM" asked for its whole line
  EXPECT_GT(waited, 0u);                    // the second SM's reads wait for the first's fills
}

TEST(TraceWriter, DefaultCoversSmZeroAndTheCycleWindowBoundsIt) {
  testing::TempPath full(".json"), window(".json");
  runtime::SimDeviceOptions o = two_sm_timing(full.path);
  o.profiling.trace_sms = "";  // default: SM 0 only
  testing::run_profiled(o, kStoreKernel, "store_tid", {kCtas, 1, 1}, {kThreads, 1, 1}, kCtas * kThreads * 4);
  o.profiling.trace_path = window.path;
  constexpr uint64_t kWindowEnd = 20;  // the first stores leave by then; their answers come later
  o.profiling.trace_cycles = "0:" + std::to_string(kWindowEnd);
  testing::run_profiled(o, kStoreKernel, "store_tid", {kCtas, 1, 1}, {kThreads, 1, 1}, kCtas * kThreads * 4);
  uint64_t full_issues = 0, window_issues = 0;
  const nlohmann::json full_doc = testing::read_json(full.path), window_doc = testing::read_json(window.path);
  for (const nlohmann::json& e : full_doc["traceEvents"]) {
    EXPECT_LE(e["pid"].get<int>(), 1) << "only the GPU and SM 0 have tracks";
    if (e.value("cat", std::string()) == "issue") full_issues += 1;
  }
  uint64_t window_memory = 0;
  for (const nlohmann::json& e : window_doc["traceEvents"]) {
    if (e["ph"] == "M" || e.value("cat", std::string()) == "kernel") continue;
    if (e["ph"] != "e") {
      EXPECT_LT(e["ts"].get<uint64_t>(), kWindowEnd) << e.dump();
    } else {
      EXPECT_LE(e["ts"].get<uint64_t>(), kWindowEnd) << "ends are clipped to the window too: " << e.dump();
    }
    if (e.value("cat", std::string()) == "issue") window_issues += 1;
    if (e.value("cat", std::string()) == "memory" && e["ph"] == "b") window_memory += 1;
  }
  EXPECT_GT(window_memory, 0u) << "stores leave SM 0 inside the window (and are answered after it)";
  EXPECT_EQ(full_issues, uint64_t(kCtas / 2 * kWarpsPerCta * kStoreKernelInstructions));
  EXPECT_GT(window_issues, 0u);
  EXPECT_LT(window_issues, full_issues);
}

TEST(TraceWriter, OptionParsing) {
  EXPECT_EQ(parse_sm_list("0,2-3", 4), (std::vector<int>{0, 2, 3}));
  EXPECT_TRUE(parse_sm_list("all", 4).empty());
  EXPECT_THROW(parse_sm_list("4", 4), std::invalid_argument);
  EXPECT_THROW(parse_sm_list("1-x", 4), std::invalid_argument);
  EXPECT_THROW(parse_sm_list("3-1", 4), std::invalid_argument);
  TraceOptions t;
  parse_cycle_window("100:200", &t);
  EXPECT_EQ(t.from_cycle, 100u);
  EXPECT_EQ(t.to_cycle, 200u);
  parse_cycle_window(":50", &t);
  EXPECT_EQ(t.from_cycle, 0u);
  parse_cycle_window("7:", &t);
  EXPECT_EQ(t.to_cycle, UINT64_MAX);
  EXPECT_THROW(parse_cycle_window("5", &t), std::invalid_argument);
  EXPECT_THROW(parse_cycle_window("9:3", &t), std::invalid_argument);
}

TEST(TraceWriter, ProfilingOutsideTimingModeIsAnError) {
  runtime::SimDeviceOptions o;
  o.profiling.trace_path = "/tmp/never_written.json";
  try {
    runtime::make_sim_device(o);
    FAIL() << "expected an error";
  } catch (const runtime::Error& e) {
    EXPECT_NE(std::string(e.what()).find("timing mode"), std::string::npos) << e.what();
  }
}

TEST(TraceWriter, UnwritableFileIsNamed) {
  runtime::SimDeviceOptions o = two_sm_timing("/nonexistent-dir/t.json");
  try {
    runtime::make_sim_device(o);
    FAIL() << "expected an error";
  } catch (const runtime::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/t.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gpusim::sim
