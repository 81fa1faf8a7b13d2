// `gpusim exec --trace / --source-report` on a CUDA program: the options reach the simulator's
// libcudart through GPUSIM_TRACE... and the files come out complete when the program exits.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

std::string read_text(const std::string& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(ExecProfiling, TraceAndSourceCountersOfAProgram) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_profiling";
  std::filesystem::create_directories(dir);
  const std::string trace = (dir / "t.json").string(), stats = (dir / "s.json").string();
  const Outcome o = run_gpusim("exec --mode timing --set sm.count=2 --trace " + trace +
                               " --trace-kernel vector_add:0 --source-report=4 --stats " + stats + " -- '" +
                               std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add' 2048");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "where the warp-cycles go")) << o.output;
  const nlohmann::json s = nlohmann::json::parse(read_text(stats));
  const nlohmann::json& launch = s["launches"].at(0);
  ASSERT_TRUE(launch.contains("source")) << launch.dump();  // beside "timing", as in gpusim run --stats
  EXPECT_FALSE(launch["timing"].contains("source"));
  const nlohmann::json t = nlohmann::json::parse(read_text(trace));  // complete JSON: finished at exit
  uint64_t issues = 0, kernels = 0;
  for (const nlohmann::json& e : t["traceEvents"]) {
    if (e.value("cat", std::string()) == "issue") ++issues;
    if (e.value("cat", std::string()) == "kernel") ++kernels;
  }
  EXPECT_EQ(kernels, 1u);
  // SM 0 only (the default); vector_add's 8 CTAs go to the 2 SMs alternately: half the work.
  EXPECT_EQ(issues * 2, launch["warp_instructions"].get<uint64_t>());
}

// Copies and memsets take time on the simulated timeline between launches (host.copy_mbytes_per_s):
// the trace shows them on the GPU's "copies and memsets" track and places the later kernels after
// them, and %globaltimer/clock64 move on by them, so trace, clock registers and cudaEvents tell one
// timeline (an outside user's trace packed the kernels back to back while the events had a 336 us copy
// between them).
TEST(ExecProfiling, TraceAndClocksIncludeTheCopiesBetweenLaunches) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_timeline";
  std::filesystem::create_directories(dir);
  const std::string trace = (dir / "t.json").string();
  const Outcome o = run_gpusim("exec --mode timing --trace " + trace + " -- '" + std::string(GPUSIM_CUDA_PROGRAMS) +
                               "/timeline_clocks' timing");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "timeline_clocks OK")) << o.output;
  const nlohmann::json t = nlohmann::json::parse(read_text(trace));
  std::vector<nlohmann::json> kernels, copies;
  for (const nlohmann::json& e : t["traceEvents"]) {
    if (e.value("cat", std::string()) == "kernel") kernels.push_back(e);
    if (e.value("cat", std::string()) == "host") copies.push_back(e);
  }
  ASSERT_EQ(kernels.size(), 2u) << t.dump().substr(0, 2000);
  ASSERT_GE(copies.size(), 1u) << t.dump().substr(0, 2000);
  const nlohmann::json& copy = copies[0];
  EXPECT_EQ(copy["name"], "memcpy HtoD 16777216 bytes");
  EXPECT_EQ(copy["tid"], 1);
  const uint64_t k1_end = kernels[0]["ts"].get<uint64_t>() + kernels[0]["dur"].get<uint64_t>();
  const uint64_t copy_start = copy["ts"].get<uint64_t>(), copy_end = copy_start + copy["dur"].get<uint64_t>();
  EXPECT_GE(copy_start, k1_end);
  EXPECT_GE(kernels[1]["ts"].get<uint64_t>(), copy_end);
  // 16 MiB at the configuration's host link rate, in core cycles (v100.ini, the default: 1245 MHz,
  // host.copy_mbytes_per_s from the config); checked against the configured figures, not the code.
  const double mbytes_per_s = 12000, mhz = 1245;
  const double expected = 16.777216 / mbytes_per_s * mhz * 1e6;
  EXPECT_NEAR(copy["dur"].get<double>(), expected, expected * 0.001);
}

