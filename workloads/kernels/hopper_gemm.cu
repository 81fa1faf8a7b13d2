// hopper_gemm_ws: a warp-specialised bf16 GEMM the way sm_90a code is written without CUTLASS.
// C (M x N, f32, row-major) = A (M x K, bf16, row-major) * B where B is given as N x K (row-major,
// i.e. K x N column-major): both operands K-major, the layout wgmma reads without transposing.
//
// Persistent CTAs: the host launches at most one CTA per SM (gridDim.x), and CTA b computes the
// output tiles b, b + gridDim.x, b + 2 gridDim.x, ... of a grouped ("rasterised") tile order
// (tile_coordinates): kGroupM tile rows are walked column by column, so the CTAs running at the
// same time share A and B panels in the L2 (most of their lines are merged or hit there instead of
// coming from DRAM), and one CTA's producer streams the next tile's K slices into the ring while
// its consumers still store the previous tile's C (the ring's slots and phases run on across
// tiles), instead of every tile paying the pipeline's fill and drain.
// Each CTA computes its 128 x 256 tiles of C with three warpgroups:
//   warpgroup 0, the producer: gives up registers (setmaxnreg.dec) and one elected thread streams
//     64-wide K slices of A and B with TMA (cp.async.bulk.tensor on the __grid_constant__
//     CUtensorMaps the host encoded, 128B swizzle) into a kStages-deep shared-memory ring. Each
//     slot has a "full" mbarrier (the producer's arrive.expect_tx; the TMA completes the
//     transaction bytes) and an "empty" mbarrier (one arrival per consumer warp once its wgmmas
//     have read the slot).
//   warpgroups 1 and 2, the consumers: take registers (setmaxnreg.inc), wait for a full slot
//     (try_wait.parity), issue four wgmma.mma_async m64n256k16 (bf16 in, f32 accumulate) on
//     their 64 rows, keep one wgmma group in flight and release the previous slot, then write
//     their 64 x 256 f32 accumulators (128 registers per thread) to C after the tile's last slot.
// 128 x 256 rather than 128 x 128: each 48 KiB K slice feeds 4.2 MFLOP (85 FLOP/B instead of
// 64), which is what lets the tensor cores outrun the SM's share of the L2 bandwidth.
// The ring's phase bit flips each time the producer wraps round; a fresh mbarrier counts as
// having completed the phase before phase 0, so the producer's first pass waits on parity 1
// and does not block.
#include "hopper_sm90.cuh"

namespace {

constexpr int kTileM = 128, kTileN = 256, kTileK = 64;  // kTileK bf16 = 128 bytes: one swizzle row
constexpr int kStages = 4;
constexpr int kConsumers = 2;                           // consumer warpgroups, 64 rows each
constexpr int kGroupM = 8;                              // tile rows per rasterisation group
constexpr unsigned kTileBytesA = kTileM * kTileK * 2, kTileBytesB = kTileN * kTileK * 2;
constexpr unsigned kStageBytes = kTileBytesA + kTileBytesB;

}  // namespace

extern "C" __global__ void __launch_bounds__(128 * (1 + kConsumers), 1)
    hopper_gemm_ws(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_b, float* c,
                   int m, int n, int k) {
  extern __shared__ uint8_t dynamic_smem[];
  __shared__ uint64_t full[kStages], empty[kStages];
  // The 128B swizzle is a function of the absolute shared address: align the ring to 1024 bytes
  // (the host asks for 1 KiB more than the ring).
  const uint32_t raw = smem_address(dynamic_smem);
  const uint32_t ring = (raw + 1023u) & ~1023u;
  const unsigned warpgroup = threadIdx.x / 128, lane = threadIdx.x % 32, warp_in_group = threadIdx.x / 32 % 4;
  const int tiles_m = m / kTileM, tiles_n = n / kTileN, tiles = tiles_m * tiles_n, k_tiles = k / kTileK;

  if (threadIdx.x == 0) {
    for (int s = 0; s < kStages; ++s) {
      mbar_init(smem_address(&full[s]), 1);
      mbar_init(smem_address(&empty[s]), 4 * kConsumers);  // one arrival per consumer warp
    }
    fence_proxy_async_shared();  // the TMA unit sees the inits
  }
  __syncthreads();

  if (warpgroup == 0) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;" ::: "memory");
    if (warp_in_group != 0) return;
    if (!elect_one()) return;
    int it = 0;  // K slices loaded so far by this CTA, over all its tiles: picks the slot and phase
    for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
      int tile_m, tile_n;
      tile_coordinates(tile, tiles_m, tiles_n, kGroupM, tile_m, tile_n);
      for (int t = 0; t < k_tiles; ++t, ++it) {
        const int slot = it % kStages;
        const unsigned phase = (it / kStages) & 1;
        mbar_wait(smem_address(&empty[slot]), phase ^ 1);
        const uint32_t bar = smem_address(&full[slot]);
        const uint32_t a_dst = ring + slot * kStageBytes, b_dst = a_dst + kTileBytesA;
        mbar_arrive_expect_tx(bar, kStageBytes);
        tma_load_2d(a_dst, &map_a, t * kTileK, tile_m * kTileM, bar);
        tma_load_2d(b_dst, &map_b, t * kTileK, tile_n * kTileN, bar);
      }
    }
    return;
  }

  asm volatile("setmaxnreg.inc.sync.aligned.u32 232;" ::: "memory");
  const unsigned consumer = warpgroup - 1;
  float d[128];
  for (float& x : d) x = 0.0f;
  int it = 0;  // K slices consumed so far, over all tiles (the producer's count)
  for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    int tile_m, tile_n;
    tile_coordinates(tile, tiles_m, tiles_n, kGroupM, tile_m, tile_n);
    for (int t = 0; t < k_tiles; ++t, ++it) {
      const int slot = it % kStages;
      mbar_wait(smem_address(&full[slot]), (it / kStages) & 1);
      const uint32_t a_tile = ring + slot * kStageBytes + consumer * (kTileBytesA / kConsumers);
      const uint32_t b_tile = ring + slot * kStageBytes + kTileBytesA;
      wgmma_fence();
      for (int kk = 0; kk < kTileK / 16; ++kk)  // 16 bf16 = 32 bytes along the swizzled row
        wgmma_m64n256k16(d, descriptor<128>(a_tile + kk * 32), descriptor<128>(b_tile + kk * 32), t > 0 || kk > 0);
      wgmma_commit();
      // One group stays in flight: the previous slice's wgmmas are done, so its slot is free.
      wgmma_wait<1>();
      if (t > 0 && lane == 0) mbar_arrive(smem_address(&empty[(it - 1) % kStages]));
    }
    wgmma_wait<0>();
    // The tile's last slot is read: hand it back before the stores, so the producer refills it
    // with the next tile's first slices while the accumulators go out.
    if (lane == 0) mbar_arrive(smem_address(&empty[(it - 1) % kStages]));

    // The m64nN accumulator fragment: warp w of the group holds rows 16w..16w+15; register i of
    // lane l is row 16w + l/4 + 8*((i/2)%2), column 8*(i/4) + 2*(l%4) + i%2.
    const int row_base = tile_m * kTileM + consumer * 64 + warp_in_group * 16 + lane / 4;
    for (int i = 0; i < 128; i += 2) {
      const int row = row_base + 8 * ((i / 2) % 2), col = tile_n * kTileN + 8 * (i / 4) + 2 * (lane % 4);
      *reinterpret_cast<float2*>(c + static_cast<int64_t>(row) * n + col) = make_float2(d[i], d[i + 1]);
    }
  }
}
