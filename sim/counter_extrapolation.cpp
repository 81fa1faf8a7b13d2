#include "sim/counter_extrapolation.h"

#include <cmath>

namespace gpusim::sim {

namespace {

void scale(uint64_t& v, double factor) { v = static_cast<uint64_t>(std::llround(double(v) * factor)); }

template <typename Array>
void scale_all(Array& a, double factor) {
  for (uint64_t& v : a) scale(v, factor);
}

}  // namespace

void scale_counters(LaunchTiming& t, double factor) {
  SmStats& s = t.sm;
  for (uint64_t* v : {&s.active_cycles, &s.warp_instructions, &s.thread_instructions, &s.issue_slots, &s.issued,
                      &s.resident_warp_cycles, &s.register_bank_conflicts, &s.ctas_completed, &s.fp32_flops,
                      &s.fp64_flops, &s.tensor_flops})
    scale(*v, factor);
  scale_all(s.stall_warp_cycles, factor);
  scale_all(s.pipe_busy_cycles, factor);
  SmMemStats& m = t.sm_memory;
  for (uint64_t* v : {&m.shared_requests, &m.shared_wavefronts, &m.shared_ideal_wavefronts, &m.global_load_requests,
                      &m.global_store_requests, &m.atomic_requests, &m.local_requests, &m.l1_sectors_requested, &m.global_load_sectors, &m.global_store_sectors,
                      &m.l1_read_sector_hits, &m.l1_read_sector_misses, &m.mio_full_cycles, &m.lg_full_cycles,
                      &m.dsmem_requests, &m.dsmem_bytes, &m.dsmem_received_requests, &m.dsmem_received_wavefronts})
    scale(*v, factor);
  MemoryStats& d = t.memory;
  for (uint64_t* v : {&d.l2_read_sector_hits, &d.l2_read_sector_misses, &d.l2_write_sectors, &d.l2_atomics,
                      &d.dram_read_bytes, &d.dram_write_bytes, &d.icnt_request_bytes, &d.icnt_response_bytes,
                      &d.icnt_rejected, &d.dram_row_hits, &d.dram_row_misses, &d.dram_row_conflicts, &d.dram_refreshes,
                      &d.dram_turnarounds})
    scale(*v, factor);
  L2QueueStats& q = d.l2_queue;
  for (uint64_t* v : {&q.requests, &q.queue_wait_ps, &q.reads, &q.read_latency_ps, &q.merge_limit_stalls,
                      &q.mshr_full_stalls, &q.blocked_ps, &q.busiest_slice_requests})
    scale(*v, factor);
}

}  // namespace gpusim::sim
