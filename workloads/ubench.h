// Microbenchmarks for validating the timing model against published silicon measurements
// (/work/shared/reference/hardware.md section 6): pointer-chase latencies timed with clock64()
// inside the kernel, and FFMA, TensorCore, DRAM-streaming and shared-memory throughputs timed by
// the launch's cycle count. Each measurement also checks the kernel's output against a host
// computation, so a wrong simulation cannot pass as a fast one. Kernels: workloads/kernels/ubench_*.cu.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/device.h"

namespace gpusim::workloads::ubench {

// Where a pointer chase's chain lives and how it is loaded.
enum class ChaseLevel {
  L1,      // ld.global.ca over a small array, warmed by one untimed pass
  L2,      // ld.global.cg over 512 KiB (bigger than L1, smaller than L2), warmed by one untimed pass
  Dram,    // ld.global.cg, each step a different never-touched line: every load misses L1 and L2
  Shared,  // ld.shared over a chain in shared memory
};
const char* chase_level_name(ChaseLevel level);

struct ChaseResult {
  double cycles_per_load = 0;  // (stop - start clock64) / steps, as measured by the kernel
  uint64_t steps = 0;
  runtime::LaunchStats stats;
};

// One thread follows `steps` dependent loads. Throws std::runtime_error when the chain walk ends
// at a different element than the host computes (the simulation went wrong). `l2_chain_bytes`
// sizes the L2 chain (0: 512 KiB, bigger than any shipped L1 and far smaller than their L2s; a
// small L2 needs a smaller chain: workloads/ubench_suite.cpp sizes it from the configuration).
ChaseResult measure_chase(runtime::Device& dev, ChaseLevel level, int steps = 256, uint64_t l2_chain_bytes = 0);
inline constexpr uint64_t kDefaultL2ChainBytes = uint64_t(512) << 10;

// A throughput run: `work` units (FLOP or bytes) done in `stats.cycles` core cycles.
struct ThroughputResult {
  double work = 0;
  runtime::LaunchStats stats;
  double per_cycle() const { return stats.cycles ? work / double(stats.cycles) : 0.0; }
  double per_second() const { return stats.seconds > 0 ? work / stats.seconds : 0.0; }
};

// FFMA: `blocks` x `threads` threads, each 8 independent chains of `iterations` FMAs. work = FLOP.
ThroughputResult measure_ffma(runtime::Device& dev, uint32_t blocks, uint32_t threads, int iterations);
// WMMA m16n16k16 (FP16 in, FP32 accumulate): each warp does 4 x `iterations` MMAs. work = FLOP.
ThroughputResult measure_wmma(runtime::Device& dev, uint32_t blocks, uint32_t threads, int iterations);
// DRAM streaming copy of `bytes` (a multiple of 16) by `blocks` x `threads` threads.
// work = the DRAM bytes the timing model transferred (read + written, from report_json), or
// 2 x bytes when the device gives no report (writes an L2 still holds are not DRAM traffic).
ThroughputResult measure_stream_copy(runtime::Device& dev, uint64_t bytes, uint32_t blocks, uint32_t threads);
// DRAM streams over arrays of `bytes` each (a multiple of 16): read-only (reads one array),
// write-only (writes one) and two-reads-per-write (c = a + b). work = the bytes the kernel reads
// and writes (nominal, as on a GPU, so that simulator and card count the same; size the arrays
// well above the L2 so that the traffic is DRAM traffic).
enum class StreamMix { ReadOnly, WriteOnly, TwoReadsOneWrite };
const char* stream_mix_name(StreamMix mix);
ThroughputResult measure_stream(runtime::Device& dev, StreamMix mix, uint64_t bytes, uint32_t blocks,
                                uint32_t threads);
// Shared-memory loads: lane l reads word l * lane_stride + k (lane_stride 1: conflict-free;
// 32: 32-way bank conflict). work = bytes delivered to the threads (4 per lane per load).
ThroughputResult measure_shared_read(runtime::Device& dev, uint32_t blocks, uint32_t threads, int lane_stride,
                                     int iterations);
// ubench_shared_read's array: SHARED_WORDS (+ 8 spare) floats of static shared memory
// (workloads/kernels/ubench_bandwidth.cu), which a configuration's per-block limit must allow.
inline constexpr int kSharedReadWords = 4096;
inline constexpr int kSharedReadStaticBytes = (kSharedReadWords + 8) * 4;

// The launch path (workloads/ubench_launch.cpp), with gpu_probe's empty kernel: one CTA of 32
// threads, as the GPU characterisation times it. event_us = what CUDA events would read: the
// simulator's kernel time plus its modelled launch path, or a GPU's event time.
struct LaunchPathResult {
  double event_us = 0;
  runtime::LaunchStats stats;
};
LaunchPathResult measure_empty_kernel(runtime::Device& dev);

// CTA dispatch: the empty kernel as 1 CTA and as `ctas` CTAs of 32 threads; the difference in
// cycles is the time the CTA dispatcher needs for the extra CTAs (the launch path cancels).
struct DispatchResult {
  runtime::LaunchStats one, many;
};
DispatchResult measure_cta_dispatch(runtime::Device& dev, uint32_t ctas);

// DRAM bytes (read + written) in a timing-mode launch's report_json; 0 without one.
double dram_bytes(const runtime::LaunchStats& stats);

}  // namespace gpusim::workloads::ubench
