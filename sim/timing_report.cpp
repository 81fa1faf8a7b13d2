#include "sim/timing_report.h"

#include "sim/bound_class.h"
#include "sim/prediction_error.h"
#include "sim/text_format.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace gpusim::sim {

namespace {
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
nlohmann::json json_number(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }
nlohmann::json bar_json(const ErrorBar& b) { return {{"low", json_number(b.low_pct)}, {"high", json_number(b.high_pct)}}; }
double dram_peak_bytes_per_second(const GpuConfig& c) {
  return double(c.dram_channels) * c.dram_bus_width_bits / 8.0 * c.dram_transfers_per_clock * c.dram_clock_mhz * 1e6;
}
// Queueing inside the L2 slices (sim/l2_queue_stats.h), times in core cycles.
nlohmann::json l2_queue_json(const L2QueueStats& q, const GpuConfig& c) {
  const double core_ps = 1e6 / c.core_clock_mhz;
  return {{"requests", q.requests},
          {"mean_queue_wait_cycles", ratio(double(q.queue_wait_ps) / core_ps, double(q.requests))},
          {"mean_read_latency_cycles", ratio(double(q.read_latency_ps) / core_ps, double(q.reads))},
          {"merge_limit_stalls", q.merge_limit_stalls},
          {"mshr_full_stalls", q.mshr_full_stalls},
          {"blocked_slice_cycles", double(q.blocked_ps) / core_ps},
          {"busiest_slice_requests", q.busiest_slice_requests},
          {"slices_used", q.slices_used}};
}
}  // namespace

TimingMetrics derive_metrics(const GpuConfig& config, const LaunchTiming& t) {
  TimingMetrics m;
  const double sm_cycles = double(t.sm.active_cycles);
  m.ipc_per_sm = ratio(double(t.sm.warp_instructions), sm_cycles);
  m.issue_slot_utilization = ratio(double(t.sm.issued), double(t.sm.issue_slots));
  m.achieved_occupancy = ratio(double(t.sm.resident_warp_cycles), sm_cycles * config.resident_warps_per_sm());
  const SmMemStats& s = t.sm_memory;
  m.l1_hit_rate = ratio(double(s.l1_read_sector_hits), double(s.l1_read_sector_hits + s.l1_read_sector_misses));
  m.l2_hit_rate = ratio(double(t.memory.l2_read_sector_hits),
                        double(t.memory.l2_read_sector_hits + t.memory.l2_read_sector_misses));
  m.sectors_per_request = ratio(double(s.global_load_sectors), double(s.global_load_requests));
  m.sectors_per_store_request = ratio(double(s.global_store_sectors), double(s.global_store_requests));
  m.shared_bank_conflicts =
      s.shared_wavefronts >= s.shared_ideal_wavefronts ? s.shared_wavefronts - s.shared_ideal_wavefronts : 0;
  m.dram_bytes = double(t.memory.dram_read_bytes + t.memory.dram_write_bytes);
  m.dram_bandwidth_gbs = ratio(m.dram_bytes, t.seconds) / 1e9;
  m.dram_bandwidth_fraction = ratio(m.dram_bytes / t.seconds, dram_peak_bytes_per_second(config));
  m.tensor_utilization = ratio(double(t.sm.pipe_busy_cycles[static_cast<size_t>(Pipe::Tensor)]),
                               sm_cycles * config.subcores_per_sm);
  return m;
}

