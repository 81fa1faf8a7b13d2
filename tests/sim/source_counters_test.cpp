// Per-line counters (--source-report): every warp-cycle and issue of a launch is charged to
// exactly one PTX instruction, so the per-instruction columns add up to the launch's totals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "sim/source_counters.h"
#include "tests/sim/profiling_test_support.h"

namespace gpusim::sim {
namespace {

// A loop: each thread sums 4 loads of in[] (stride blockDim) and stores the sum; shared memory
// round trip on the way. Per warp: 4 coalesced 128-byte loads, one 128-byte shared store and
// load, one 128-byte global store.
const char* kLoopKernel = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry loop_sum(.param .u64 buf)
{
  .reg .pred %p<2>;
  .reg .b32 %r<12>;
  .reg .f32 %f<4>;
  .reg .b64 %rd<8>;
  .shared .align 4 .b8 tile[512];
  ld.param.u64 %rd1, [buf];
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  mov.f32 %f1, 0f00000000;
  mov.u32 %r2, 0;
LOOP:
  ld.global.f32 %f2, [%rd3];
  add.f32 %f1, %f1, %f2;
  add.s64 %rd3, %rd3, 512;
  add.u32 %r2, %r2, 1;
  setp.lt.u32 %p1, %r2, 4;
  @%p1 bra LOOP;
  mov.u32 %r3, tile;
  mul.lo.u32 %r4, %r1, 4;
  add.u32 %r5, %r3, %r4;
  st.shared.f32 [%r5], %f1;
  bar.sync 0;
  ld.shared.f32 %f3, [%r5];
  st.global.f32 [%rd3], %f3;
  ret;
}
)";

TEST(SourceCounters, PtxLinesAddUpToTheLaunchTotals) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.overrides = {"sm.count=2"};
  o.profiling.source_report = 5;
  const runtime::LaunchStats stats =
      testing::run_profiled(o, kLoopKernel, "loop_sum", {4, 1, 1}, {128, 1, 1}, 128 * 4 * 5);
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  ASSERT_TRUE(report.contains("source")) << "no source counters in the stats";
  const nlohmann::json& ptx = report["source"]["ptx"];
  ASSERT_TRUE(report["source"]["lines"].is_array());
  EXPECT_TRUE(report["source"]["lines"].empty()) << "the PTX has no .loc lines";

  uint64_t issued = 0, global_bytes = 0, shared_bytes = 0;
  std::map<std::string, uint64_t> stalls;
  std::map<uint32_t, uint64_t> issued_at;
  for (const nlohmann::json& e : ptx) {
    issued += e["issued"].get<uint64_t>();
    issued_at[e["pc"].get<uint32_t>()] = e["issued"].get<uint64_t>();
    global_bytes += e["global_bytes"].get<uint64_t>();
    shared_bytes += e["shared_bytes"].get<uint64_t>();
    for (const auto& [reason, n] : e["stall_warp_cycles"].items()) stalls[reason] += n.get<uint64_t>();
    EXPECT_EQ(e["file"], -1);
    EXPECT_EQ(e["line"], 0);
    EXPECT_FALSE(e["text"].get<std::string>().empty());
  }
  EXPECT_EQ(issued, report["instructions"]["warp"].get<uint64_t>());
  for (const auto& [reason, n] : report["stall_warp_cycles"].items())
    EXPECT_EQ(stalls[reason], n.get<uint64_t>()) << reason;
  // By hand: 16 warps; per warp 4 x 128 B loaded + 128 B stored globally, 128 B stored and loaded in shared.
  constexpr uint64_t kWarps = 4 * 128 / 32;
  EXPECT_EQ(global_bytes, kWarps * (4 * 128 + 128));
  EXPECT_EQ(shared_bytes, kWarps * 2 * 128);
  // 6 instructions before the loop run once per warp, the 6 of the loop body 4 times, the 8 after once.
  ASSERT_EQ(issued_at.size(), 20u);
  for (const auto& [pc, n] : issued_at) EXPECT_EQ(n, (pc >= 6 && pc < 12 ? 4 : 1) * kWarps) << "pc " << pc;
  // The loads' latency is charged where it is waited for: the add that consumes the loaded value
  // (PC 7) waits on the long scoreboard far longer than anything else, and the report says so first.
  uint64_t most = 0;
  uint32_t most_pc = 0;
  for (const nlohmann::json& e : ptx) {
    const uint64_t w = e["stall_warp_cycles"]["long_scoreboard"].get<uint64_t>();
    if (w > most) most = w, most_pc = e["pc"].get<uint32_t>();
  }
  EXPECT_EQ(most_pc, 7u);
  EXPECT_NE(stats.report_text.find("by PTX line"), std::string::npos) << stats.report_text;
  const size_t header = stats.report_text.find("warp-cycles      %");
  ASSERT_NE(header, std::string::npos) << stats.report_text;
  const std::string first_row = stats.report_text.substr(stats.report_text.find('\n', header) + 1, 200);
  EXPECT_NE(first_row.find("add.f32 %f1, %f1, %f2"), std::string::npos) << stats.report_text;
  EXPECT_NE(first_row.find("long_scoreboard"), std::string::npos) << stats.report_text;
}

