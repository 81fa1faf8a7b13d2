// `gpusim ubench`'s suite: sizes each microbenchmark for the configuration and pairs it with the
// published figure. Throughputs are reported per SM per core clock so they compare with
// per-SM silicon figures whatever the SM count.
#include "workloads/ubench_suite.h"

#include <algorithm>
#include <functional>
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

// The L2 chase's chain: at least twice the largest L1 (after the warm pass its first lines have
// left the L1 but not the L2) and at most half the L2 (so it stays there): 512 KiB where that
// fits (V100, H100), smaller on a small L2 (teaching.ini's 256 KiB). 0 when no size is both.
uint64_t l2_chain_bytes(const sim::GpuConfig& c) {
  const uint64_t l1 = uint64_t(c.l1_shared_unified_kib) * 1024, l2 = uint64_t(c.l2_size_kib) * 1024;
  const uint64_t bytes = std::min<uint64_t>(kDefaultL2ChainBytes, l2 / 2 / 128 * 128);
  return bytes >= 2 * l1 ? bytes : 0;
}

std::string mib_text(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / 1048576.0);
  return buf;
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
  // Runs one benchmark into `row` and appends it: a configuration that cannot host it (`why_not`)
  // or a failure under keep_going leaves a row that says why, so the other rows are kept.
  auto attempt = [&](SuiteRow row, const std::string& why_not, const std::function<void(SuiteRow&)>& measure) {
    if (!why_not.empty()) {
      if (!options.keep_going) throw std::runtime_error(row.benchmark + ": " + why_not);
      row.not_run = why_not;
    } else {
      try {
        measure(row);
      } catch (const runtime::Interrupted&) {
        throw;
      } catch (const std::exception& e) {
        if (!options.keep_going) throw;
        row.not_run = e.what();
        row.failed = true;
      }
    }
    rows.push_back(std::move(row));
  };

  for (ChaseLevel level : {ChaseLevel::L1, ChaseLevel::Shared, ChaseLevel::L2, ChaseLevel::Dram}) {
    const std::string name = std::string(chase_level_name(level)) + " latency (p-chase)";
    if (!wanted(name)) continue;
    const Published p = published_latency(chip, level);
    const uint64_t chain = level == ChaseLevel::L2 ? l2_chain_bytes(config) : 0;
    const std::string why_not =
        level == ChaseLevel::L2 && chain == 0
            ? "no chain fits between the L1 (" + std::to_string(config.l1_shared_unified_kib) + " KiB, l1.unified_kib) and the L2 (" +
                  std::to_string(config.l2_size_kib) + " KiB, l2.size_kib): it needs at least twice the one and at most half the other"
            : "";
    attempt(SuiteRow{name, 0, "cycles", p.range, p.source, "", "", false}, why_not, [&](SuiteRow& row) {
      const ChaseResult r = measure_chase(dev, level, 256, chain);
      row.simulated = r.cycles_per_load;
      row.note = "clock64 in-kernel, " + std::to_string(r.steps) + " dependent loads" +
                 (chain && chain != kDefaultL2ChainBytes ? ", " + std::to_string(chain >> 10) + " KiB chain" : "");
    });
  }

  const double sms = config.num_sms;
  const uint32_t threads = kSuiteThreads;
  const uint32_t full_blocks = full_occupancy_blocks(config);

  if (wanted("FFMA throughput")) {
    attempt(SuiteRow{"FFMA throughput", 0, "FLOP/clk/SM", v100 ? "128" : h100 ? "256" : "-",
             v100 ? "S20 (64 FP32 lanes)" : h100 ? "S22 (128 FP32 lanes)" : "-", "", "", false},
            "", [&](SuiteRow& row) {
              const ThroughputResult r = measure_ffma(dev, full_blocks, threads, 256 * scale);
              row.simulated = per_cycle(r, config) / sms;
              row.note = percent_of(row.simulated, 2.0 * config.fp32_lanes_per_sm);
            });
  }
  if (wanted("TensorCore FP16 (wmma 16x16x16)")) {
    attempt(SuiteRow{"TensorCore FP16 (wmma 16x16x16)", 0, "FLOP/clk/SM", v100 ? "1024" : h100 ? "3786" : "-",
             v100 ? "S21 (8 TC x 64 FMA x 2)" : h100 ? "S22 (989 TF / 132 SM / 1.98 GHz)" : "-", "", "", false},
            "", [&](SuiteRow& row) {
              const ThroughputResult r = measure_wmma(dev, uint32_t(sms) * 4, threads, 128 * scale);
              // Per core clock; the tensor clock may differ (H100), so the peak is scaled to core clocks.
              const double peak = 2.0 * config.tensor_cores_per_sm * config.tensor_fp16_fma_per_clock *
                                  double(config.tensor_clock_mhz) / config.core_clock_mhz;
              row.simulated = per_cycle(r, config) / sms;
              row.note = percent_of(row.simulated, peak);
            });
  }
  const double peak_gbs = double(config.dram_channels) * config.dram_bus_width_bits / 8 *
                          config.dram_transfers_per_clock * config.dram_clock_mhz * 1e-3;
  if (wanted("DRAM streaming copy")) {
    attempt(SuiteRow{"DRAM streaming copy", 0, "GB/s", v100 ? "772-862" : h100 ? "2883-3218" : "-",
             v100 || h100 ? "hw.md 6.2 (86-96% of peak)" : "-", "", "", false},
            "", [&](SuiteRow& row) {
              const ThroughputResult r = measure_suite_stream_copy(dev, config, scale);
              row.simulated = r.per_second() * 1e-9;
              row.note = std::to_string(16 * scale) + " MiB, " + percent_of(row.simulated, peak_gbs);
            });
  }
  {
    // Read, write and 2:1 streams. Published: hardware.md 2.5 / 3.4 (S8 gpu-stream: V100 PCIe
    // read 866, init 895, triad 814 GB/s; H100 PCIe read 1942, init 2018, triad 1832; H200 init
    // 3898, triad 3534). No recorded H200 figure yet: scripts/gpu_check.sh records them.
    const struct {
      StreamMix mix;
      const char* v100;
      const char* h100;
    } streams[] = {{StreamMix::ReadOnly, "866", "1942 (PCIe)"},
                   {StreamMix::WriteOnly, "895", "2018 (PCIe); H200 3898"},
                   {StreamMix::TwoReadsOneWrite, "814", "1832 (PCIe); H200 3534"}};
    for (const auto& s : streams) {
      if (!wanted(stream_mix_name(s.mix))) continue;
      attempt(SuiteRow{stream_mix_name(s.mix), 0, "GB/s", v100 ? s.v100 : h100 ? s.h100 : "-",
               v100 || h100 ? "hw.md 2.5/3.4 (S8 gpu-stream)" : "-", "", "", false},
              "", [&](SuiteRow& row) {
                const ThroughputResult r = measure_suite_stream(dev, config, s.mix, scale);
                // The value counts the bytes the kernel moves, as gpu-stream does on a card (so a
                // GPU run compares like with like). Writes the L2 still holds dirty when the kernel
                // ends never reached DRAM: the DRAM side's rate, what the peak bounds, is the
                // model's own DRAM traffic over the kernel's time (no report: a GPU's run).
                row.simulated = r.per_second() * 1e-9;
                const double at_dram = dram_bytes(r.stats);
                row.note = mib_text(r.work) + " moved, ";
                if (at_dram > 0 && r.stats.seconds > 0)
                  row.note += mib_text(at_dram) + " at DRAM during the kernel: " +
                              format_number(at_dram / r.stats.seconds * 1e-9) + " GB/s at DRAM, " +
                              percent_of(at_dram / r.stats.seconds * 1e-9, peak_gbs);
                else
                  row.note += percent_of(row.simulated, peak_gbs);
              });
    }
  }
  const double shared_peak = double(config.shared_banks) * config.shared_bank_width_bytes;
  const std::string shared_too_small =
      config.shared_per_block_max_bytes < kSharedReadStaticBytes
          ? "ubench_shared_read needs " + std::to_string(kSharedReadStaticBytes) +
                " bytes of static shared memory per block; this configuration allows " +
                std::to_string(config.shared_per_block_max_bytes) + " (shared.per_block_max_bytes)"
          : "";
  if (wanted("shared loads, no bank conflict")) {
    attempt(SuiteRow{"shared loads, no bank conflict", 0, "B/clk/SM", v100 || h100 ? "126-128" : "-",
             v100 || h100 ? "hw.md 6.2" : "-", "", "", false},
            shared_too_small, [&](SuiteRow& row) {
              const ThroughputResult plain = measure_shared_read(dev, uint32_t(sms) * 4, threads, 1, 64 * scale);
              row.simulated = per_cycle(plain, config) / sms;
              row.note = percent_of(row.simulated, shared_peak);
            });
  }
  if (wanted("shared loads, 32-way bank conflict")) {
    attempt(SuiteRow{"shared loads, 32-way bank conflict", 0, "B/clk/SM", v100 || h100 ? "4" : "-",
             v100 || h100 ? "derived: 128 B/clk / 32 ways" : "-", "", "", false},
            shared_too_small, [&](SuiteRow& row) {
              const ThroughputResult conflicted = measure_shared_read(dev, uint32_t(sms) * 4, threads, 32, 4 * scale);
              row.simulated = per_cycle(conflicted, config) / sms;
              row.note = percent_of(row.simulated, shared_peak);
            });
  }
  if (wanted(kEmptyKernelBenchmark)) {
    attempt(SuiteRow{kEmptyKernelBenchmark, 0, "us", "-", "-", "1 CTA of 32 threads; simulator: kernel + launch.*_ns, GPU: CUDA events", "", false},
            "", [&](SuiteRow& row) { row.simulated = measure_empty_kernel(dev).event_us; });
  }
  if (wanted(kCtaDispatchBenchmark)) {
    const double ctas_per_sm = 64.0 * scale;
    attempt(SuiteRow{kCtaDispatchBenchmark, 0, "cycles/CTA/SM", "-", "-",
             std::to_string(int(ctas_per_sm)) + " empty 32-thread CTAs per SM, minus one CTA's launch", "", false},
            "", [&](SuiteRow& row) {
              const DispatchResult r = measure_cta_dispatch(dev, uint32_t(sms * ctas_per_sm));
              const auto cycles = [&](const runtime::LaunchStats& s) {
                return s.cycles ? double(s.cycles) : s.seconds * config.core_clock_mhz * 1e6;
              };
              row.simulated = (cycles(r.many) - cycles(r.one)) / ctas_per_sm;
            });
  }
  return rows;
}

}  // namespace gpusim::workloads::ubench