// `gpusim exec --sample`: the summary prints each sampled launch's prediction with its estimated
// error, as `gpusim run` does (vector_add of 102,400 floats: 400 CTAs, 100 waves on teaching.ini).
TEST(ExecProfiling, SampledLaunchPrintsItsEstimatedError) {
  const std::string program = "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add' 102400";
  const std::string config = "--config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini'";
  const Outcome sampled = run_gpusim("exec --mode timing --sample " + config + " -- " + program);
  ASSERT_EQ(sampled.exit_code, 0) << sampled.output;
  EXPECT_TRUE(contains(sampled.output, "#1 vector_add(")) << sampled.output;
  EXPECT_TRUE(contains(sampled.output, "sampled: ")) << sampled.output;
  EXPECT_TRUE(contains(sampled.output, "estimated, 95% confidence")) << sampled.output;
  const Outcome full = run_gpusim("exec --mode timing " + config + " -- " + program);
  ASSERT_EQ(full.exit_code, 0) << full.output;
  EXPECT_FALSE(contains(full.output, "sampled")) << full.output;
}

// A sampled launch's counters are the detailed part's scaled to the whole launch: its instruction
// count is the launch's, and its DRAM bytes and bandwidth near those of the full run (the
// reference), not a fraction of them over the whole predicted time (an outside user's
// vecadd 16M printed 96 GB/s, 11 % of peak, "bound: latency", against 853 GB/s in full).
TEST(ExecProfiling, SampledCountersCoverTheWholeLaunch) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_sampled_counters";
  std::filesystem::create_directories(dir);
  const std::string program = "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add' 102400";
  const std::string config = "--config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini'";
  const std::string sampled_json = (dir / "sampled.json").string(), full_json = (dir / "full.json").string();
  // An empty L2 at the launch (--cache-control all): the input the copies left at the end of the
  // L2 would be met by the full run's last waves only, which the sampled run extrapolates from
  // its first ones (the test is about the counters' scaling, not about that warm-up).
  const Outcome sampled =
      run_gpusim("exec --mode timing --cache-control all --sample --stats " + sampled_json + " " + config + " -- " + program);
  ASSERT_EQ(sampled.exit_code, 0) << sampled.output;
  const Outcome full = run_gpusim("exec --mode timing --cache-control all --stats " + full_json + " " + config + " -- " + program);
  ASSERT_EQ(full.exit_code, 0) << full.output;
  const nlohmann::json s = nlohmann::json::parse(read_text(sampled_json))["launches"].at(0);
  const nlohmann::json f = nlohmann::json::parse(read_text(full_json))["launches"].at(0);
  ASSERT_TRUE(s["timing"]["sampling"]["sampled"].get<bool>()) << s["timing"]["sampling"].dump();
  EXPECT_GT(s["timing"]["sampling"]["counters_scaled_by"].get<double>(), 1.5);
  const auto warp = [](const nlohmann::json& l) { return l["timing"]["instructions"]["warp"].get<double>(); };
  EXPECT_NEAR(warp(s), s["warp_instructions"].get<double>(), 1.0);
  EXPECT_EQ(warp(f), f["warp_instructions"].get<double>());
  const auto dram = [](const nlohmann::json& l) {
    return l["timing"]["dram"]["read_bytes"].get<double>() + l["timing"]["dram"]["write_bytes"].get<double>();
  };
  // Reads scale exactly here; writes come out low: lines the detailed waves dirtied are still in
  // the L2 when they end (written back later in a full run), so 20 % (unscaled: 8x too low).
  EXPECT_NEAR(s["timing"]["dram"]["read_bytes"].get<double>(), f["timing"]["dram"]["read_bytes"].get<double>(),
              0.02 * f["timing"]["dram"]["read_bytes"].get<double>());
  EXPECT_NEAR(dram(s), dram(f), 0.2 * dram(f));
  const double full_gbs = f["timing"]["dram"]["bandwidth_gbs"].get<double>();
  EXPECT_NEAR(s["timing"]["dram"]["bandwidth_gbs"].get<double>(), full_gbs, 0.2 * full_gbs);
}

