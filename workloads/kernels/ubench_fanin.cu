// L2 fan-in microbenchmark (`gpusim l2-fanin`, workloads/ubench_fanin.h): every CTA of the grid
// (one per SM) loads the same `lines` 128-byte lines of `data` with ld.global.cg (L2 only), all
// CTAs at once, so each line is asked for by gridDim.x SMs at about the same moment. Whether the
// L2 merges those concurrent requests (one DRAM fetch, the others waiting on its MSHR) and what it
// does with requests beyond its merge limit sets the time per line.
//
// Lane l of a warp reads word l of a line (one coalesced 128-B request per warp instruction); a
// warp keeps 8 lines in flight (fanin_pass). The CTAs meet at a grid-wide rendezvous first (an atomic
// counter; the grid never exceeds the SM count, so all CTAs are resident). Warm and mixed runs
// do one untimed pass and a second rendezvous first (kinds: fanin_pass).
// out[2 * cta] = clock64 cycles of the timed pass, out[2 * cta + 1] = the CTA's sum of the words
// (the host checks it, so a wrong simulation cannot pass as a fast one).

__device__ __forceinline__ unsigned long long fanin_clock() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%clock64;" : "=l"(t));
  return t;
}

__device__ __forceinline__ unsigned int load_cg_u32(const unsigned int* p) {
  unsigned int v;
  asm volatile("ld.global.cg.u32 %0, [%1];" : "=r"(v) : "l"(p));
  return v;
}

// All CTAs of the grid arrive before any goes on (`counter` starts at 0; round r waits for r x grid).
__device__ void fanin_rendezvous(unsigned int* counter, unsigned int round) {
  __syncthreads();
  if (threadIdx.x == 0) {
    atomicAdd(counter, 1u);
    while (atomicAdd(counter, 0u) < round * gridDim.x) {
    }
  }
  __syncthreads();
}

// Each warp takes groups of kFaninGroup consecutive lines and issues a group's loads before it
// uses any, so a warp has kFaninGroup lines in flight; `lines` is a multiple of kFaninGroup.
//   kind 0 (cold) / 1 (warm): every warp w takes groups w, w + warps, ... of the shared lines
//   (every CTA loads the same lines).
//   kind 2 (mixed): the first half of the warps load the shared lines (cold, every CTA at once);
//   the second half load the CTA's own lines of `own` (made L2-resident by the untimed pass,
//   kind 3, which loads only them): hits that wait only if the shared lines' refused requests
//   block their slices. The timed figure is the own-line warps' (fanin_own_cycles).
constexpr int kFaninGroup = 8;

__device__ unsigned int fanin_pass(const unsigned int* shared, const unsigned int* own, int lines, int kind) {
  const int warps = blockDim.x / 32, warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const bool split = kind >= 2, own_warp = split && warp >= warps / 2;
  const int team = split ? warps / 2 : warps, member = split ? warp % (warps / 2) : warp;
  const unsigned int* base = kind == 3 || own_warp ? own + size_t(blockIdx.x) * lines * 32 : shared;
  if (kind == 3 && !own_warp) return 0;  // the untimed pass of kind 2 touches only the own lines
  unsigned int sum = 0;
  for (int group = member; group * kFaninGroup < lines; group += team) {
    unsigned int v[kFaninGroup];
#pragma unroll
    for (int u = 0; u < kFaninGroup; ++u) v[u] = load_cg_u32(base + (group * kFaninGroup + u) * 32 + lane);
#pragma unroll
    for (int u = 0; u < kFaninGroup; ++u) sum += v[u];
  }
  return sum;
}

// kind: 0 cold, 1 warm, 2 mixed (see fanin_pass); `own` holds gridDim.x x lines lines (kind 2).
// out[2 * cta]: cycles of the timed pass (kind 2: of its own-line warps, the slowest of them).
extern "C" __global__ void ubench_l2_fanin(const unsigned int* data, const unsigned int* own, int lines, int kind,
                                           unsigned int* counter, unsigned int* block_sums, unsigned long long* out) {
  __shared__ unsigned int total;
  __shared__ unsigned long long own_cycles;
  if (threadIdx.x == 0) total = 0, own_cycles = 0;
  fanin_rendezvous(counter, 1);
  if (kind != 0) {
    const unsigned int s = fanin_pass(data, own, lines, kind == 2 ? 3 : 1);
    if (s == 0xffffffffu) block_sums[blockIdx.x] = s;  // keeps the warm-up's loads alive
    fanin_rendezvous(counter, 2);
  }
  const unsigned long long t0 = fanin_clock();
  const unsigned int sum = fanin_pass(data, own, lines, kind);
  atomicAdd(&total, sum);
  if (kind == 2 && threadIdx.x / 32 >= blockDim.x / 64) atomicMax(&own_cycles, fanin_clock() - t0);
  __syncthreads();
  const unsigned long long t1 = fanin_clock();
  if (threadIdx.x == 0) {
    out[2 * blockIdx.x] = kind == 2 ? own_cycles : t1 - t0;
    out[2 * blockIdx.x + 1] = total;
  }
}
