// `gpusim ubench`'s suite: sizes each microbenchmark for the configuration and pairs it with the
// published figure. Throughputs are reported per SM per core clock so they compare with
// per-SM silicon figures whatever the SM count.
#include "workloads/ubench_suite.h"

#include <algorithm>
#include <string>
#include <cstdio>

#include "workloads/ubench.h"

namespace gpusim::workloads::ubench {
namespace {

struct Published {
  const char* range;
  const char* source;
};

// hardware.md section 6.1 (p-chase, core cycles), 6.2 (bandwidths), section 2/3 unit counts.
Published published_latency(PublishedChip chip, ChaseLevel level) {
  if (chip == PublishedChip::V100) {
    switch (level) {
      case ChaseLevel::L1: return {"28-34", "hw.md 6.1"};
      case ChaseLevel::Shared: return {"19-27", "hw.md 6.1"};
      case ChaseLevel::L2: return {"193-221", "hw.md 6.1"};
      case ChaseLevel::Dram: return {"400-440", "hw.md 6.1"};
    }
  }
  if (chip == PublishedChip::H100) {
    switch (level) {
      case ChaseLevel::L1: return {"32-40", "hw.md 6.1"};
      case ChaseLevel::Shared: return {"29-30", "hw.md 6.1"};
      case ChaseLevel::L2: return {"219-266", "hw.md 6.1"};
      case ChaseLevel::Dram: return {"570-834", "hw.md 6.1"};
    }
  }
  return {"-", "-"};
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : "%.1f", v);
  return buf;
}

std::string percent_of(double value, double peak) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f%% of the model's peak %s", 100.0 * value / peak, format_number(peak).c_str());
  return buf;
}

// Per core cycle: the simulator's cycle count, or a GPU's measured time at the config's clock.
double per_cycle(const ThroughputResult& r, const sim::GpuConfig& config) {
  const double cycles = r.stats.cycles ? double(r.stats.cycles) : r.stats.seconds * config.core_clock_mhz * 1e6;
  return cycles > 0 ? r.work / cycles : 0.0;
}

constexpr uint32_t kSuiteThreads = 256;

// Enough 256-thread blocks to fill every SM to its thread limit.
uint32_t full_occupancy_blocks(const sim::GpuConfig& config) {
  return uint32_t(config.num_sms) * uint32_t(std::max(1, config.max_threads_per_sm / int(kSuiteThreads)));
}

}  // namespace

ThroughputResult measure_suite_stream_copy(runtime::Device& dev, const sim::GpuConfig& config, int work_scale) {
  return measure_stream_copy(dev, (uint64_t(16) << 20) * uint64_t(std::max(1, work_scale)),
                             full_occupancy_blocks(config), kSuiteThreads);
}

ThroughputResult measure_suite_stream(runtime::Device& dev, const sim::GpuConfig& config, StreamMix mix,
                                      int work_scale) {
  const uint64_t mib = uint64_t(1) << 20;
  const uint64_t l2 = uint64_t(config.l2_size_kib) * 1024;
  const uint64_t bytes = std::max<uint64_t>(16 * mib, (2 * l2 + mib - 1) / mib * mib) * uint64_t(std::max(1, work_scale));
  return measure_stream(dev, mix, bytes, full_occupancy_blocks(config), kSuiteThreads);
}

PublishedChip published_chip_for(const sim::GpuConfig& config) {
  if (config.name.rfind("V100", 0) == 0) return PublishedChip::V100;
  if (config.name.rfind("H100", 0) == 0) return PublishedChip::H100;
  return PublishedChip::None;
}

