// Where requests spend their time inside the L2 slices (issue 14, hopper_gemm diagnosis): how long
// they queue before their slice serves them, how long a read takes from its arrival at the slice to
// its answer leaving it, and how often and how long a slice's queue head was refused (MSHRs full,
// or the merge limit of a line already being fetched), which stalls everything queued behind it.
// Times are picoseconds here; the --stats JSON reports them in core cycles.
#pragma once

#include <cstdint>

namespace gpusim::sim {

struct L2QueueStats {
  uint64_t requests = 0;              // requests the slices served (reads, writes, atomics)
  uint64_t queue_wait_ps = 0;         // sum over them: arrival at the slice -> served
  uint64_t reads = 0;                 // reads and atomics answered
  uint64_t read_latency_ps = 0;       // sum over them: arrival at the slice -> answer leaves it
  uint64_t merge_limit_stalls = 0;    // head refused: the line's MSHR already merges its maximum
  uint64_t mshr_full_stalls = 0;      // head refused: every MSHR of the slice is in use
  uint64_t blocked_ps = 0;            // sum over slices: time a refused head blocked its slice
  uint64_t busiest_slice_requests = 0;  // requests that arrived at the most loaded slice
  uint64_t slices_used = 0;           // slices that received at least one request

  void add(const L2QueueStats& o) {
    requests += o.requests;
    queue_wait_ps += o.queue_wait_ps;
    reads += o.reads;
    read_latency_ps += o.read_latency_ps;
    merge_limit_stalls += o.merge_limit_stalls;
    mshr_full_stalls += o.mshr_full_stalls;
    blocked_ps += o.blocked_ps;
  }
};

}  // namespace gpusim::sim
