// GpuConfig: the shipped INI files, overrides, error messages, and the peaks against the
// lecture's and the hardware references' published figures.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "sim/gpu_config.h"
#include "sim/gpu_config_options.h"

namespace gpusim::sim {
namespace {

std::string config_file(const std::string& name) { return std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name; }

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

std::string load_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_gpu_config(path, overrides);
  } catch (const GpuConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(GpuConfig, EmbeddedDefaultEqualsV100Ini) {
  GpuConfig from_file = load_gpu_config(config_file("v100.ini"));
  EXPECT_EQ(from_file, default_gpu_config()) << describe(from_file) << "\nvs\n" << describe(default_gpu_config());
}

TEST(GpuConfig, ShippedConfigsSetEveryKeyAndPassChecks) {
  for (const char* name : {"v100.ini", "h100.ini", "teaching.ini"}) {
    std::ifstream in(config_file(name));
    ASSERT_TRUE(in) << name;
    std::set<std::string> keys;
    std::string line, section;
    while (std::getline(in, line)) {
      line = line.substr(0, line.find('#'));
      if (line.find('[') == 0) section = line.substr(1, line.find(']') - 1);
      else if (size_t eq = line.find('='); eq != std::string::npos) {
        std::string key = line.substr(0, eq);
        key.erase(key.find_last_not_of(" \t") + 1);
        keys.insert(section + "." + key);
      }
    }
    for (const GpuConfigField& field : gpu_config_fields()) EXPECT_TRUE(keys.count(field.key)) << name << " lacks " << field.key;
    EXPECT_NO_THROW(load_gpu_config(config_file(name))) << name;
  }
}

// Lecture (ai-systems-lecture.txt, "Geometry of GPU"): V100 80 SMs at 1.245 GHz:
// 12.7 TFLOP/s FP32 (5,120 x 1.245 G x 2), 102 TFLOP/s FP16 TensorCore (640 x 64 x 2 x 1.245 G),
// 5,120 warps and 163,840 threads per chip.
TEST(GpuPeaks, V100ReproducesLectureFigures) {
  GpuConfig v100 = load_gpu_config(config_file("v100.ini"));
  GpuPeaks p = compute_peaks(v100);
  EXPECT_NEAR(p.fp32_flops, 5120 * 1.245e9 * 2, 1e6);
  EXPECT_NEAR(p.tensor_fp16_flops, 640 * 64 * 2 * 1.245e9, 1e6);
  EXPECT_EQ(p.warps_in_flight, 5120);
  EXPECT_EQ(p.threads_in_flight, 163840);
  // hardware.md 2.5: 4096-bit HBM2 x 2 x 877 MHz = 898 GB/s.
  EXPECT_NEAR(p.dram_bytes_per_s, 898e9, 1e9);
  std::string text = describe_peaks(v100);
  for (const char* figure : {"12.7 TFLOP/s", "102 TFLOP/s", "5,120 warps", "163,840 threads", "898 GB/s"})
    EXPECT_NE(text.find(figure), std::string::npos) << figure << " missing from\n" << text;
}

// hardware.md 3.2 (S22): FP32 66.9 TF, FP16 tensor 989.4 TF dense; 3.4 (S25): HBM3 3352 GB/s.
TEST(GpuPeaks, H100MatchesPublishedPeaks) {
  GpuPeaks p = compute_peaks(load_gpu_config(config_file("h100.ini")));
  EXPECT_NEAR(p.fp32_flops / 1e12, 66.9, 0.1);
  EXPECT_NEAR(p.tensor_fp16_flops / 1e12, 989.4, 1.0);
  EXPECT_NEAR(p.dram_bytes_per_s / 1e9, 3352, 5);
  EXPECT_NE(describe_peaks(load_gpu_config(config_file("h100.ini"))).find("3.35 TB/s"), std::string::npos);
}

// The GPCs clusters are placed in, as laid out: H100's 132 SMs in 8 GPCs of 16-18 SMs; more
// GPCs than TPCs (a designer's cluster.gpcs = 500, or h100.ini scaled to 8 SMs) are said to
// become one TPC each instead of passing silently.
TEST(GpuPeaks, ClusterGpcsAreShownAsLaidOut) {
  const GpuConfig h100 = load_gpu_config(config_file("h100.ini"));
  EXPECT_NE(describe_peaks(h100).find("Cluster GPCs:         8 GPCs            16-18 SMs each\n"), std::string::npos)
      << describe_peaks(h100);
  const std::string many = describe_peaks(load_gpu_config(config_file("h100.ini"), {"cluster.gpcs=500"}));
  EXPECT_NE(many.find("66 GPCs           2 SMs each (cluster.gpcs = 500, but 132 SMs make only 66 TPCs of 2)"),
            std::string::npos)
      << many;
  EXPECT_EQ(describe_peaks(load_gpu_config(config_file("v100.ini"))).find("Cluster GPCs"), std::string::npos);
}

// End-to-end latencies (levels add up) inside the measured ranges of hardware.md 6.1. A DRAM
// read also pays the DRAM timings of a row miss, ACTIVATE + tRCD + tCL (sim/dram_channel.h), and
// on a two-partition L2 half the lines pay the crossing both ways (on average one crossing).
TEST(GpuConfig, LatencySumsFallInMeasuredRanges) {
  struct Range { const char* file; int l1_lo, l1_hi, l2_lo, l2_hi, dram_lo, dram_hi, smem_lo, smem_hi; };
  for (const Range& r : {Range{"v100.ini", 28, 34, 193, 221, 400, 440, 19, 27},
                         Range{"h100.ini", 32, 40, 219, 266, 570, 834, 28, 30}}) {
    GpuConfig c = load_gpu_config(config_file(r.file));
    int l1 = c.l1_latency_cycles, l2 = l1 + 2 * c.icnt_latency_cycles + c.l2_latency_cycles;
    const double row_miss_cycles = (c.dram_trcd_ps + c.dram_tcl_ps) * c.core_clock_mhz * 1e-6;
    const double crossing = c.l2_partitions > 1 ? c.l2_far_latency_cycles : 0;
    int dram = l2 + c.dram_latency_cycles + int(row_miss_cycles + crossing);
    EXPECT_GE(l1, r.l1_lo) << r.file;
    EXPECT_LE(l1, r.l1_hi) << r.file;
    EXPECT_GE(l2, r.l2_lo) << r.file;
    EXPECT_LE(l2, r.l2_hi) << r.file;
    EXPECT_GE(dram, r.dram_lo) << r.file;
    EXPECT_LE(dram, r.dram_hi) << r.file;
    EXPECT_GE(c.shared_latency_cycles, r.smem_lo) << r.file;
    EXPECT_LE(c.shared_latency_cycles, r.smem_hi) << r.file;
  }
}

// Lecture: FP32 "one 32-wide SIMD operation every two clocks" (16 lanes per sub-core), FP64
// "every four clocks" (8 lanes); hardware.md: 16 SFU ops/clk/SM = 4 per sub-core -> 8 clocks.
TEST(GpuConfig, DerivedIssueIntervals) {
  GpuConfig c = default_gpu_config();
  EXPECT_EQ(c.issue_interval_cycles(c.fp32_lanes_per_sm), 2);
  EXPECT_EQ(c.issue_interval_cycles(c.fp64_lanes_per_sm), 4);
  EXPECT_EQ(c.issue_interval_cycles(c.sfu_lanes_per_sm), 8);
  // 2 tensor cores per sub-core x 64 FMA: 16x16x16 = 4096 FMA in 32 cycles.
  EXPECT_EQ(c.tensor_mma_cycles(16, 16, 16), 32);
  EXPECT_EQ(c.max_warps_per_sm(), 64);
  EXPECT_EQ(c.carveout_for(1), 8 * 1024);
  EXPECT_EQ(c.carveout_for(40000), 64 * 1024);
  EXPECT_EQ(c.carveout_for(98305), -1);
  EXPECT_EQ(c.l1_bytes_with_carveout(96 * 1024), 32 * 1024);
}

TEST(GpuConfig, OverridesWinOverFileAndLastOneWins) {
  GpuConfig c = load_gpu_config(config_file("h100.ini"), {"sm.count=40", "sm.warp_scheduler=gto", "sm.count=20",
                                                        "shared.carveouts_kib=0,100,228"});
  EXPECT_EQ(c.num_sms, 20);
  EXPECT_EQ(c.warp_scheduler, WarpSchedulerPolicy::GreedyThenOldest);
  EXPECT_EQ(c.shared_carveouts.kib, (std::vector<int>{0, 100, 228}));
  EXPECT_EQ(c.fp32_lanes_per_sm, 128);  // the rest still from the file
  EXPECT_EQ(load_gpu_config("", {"clocks.core_mhz=1530"}).core_clock_mhz, 1530);
}

TEST(GpuConfig, DescribeRoundTrips) {
  for (const char* name : {"v100.ini", "h100.ini", "teaching.ini"}) {
    GpuConfig c = load_gpu_config(config_file(name));
    GpuConfig back = load_gpu_config(write_temp(std::string("roundtrip_") + name, describe(c)));
    EXPECT_EQ(back, c) << name;
  }
}

TEST(GpuConfigErrors, UnknownKeyNamesFileLineAndKey) {
  std::string path = write_temp("unknown.ini", "[sm]\ncount = 80\nbogus = 3\n");
  std::string message = load_error(path);
  EXPECT_NE(message.find(path + ":3"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key 'sm.bogus'"), std::string::npos) << message;
}

TEST(GpuConfigErrors, BadValueNamesFileLineAndKey) {
  std::string path = write_temp("badvalue.ini", "# comment\n[sm]\n\ncount = eighty\n");
  std::string message = load_error(path);
  EXPECT_NE(message.find(path + ":4"), std::string::npos) << message;
  EXPECT_NE(message.find("sm.count"), std::string::npos) << message;
  EXPECT_NE(load_error(write_temp("badsched.ini", "[sm]\nwarp_scheduler = fifo\n")).find("sm.warp_scheduler"),
            std::string::npos);
  // A whole number too large for the field says the range (it said only "expected a whole number").
  const std::string huge = load_error(write_temp("hugecount.ini", "[sm]\ncount = 1000000000000\n"));
  EXPECT_NE(huge.find("hugecount.ini:2"), std::string::npos) << huge;
  EXPECT_NE(huge.find("expected a whole number up to 2147483647"), std::string::npos) << huge;
}

TEST(GpuConfigErrors, InconsistentValuesNameBothKeys) {
  std::string message = load_error("", {"shared.per_block_max_bytes=100000"});
  EXPECT_NE(message.find("shared.per_block_max_bytes (100000, --set)"), std::string::npos) << message;
  EXPECT_NE(message.find("shared.per_sm_max_bytes (98304, default)"), std::string::npos) << message;
  EXPECT_NE(message.find("--set"), std::string::npos) << message;

  message = load_error(config_file("v100.ini"), {"sm.max_threads_per_block=4096"});
  EXPECT_NE(message.find("sm.max_threads_per_block (4096, --set) must not exceed sm.max_threads (2048, line "), std::string::npos) << message;
  EXPECT_NE(message.find("v100.ini"), std::string::npos) << message;
  EXPECT_NE(load_error("", {"sm.count=0"}).find("sm.count (0, --set) must be positive"), std::string::npos);
  EXPECT_NE(load_error("", {"l1.associativity=3"}).find("l1.line_bytes x l1.associativity"), std::string::npos);
  EXPECT_NE(load_error("", {"units.fp32_lanes_per_sm=66"}).find("units.fp32_lanes_per_sm (66, --set)"), std::string::npos);
  // Lanes per sub-core that do not divide a warp would run as fewer (96 FP32 lanes ran as 64).
  EXPECT_NE(load_error("", {"units.fp32_lanes_per_sm=96"}).find("gives 24 lanes per sub-core"), std::string::npos);
  EXPECT_NE(load_error("", {"units.sfu_lanes_per_sm=256"}).find("must divide 32"), std::string::npos);
  EXPECT_EQ(load_error("", {"units.fp32_lanes_per_sm=128"}), "(no error)");
  EXPECT_NE(load_error("", {"chip.sm_arch=sm_70"}).find("chip.sm_arch"), std::string::npos);
  EXPECT_NE(load_error("", {"chip.sm_arch=sm_1000"}).find("must be a machine target of nvcc 13"), std::string::npos);
  EXPECT_EQ(load_error("", {"chip.sm_arch=sm_89"}), "(no error)");
  EXPECT_EQ(load_error("", {"chip.sm_arch=sm_90a"}), "(no error)");
  EXPECT_EQ(load_error("", {"chip.sm_arch=sm_100f"}), "(no error)");
  EXPECT_NE(load_error("", {"chip.sm_arch=sm_89a"}), "(no error)");
  EXPECT_NE(load_error("", {"chip.sm_arch=sm_90f"}), "(no error)");
}

// A key set twice names the second setting's line (the mistake), a broken section header its own.
TEST(GpuConfigErrors, DuplicateKeyAndBrokenHeaderNameTheirLines) {
  std::string path = write_temp("duplicate.ini", "# toy\n[sm]\ncount = 2\ncount = 4\n");
  std::string message = load_error(path);
  EXPECT_NE(message.find(path + ":4: option 'sm.count' cannot be specified more than once"), std::string::npos) << message;
  path = write_temp("broken_header.ini", "# toy\n\n  [sm  \ncount = 2\n");
  message = load_error(path);
  EXPECT_NE(message.find(path + ":3: "), std::string::npos) << message;
  EXPECT_NE(message.find("'[sm'"), std::string::npos) << message;
}

TEST(GpuConfigErrors, BadOverridesAndFiles) {
  EXPECT_NE(load_error("", {"sm.count"}).find("expected section.key=value"), std::string::npos);
  EXPECT_NE(load_error("", {"sm.cores=4"}).find("unknown key 'sm.cores'"), std::string::npos);
  EXPECT_NE(load_error("", {"shared.carveouts_kib=0,16,8"}).find("shared.carveouts_kib"), std::string::npos);
  EXPECT_NE(load_error("/nonexistent/x.ini").find("/nonexistent/x.ini: cannot open"), std::string::npos);
  std::string twice = load_error(write_temp("twice.ini", "[sm]\ncount = 80\ncount = 40\n"));
  EXPECT_NE(twice.find("sm.count"), std::string::npos) << twice;
}

TEST(GpuConfig, HelpListsEveryKeyWithDefault) {
  std::string help = gpu_config_help();
  for (const GpuConfigField& field : gpu_config_fields()) EXPECT_NE(help.find(field.key), std::string::npos) << field.key;
  EXPECT_NE(help.find("(=1245)"), std::string::npos) << help;
}

}  // namespace
}  // namespace gpusim::sim

namespace gpusim::sim {
namespace {

// Clock domains within 64x of the core either way: a 1 MHz core with a 100 GHz DRAM clock ran a
// one-warp kernel for minutes (100,000 DRAM edges a core cycle) and answered Ctrl-C late.
TEST(GpuConfig, ClockDomainsFarFromTheCoreAreRefused) {
  EXPECT_EQ(load_gpu_config("", {"clocks.core_mhz=100", "clocks.dram_mhz=6400"}).dram_clock_mhz, 6400);
  try {
    load_gpu_config("", {"clocks.core_mhz=100", "clocks.dram_mhz=6401"});
    ADD_FAILURE() << "a DRAM clock 64.01x the core's was accepted";
  } catch (const GpuConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("clocks.dram_mhz (6401, --set) must be within 64 times clocks.core_mhz (100, --set)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(load_gpu_config("", {"clocks.core_mhz=6401", "clocks.l2_mhz=100"}), GpuConfigError);
}

}  // namespace
}  // namespace gpusim::sim
