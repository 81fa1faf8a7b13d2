// The microbenchmarks on the timing model against published silicon figures
// (/work/shared/reference/hardware.md section 6) and against the peaks the configuration's unit
// counts imply (SMs x lanes x clock), computed here from the INI values, not from the model.
// Calibration checks (suite names ending in Calibration): the sanitizer pass leaves them to the
// plain run, as it does the other model-accuracy suites.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "workloads/ubench.h"
#include "workloads/ubench_suite.h"

namespace gpusim {
namespace {

using workloads::ubench::ChaseLevel;

const std::string kV100 = std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini";
const std::string kH100 = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";

std::unique_ptr<runtime::Device> timing_device(const std::string& config, const std::vector<std::string>& overrides = {}) {
  runtime::SimDeviceOptions options;
  options.config_path = config;
  options.overrides = overrides;
  options.mode = runtime::SimMode::Timing;
  return runtime::make_sim_device(options);
}

double chase(const std::string& config, ChaseLevel level) {
  auto dev = timing_device(config);
  return workloads::ubench::measure_chase(*dev, level).cycles_per_load;
}

// hardware.md 6.1, V100 p-chase ranges (core cycles).
TEST(UbenchLatencyCalibration, V100PointerChaseWithinPublishedRanges) {
  const double l1 = chase(kV100, ChaseLevel::L1), shared = chase(kV100, ChaseLevel::Shared);
  const double l2 = chase(kV100, ChaseLevel::L2), dram = chase(kV100, ChaseLevel::Dram);
  std::printf("V100 p-chase: L1 %.2f, shared %.2f, L2 %.2f, DRAM %.2f cycles\n", l1, shared, l2, dram);
  EXPECT_GE(l1, 28.0);
  EXPECT_LE(l1, 34.0);
  EXPECT_GE(shared, 19.0);
  EXPECT_LE(shared, 27.0);
  EXPECT_GE(l2, 193.0);
  EXPECT_LE(l2, 221.0);
  EXPECT_GE(dram, 400.0);
  EXPECT_LE(dram, 440.0);
}

// hardware.md 6.1, H100 ranges. Shared is published as 29-30; the model's value is allowed
// within 2 cycles of that narrow range (one issue/writeback cycle of measurement overhead).
TEST(UbenchLatencyCalibration, H100PointerChaseWithinPublishedRanges) {
  const double l1 = chase(kH100, ChaseLevel::L1), shared = chase(kH100, ChaseLevel::Shared);
  const double l2 = chase(kH100, ChaseLevel::L2), dram = chase(kH100, ChaseLevel::Dram);
  std::printf("H100 p-chase: L1 %.2f, shared %.2f, L2 %.2f, DRAM %.2f cycles\n", l1, shared, l2, dram);
  EXPECT_GE(l1, 32.0);
  EXPECT_LE(l1, 40.0);
  EXPECT_GE(shared, 27.0);
  EXPECT_LE(shared, 32.0);
  EXPECT_GE(l2, 219.0);
  EXPECT_LE(l2, 266.0);
  EXPECT_GE(dram, 570.0);
  EXPECT_LE(dram, 834.0);
}

// The per-SM properties are measured on 8 SMs (sm.count=8) to keep the runs short.
const std::vector<std::string> kEightSms = {"sm.count=8"};

TEST(UbenchThroughputCalibration, V100FfmaReaches95PercentOfPeak) {
  const sim::GpuConfig cfg = sim::load_gpu_config(kV100, kEightSms);
  auto dev = timing_device(kV100, kEightSms);
  const uint32_t blocks = uint32_t(cfg.num_sms) * uint32_t(cfg.max_threads_per_sm / 256);
  const auto r = workloads::ubench::measure_ffma(*dev, blocks, 256, 256);
  const double peak_per_cycle = double(cfg.num_sms) * cfg.fp32_lanes_per_sm * 2;
  const double fraction = r.per_cycle() / peak_per_cycle;
  std::printf("V100 FFMA: %.1f%% of %g FLOP/clk (%llu cycles)\n", 100 * fraction, peak_per_cycle,
              (unsigned long long)r.stats.cycles);
  EXPECT_GE(fraction, 0.95);
  EXPECT_LE(fraction, 1.0);  // above the peak would mean the model issues too fast
}

TEST(UbenchThroughputCalibration, V100WmmaReaches85PercentOfTensorPeak) {
  const sim::GpuConfig cfg = sim::load_gpu_config(kV100, kEightSms);
  auto dev = timing_device(kV100, kEightSms);
  const auto r = workloads::ubench::measure_wmma(*dev, uint32_t(cfg.num_sms) * 4, 256, 128);
  // SMs x 8 tensor cores x 64 FMA x 2 FLOP per (tensor = core) clock.
  const double peak_per_cycle = double(cfg.num_sms) * cfg.tensor_cores_per_sm * cfg.tensor_fp16_fma_per_clock * 2;
  const double fraction = r.per_cycle() / peak_per_cycle;
  std::printf("V100 WMMA: %.1f%% of %g FLOP/clk (%llu cycles)\n", 100 * fraction, peak_per_cycle,
              (unsigned long long)r.stats.cycles);
  EXPECT_GE(fraction, 0.85);
  EXPECT_LE(fraction, 1.0);
}

// DRAM bandwidth is chip-wide: with 8 SMs the chip keeps 4 of its 32 channels so that 8 SMs
// can saturate it, as 80 SMs saturate 32 (the per-channel rate is unchanged).
TEST(UbenchThroughputCalibration, V100StreamingReaches85PercentOfDramPeak) {
  const std::vector<std::string> small = {"sm.count=8", "dram.channels=4"};
  const sim::GpuConfig cfg = sim::load_gpu_config(kV100, small);
  auto dev = timing_device(kV100, small);
  const uint64_t bytes = uint64_t(2) << 20;
  const auto r = workloads::ubench::measure_stream_copy(*dev, bytes, uint32_t(cfg.num_sms) * 8, 256);
  const double dram = workloads::ubench::dram_bytes(r.stats);
  EXPECT_GE(dram, double(bytes));  // at least the source was read from DRAM
  const double peak = double(cfg.dram_channels) * cfg.dram_bus_width_bits / 8 * cfg.dram_transfers_per_clock *
                      cfg.dram_clock_mhz * 1e6;
  const double fraction = dram / r.stats.seconds / peak;
  std::printf("V100 stream: %.1f%% of %.1f GB/s (%llu cycles, %.0f DRAM bytes)\n", 100 * fraction, peak * 1e-9,
              (unsigned long long)r.stats.cycles, dram);
  EXPECT_GE(fraction, 0.85);
  EXPECT_LE(fraction, 1.0);
}

// The read, write and 2:1 streams on a small V100 (8 SMs, 4 channels, a 192 KiB L2 so that 4 MiB
// arrays are DRAM traffic: the dirty lines the L2 still holds at the end, which count as written
// but never reached DRAM, are under 5 % of the bytes). Published V100 PCIe (hardware.md 2.5, S8): read 866, init 895, triad
// 814 GB/s of 898 = 96 %, 99.7 %, 91 %: reads and writes alone stream near the peak, a mix
// loses to the bus turnarounds. The model must keep that order and stay below the peak.
TEST(UbenchThroughputCalibration, V100ReadWriteAndMixedStreamsOrderLikeSilicon) {
  const std::vector<std::string> small = {"sm.count=8", "dram.channels=4", "l2.slices=8", "l2.size_kib=192"};
  const sim::GpuConfig cfg = sim::load_gpu_config(kV100, small);
  auto dev = timing_device(kV100, small);
  const double peak = double(cfg.dram_channels) * cfg.dram_bus_width_bits / 8 * cfg.dram_transfers_per_clock *
                      cfg.dram_clock_mhz * 1e6;
  const uint64_t bytes = uint64_t(4) << 20;
  using workloads::ubench::StreamMix;
  double fraction[3] = {};
  int i = 0;
  for (StreamMix mix : {StreamMix::ReadOnly, StreamMix::WriteOnly, StreamMix::TwoReadsOneWrite}) {
    const auto r = workloads::ubench::measure_stream(*dev, mix, bytes, uint32_t(cfg.num_sms) * 8, 256);
    fraction[i] = r.per_second() / peak;
    std::printf("V100 %s: %.1f%% of %.1f GB/s\n", workloads::ubench::stream_mix_name(mix), 100 * fraction[i],
                peak * 1e-9);
    // Never above the peak, except by the dirty tail the L2 may hold at the end (counted as
    // written, never sent): at most bytes / (bytes - L2 size).
    EXPECT_LE(fraction[i], double(bytes) / double(bytes - uint64_t(cfg.l2_size_kib) * 1024));
    EXPECT_GE(fraction[i], 0.6);
    ++i;
  }
  EXPECT_LT(fraction[2], fraction[0]);  // the mix turns the bus around; a pure read stream does not
}

// 32 banks x 4 B: conflict-free loads near 128 B/clk/SM (hardware.md 6.2: 126-128 measured);
// a 32-way conflict serialises each warp load into 32 wavefronts.
TEST(UbenchThroughputCalibration, V100SharedBandwidthAndBankConflicts) {
  const sim::GpuConfig cfg = sim::load_gpu_config(kV100, kEightSms);
  auto dev = timing_device(kV100, kEightSms);
  const auto plain = workloads::ubench::measure_shared_read(*dev, uint32_t(cfg.num_sms) * 4, 256, 1, 64);
  const auto conflicted = workloads::ubench::measure_shared_read(*dev, uint32_t(cfg.num_sms) * 4, 256, 32, 4);
  const double plain_rate = plain.per_cycle() / cfg.num_sms, conflicted_rate = conflicted.per_cycle() / cfg.num_sms;
  std::printf("V100 shared: %.1f B/clk/SM conflict-free, %.2f B/clk/SM 32-way\n", plain_rate, conflicted_rate);
  // 80 %: this kernel also spends issue slots on the FADDs and on filling the array (silicon
  // figures come from load-only SASS loops); the model gives ~85 % of 128 here.
  EXPECT_GE(plain_rate, 0.80 * 128);
  EXPECT_LE(plain_rate, 128.0);
  EXPECT_LE(conflicted_rate, 128.0 / 32 * 1.1);
  EXPECT_GE(conflicted_rate, 128.0 / 32 * 0.7);
}


// The suite on teaching.ini (256 KiB L2, 16 KiB of shared memory per block): the L2 chase's chain
// is sized to fit its L2 (it chased DRAM before: "L2 hit" = DRAM latency), so an L2 hit costs what
// the configuration's latencies add up to (L1 + interconnect both ways + L2; configs/README.md),
// and the shared-memory benchmark, whose kernel needs more than 16 KiB, is a row saying why
// instead of an error that lost every other row.
TEST(UbenchSuite, TeachingConfigSizesItsChainsAndNamesWhatItCannotHost) {
  const std::string teaching = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  const sim::GpuConfig config = sim::load_gpu_config(teaching);
  auto dev = timing_device(teaching);
  workloads::ubench::SuiteOptions options;
  options.keep_going = true;
  options.only = {"L2 hit latency (p-chase)", "DRAM latency (p-chase)", "shared loads, no bank conflict"};
  const std::vector<workloads::ubench::SuiteRow> rows = workloads::ubench::run_suite(*dev, config, options);
  ASSERT_EQ(rows.size(), 3u);
  const double l2_formula = config.l1_latency_cycles + 2.0 * config.icnt_latency_cycles + config.l2_latency_cycles;
  EXPECT_TRUE(rows[0].not_run.empty()) << rows[0].not_run;
  EXPECT_NEAR(rows[0].simulated, l2_formula, 0.1 * l2_formula);
  EXPECT_GT(rows[1].simulated, rows[0].simulated + 100);
  EXPECT_FALSE(rows[2].failed);
  EXPECT_NE(rows[2].not_run.find("16384 (shared.per_block_max_bytes)"), std::string::npos) << rows[2].not_run;
  // Without keep_going (the calibration's use) the same benchmark is an error naming the reason.
  options.keep_going = false;
  options.only = {"shared loads, no bank conflict"};
  EXPECT_THROW(workloads::ubench::run_suite(*dev, config, options), std::runtime_error);
}

}  // namespace
}  // namespace gpusim
