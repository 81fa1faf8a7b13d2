// hopper_gemm_staged_ws: hopper_gemm_ws (workloads/kernels/hopper_gemm.cu) with a TMA-store
// epilogue, the measured variant of docs/PERFORMANCE.md ("hopper_gemm: hiding the epilogue" and
// "wgmma queue"). Not a registered workload: bench/cuda/hopper_gemm_app.cu builds it with
// -DHOPPER_GEMM_STAGED so that it can be re-measured (and run on an H100/H200).
//
// What differs from hopper_gemm_ws: each consumer warpgroup writes its 64 x 256 f32 accumulators
// into its own 64 KiB shared staging buffer (epilogue_tma_store in hopper_sm90.cuh, 8 boxes of
// 64 x 32 f32 in the 128B swizzle) and one thread hands them to the TMA; the stores go out while
// the warpgroup starts the next tile's wgmmas, and the staging buffer is reused only after they
// have read it. The 128 KiB of staging leave 96 KiB for the ring, so K slices are 32 wide
// (64 bytes of bf16: the 64B swizzle) in 4 slots of 24 KiB, and each slice feeds 2 wgmmas per
// consumer instead of 4.
#include "../../workloads/kernels/hopper_sm90.cuh"

namespace {

constexpr int kTileM = 128, kTileN = 256, kTileK = 32;  // kTileK bf16 = 64 bytes: one 64B swizzle row
constexpr int kSwizzleBytes = 64;
constexpr int kStages = 4;
constexpr int kConsumers = 2;  // consumer warpgroups, 64 rows each
constexpr int kGroupM = 8;     // tile rows per rasterisation group
constexpr unsigned kTileBytesA = kTileM * kTileK * 2, kTileBytesB = kTileN * kTileK * 2;
constexpr unsigned kStageBytes = kTileBytesA + kTileBytesB;
constexpr unsigned kStagingBytes = kEpilogueBoxes * kEpilogueBoxBytes;  // a warpgroup's 64 x 256 f32
constexpr unsigned kSharedBytes = kStages * kStageBytes + kConsumers * kStagingBytes;

}  // namespace

extern "C" __global__ void __launch_bounds__(128 * (1 + kConsumers), 1)
    hopper_gemm_staged_ws(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_b,
                          const __grid_constant__ CUtensorMap map_c, int m, int n, int k) {
  extern __shared__ uint8_t dynamic_smem[];
  __shared__ uint64_t full[kStages], empty[kStages];
  const uint32_t raw = smem_address(dynamic_smem);
  const uint32_t ring = (raw + 1023u) & ~1023u;  // both swizzles need the 1 KiB alignment
  const uint32_t staging = ring + kStages * kStageBytes;
  const unsigned warpgroup = threadIdx.x / 128, lane = threadIdx.x % 32;
  const int tiles_m = m / kTileM, tiles_n = n / kTileN, tiles = tiles_m * tiles_n, k_tiles = k / kTileK;

  if (threadIdx.x == 0) {
    for (int s = 0; s < kStages; ++s) {
      mbar_init(smem_address(&full[s]), 1);
      mbar_init(smem_address(&empty[s]), 4 * kConsumers);
    }
    fence_proxy_async_shared();
  }
  __syncthreads();

  if (warpgroup == 0) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;" ::: "memory");
    if (threadIdx.x / 32 != 0 || !elect_one()) return;
    int it = 0;
    for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
      int tile_m, tile_n;
      tile_coordinates(tile, tiles_m, tiles_n, kGroupM, tile_m, tile_n);
      for (int t = 0; t < k_tiles; ++t, ++it) {
        const int slot = it % kStages;
        mbar_wait(smem_address(&empty[slot]), ((it / kStages) & 1) ^ 1);
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
  int it = 0;
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
        wgmma_m64n256k16(d, descriptor<kSwizzleBytes>(a_tile + kk * 32), descriptor<kSwizzleBytes>(b_tile + kk * 32),
                         t > 0 || kk > 0);
      wgmma_commit();
      wgmma_wait<1>();
      if (t > 0 && lane == 0) mbar_arrive(smem_address(&empty[(it - 1) % kStages]));
    }
    wgmma_wait<0>();
    if (lane == 0) mbar_arrive(smem_address(&empty[(it - 1) % kStages]));
    epilogue_tma_store<kEpilogueBoxes>(d, staging + consumer * kStagingBytes, &map_c, tile_n * kTileN,
                                       tile_m * kTileM + int(consumer) * 64, 1 + consumer);
  }
  epilogue_drain();
}
