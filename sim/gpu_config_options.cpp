// The single table of GpuConfig parameters and its Boost.Program_options binding.
#include "sim/gpu_config_options.h"

#include <sstream>
#include <stdexcept>

#include <boost/program_options/value_semantic.hpp>
#include <boost/program_options/errors.hpp>

namespace gpusim::sim {

namespace po = boost::program_options;
using C = GpuConfig;

const std::vector<GpuConfigField>& gpu_config_fields() {
  // Never destroyed: a program's global destructor may launch a kernel after static destruction
  // began, and its statistics describe the configuration (the table was freed under it).
  static const std::vector<GpuConfigField>& fields = *new std::vector<GpuConfigField>{
      {"chip.name", &C::name, "text", "human-readable name of this configuration"},
      {"chip.sm_arch", &C::sm_arch, "text", "ptxas target (sm_75, sm_80, sm_90) whose register/shared usage kernels report"},

      {"sm.count", &C::num_sms, "count", "streaming multiprocessors on the chip", 1, 1024},
      {"sm.subcores", &C::subcores_per_sm, "count", "sub-cores (processing blocks) per SM, one warp scheduler each", 1, 16},
      {"sm.max_warps_per_subcore", &C::max_warps_per_subcore, "warps", "resident warps a sub-core can interleave", 1, 64},
      {"sm.max_threads", &C::max_threads_per_sm, "threads", "resident threads per SM", 32, 16384},
      {"sm.max_ctas", &C::max_ctas_per_sm, "CTAs", "resident thread blocks per SM", 1, 256},
      {"sm.max_threads_per_block", &C::max_threads_per_block, "threads", "largest thread block a launch may use", 32, 16384},
      {"sm.warp_scheduler", &C::warp_scheduler, "lrr|gto", "warp scheduler policy of each sub-core"},

      {"registers.per_sm", &C::registers_per_sm, "32-bit registers", "register file size per SM", 256, 1 << 20},
      {"registers.per_block_max", &C::registers_per_block_max, "32-bit registers", "registers one thread block may hold", 256, 1 << 20},
      {"registers.alloc_granularity", &C::register_alloc_granularity, "registers", "registers are allocated per warp in multiples of this", 1, 1024},
      {"registers.max_per_thread", &C::max_registers_per_thread, "registers", "most registers one thread may use", 16, 255},
      {"registers.banks_per_subcore", &C::register_banks_per_subcore, "banks", "register file banks per sub-core (operand read conflicts)", 1, 64},

      {"shared.per_sm_max_bytes", &C::shared_per_sm_max_bytes, "bytes", "largest shared memory per SM (the largest carve-out)", 1, 1 << 28},
      {"shared.per_block_max_bytes", &C::shared_per_block_max_bytes, "bytes", "largest shared memory one block may use (opt-in limit)", 1, 1 << 28},
      {"shared.alloc_granularity_bytes", &C::shared_alloc_granularity_bytes, "bytes", "shared memory is allocated per block in multiples of this", 1, 1 << 16},
      {"shared.reserved_per_block_bytes", &C::shared_reserved_per_block_bytes, "bytes", "shared memory the driver reserves in every block (sm_80+: 1 KiB)", 0, 1 << 16},
      {"shared.carveouts_kib", &C::shared_carveouts, "KiB list", "shared sizes the unified L1/shared array can be split into, ascending"},
      {"shared.banks", &C::shared_banks, "banks", "shared memory banks (a power of two)", 1, 64},
      {"shared.bank_width_bytes", &C::shared_bank_width_bytes, "bytes", "bytes each bank delivers per cycle", 1, 128},
      {"shared.latency_cycles", &C::shared_latency_cycles, "cycles", "shared-memory load-to-use latency without conflicts", 1, 65535},

      {"l1.unified_kib", &C::l1_shared_unified_kib, "KiB", "unified L1 data cache + shared memory array per SM", 1, 1 << 18},
      {"l1.line_bytes", &C::l1_line_bytes, "bytes", "L1 cache line (tag) size", 1, 4096},
      {"l1.sector_bytes", &C::l1_sector_bytes, "bytes", "L1 sector size (fill and valid granularity)", 1, 4096},
      {"l1.associativity", &C::l1_associativity, "ways", "L1 ways per set", 1, 4096},
      {"l1.latency_cycles", &C::l1_latency_cycles, "cycles", "global load-to-use latency on an L1 hit", 1, 100000},
      {"l1.mshrs", &C::l1_mshrs, "entries", "outstanding L1 line misses per SM", 1, 1 << 16},
      {"l1.mshr_max_merged", &C::l1_mshr_max_merged, "requests", "requests one L1 MSHR entry can merge", 1, 1 << 16},
      {"l1.bytes_per_clock", &C::l1_bytes_per_clock, "B/clk", "L1 data bandwidth per SM", 1, 1 << 16},

      {"units.fp32_lanes_per_sm", &C::fp32_lanes_per_sm, "lanes", "FP32 FMA lanes per SM", 1, 4096},
      {"units.int_lanes_per_sm", &C::int_lanes_per_sm, "lanes", "INT32 lanes per SM", 1, 4096},
      {"units.fp64_lanes_per_sm", &C::fp64_lanes_per_sm, "lanes", "FP64 FMA lanes per SM", 1, 4096},
      {"units.sfu_lanes_per_sm", &C::sfu_lanes_per_sm, "lanes", "special-function (MUFU) lanes per SM", 1, 4096},
      {"units.ldst_lanes_per_sm", &C::ldst_lanes_per_sm, "lanes", "load/store address lanes per SM", 1, 4096},
      {"units.fp32_latency_cycles", &C::fp32_latency_cycles, "cycles", "dependent-issue latency of FFMA/FADD/FMUL", 1, 65535},
      {"units.fp16_latency_cycles", &C::fp16_latency_cycles, "cycles", "dependent-issue latency of HFMA/HADD/HMUL", 1, 65535},
      {"units.int_latency_cycles", &C::int_latency_cycles, "cycles", "dependent-issue latency of IADD/IMUL/LOP/SETP", 1, 65535},
      {"units.fp64_latency_cycles", &C::fp64_latency_cycles, "cycles", "dependent-issue latency of DFMA/DADD/DMUL", 1, 65535},
      {"units.sfu_latency_cycles", &C::sfu_latency_cycles, "cycles", "latency of an SFU approximation (sqrt/rsqrt/ex2/rcp)", 1, 65535},

      {"tensor.cores_per_sm", &C::tensor_cores_per_sm, "count", "tensor cores per SM, split evenly across sub-cores", 1, 64},
      {"tensor.fp16_fma_per_clock", &C::tensor_fp16_fma_per_clock, "FMA/clk", "dense FP16 FMAs per tensor core per tensor clock", 1, 1 << 20},
      {"tensor.mma_latency_cycles", &C::tensor_mma_latency_cycles, "cycles", "latency of one warp-wide 16x16x16 FP16 MMA", 1, 65535},

      {"l2.size_kib", &C::l2_size_kib, "KiB", "total L2 capacity", 1, 1 << 20},
      {"l2.slices", &C::l2_slices, "count", "L2 slices (banks), addresses interleaved across them", 1, 1024},
      {"l2.line_bytes", &C::l2_line_bytes, "bytes", "L2 line (tag) size", 1, 4096},
      {"l2.sector_bytes", &C::l2_sector_bytes, "bytes", "L2 sector size", 1, 4096},
      {"l2.associativity", &C::l2_associativity, "ways", "L2 ways per set", 1, 4096},
      {"l2.latency_cycles", &C::l2_latency_cycles, "cycles", "latency an L2 hit adds beyond L1 and the crossbar", 1, 100000},
      {"l2.bytes_per_clock_per_slice", &C::l2_bytes_per_clock_per_slice, "B/clk", "data each slice returns per L2 clock", 1, 1 << 16},
      {"l2.mshrs_per_slice", &C::l2_mshrs_per_slice, "entries", "outstanding DRAM misses per L2 slice", 1, 1 << 16},

      {"icnt.latency_cycles", &C::icnt_latency_cycles, "cycles", "one-way SM-to-L2 crossbar latency", 1, 100000},
      {"icnt.bytes_per_clock_per_sm", &C::icnt_bytes_per_clock_per_sm, "B/clk", "crossbar port width per SM per direction", 1, 1 << 16},

      {"dram.channels", &C::dram_channels, "count", "independent DRAM channels", 1, 1024},
      {"dram.bus_width_bits", &C::dram_bus_width_bits, "bits", "data bus width per channel", 1, 4096},
      {"dram.transfers_per_clock", &C::dram_transfers_per_clock, "transfers", "data transfers per DRAM clock (2 = DDR)", 1, 64},
      {"dram.latency_cycles", &C::dram_latency_cycles, "cycles", "latency a DRAM access adds beyond an L2 hit", 1, 100000},
      {"dram.efficiency_pct", &C::dram_efficiency_pct, "%",
       "share of the peak data rate a channel sustains (refresh, row switches; calibrated by gpusim compare --calibrate)", 1, 100},

      {"dram.capacity_mib", &C::dram_capacity_mib, "MiB", "device memory size (total global memory a program may allocate)", 1, 1 << 24},
      {"host.copy_mbytes_per_s", &C::host_copy_mbytes_per_s, "MB/s", "host<->device copy bandwidth (the time cudaMemcpy adds to the simulated timeline)", 1, 100000000},

      {"clocks.core_mhz", &C::core_clock_mhz, "MHz", "SM core clock (FP32/FP64 peaks, all latencies)", 1, 100000},
      {"clocks.tensor_mhz", &C::tensor_clock_mhz, "MHz", "clock for tensor-core peaks (H100 sustains less than the core maximum)", 1, 100000},
      {"clocks.l2_mhz", &C::l2_clock_mhz, "MHz", "L2 clock", 1, 100000},
      {"clocks.icnt_mhz", &C::icnt_clock_mhz, "MHz", "crossbar clock", 1, 100000},
      {"clocks.dram_mhz", &C::dram_clock_mhz, "MHz", "DRAM I/O clock (before the DDR factor)", 1, 100000},
      // DRAM as DRAM: banks, rows, turnarounds, refresh, FR-FCFS write draining (sim/dram_channel.h),
      // and the two-partition L2 crossing (dram branch).
      {"dram.banks_per_channel", &C::dram_banks_per_channel, "banks", "banks per channel (all pseudo-channels together)", 1, 1024},
      {"dram.bank_groups", &C::dram_bank_groups, "groups", "bank groups per channel (tCCD_L applies within one)", 1, 1024},
      {"dram.row_bytes", &C::dram_row_bytes, "bytes", "row (page) size of one bank as the channel sees it", 32, 1 << 20},
      {"dram.trcd_ps", &C::dram_trcd_ps, "ps", "tRCD: ACTIVATE to READ/WRITE", 0, 1000000},
      {"dram.trp_ps", &C::dram_trp_ps, "ps", "tRP: PRECHARGE to ACTIVATE", 0, 1000000},
      {"dram.tras_ps", &C::dram_tras_ps, "ps", "tRAS: ACTIVATE to PRECHARGE, same bank", 0, 1000000},
      {"dram.tcl_ps", &C::dram_tcl_ps, "ps", "tCL (CAS latency): READ to first data", 0, 1000000},
      {"dram.tcwl_ps", &C::dram_tcwl_ps, "ps", "tCWL (write latency): WRITE to first data", 0, 1000000},
      {"dram.twr_ps", &C::dram_twr_ps, "ps", "tWR: end of write data to PRECHARGE", 0, 1000000},
      {"dram.trtp_ps", &C::dram_trtp_ps, "ps", "tRTP: READ to PRECHARGE", 0, 1000000},
      {"dram.tccd_l_ps", &C::dram_tccd_l_ps, "ps", "tCCD_L: column to column in one bank group (other groups: the burst time)", 0, 1000000},
      {"dram.trrd_ps", &C::dram_trrd_ps, "ps", "tRRD: ACTIVATE to ACTIVATE, different banks", 0, 1000000},
      {"dram.twtr_ps", &C::dram_twtr_ps, "ps", "tWTR: end of write data to READ", 0, 1000000},
      {"dram.trtw_ps", &C::dram_trtw_ps, "ps", "tRTW: READ to WRITE (read data out, bus turned around)", 0, 1000000},
      {"dram.trefi_ps", &C::dram_trefi_ps, "ps", "tREFI: average refresh interval (0: no refresh)", 0, 100000000},
      {"dram.trfc_ps", &C::dram_trfc_ps, "ps", "tRFC: all-bank refresh time", 0, 10000000},
      {"dram.refresh_per_bank", &C::dram_refresh_per_bank, "0|1", "1: per-bank refresh, one bank every tREFI/banks for tRFCpb; 0: all banks every tREFI for tRFC", 0, 1},
      {"dram.trfcpb_ps", &C::dram_trfcpb_ps, "ps", "tRFCpb: per-bank refresh time", 0, 10000000},
      {"dram.write_high_watermark", &C::dram_write_high_watermark, "writes", "queued writes at which the controller switches to draining writes", 1, 1 << 16},
      {"dram.write_low_watermark", &C::dram_write_low_watermark, "writes", "queued writes at which draining stops when reads wait", 0, 1 << 16},
      {"dram.scheduler_lookahead", &C::dram_scheduler_lookahead, "requests", "queued requests per bank FR-FCFS searches for a row hit", 1, 1 << 16},
      {"l2.partitions", &C::l2_partitions, "count", "L2 partitions (H100/H200: 2); SMs and DRAM channels split evenly among them", 1, 2},
      {"l2.far_latency_cycles", &C::l2_far_latency_cycles, "cycles", "latency a DRAM-served read adds each way when its channel is in the SM's far partition", 0, 100000},
      {"compiler.hoist_loads", &C::hoist_loads, "0|1",
       "1: model ptxas issuing independent loads early within a basic block (timing mode); 0: PTX order", 0, 1},

      // Launch path and CTA dispatch (event-timed predictions; gpusim compare --calibrate).
      {"launch.to_first_cta_ns", &C::launch_to_first_cta_ns, "ns",
       "event-timed launch path before the first CTA starts (0 = not characterised)", 0, 10000000},
      {"launch.completion_ns", &C::launch_completion_ns, "ns",
       "event-timed path from the last CTA retiring to the completion event", 0, 10000000},
      {"launch.cta_dispatch_interval_cycles", &C::cta_dispatch_interval_cycles, "cycles",
       "minimum core cycles between two CTAs dispatched to one SM", 1, 100000},
      // Legacy tensor path (separate from the dense wgmma rate; gpusim compare --calibrate).
      {"tensor.mma_sync_pct", &C::tensor_mma_sync_pct, "%",
       "share of the dense tensor rate that mma.sync / wmma.mma sustain (Hopper: below wgmma's)", 1, 100},
      // Thread-block clusters (sm_90): GPC co-scheduling, distributed shared memory, barrier.cluster.
      {"cluster.gpcs", &C::cluster_gpcs, "count",
       "GPCs the SMs are split over in whole TPCs (a cluster's CTAs share one); 0: no cluster launches", 0, 1024},
      {"cluster.max_ctas", &C::cluster_max_ctas, "CTAs",
       "largest cluster a launch may use (CUDA: 8 portable, 16 on sm_90 with the non-portable attribute)", 1, 64},
      {"cluster.dsmem_latency_cycles", &C::cluster_dsmem_latency_cycles, "cycles",
       "load-to-use latency of a shared::cluster access to a peer CTA's SM (SM-to-SM network)", 0, 100000},
      {"cluster.dsmem_bytes_per_clock", &C::cluster_dsmem_bytes_per_clock, "B/clk",
       "SM-to-SM network port per SM: remote shared bytes it moves per core cycle", 1, 1 << 16},
      {"cluster.dsmem_receive_bytes_per_clock", &C::cluster_dsmem_receive_bytes_per_clock, "B/clk",
       "receive port per SM: remote shared bytes from its cluster peers it takes per core cycle (0 = dsmem_bytes_per_clock)",
       0, 1 << 16},
      {"cluster.barrier_latency_cycles", &C::cluster_barrier_latency_cycles, "cycles",
       "from the last barrier.cluster.arrive of a phase to its waiting warps becoming eligible", 0, 100000},
      // Hopper warpgroup MMA and TMA timing (issue 14; sim/wgmma_groups.h, sim/tma_unit.h).
      {"tensor.wgmma_flops_per_clock", &C::tensor_wgmma_flops_per_clock, "FLOP/clk",
       "dense FP16/BF16 wgmma FLOPs per SM per tensor clock (tf32 half, fp8/int8 double; 0 = cores x fp16_fma x 2)", 0, 1 << 24},
      {"tensor.wgmma_latency_cycles", &C::tensor_wgmma_latency_cycles, "cycles",
       "core cycles from a wgmma's last tensor-core cycle until its accumulators complete (wgmma.wait_group)", 0, 65535},
      {"tensor.wgmma_queue_depth", &C::tensor_wgmma_queue_depth, "wgmmas",
       "wgmmas a sub-core accepts while its tensor cores are busy; the warp goes on (0 = it waits for them)", 0, 32},
      {"tma.bytes_per_cycle", &C::tma_bytes_per_cycle, "B/clk",
       "global bytes the SM's Tensor Memory Accelerator requests per core cycle (cp.async.bulk)", 1, 1 << 16},
      {"tma.issue_latency_cycles", &C::tma_issue_latency_cycles, "cycles",
       "core cycles from a bulk copy's issue until the TMA unit sends its first request", 0, 100000},
      // L2 merge-limit handling (hopper-gemm-perf, issue 14 item 4; sim/l2_slice.h).
      {"l2.merge_limit_blocks", &C::l2_merge_limit_blocks, "0/1",
       "1: a read over an L2 MSHR's merge limit blocks its slice until a fill; 0: it waits aside for its line's fill", 0, 1},
  };
  return fields;
}

const GpuConfigField* find_gpu_config_field(const std::string& key) {
  for (const GpuConfigField& field : gpu_config_fields())
    if (key == field.key) return &field;
  return nullptr;
}

std::string GpuConfigField::section() const {
  std::string k = key;
  return k.substr(0, k.find('.'));
}

std::string GpuConfigField::name() const {
  std::string k = key;
  return k.substr(k.find('.') + 1);
}

std::string GpuConfigField::value_text(const GpuConfig& config) const {
  struct Visitor {
    const GpuConfig& c;
    std::string operator()(int C::*m) const { return std::to_string(c.*m); }
    std::string operator()(std::string C::*m) const { return c.*m; }
    std::string operator()(WarpSchedulerPolicy C::*m) const { return scheduler_policy_name(c.*m); }
    std::string operator()(CarveoutList C::*m) const { return carveout_text(c.*m); }
  };
  return std::visit(Visitor{config}, member);
}

std::string carveout_text(const CarveoutList& list) {
  std::string out;
  for (size_t i = 0; i < list.kib.size(); ++i) out += (i ? "," : "") + std::to_string(list.kib[i]);
  return out;
}

CarveoutList parse_carveouts(const std::string& text) {
  CarveoutList list;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t used = 0;
    int kib = 0;
    try {
      kib = std::stoi(item, &used);
    } catch (const std::exception&) {
      throw std::invalid_argument("'" + item + "' is not a whole number of KiB");
    }
    if (item.find_first_not_of(" \t", used) != std::string::npos || kib < 0)
      throw std::invalid_argument("'" + item + "' is not a non-negative whole number of KiB");
    // The same bound as l1.unified_kib, which every carve-out must fit in; keeps KiB x 1024 in int.
    if (kib > kMaxCarveoutKib)
      throw std::invalid_argument("'" + item + "' KiB is implausibly large (at most " +
                                  std::to_string(kMaxCarveoutKib) + ")");
    if (!list.kib.empty() && kib <= list.kib.back())
      throw std::invalid_argument("carve-outs must be strictly ascending ('" + text + "')");
    list.kib.push_back(kib);
  }
  if (list.kib.empty()) throw std::invalid_argument("the carve-out list is empty");
  return list;
}