std::vector<SuiteRow> run_suite(runtime::Device& dev, const sim::GpuConfig& config, const SuiteOptions& options) {
  const int scale = std::max(1, options.work_scale);
  const PublishedChip chip = published_chip_for(config);
  const bool v100 = chip == PublishedChip::V100, h100 = chip == PublishedChip::H100;
  std::vector<SuiteRow> rows;
  auto wanted = [&](const std::string& name) {
    return options.only.empty() || std::find(options.only.begin(), options.only.end(), name) != options.only.end();
  };

  for (ChaseLevel level : {ChaseLevel::L1, ChaseLevel::Shared, ChaseLevel::L2, ChaseLevel::Dram}) {
    if (!wanted(std::string(chase_level_name(level)) + " latency (p-chase)")) continue;
    const ChaseResult r = measure_chase(dev, level);
    const Published p = published_latency(chip, level);
    rows.push_back({std::string(chase_level_name(level)) + " latency (p-chase)", r.cycles_per_load, "cycles",
                    p.range, p.source, "clock64 in-kernel, " + std::to_string(r.steps) + " dependent loads"});
  }

  const double sms = config.num_sms;
  const uint32_t threads = kSuiteThreads;
  const uint32_t full_blocks = full_occupancy_blocks(config);

  if (wanted("FFMA throughput")) {
    const ThroughputResult r = measure_ffma(dev, full_blocks, threads, 256 * scale);
    const double peak = 2.0 * config.fp32_lanes_per_sm;
    rows.push_back({"FFMA throughput", per_cycle(r, config) / sms, "FLOP/clk/SM", v100 ? "128" : h100 ? "256" : "-",
                    v100 ? "S20 (64 FP32 lanes)" : h100 ? "S22 (128 FP32 lanes)" : "-",
                    percent_of(per_cycle(r, config) / sms, peak)});
  }
  if (wanted("TensorCore FP16 (wmma 16x16x16)")) {
    const uint32_t blocks = uint32_t(sms) * 4;
    const ThroughputResult r = measure_wmma(dev, blocks, threads, 128 * scale);
    // Per core clock; the tensor clock may differ (H100), so the peak is scaled to core clocks.
    const double peak = 2.0 * config.tensor_cores_per_sm * config.tensor_fp16_fma_per_clock *
                        double(config.tensor_clock_mhz) / config.core_clock_mhz;
    rows.push_back({"TensorCore FP16 (wmma 16x16x16)", per_cycle(r, config) / sms, "FLOP/clk/SM",
                    v100 ? "1024" : h100 ? "3786" : "-",
                    v100 ? "S21 (8 TC x 64 FMA x 2)" : h100 ? "S22 (989 TF / 132 SM / 1.98 GHz)" : "-",
                    percent_of(per_cycle(r, config) / sms, peak)});
  }
  if (wanted("DRAM streaming copy")) {
    const ThroughputResult r = measure_suite_stream_copy(dev, config, scale);
    const double peak_gbs = double(config.dram_channels) * config.dram_bus_width_bits / 8 *
                            config.dram_transfers_per_clock * config.dram_clock_mhz * 1e-3;
    rows.push_back({"DRAM streaming copy", r.per_second() * 1e-9, "GB/s",
                    v100 ? "772-862" : h100 ? "2883-3218" : "-",
                    v100 || h100 ? "hw.md 6.2 (86-96% of peak)" : "-",
                    std::to_string(16 * scale) + " MiB, " + percent_of(r.per_second() * 1e-9, peak_gbs)});
  }
  {
    // Read, write and 2:1 streams. Published: hardware.md 2.5 / 3.4 (S8 gpu-stream: V100 PCIe
    // read 866, init 895, triad 814 GB/s; H100 PCIe read 1942, init 2018, triad 1832; H200 init
    // 3898, triad 3534). No recorded H200 figure yet: scripts/gpu_check.sh records them.
    const double peak_gbs = double(config.dram_channels) * config.dram_bus_width_bits / 8 *
                            config.dram_transfers_per_clock * config.dram_clock_mhz * 1e-3;
    const struct {
      StreamMix mix;
      const char* v100;
      const char* h100;
    } streams[] = {{StreamMix::ReadOnly, "866", "1942 (PCIe)"},
                   {StreamMix::WriteOnly, "895", "2018 (PCIe); H200 3898"},
                   {StreamMix::TwoReadsOneWrite, "814", "1832 (PCIe); H200 3534"}};
    for (const auto& s : streams) {
      if (!wanted(stream_mix_name(s.mix))) continue;
      const ThroughputResult r = measure_suite_stream(dev, config, s.mix, scale);
      rows.push_back({stream_mix_name(s.mix), r.per_second() * 1e-9, "GB/s", v100 ? s.v100 : h100 ? s.h100 : "-",
                      v100 || h100 ? "hw.md 2.5/3.4 (S8 gpu-stream)" : "-",
                      std::to_string(r.work / 1048576.0).substr(0, 6) + " MiB moved, " +
                          percent_of(r.per_second() * 1e-9, peak_gbs)});
    }
  }
  const double shared_peak = double(config.shared_banks) * config.shared_bank_width_bytes;
  if (wanted("shared loads, no bank conflict")) {
    const ThroughputResult plain = measure_shared_read(dev, uint32_t(sms) * 4, threads, 1, 64 * scale);
    rows.push_back({"shared loads, no bank conflict", per_cycle(plain, config) / sms, "B/clk/SM",
                    v100 || h100 ? "126-128" : "-", v100 || h100 ? "hw.md 6.2" : "-",
                    percent_of(per_cycle(plain, config) / sms, shared_peak)});
  }
  if (wanted("shared loads, 32-way bank conflict")) {
    const uint32_t blocks = uint32_t(sms) * 4;
    const double peak = shared_peak;
    const ThroughputResult conflicted = measure_shared_read(dev, blocks, threads, 32, 4 * scale);
    rows.push_back({"shared loads, 32-way bank conflict", per_cycle(conflicted, config) / sms, "B/clk/SM",
                    v100 || h100 ? "4" : "-", v100 || h100 ? "derived: 128 B/clk / 32 ways" : "-",
                    percent_of(per_cycle(conflicted, config) / sms, peak)});
  }
  if (wanted(kEmptyKernelBenchmark)) {
    const LaunchPathResult r = measure_empty_kernel(dev);
    rows.push_back({kEmptyKernelBenchmark, r.event_us, "us", "-", "-",
                    "1 CTA of 32 threads; simulator: kernel + launch.*_ns, GPU: CUDA events"});
  }
  if (wanted(kCtaDispatchBenchmark)) {
    const double ctas_per_sm = 64.0 * scale;
    const DispatchResult r = measure_cta_dispatch(dev, uint32_t(sms * ctas_per_sm));
    const auto cycles = [&](const runtime::LaunchStats& s) {
      return s.cycles ? double(s.cycles) : s.seconds * config.core_clock_mhz * 1e6;
    };
    rows.push_back({kCtaDispatchBenchmark, (cycles(r.many) - cycles(r.one)) / ctas_per_sm, "cycles/CTA/SM", "-", "-",
                    std::to_string(int(ctas_per_sm)) + " empty 32-thread CTAs per SM, minus one CTA's launch"});
  }
  return rows;
}

}  // namespace gpusim::workloads::ubench