// The --sample variants reach a program's launches too: a grid of 40 waves (too short for waves,
// long enough for windows) is sampled by windows with --sample-windows, as `gpusim run` does it
// (exec suggested the option and then refused it as unknown).
TEST(ExecProfiling, SampleWindowsSamplesAShortGridByWindows) {
  const std::string program = "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add' 40960";
  const std::string config = "--config '" + std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini'";
  const Outcome plain = run_gpusim("exec --mode timing --sample " + config + " -- " + program);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_TRUE(contains(plain.output, "--sample-windows would sample it by windows")) << plain.output;
  const Outcome windows = run_gpusim("exec --mode timing --sample --sample-windows " + config + " -- " + program);
  ASSERT_EQ(windows.exit_code, 0) << windows.output;
  EXPECT_TRUE(contains(windows.output, "sampled by windows")) << windows.output;
  const Outcome alone = run_gpusim("exec --mode timing --sample-windows " + config + " -- " + program);
  EXPECT_EQ(alone.exit_code, 2) << alone.output;
  EXPECT_TRUE(contains(alone.output, "gpusim exec: --sample-windows needs --sample")) << alone.output;
}

// --trace-kernel takes any name a kernel goes by (warp_intrinsics.cu launches
// reduce_volatile<256u> and warp_ops); one that selects no launch says so and lists what ran.
TEST(ExecProfiling, TraceKernelByTemplateNameOrSaysNothingMatched) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_trace_names";
  std::filesystem::create_directories(dir);
  const std::string trace = (dir / "t.json").string();
  const std::string program = "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/warp_intrinsics'";
  auto traced_kernels = [&](const std::string& name, std::string* output) {
    const Outcome o = run_gpusim("exec --mode timing --set sm.count=2 --trace " + trace + " --trace-kernel '" + name +
                                 "' -- " + program);
    *output = o.output;
    EXPECT_EQ(o.exit_code, 0) << o.output;
    uint64_t kernels = 0;
    const nlohmann::json doc = nlohmann::json::parse(read_text(trace));
    for (const nlohmann::json& e : doc["traceEvents"])
      if (e.value("cat", std::string()) == "kernel") ++kernels;
    return kernels;
  };
  std::string output;
  EXPECT_EQ(traced_kernels("reduce_volatile<256u>", &output), 1u) << output;
  EXPECT_EQ(traced_kernels("nosuch", &output), 0u) << output;
  EXPECT_TRUE(contains(output, "--trace-kernel 'nosuch' selected no launch")) << output;
  EXPECT_TRUE(contains(output, "reduce_volatile<256u> x1")) << output;
  // A --trace-cycles window on the program's timeline that misses the selected launch says when it
  // ran (an outside user got a trace of metadata only and no word).
  const Outcome missed = run_gpusim("exec --mode timing --set sm.count=2 --trace " + trace +
                                    " --trace-kernel warp_ops --trace-cycles 1000000000: -- " + program);
  EXPECT_EQ(missed.exit_code, 0) << missed.output;
  EXPECT_TRUE(contains(missed.output, "the --trace-cycles window 1000000000: holds none of the 1 traced launch(es)"))
      << missed.output;
}

TEST(ExecProfiling, NeedsTimingMode) {
  const Outcome o = run_gpusim("exec --trace /tmp/x.json -- /bin/true");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--mode timing")) << o.output;
}