WarpSchedulerPolicy parse_scheduler_policy(const std::string& text) {
  if (text == "lrr") return WarpSchedulerPolicy::LooseRoundRobin;
  if (text == "gto") return WarpSchedulerPolicy::GreedyThenOldest;
  throw std::invalid_argument("'" + text + "' is not a scheduler policy (lrr or gto)");
}

InvalidValueWithReason::InvalidValueWithReason(const std::string& value, const std::string& why)
    : po::invalid_option_value(value), reason(why) {}

// Boost.Program_options finds these by argument-dependent lookup for the custom value types.
void validate(boost::any& out, const std::vector<std::string>& values, WarpSchedulerPolicy*, int) {
  po::validators::check_first_occurrence(out);
  const std::string& text = po::validators::get_single_string(values);
  try {
    out = parse_scheduler_policy(text);
  } catch (const std::invalid_argument& e) {
    throw InvalidValueWithReason(text, e.what());
  }
}

void validate(boost::any& out, const std::vector<std::string>& values, CarveoutList*, int) {
  po::validators::check_first_occurrence(out);
  const std::string& text = po::validators::get_single_string(values);
  try {
    out = parse_carveouts(text);
  } catch (const std::invalid_argument& e) {
    throw InvalidValueWithReason(text, e.what());
  }
}

po::options_description gpu_config_options(GpuConfig& target) {
  static const GpuConfig& defaults = *new GpuConfig();  // never destroyed (a device made at exit)
  po::options_description options("GPU configuration (INI [section] key, or --set section.key=value)");
  for (const GpuConfigField& field : gpu_config_fields()) {
    std::string help = field.description + std::string(" [") + field.unit;
    if (std::holds_alternative<int GpuConfig::*>(field.member))
      help += ", " + std::to_string(field.min_value) + " to " + std::to_string(field.max_value);
    help += "]";
    std::string default_text = field.value_text(defaults);
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(target.*member)>;
          options.add_options()(field.key,
                                po::value<T>(&(target.*member))->default_value(defaults.*member, default_text),
                                help.c_str());
        },
        field.member);
  }
  return options;
}

}  // namespace gpusim::sim