nlohmann::json timing_to_json(const GpuConfig& config, const std::string& fingerprint, const std::string& kernel,
                              const LaunchTiming& t) {
  const TimingMetrics m = derive_metrics(config, t);
  nlohmann::json stalls = nlohmann::json::object();
  for (size_t r = 0; r < t.sm.stall_warp_cycles.size(); ++r)
    stalls[stall_reason_name(static_cast<StallReason>(r))] = t.sm.stall_warp_cycles[r];
  nlohmann::json pipes = nlohmann::json::object();
  for (size_t p = 0; p < t.sm.pipe_busy_cycles.size(); ++p)
    pipes[pipe_name(static_cast<Pipe>(p))] = t.sm.pipe_busy_cycles[p];
  nlohmann::json j = {
      {"kernel", kernel},
      {"config", config.name},
      {"config_fingerprint", fingerprint},
      {"cycles", t.cycles},
      {"seconds", t.seconds},
      {"launch_path_seconds", t.launch_path_seconds},
      {"bound", bound_class_name(classify_bound(bound_utilization(config, t)))},
      {"size_class", size_class_name(t.seconds)},
      // The signed error interval to expect (sim/prediction_error.h), with the launch path and
      // for the kernel alone: {"low": percent, "high": percent}, null ends when nothing is recorded.
      {"expected_error_pct",
       {{"with_launch", bar_json(expected_error(recorded_residuals(), classify_bound(bound_utilization(config, t)),
                                                size_class_name(t.seconds), ErrorKind::WithLaunch))},
        {"kernel", bar_json(expected_error(recorded_residuals(), classify_bound(bound_utilization(config, t)),
                                           size_class_name(t.seconds), ErrorKind::KernelOnly))}}},
      {"sms_used", t.sms_used},
      {"instructions", {{"warp", t.sm.warp_instructions}, {"thread", t.sm.thread_instructions}}},
      {"flops", {{"fp32", t.sm.fp32_flops}, {"fp64", t.sm.fp64_flops}, {"tensor", t.sm.tensor_flops}}},
      // Per SM-active cycle (an SM with at least one resident warp), as Nsight Compute's IPC:
      // warp-instructions / sm_active_cycles, the latter summed over the SMs.
      {"ipc_per_sm", m.ipc_per_sm},
      {"sm_active_cycles", t.sm.active_cycles},
      {"issue_slot_utilization", m.issue_slot_utilization},
      {"stall_warp_cycles", stalls},
      {"pipe_busy_cycles", pipes},
      {"occupancy",
       {{"theoretical", t.occupancy.occupancy},
        {"achieved", m.achieved_occupancy},
        {"ctas_per_sm", t.occupancy.ctas_per_sm},
        {"limiter", limiter_name(t.occupancy.limiter)}}},
      {"l1",
       {{"hit_rate", m.l1_hit_rate},
        {"read_sector_hits", t.sm_memory.l1_read_sector_hits},
        {"read_sector_misses", t.sm_memory.l1_read_sector_misses},
        {"sectors_per_request", m.sectors_per_request},
        {"global_load_requests", t.sm_memory.global_load_requests},
        {"global_load_sectors", t.sm_memory.global_load_sectors},
        {"global_store_requests", t.sm_memory.global_store_requests},
        {"global_store_sectors", t.sm_memory.global_store_sectors},
        {"sectors_per_store_request", m.sectors_per_store_request},
        {"local_requests", t.sm_memory.local_requests},
        {"sectors_requested", t.sm_memory.l1_sectors_requested}}},
      {"shared",
       {{"requests", t.sm_memory.shared_requests},
        {"wavefronts", t.sm_memory.shared_wavefronts},
        {"ideal_wavefronts", t.sm_memory.shared_ideal_wavefronts},
        {"bank_conflicts", m.shared_bank_conflicts}}},
      {"l2",
       {{"hit_rate", m.l2_hit_rate},
        {"read_sector_hits", t.memory.l2_read_sector_hits},
        {"read_sector_misses", t.memory.l2_read_sector_misses},
        {"atomics", t.memory.l2_atomics},
        {"queue", l2_queue_json(t.memory.l2_queue, config)}}},
      {"dram",
       {{"read_bytes", t.memory.dram_read_bytes},
        {"write_bytes", t.memory.dram_write_bytes},
        {"row_hits", t.memory.dram_row_hits},
        {"row_misses", t.memory.dram_row_misses},
        {"row_conflicts", t.memory.dram_row_conflicts},
        {"refreshes", t.memory.dram_refreshes},
        {"turnarounds", t.memory.dram_turnarounds},
        {"bandwidth_gbs", m.dram_bandwidth_gbs},
        {"bandwidth_fraction_of_peak", m.dram_bandwidth_fraction}}},
      {"tensor_utilization", m.tensor_utilization},
      {"register_bank_conflicts", t.sm.register_bank_conflicts},
  };
  // Distributed shared memory (cluster launches only): the senders' side and the receivers'.
  if (t.sm_memory.dsmem_requests || t.sm_memory.dsmem_received_requests)
    j["dsmem"] = {{"requests", t.sm_memory.dsmem_requests},
                  {"bytes", t.sm_memory.dsmem_bytes},
                  {"received_requests", t.sm_memory.dsmem_received_requests},
                  {"received_wavefronts", t.sm_memory.dsmem_received_wavefronts}};
  return j;
}

