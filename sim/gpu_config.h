// GpuConfig: every parameter of the simulated GPU in one typed struct.
//
// The member initializers are the embedded default chip (V100-like; configs/v100.ini holds the
// same values, and a test keeps the two equal). The INI key, unit and one-line description of
// every member live in one table (sim/gpu_config_options.cpp), which is the single source for
// parsing INI files, `--set key=value` overrides, `describe()` and `gpusim info --help`.
//
// Latencies are in core-clock cycles and are *added* per level: a load that hits L1 costs
// l1.latency_cycles; one that misses L1 and hits L2 costs l1 + l2 latency; one that goes to DRAM
// costs l1 + l2 + dram latency. The configs calibrate those sums to measured p-chase figures.
#pragma once

#include <algorithm>

#include <stdexcept>
#include <functional>
#include <string>
#include <vector>

namespace gpusim::sim {

inline constexpr int kWarpSize = 32;  // threads per warp on every NVIDIA GPU so far

enum class WarpSchedulerPolicy {
  LooseRoundRobin,   // "lrr": rotate priority among ready warps every cycle
  GreedyThenOldest,  // "gto": keep issuing from one warp until it stalls, then the oldest
};
const char* scheduler_policy_name(WarpSchedulerPolicy policy);

// The shared-memory sizes (KiB per SM) that the unified L1/shared array can be split into.
struct CarveoutList {
  std::vector<int> kib;  // ascending
  bool operator==(const CarveoutList&) const = default;
};

struct GpuConfig {
  // [chip]
  std::string name = "V100-like (80 SM, 1245 MHz)";
  std::string sm_arch = "sm_75";  // ptxas target whose resource usage (regs, smem) is used

  // [sm]
  int num_sms = 80;
  int subcores_per_sm = 4;
  int max_warps_per_subcore = 16;
  int max_threads_per_sm = 2048;
  int max_ctas_per_sm = 32;
  int max_threads_per_block = 1024;
  WarpSchedulerPolicy warp_scheduler = WarpSchedulerPolicy::LooseRoundRobin;

  // [registers]
  int registers_per_sm = 65536;
  int registers_per_block_max = 65536;
  int register_alloc_granularity = 256;  // registers, allocated per warp
  int max_registers_per_thread = 255;
  int register_banks_per_subcore = 2;

  // [shared]
  int shared_per_sm_max_bytes = 98304;
  int shared_per_block_max_bytes = 98304;
  int shared_alloc_granularity_bytes = 256;
  int shared_reserved_per_block_bytes = 0;
  CarveoutList shared_carveouts{{0, 8, 16, 32, 64, 96}};
  int shared_banks = 32;
  int shared_bank_width_bytes = 4;
  int shared_latency_cycles = 23;

  // [l1]
  int l1_shared_unified_kib = 128;
  int l1_line_bytes = 128;
  int l1_sector_bytes = 32;
  int l1_associativity = 64;
  int l1_latency_cycles = 30;
  int l1_mshrs = 512;
  int l1_mshr_max_merged = 8;
  int l1_bytes_per_clock = 128;

  // [units] lanes per SM, split evenly across sub-cores
  int fp32_lanes_per_sm = 64;
  int int_lanes_per_sm = 64;
  int fp64_lanes_per_sm = 32;
  int sfu_lanes_per_sm = 16;
  int ldst_lanes_per_sm = 32;
  int fp32_latency_cycles = 4;
  int fp16_latency_cycles = 6;
  int int_latency_cycles = 4;
  int fp64_latency_cycles = 8;
  int sfu_latency_cycles = 21;

  // [tensor]
  int tensor_cores_per_sm = 8;
  int tensor_fp16_fma_per_clock = 64;  // per tensor core, dense
  int tensor_mma_latency_cycles = 35;  // one warp-wide 16x16x16 MMA