// The same loop with nvcc-style line information pointing into a small .cu file: setup on line 3,
// the loop control on line 4, the load-and-add on line 5, the shared round trip and store on 7.
std::string line_info_kernel(const std::string& cu_path, int loop_control_line = 4) {
  std::string ptx = kLoopKernel;
  ptx.replace(ptx.find(".visible"), 0, ".file 1 \"" + cu_path + "\"\n");
  const auto loc_before = [&](const std::string& inst, int line) {
    ptx.replace(ptx.find(inst), 0, ".loc 1 " + std::to_string(line) + " 1\n  ");
  };
  loc_before("ld.param.u64", 3);
  loc_before("ld.global.f32", 5);
  loc_before("add.s64 %rd3, %rd3, 512", loop_control_line);
  loc_before("mov.u32 %r3, tile", 7);
  return ptx;
}

TEST(SourceCounters, CudaLinesSumTheirInstructionsAndQuoteTheSource) {
  testing::TempPath cu(".cu");
  std::ofstream(cu.path) << "__global__ void loop_sum(float* buf) {\n"     // 1
                            "  float s = 0;\n"                               // 2
                            "  const float* p = buf + threadIdx.x;\n"        // 3
                            "  for (int k = 0; k < 4; ++k, p += 128)\n"      // 4
                            "    s += *p;  // the hot line\n"                // 5
                            "  __shared__ float tile[128];\n"                // 6
                            "  tile[threadIdx.x] = s; __syncthreads(); buf[threadIdx.x + 512] = tile[threadIdx.x];\n"  // 7
                            "}\n";
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.profiling.source_report = 10;
  const runtime::LaunchStats stats =
      testing::run_profiled(o, line_info_kernel(cu.path), "loop_sum", {4, 1, 1}, {128, 1, 1}, 128 * 4 * 5);
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  const nlohmann::json& src = report.at("source");
  EXPECT_EQ(src["files"]["1"], cu.path);
  // Per line, from the PTX entries that carry it (which instructions sit on which line is set above).
  std::map<uint32_t, uint64_t> issued_by_line, cycles_by_line;
  for (const nlohmann::json& e : src["ptx"]) {
    EXPECT_EQ(e["file"], 1);
    const uint32_t pc = e["pc"], line = e["line"];
    const uint32_t expected_line = pc < 6 ? 3 : pc < 8 ? 5 : pc < 12 ? 4 : 7;
    EXPECT_EQ(line, expected_line) << "pc " << pc;
    issued_by_line[line] += e["issued"].get<uint64_t>();
    for (const auto& [r, n] : e["stall_warp_cycles"].items()) cycles_by_line[line] += n.get<uint64_t>();
  }
  ASSERT_EQ(src["lines"].size(), 4u);
  uint64_t previous = UINT64_MAX, issued = 0;
  for (const nlohmann::json& l : src["lines"]) {
    const uint32_t line = l["line"];
    uint64_t cycles = 0;
    for (const auto& [r, n] : l["stall_warp_cycles"].items()) cycles += n.get<uint64_t>();
    EXPECT_EQ(l["issued"].get<uint64_t>(), issued_by_line[line]) << "line " << line;
    EXPECT_EQ(cycles, cycles_by_line[line]) << "line " << line;
    EXPECT_LE(cycles, previous) << "lines are sorted by warp-cycles";
    previous = cycles;
    issued += l["issued"].get<uint64_t>();
  }
  EXPECT_EQ(issued, report["instructions"]["warp"].get<uint64_t>());  // source-line totals = kernel totals
  EXPECT_EQ(src["lines"][0]["line"], 5);  // the loads' wait is charged to the line that uses them
  const std::string name = std::filesystem::path(cu.path).filename().string();
  EXPECT_NE(stats.report_text.find("by CUDA source line"), std::string::npos) << stats.report_text;
  EXPECT_NE(stats.report_text.find(name + ":5  s += *p;  // the hot line"), std::string::npos) << stats.report_text;
}