// Profiling options that cannot hold for the configuration are refused before the program runs
// (they used to fail the device at the first CUDA call, and a program that does not check its
// calls exited 0 with no trace). The program would print its line had it run.
TEST(ExecProfiling, BadTraceOptionsAreRefusedBeforeTheProgramRuns) {
  const std::string program = "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add' 2048";
  const std::string trace = (std::filesystem::path(testing::TempDir()) / "gpusim_exec_bad_trace.json").string();
  const std::pair<std::string, std::string> cases[] = {
      {"--trace " + trace + " --trace-sms 99", "--trace-sms '99': SM range '99' is outside 0..1"},
      {"--trace " + trace + " --trace-sms 1-0", "--trace-sms '1-0': SM range '1-0' runs backwards"},
      {"--trace " + trace + " --trace-cycles 100:50", "--trace-cycles '100:50' (expected FROM:TO): the window is empty"},
      {"--trace " + trace + " --trace-kernel 'k:x'", "--trace-kernel 'k:x': expected NAME or NAME:K"},
      {"--vcd " + trace + ".vcd --vcd-sm 2", "--vcd-sm 2: the configuration has SMs 0..1"},
  };
  for (const auto& [options, message] : cases) {
    const Outcome o = run_gpusim("exec --mode timing --set sm.count=2 " + options + " -- " + program);
    EXPECT_EQ(o.exit_code, 1) << options << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, "gpusim exec: " + message)) << options << "\n" << o.output;
    EXPECT_FALSE(contains(o.output, "vector_add")) << options << "\n" << o.output;  // the program never ran
  }
}

// Bank conflicts are the wavefronts beyond each access's conflict-free minimum (hand-derived for
// 32 banks of 4 bytes in tests/cuda_programs/shared_bank_conflicts.cu): 16-byte lanes and
// ldmatrix.x4 need four wavefronts without conflicting; a stride-2 word load has one extra, a
// stride-32 one 31, for each of the kernel's 8 loads (its stores of the set-up loop are clean).
TEST(ExecProfiling, BankConflictsAreWavefrontsBeyondTheConflictFreeMinimum) {
  const std::string stats = testing::TempDir() + "/shared_bank_conflicts.json";
  const Outcome o = run_gpusim("exec --mode timing --quiet --stats '" + stats + "' -- '" +
                               std::string(GPUSIM_CUDA_PROGRAMS) + "/shared_bank_conflicts'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const nlohmann::json s = nlohmann::json::parse(read_text(stats));
  std::map<std::string, nlohmann::json> shared;
  for (const nlohmann::json& l : s["launches"]) shared[l["kernel"].get<std::string>()] = l["timing"]["shared"];
  ASSERT_EQ(shared.size(), 5u) << s.dump().substr(0, 600);
  EXPECT_EQ(shared["words_contiguous(float*)"]["bank_conflicts"], 0);
  EXPECT_EQ(shared["float4_contiguous(float*)"]["bank_conflicts"], 0) << shared["float4_contiguous(float*)"];
  EXPECT_EQ(shared["ldmatrix_padded(float*)"]["bank_conflicts"], 0) << shared["ldmatrix_padded(float*)"];
  EXPECT_EQ(shared["void words_strided<2>(float*)"]["bank_conflicts"], 8);
  EXPECT_EQ(shared["void words_strided<32>(float*)"]["bank_conflicts"], 8 * 31);
  // The float4 loads still take four wavefronts each: 8 loads x 4 beyond the 32 stores' one each.
  EXPECT_EQ(shared["float4_contiguous(float*)"]["wavefronts"].get<int>() -
                shared["float4_contiguous(float*)"]["requests"].get<int>(),
            8 * 3);
}

// --quiet leaves out the launch table; a source report asked for by name still comes out.
TEST(ExecProfiling, QuietKeepsTheSourceReportItWasAskedFor) {
  const Outcome o = run_gpusim("exec --quiet --mode timing --set sm.count=2 --source-report=2 -- '" +
                               std::string(GPUSIM_CUDA_PROGRAMS) + "/vector_add' 2048");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "where the warp-cycles go")) << o.output;
  EXPECT_FALSE(contains(o.output, "kernel launch")) << o.output;
}