std::string timing_summary(const GpuConfig& config, const std::string& kernel, const LaunchTiming& t) {
  const TimingMetrics m = derive_metrics(config, t);
  std::ostringstream os;
  char buf[256];
  os << text_format("  %s on %s: %llu cycles = %.3f us at %d MHz, %d SMs used\n", kernel.c_str(), config.name.c_str(),
                    static_cast<unsigned long long>(t.cycles), t.seconds * 1e6, config.core_clock_mhz, t.sms_used);
  const BoundUtilization u = bound_utilization(config, t);
  const BoundClass bound = classify_bound(u);
  const char* size = size_class_name(t.seconds);
  std::snprintf(buf, sizeof buf,
                "    bound: %s (DRAM %.0f%%, L2 %.0f%%, shared %.0f%%, FP32 %.0f%%, tensor %.0f%%), %s kernel\n",
                bound_class_name(bound), 100 * u.dram, 100 * u.l2, 100 * u.shared, 100 * u.fp32, 100 * u.tensor, size);
  os << buf;
  // Each time with the signed error interval of recorded kernels of this kind and the card's time
  // that interval implies (card = predicted / (1 + error)).
  // The residuals were recorded on an H200 against the Hopper configuration: for another chip
  // (the V100-like default, teaching.ini, a user's toy GPU) they are a hint, and a "card" time
  // for a card that may not exist would mislead.
  const bool recorded_chip = config.sm_arch == "sm_90";
  const ErrorBar kernel_bar = expected_error(recorded_residuals(), bound, size, ErrorKind::KernelOnly);
  os << (recorded_chip ? "    expected error (recorded kernels of this kind): kernel "
                       : "    expected error (H200 recordings of kernels of this kind; indicative only for this " +
                             config.sm_arch + " configuration): kernel ")
     << describe(kernel_bar);
  const std::string kernel_card = recorded_chip ? describe_card_time(kernel_bar, t.seconds * 1e6) : "";
  os << (kernel_card.empty() ? "" : "; " + kernel_card + " (kernel alone)") << "\n";
  if (t.launch_path_seconds > 0) {
    const double with_launch_us = (t.seconds + t.launch_path_seconds) * 1e6;
    const ErrorBar bar = expected_error(recorded_residuals(), bound, size, ErrorKind::WithLaunch);
    std::snprintf(buf, sizeof buf, "    with launch (event-timed): %.3f us (launch path %.3f us, launch.*_ns), expected error ",
                  with_launch_us, t.launch_path_seconds * 1e6);
    const std::string card = recorded_chip ? describe_card_time(bar, with_launch_us) : "";
    os << buf << describe(bar) << (card.empty() ? "" : "; " + card + " (event-timed)") << "\n";
  }
  std::snprintf(buf, sizeof buf,
                "    IPC/SM %.2f, issue slots used %.1f%%, occupancy achieved %.1f%% (theoretical %.1f%%, %s-limited)\n",
                m.ipc_per_sm, 100 * m.issue_slot_utilization, 100 * m.achieved_occupancy,
                100 * t.occupancy.occupancy, limiter_name(t.occupancy.limiter));
  os << buf;
  std::snprintf(buf, sizeof buf,
                "    L1 hit %.1f%%, L2 hit %.1f%%, %.2f sectors/global load, %llu shared bank conflicts, "
                "DRAM %.1f MB at %.1f GB/s (%.0f%% of peak)\n",
                100 * m.l1_hit_rate, 100 * m.l2_hit_rate, m.sectors_per_request,
                static_cast<unsigned long long>(m.shared_bank_conflicts), m.dram_bytes / 1e6, m.dram_bandwidth_gbs,
                100 * m.dram_bandwidth_fraction);
  os << buf;
  os << "    stalls (warp-cycles):";
  uint64_t total = 0;
  for (uint64_t v : t.sm.stall_warp_cycles) total += v;
  for (size_t r = 0; r < t.sm.stall_warp_cycles.size(); ++r) {
    const uint64_t v = t.sm.stall_warp_cycles[r];
    if (!v) continue;
    std::snprintf(buf, sizeof buf, " %s %.1f%%", stall_reason_name(static_cast<StallReason>(r)), 100.0 * v / total);
    os << buf;
  }
  os << "\n";
  if (m.tensor_utilization > 0) {
    std::snprintf(buf, sizeof buf, "    TensorCore pipe busy %.1f%%\n", 100 * m.tensor_utilization);
    os << buf;
  }
  if (t.sm_memory.dsmem_requests) {  // thread-block clusters (sim/dsmem_port.h)
    std::snprintf(buf, sizeof buf, "    distributed shared memory: %llu requests, %llu bytes over the SM-to-SM network\n",
                  static_cast<unsigned long long>(t.sm_memory.dsmem_requests),
                  static_cast<unsigned long long>(t.sm_memory.dsmem_bytes));
    os << buf;
  }
  if (t.sm_memory.dsmem_received_requests) {  // the receiving SMs' side (sim/dsmem_network.h)
    std::snprintf(buf, sizeof buf, "    received from cluster peers: %llu requests/fills, %llu shared bank passes\n",
                  static_cast<unsigned long long>(t.sm_memory.dsmem_received_requests),
                  static_cast<unsigned long long>(t.sm_memory.dsmem_received_wavefronts));
    os << buf;
  }
  return os.str();
}

}  // namespace gpusim::sim