// nvcc marks some instructions with line 0 (a merge block's reloads): they form one "(no line)"
// row, so that the rows still add up to the kernel's totals (an outside user's per-line table was
// 32 issues short of the launch's).
TEST(SourceCounters, InstructionsOnLineZeroHaveTheirOwnRow) {
  testing::TempPath cu(".cu");
  std::ofstream(cu.path) << "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n";
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.profiling.source_report = 10;
  const runtime::LaunchStats stats =
      testing::run_profiled(o, line_info_kernel(cu.path, 0), "loop_sum", {4, 1, 1}, {128, 1, 1}, 128 * 4 * 5);
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  const nlohmann::json& src = report.at("source");
  uint64_t line_zero_issued = 0;
  for (const nlohmann::json& e : src["ptx"])
    if (e["line"] == 0) line_zero_issued += e["issued"].get<uint64_t>();
  ASSERT_GT(line_zero_issued, 0u) << "the loop control (pcs 8-11) is on line 0";
  uint64_t issued = 0, no_line_rows = 0;
  for (const nlohmann::json& l : src["lines"]) {
    issued += l["issued"].get<uint64_t>();
    if (l["file"] == -1) {
      ++no_line_rows;
      EXPECT_EQ(l["line"], 0);
      EXPECT_EQ(l["issued"].get<uint64_t>(), line_zero_issued);
    }
  }
  EXPECT_EQ(no_line_rows, 1u);
  EXPECT_EQ(src["lines"].size(), 4u);  // lines 3, 5, 7 and the line-0 row
  EXPECT_EQ(issued, report["instructions"]["warp"].get<uint64_t>());
  EXPECT_NE(stats.report_text.find("(no line)"), std::string::npos) << stats.report_text;
}