  // [l2]
  int l2_size_kib = 6144;
  int l2_slices = 64;
  int l2_line_bytes = 128;
  int l2_sector_bytes = 32;
  int l2_associativity = 24;
  int l2_latency_cycles = 155;
  int l2_bytes_per_clock_per_slice = 32;
  int l2_mshrs_per_slice = 192;

  // [icnt] crossbar between SMs and L2 slices
  int icnt_latency_cycles = 15;
  int icnt_bytes_per_clock_per_sm = 32;

  // [dram]
  int dram_channels = 32;
  int dram_bus_width_bits = 128;
  int dram_transfers_per_clock = 2;
  int dram_latency_cycles = 172;
  // Share of the peak data rate a channel's bus sustains, on top of what banks, turnarounds and
  // refresh cost (those are modelled; see the block below). 100 = no extra derating.
  int dram_efficiency_pct = 100;
  // Device memory a program may allocate (cudaMalloc fails with cudaErrorMemoryAllocation past it;
  // the simulator commits host memory only for what kernels and copies touch).
  int dram_capacity_mib = 16384;

  // [host] the link between host and device memory (cudaMemcpy time on the simulated timeline)
  int host_copy_mbytes_per_s = 12000;

  // [clocks]
  int core_clock_mhz = 1245;
  int tensor_clock_mhz = 1245;
  int l2_clock_mhz = 1245;
  int icnt_clock_mhz = 1245;
  int dram_clock_mhz = 877;

  // [compiler] what ptxas does to the PTX before the hardware sees it (timing mode only)
  int hoist_loads = 1;  // 1: issue independent loads early within a block (isa/load_hoisting.h)

  // [launch] the launch path and CTA dispatch (predictions comparable with event-timed times).
  // An event-timed launch includes the host-to-GPU path before the first CTA starts and the
  // completion path after the last CTA retires; 0 = not characterised for this chip. Measured by
  // the empty-kernel characterisation (gpusim compare --calibrate fits launch_to_first_cta_ns).
  int launch_to_first_cta_ns = 0;
  int launch_completion_ns = 0;
  // Minimum core cycles between two CTAs dispatched to the same SM (1 = one per cycle).
  int cta_dispatch_interval_cycles = 1;

  // [tensor, legacy path] share of the dense tensor rate (tensor.fp16_fma_per_clock, reached by
  // Hopper's wgmma) that warp-level mma.sync / wmma.mma sustain; calibrated from the wmma ubench.
  int tensor_mma_sync_pct = 100;

  // [dram] banks, rows, turnarounds and refresh (the DRAM-as-DRAM model, sim/dram_channel.h;
  // sim/dram_timing.h says how they are used). Times in picoseconds so that datasheet values in
  // ns keep their decimals whatever the DRAM clock. Defaults: HBM2 as in Accel-Sim's QV100
  // config (hardware.md S1 l.216-217, 850 MHz clocks converted to ps; JESD235 per its l.209).
  int dram_banks_per_channel = 16;     // S1 nbk=16
  int dram_bank_groups = 4;            // S1 nbkgrp=4
  int dram_row_bytes = 2048;           // page per bank seen by one channel (HBM2 legacy mode: 2 KB)
  int dram_trcd_ps = 14118;            // S1 RCD=12 clocks
  int dram_trp_ps = 14118;             // S1 RP=12
  int dram_tras_ps = 32941;            // S1 RAS=28
  int dram_tcl_ps = 14118;             // S1 CL=12
  int dram_tcwl_ps = 2353;             // S1 WL=2
  int dram_twr_ps = 11765;             // S1 WR=10
  int dram_trtp_ps = 3529;             // S1 RTPL=3
  int dram_tccd_l_ps = 2353;           // S1 CCDL=2
  int dram_trrd_ps = 3529;             // S1 RRD=3
  int dram_twtr_ps = 3529;             // S1 CDLR=3
  int dram_trtw_ps = 15294;            // JEDEC form CL + BL/2 + 2 - WL = 12 + 1 + 2 - 2 = 13 clocks
  int dram_trefi_ps = 3900000;         // 3.9 us (JESD235; Ramulator2 HBM3 preset nREFI 3900)
  int dram_trfc_ps = 350000;           // all-bank refresh of an 8 Gb die (Ramulator2 tRFC table)
  int dram_refresh_per_bank = 1;       // 1: REFpb, one bank every tREFI/banks; 0: all-bank REFab every tREFI
  int dram_trfcpb_ps = 160000;         // per-bank refresh (Ramulator2 HBM3 nRFCSB 160 ns)
  int dram_write_high_watermark = 32;  // queued writes that make the controller drain writes
  int dram_write_low_watermark = 8;    // ... until this few remain (while reads wait)
  int dram_scheduler_lookahead = 16;   // requests per bank the FR-FCFS scheduler examines for a row hit
  // [l2] partitions (H100/H200 split the L2 in two halves; an access whose DRAM channel belongs to
  // the far half crosses between them). 1 = a single, uniform L2 (V100).
  int l2_partitions = 1;
  int l2_far_latency_cycles = 0;       // core cycles the crossing adds to a DRAM-served read, each way