// ld.global.cg and cp.async.cg cache in L2 only: reading 64 KiB twice, the default load's second
// pass hits the L1 (half its sectors), the .cg loads' never does (tests/cuda_programs/l1_bypass.cu).
TEST(ExecProfiling, CgLoadsNeitherHitNorFillTheL1) {
  const std::string stats = testing::TempDir() + "/l1_bypass.json";
  const Outcome o = run_gpusim("exec --mode timing --quiet --stats '" + stats + "' -- '" +
                               std::string(GPUSIM_CUDA_PROGRAMS) + "/l1_bypass'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "l1_bypass: OK")) << o.output;
  const nlohmann::json s = nlohmann::json::parse(read_text(stats));
  ASSERT_EQ(s["launches"].size(), 3u);
  const nlohmann::json& plain = s["launches"][0]["timing"]["l1"];
  EXPECT_EQ(plain["read_sector_hits"], plain["read_sector_misses"]) << plain;
  for (int k : {1, 2}) {
    const nlohmann::json& l1 = s["launches"][k]["timing"]["l1"];
    EXPECT_EQ(l1["read_sector_hits"], 0) << s["launches"][k]["kernel"] << " " << l1;
    EXPECT_EQ(l1["read_sector_misses"], plain["read_sector_hits"].get<int>() * 2) << l1;
  }
}

}  // namespace

namespace {

// Each kernel slice of the trace sits on the track of the stream the program launched it into,
// and the statistics name that stream: streams_events.cu launches once into the legacy default
// stream, then chunk c into the c-th stream it created (ids 1-4, cudaStreamGetId's).
TEST(ExecProfiling, KernelsAreOnTheTracksOfTheirStreams) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_stream_tracks";
  std::filesystem::create_directories(dir);
  const std::string trace = (dir / "t.json").string(), stats = (dir / "s.json").string();
  const Outcome o = run_gpusim("exec --mode timing --set sm.count=2 --trace " + trace + " --stats " + stats + " -- '" +
                               std::string(GPUSIM_CUDA_PROGRAMS) + "/streams_events'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const std::vector<std::string> issued{"default stream", "stream 1", "stream 2", "stream 3", "stream 4"};

  const nlohmann::json t = nlohmann::json::parse(read_text(trace));
  std::map<int, std::string> track_name;  // tid of the GPU process -> its name
  std::vector<std::pair<uint64_t, int>> kernels;  // (ts, tid) of each kernel slice
  for (const nlohmann::json& e : t["traceEvents"]) {
    if (e.value("pid", -1) != 0) continue;
    if (e.value("ph", "") == "M" && e.value("name", "") == "thread_name") track_name[e["tid"]] = e["args"]["name"];
    if (e.value("cat", "") == "kernel") {
      kernels.emplace_back(e["ts"].get<uint64_t>(), e["tid"].get<int>());
      EXPECT_EQ(e["args"]["stream"], track_name[e["tid"]]);  // the slice says its stream too
    }
  }
  std::sort(kernels.begin(), kernels.end());
  ASSERT_EQ(kernels.size(), issued.size()) << o.output;
  for (size_t i = 0; i < issued.size(); ++i) EXPECT_EQ(track_name[kernels[i].second], issued[i]) << i;

  const nlohmann::json s = nlohmann::json::parse(read_text(stats));
  ASSERT_EQ(s["launches"].size(), issued.size());
  for (size_t i = 0; i < issued.size(); ++i) EXPECT_EQ(s["launches"][i].value("stream", ""), issued[i]) << i;
}

// A driver-API program: the preloaded libcudart reads the environment first and claimed the trace
// file; libcuda, which simulates the launches, then wrote TRACE.PID.json and left the named file
// empty. The claim is the process's: the named file holds the launches, and no other file appears.
TEST(ExecProfiling, DriverProgramsTraceGoesToTheNamedFile) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "gpusim_exec_driver_trace";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string trace = (dir / "t.json").string();
  const Outcome o = run_gpusim("exec --mode timing --set sm.count=2 --trace " + trace + " -- '" +
                               std::string(GPUSIM_CUDA_PROGRAMS) + "/driver_graphs'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const nlohmann::json t = nlohmann::json::parse(read_text(trace), nullptr, false);
  ASSERT_TRUE(t.is_object()) << read_text(trace).size() << " bytes";
  size_t kernels = 0;
  for (const nlohmann::json& e : t["traceEvents"]) kernels += e.value("cat", "") == "kernel";
  EXPECT_GT(kernels, 0u);
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files += entry.is_regular_file();
  EXPECT_EQ(files, 1u);
}

}  // namespace