// Code inlined from headers is charged to its header line per call site: in inline_chain.ptx the
// kernel `chain` calls outer_shift (inline_chain.h:4) from its line 7, and x * x + 1
// (inline_chain.h:2) is inlined three calls deep from the same line; each header line's row names
// line 7 as where it was called from.
TEST(SourceCounters, InlinedHeaderLinesNameTheirCallSite) {
  std::ifstream in(std::string(GPUSIM_FIXTURES) + "/inline_chain.ptx");
  const std::string ptx((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.profiling.source_report = 10;
  std::unique_ptr<runtime::Device> dev = runtime::make_sim_device(o);
  const runtime::DevPtr out = dev->alloc(32 * 4), src = dev->alloc(32 * 4);
  runtime::LaunchConfig cfg;
  cfg.block = {32, 1, 1};
  const runtime::LaunchStats stats = dev->launch(dev->load_ptx("inline_chain.ptx", ptx), "chain", cfg, runtime::args(out, src));
  runtime::finish_profiling(*dev);
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  std::map<std::pair<int, uint32_t>, std::pair<int, uint32_t>> called_from;  // (file, line) -> call site
  for (const nlohmann::json& l : report.at("source").at("lines")) {
    if (!l.contains("called_from")) continue;
    called_from[{l["file"], l["line"]}] = {l["called_from"]["file"], l["called_from"]["line"]};
  }
  // .file 1 is inline_chain.cu, 2 inline_chain.h (the fixture's PTX).
  const std::map<std::pair<int, uint32_t>, std::pair<int, uint32_t>> want = {{{2, 2}, {1, 7}}, {{2, 4}, {1, 7}}};
  EXPECT_EQ(called_from, want);
  EXPECT_NE(stats.report_text.find("inline_chain.h:2 (from inline_chain.cu:7)"), std::string::npos) << stats.report_text;
}

// A thread's local memory (a stack array, spills) is counted per line as well: an outside user
// hunting a local array's cost saw its line with 0 global and 0 shared bytes and no local column.
// By hand: 4 warps x 32 lanes x (a 4-byte store + a 4-byte load) = 1,024 bytes, on two PTX lines.
TEST(SourceCounters, LocalMemoryBytesAreCountedPerLine) {
  const char* kLocalKernel = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry stack(.param .u64 out)
{
  .local .align 4 .b8 depot[128];
  .reg .b32 %r<4>;
  .reg .b64 %rd<5>;
  mov.u32 %r1, %tid.x;
  mov.u64 %rd1, depot;
  st.local.u32 [%rd1], %r1;
  ld.local.u32 %r2, [%rd1];
  ld.param.u64 %rd2, [out];
  mul.wide.u32 %rd3, %r1, 4;
  add.u64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r2;
  ret;
}
)";
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.overrides = {"sm.count=1"};
  o.profiling.source_report = 5;
  const runtime::LaunchStats stats = testing::run_profiled(o, kLocalKernel, "stack", {1, 1, 1}, {128, 1, 1}, 128 * 4);
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  uint64_t local = 0;
  unsigned lines = 0;
  for (const nlohmann::json& e : report["source"]["ptx"]) {
    local += e["local_bytes"].get<uint64_t>();
    lines += e["local_bytes"].get<uint64_t>() > 0 ? 1 : 0;
  }
  EXPECT_EQ(local, 4u * 32u * 8u);
  EXPECT_EQ(lines, 2u);
  EXPECT_NE(stats.report_text.find("local B"), std::string::npos) << stats.report_text;
}

// Each line's active lanes per issue show its divergence (a PMPP student could not see whether the
// convergent reduction diverged less, per line). By hand: lanes 0-7 of each warp take the branch,
// so its two instructions issue with 8 lanes; the rest with all 32.
TEST(SourceCounters, ActiveLanesPerLineShowDivergence) {
  const char* kBranchKernel = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry eighth(.param .u64 out)
{
  .reg .pred %p<2>;
  .reg .b32 %r<4>;
  .reg .b64 %rd<5>;
  mov.u32 %r1, %tid.x;
  and.b32 %r2, %r1, 31;
  setp.ge.u32 %p1, %r2, 8;
  @%p1 bra DONE;
  mul.lo.u32 %r1, %r1, 3;
  add.u32 %r1, %r1, 1;
DONE:
  ld.param.u64 %rd2, [out];
  mul.wide.u32 %rd3, %r2, 4;
  add.u64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r1;
  ret;
}
)";
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.overrides = {"sm.count=1"};
  o.profiling.source_report = 20;
  const runtime::LaunchStats stats = testing::run_profiled(o, kBranchKernel, "eighth", {1, 1, 1}, {64, 1, 1}, 64 * 4);
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_text;  // text -> (issued, lanes)
  for (const nlohmann::json& e : report["source"]["ptx"])
    by_text[e["text"].get<std::string>()] = {e["issued"].get<uint64_t>(), e["active_lanes"].get<uint64_t>()};
  ASSERT_TRUE(by_text.count("mul.lo.u32 %r1, %r1, 3;")) << report["source"]["ptx"].dump();
  EXPECT_EQ(by_text["mul.lo.u32 %r1, %r1, 3;"], std::make_pair(uint64_t(2), uint64_t(2 * 8)));
  EXPECT_EQ(by_text["add.u32 %r1, %r1, 1;"], std::make_pair(uint64_t(2), uint64_t(2 * 8)));
  EXPECT_EQ(by_text["and.b32 %r2, %r1, 31;"], std::make_pair(uint64_t(2), uint64_t(2 * 32)));
  EXPECT_EQ(by_text["st.global.u32 [%rd4], %r1;"], std::make_pair(uint64_t(2), uint64_t(2 * 32)));
  EXPECT_NE(stats.report_text.find("lanes"), std::string::npos) << stats.report_text;
  EXPECT_NE(stats.report_text.find("   8.0  "), std::string::npos) << stats.report_text;
}

}  // namespace
}  // namespace gpusim::sim