  // [cluster] thread-block clusters (sm_90, hopper-cluster): the GPCs a cluster's CTAs are
  // co-scheduled in, the SM-to-SM network of distributed shared memory and barrier.cluster
  // (sim/cluster_dispatch.h, sim/dsmem_port.h). gpcs = 0: the chip has no clusters (pre-Hopper),
  // cluster launches are refused in timing mode.
  int cluster_gpcs = 0;                  // SMs are split over the GPCs in whole TPCs (2 SMs), evenly
  int cluster_max_ctas = 8;              // portable cluster size limit (CUDA allows 16 on sm_90 non-portably)
  int cluster_dsmem_latency_cycles = 0;  // remote ld/atom.shared::cluster load-to-use latency
  int cluster_dsmem_bytes_per_clock = 32;  // SM-to-SM network port per SM per direction
  int cluster_dsmem_receive_bytes_per_clock = 0;  // a receiving SM's port (sim/dsmem_network.h); 0 = the send rate
  int cluster_barrier_latency_cycles = 0;  // last barrier.cluster.arrive to the waiting warps released
  // [tensor, tma] Hopper warpgroup MMA and Tensor Memory Accelerator timing (issue 14, hopper-timing;
  // sim/wgmma_groups.h, sim/tma_unit.h). Only wgmma / cp.async.bulk use them, which only sm_90a
  // chips accept, so other chips leave them at these neutral defaults.
  int tensor_wgmma_flops_per_clock = 0;  // per SM per tensor clock, dense FP16/BF16; 0 = cores x fp16_fma x 2
  int tensor_wgmma_latency_cycles = 0;   // core cycles from the tensor cores' last cycle to accumulators complete
  // wgmmas a sub-core accepts while its tensor cores are busy (sim/wgmma_queue.h); 0 = none: a
  // wgmma issues only when the tensor cores are free, the model before the queue (wgmma-queue).
  int tensor_wgmma_queue_depth = 0;
  int tma_bytes_per_cycle = 128;         // global bytes the SM's TMA unit requests per core cycle
  int tma_issue_latency_cycles = 0;      // core cycles from issue until the TMA unit sends the first request
  // [l2] hopper-gemm-perf (issue 14 item 4; sim/l2_slice.h): 1 = a read over an MSHR's merge
  // limit blocks its slice's queue until a fill arrives (Accel-Sim's behaviour, the default, which
  // the recorded H200 residuals were fitted with); 0 = it is parked with its line and replayed at
  // the fill while the slice serves the requests behind it (configs/h100.ini).
  int l2_merge_limit_blocks = 1;

  bool operator==(const GpuConfig&) const = default;

