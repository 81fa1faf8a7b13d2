// L2 fan-in microbenchmark (`gpusim l2-fanin`; kernel: workloads/kernels/ubench_fanin.cu): k CTAs,
// one per SM, load the same lines through the L2 at the same time. Cold, each line's k requests
// reach the L2 while its first miss is still out: the L2 merges up to its MSHR merge limit
// (4 requests, sim/l2_slice.cpp) into one DRAM fetch, and l2.merge_limit_blocks decides whether a
// request beyond it stalls its slice until the fill (1) or waits aside while the slice serves
// other lines (0). Warm, the k requests are k hits on one slice. On a GPU the same kernel measures
// the card, whose cycles/line select the config value (docs/VALIDATION.md, "L2 fan-in").
#pragma once

#include <cstdint>

#include "runtime/device.h"

namespace gpusim::workloads::ubench {

// Cold: all lines shared, never touched. Warm: the same after one untimed pass. Mixed: see above.
enum class FaninKind { Cold, Warm, Mixed };
const char* fanin_kind_name(FaninKind kind);  // "cold", "warm", "mixed"

struct FaninResult {
  uint32_t ctas = 0, lines = 0, warps = 0;
  FaninKind kind = FaninKind::Cold;
  double cycles_per_line = 0;          // mean over the CTAs of (timed pass cycles / lines); mixed: own-line warps'
  double slowest_cycles_per_line = 0;  // the slowest CTA's
  // From the timing model's report (0 on a GPU): L2 read sectors that hit / missed (merged
  // misses count as misses), reads refused over an MSHR's merge limit, DRAM bytes read.
  uint64_t l2_hit_sectors = 0, l2_miss_sectors = 0, merge_limit_stalls = 0, dram_read_bytes = 0;
  double blocked_slice_cycles = 0;  // summed over the slices: cycles a slice's queue head waited for a fill
  runtime::LaunchStats stats;
};

// `ctas` CTAs of `warps` warps each load `lines` lines (one 128-B warp request per line, eight in
// flight per warp) of the given kind. On the simulator (which caches .cg loads in the L1), warm
// and mixed need lines x 128 B well above the L1 so that the timed pass reaches the L2. Throws
// std::invalid_argument for bad sizes and std::runtime_error when a CTA's sum is wrong.
FaninResult measure_l2_fanin(runtime::Device& dev, uint32_t ctas, uint32_t lines, FaninKind kind, uint32_t warps = 4);

// The decision rule of docs/VALIDATION.md ("L2 fan-in"): the l2.merge_limit_blocks value (0 or 1)
// whose modelled cold cycles/line at k = 8 is nearer the card's, on a log scale (a factor off
// either way counts the same); a tie keeps 0. Throws std::invalid_argument for a non-positive input.
int nearer_merge_limit_setting(double card, double model_0, double model_1);

}  // namespace gpusim::workloads::ubench
