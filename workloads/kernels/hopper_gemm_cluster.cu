// hopper_gemm_cluster_ws: hopper_gemm_ws (hopper_gemm.cu) with 2-CTA thread-block clusters and TMA
// multicast, the way sm_90a GEMMs share an operand across a cluster (CUTLASS's 2x1 cluster shape).
// C (M x N, f32) = A (M x K, bf16, row-major) * B (N x K, bf16, row-major), both K-major.
//
// The two CTAs of a cluster compute vertically adjacent 128 x 256 tiles (tile rows 2p and 2p + 1,
// same tile column), so they need the same 256 x 64 B slice per K step. Each CTA's producer loads
// its own 128 x 64 A slice into its own ring slot and one 128-row half of the B slice with
// cp.async.bulk.tensor ... .multicast::cluster into *both* CTAs' slots (ctaMask 0b11): B is read
// from the L2 once per cluster instead of once per CTA, and each CTA's "full" barrier expects
// A + both B halves = 48 KiB, completed by its own two copies and the peer's multicast.
// A slot may be refilled only when the consumers of *both* CTAs have read it (the peer's producer
// writes into it too), so each consumer warp arrives on its own CTA's "empty" barrier and, through
// mapa, on the peer's: an empty barrier counts 2 x 8 consumer-warp arrivals.
// Persistent clusters: cluster c (blockIdx.x / 2) takes tile pairs c, c + clusters, ... of a
// grouped order over (tile-row pairs x tile columns), as hopper_gemm_ws does over single tiles.
// barrier.cluster after the mbarrier inits (the peer's multicast and remote arrivals may only
// touch initialised barriers) and before exit (no peer may still arrive on this CTA's barriers).
#include "hopper_sm90.cuh"

namespace {

constexpr int kTileM = 128, kTileN = 256, kTileK = 64;  // kTileK bf16 = 128 bytes: one swizzle row
constexpr int kStages = 4;
constexpr int kConsumers = 2;                           // consumer warpgroups, 64 rows each
constexpr int kGroupM = 8;                              // tile rows per rasterisation group
constexpr unsigned kTileBytesA = kTileM * kTileK * 2, kTileBytesB = kTileN * kTileK * 2;
constexpr unsigned kStageBytes = kTileBytesA + kTileBytesB;

constexpr int kClusterCtas = 2;

}  // namespace

extern "C" __global__ void __cluster_dims__(kClusterCtas, 1, 1) __launch_bounds__(128 * (1 + kConsumers), 1)
    hopper_gemm_cluster_ws(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_b_half,
                           float* c, int m, int n, int k) {
  extern __shared__ uint8_t dynamic_smem[];
  __shared__ uint64_t full[kStages], empty[kStages];
  const uint32_t raw = smem_address(dynamic_smem);
  const uint32_t ring = (raw + 1023u) & ~1023u;  // the 128B swizzle repeats every 1 KiB
  const unsigned warpgroup = threadIdx.x / 128, lane = threadIdx.x % 32, warp_in_group = threadIdx.x / 32 % 4;
  const uint32_t rank = cluster_rank(), peer = rank ^ 1u;
  const int pairs_m = m / (kTileM * kClusterCtas), tiles_n = n / kTileN, pairs = pairs_m * tiles_n;
  const int k_tiles = k / kTileK, cluster = blockIdx.x / kClusterCtas, clusters = gridDim.x / kClusterCtas;

  if (threadIdx.x == 0) {
    for (int s = 0; s < kStages; ++s) {
      mbar_init(smem_address(&full[s]), 1);
      mbar_init(smem_address(&empty[s]), kClusterCtas * 4 * kConsumers);  // both CTAs' consumer warps
    }
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");  // the peer's TMA and arrivals see them
  }
  cluster_sync();

  if (warpgroup == 0) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;" ::: "memory");
    uint32_t leader = 0;
    if (warp_in_group == 0) leader = elect_one();
    if (leader) {
      int it = 0;  // K slices loaded so far by this CTA, over all its tiles: picks the slot and phase
      for (int pair = cluster; pair < pairs; pair += clusters) {
        int pair_m, tile_n;
        tile_coordinates(pair, pairs_m, tiles_n, kGroupM, pair_m, tile_n);
        const int tile_m = pair_m * kClusterCtas + int(rank);
        for (int t = 0; t < k_tiles; ++t, ++it) {
          const int slot = it % kStages;
          mbar_wait(smem_address(&empty[slot]), ((it / kStages) & 1) ^ 1);
          const uint32_t bar = smem_address(&full[slot]);
          const uint32_t a_dst = ring + slot * kStageBytes;
          const uint32_t b_half_dst = a_dst + kTileBytesA + rank * (kTileBytesB / kClusterCtas);
          mbar_arrive_expect_tx(bar, kStageBytes);  // own A + both halves of B
          tma_load_2d(a_dst, &map_a, t * kTileK, tile_m * kTileM, bar);
          tma_load_2d_multicast(b_half_dst, &map_b_half, t * kTileK, tile_n * kTileN + int(rank) * (kTileN / 2), bar,
                                uint16_t((1u << kClusterCtas) - 1));
        }
      }
    }
  } else {
    asm volatile("setmaxnreg.inc.sync.aligned.u32 232;" ::: "memory");
    const unsigned consumer = warpgroup - 1;
    float d[128];
    for (float& x : d) x = 0.0f;
    int it = 0;
    for (int pair = cluster; pair < pairs; pair += clusters) {
      int pair_m, tile_n;
      tile_coordinates(pair, pairs_m, tiles_n, kGroupM, pair_m, tile_n);
      const int tile_m = pair_m * kClusterCtas + int(rank);
      for (int t = 0; t < k_tiles; ++t, ++it) {
        const int slot = it % kStages;
        mbar_wait(smem_address(&full[slot]), (it / kStages) & 1);
        const uint32_t a_tile = ring + slot * kStageBytes + consumer * (kTileBytesA / kConsumers);
        const uint32_t b_tile = ring + slot * kStageBytes + kTileBytesA;
        wgmma_fence();
        for (int kk = 0; kk < kTileK / 16; ++kk)
          wgmma_m64n256k16(d, descriptor<128>(a_tile + kk * 32), descriptor<128>(b_tile + kk * 32), t > 0 || kk > 0);
        wgmma_commit();
        wgmma_wait<1>();
        if (t > 0 && lane == 0) {  // the previous slot is read: free it in both CTAs
          const uint32_t prev = smem_address(&empty[(it - 1) % kStages]);
          mbar_arrive(prev);
          mbar_arrive_cluster(prev, peer);
        }
      }
      wgmma_wait<0>();
      if (lane == 0) {
        const uint32_t prev = smem_address(&empty[(it - 1) % kStages]);
        mbar_arrive(prev);
        mbar_arrive_cluster(prev, peer);
      }
      const int row_base = tile_m * kTileM + consumer * 64 + warp_in_group * 16 + lane / 4;
      for (int i = 0; i < 128; i += 2) {
        const int row = row_base + 8 * ((i / 2) % 2), col = tile_n * kTileN + 8 * (i / 4) + 2 * (lane % 4);
        *reinterpret_cast<float2*>(c + static_cast<int64_t>(row) * n + col) = make_float2(d[i], d[i + 1]);
      }
    }
  }
  cluster_sync();  // the peer's last multicast and arrivals on this CTA's barriers are in
}