  // Derived quantities (no separate parameters, so they can never disagree).
  int max_warps_per_sm() const { return subcores_per_sm * max_warps_per_subcore; }
  // The warps an SM can hold at once: its warp slots, or fewer where max_threads_per_sm is lower
  // (CUDA's occupancy is relative to maxThreadsPerMultiProcessor / 32).
  int resident_warps_per_sm() const { return std::min(max_warps_per_sm(), max_threads_per_sm / 32); }
  int lanes_per_subcore(int lanes_per_sm) const { return lanes_per_sm / subcores_per_sm; }
  // Cycles between two warp-instructions entering a unit of a sub-core (its initiation
  // interval): a 32-thread warp over `lanes_per_sm / subcores` lanes.
  int issue_interval_cycles(int lanes_per_sm) const;
  // Tensor: cycles one sub-core's tensor cores need for an m x n x k MMA at the dense rate.
  int tensor_mma_cycles(int m, int n, int k) const;
  // Dense FP16/BF16 warpgroup-MMA FLOPs per SM per tensor clock (tensor.wgmma_flops_per_clock,
  // or the tensor cores' rate when that is 0).
  long long wgmma_flops_per_clock() const;
  // Seconds an event-timed launch spends outside its CTAs (launch path + completion).
  double launch_path_seconds() const { return (double(launch_to_first_cta_ns) + launch_completion_ns) * 1e-9; }
  // The smallest carve-out (bytes) that holds `shared_bytes`; -1 when none does.
  int carveout_for(int shared_bytes) const;
  // L1 data capacity (bytes) left when `carveout_bytes` of the unified array is shared memory.
  int l1_bytes_with_carveout(int carveout_bytes) const { return l1_shared_unified_kib * 1024 - carveout_bytes; }
};

// A bad configuration file, key, value or combination of values; the message names the source
// (file and line, or the --set override) and the key.
class GpuConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The embedded default (the member initializers above, checked for consistency).
GpuConfig default_gpu_config();

// Reads `path` (empty = start from the defaults) and applies `overrides` ("section.key=value",
// as given to --set; they win over the file). Throws GpuConfigError.
GpuConfig load_gpu_config(const std::string& path, const std::vector<std::string>& overrides = {});

// Where a key's value came from, for messages: "line 12", "--set", "default".
using ConfigKeyOrigin = std::function<std::string(const std::string& key)>;

// Throws GpuConfigError naming `source` if values contradict each other; each value quoted says
// where it came from when `origin` is given (a partial file completes from the defaults, so a
// contradiction can be between a line of the file and a default the user never wrote).
void check_gpu_config(const GpuConfig& config, const std::string& source, const ConfigKeyOrigin& origin = nullptr);

// The whole configuration as INI text (sections, `key = value  # unit: description`); loading
// this text back gives the same configuration.
std::string describe(const GpuConfig& config);

// Chip-wide peaks the configuration implies (per second, at the configured clocks).
struct GpuPeaks {
  double fp32_flops = 0;          // SMs x FP32 lanes x 2 (FMA) x core clock
  double fp64_flops = 0;          // SMs x FP64 lanes x 2 x core clock
  double tensor_fp16_flops = 0;   // SMs x tensor cores x FP16 FMA/clk x 2 x tensor clock (dense)
  double dram_bytes_per_s = 0;    // channels x bus width x transfers/clk x DRAM clock
  double l2_bytes_per_s = 0;      // slices x bytes/clk x L2 clock
  double l1_bytes_per_s = 0;      // SMs x L1 bytes/clk x core clock
  double shared_bytes_per_s = 0;  // SMs x banks x bank width x core clock
  long long warps_in_flight = 0;  // SMs x resident warps per SM
  long long threads_in_flight = 0;
};
GpuPeaks compute_peaks(const GpuConfig& config);
// The peaks as text, one per line with the arithmetic that gives it.
std::string describe_peaks(const GpuConfig& config);

// The option table as help text: key, type, default, unit and description of every parameter.
std::string gpu_config_help();

}  // namespace gpusim::sim
