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
#include <cuda.h>
#include <cstdint>

namespace {

constexpr int kTileM = 128, kTileN = 256, kTileK = 64;  // kTileK bf16 = 128 bytes: one swizzle row
constexpr int kStages = 4;
constexpr int kConsumers = 2;                           // consumer warpgroups, 64 rows each
constexpr int kGroupM = 8;                              // tile rows per rasterisation group
constexpr unsigned kTileBytesA = kTileM * kTileK * 2, kTileBytesB = kTileN * kTileK * 2;
constexpr unsigned kStageBytes = kTileBytesA + kTileBytesB;

__device__ __forceinline__ uint32_t smem_address(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void mbar_init(uint32_t bar, unsigned count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(bar), "r"(count) : "memory");
}

__device__ __forceinline__ void mbar_arrive(uint32_t bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(bar) : "memory");
}

__device__ __forceinline__ void mbar_arrive_expect_tx(uint32_t bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(bar), "r"(bytes) : "memory");
}

__device__ __forceinline__ void mbar_wait(uint32_t bar, unsigned parity) {
  uint32_t done = 0;
  while (!done)
    asm volatile(
        "{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}"
        : "=r"(done) : "r"(bar), "r"(parity) : "memory");
}

__device__ __forceinline__ void tma_load_2d(uint32_t dst, const CUtensorMap* map, int inner, int outer, uint32_t bar) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];"
      ::"r"(dst), "l"(reinterpret_cast<uint64_t>(map)), "r"(inner), "r"(outer), "r"(bar) : "memory");
}

// wgmma shared-memory descriptor of a K-major tile in the 128B swizzle: start address / 16,
// leading offset 1 (unused by K-major swizzled layouts), 8-row groups 1024 bytes apart, mode 1.
__device__ __forceinline__ uint64_t descriptor(uint32_t addr) {
  return uint64_t((addr & 0x3ffff) >> 4) | uint64_t(1) << 16 | uint64_t(1024 >> 4) << 32 | uint64_t(1) << 62;
}

// Output tile `tile` of the grouped order: groups of kGroupM tile rows (fewer in the last group),
// each walked column by column with the row index running fastest.
__device__ __forceinline__ void tile_coordinates(int tile, int tiles_m, int tiles_n, int& tile_m, int& tile_n) {
  const int group = tile / (kGroupM * tiles_n), first_m = group * kGroupM;
  const int rows = min(tiles_m - first_m, kGroupM), in_group = tile % (kGroupM * tiles_n);
  tile_m = first_m + in_group % rows;
  tile_n = in_group / rows;
}

#define GPUSIM_ACC8(i) "+f"(d[i]), "+f"(d[i + 1]), "+f"(d[i + 2]), "+f"(d[i + 3]), "+f"(d[i + 4]), "+f"(d[i + 5]), \
                       "+f"(d[i + 6]), "+f"(d[i + 7])

// D (64 x 256, f32, 128 registers per thread) += A (64 x 16) * B (16 x 256); scale_d = 0 on the
// first K step of the tile overwrites D instead.
__device__ __forceinline__ void wgmma_m64n256k16(float (&d)[128], uint64_t desc_a, uint64_t desc_b, int scale_d) {
  asm volatile(
      "{\n .reg .pred p;\n setp.ne.b32 p, %130, 0;\n"
      " wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 {"
      "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "
      "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, "
      "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, "
      "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, "
      "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, "
      "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127}, "
      "%128, %129, p, 1, 1, 0, 0;\n}\n"
      : GPUSIM_ACC8(0), GPUSIM_ACC8(8), GPUSIM_ACC8(16), GPUSIM_ACC8(24),
        GPUSIM_ACC8(32), GPUSIM_ACC8(40), GPUSIM_ACC8(48), GPUSIM_ACC8(56),
        GPUSIM_ACC8(64), GPUSIM_ACC8(72), GPUSIM_ACC8(80), GPUSIM_ACC8(88),
        GPUSIM_ACC8(96), GPUSIM_ACC8(104), GPUSIM_ACC8(112), GPUSIM_ACC8(120)
      : "l"(desc_a), "l"(desc_b), "r"(scale_d));
}

#undef GPUSIM_ACC8

constexpr int kClusterCtas = 2;

__device__ __forceinline__ void mbar_arrive_cluster(uint32_t bar, uint32_t rank) {
  asm volatile(
      "{\n .reg .b32 remote;\n mapa.shared::cluster.u32 remote, %0, %1;\n"
      " mbarrier.arrive.release.cluster.shared::cluster.b64 _, [remote];\n}" ::"r"(bar), "r"(rank) : "memory");
}

// The 2-D box at (inner, outer) into shared offset `dst` of every CTA in ctaMask, completing
// its bytes on the mbarrier at offset `bar` of each.
__device__ __forceinline__ void tma_load_2d_multicast(uint32_t dst, const CUtensorMap* map, int inner, int outer,
                                                      uint32_t bar, uint16_t cta_mask) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster"
      " [%0], [%1, {%2, %3}], [%4], %5;"
      ::"r"(dst), "l"(reinterpret_cast<uint64_t>(map)), "r"(inner), "r"(outer), "r"(bar), "h"(cta_mask) : "memory");
}

__device__ __forceinline__ void cluster_sync() {
  asm volatile("barrier.cluster.arrive.release.aligned;\nbarrier.cluster.wait.acquire.aligned;" ::: "memory");
}

__device__ __forceinline__ uint32_t cluster_rank() {
  uint32_t r;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
  return r;
}

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
    if (warp_in_group == 0)
      asm volatile("{\n .reg .pred p;\n elect.sync _|p, 0xffffffff;\n selp.u32 %0, 1, 0, p;\n}" : "=r"(leader));
    if (leader) {
      int it = 0;  // K slices loaded so far by this CTA, over all its tiles: picks the slot and phase
      for (int pair = cluster; pair < pairs; pair += clusters) {
        int pair_m, tile_n;
        tile_coordinates(pair, pairs_m, tiles_n, pair_m, tile_n);
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
      tile_coordinates(pair, pairs_m, tiles_n, pair_m, tile_n);
      const int tile_m = pair_m * kClusterCtas + int(rank);
      for (int t = 0; t < k_tiles; ++t, ++it) {
        const int slot = it % kStages;
        mbar_wait(smem_address(&full[slot]), (it / kStages) & 1);
        const uint32_t a_tile = ring + slot * kStageBytes + consumer * (kTileBytesA / kConsumers);
        const uint32_t b_tile = ring + slot * kStageBytes + kTileBytesA;
        asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
        for (int kk = 0; kk < kTileK / 16; ++kk)
          wgmma_m64n256k16(d, descriptor(a_tile + kk * 32), descriptor(b_tile + kk * 32), t > 0 || kk > 0);
        asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
        asm volatile("wgmma.wait_group.sync.aligned 1;" ::: "memory");
        if (t > 0 && lane == 0) {  // the previous slot is read: free it in both CTAs
          const uint32_t prev = smem_address(&empty[(it - 1) % kStages]);
          mbar_arrive(prev);
          mbar_arrive_cluster(prev, peer);
        }
      }
      asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory");
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
