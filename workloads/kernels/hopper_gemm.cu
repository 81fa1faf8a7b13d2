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
    asm volatile("fence.proxy.async.shared::cta;" ::: "memory");  // the TMA unit sees the inits
  }
  __syncthreads();

  if (warpgroup == 0) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;" ::: "memory");
    if (warp_in_group != 0) return;
    uint32_t leader;
    asm volatile("{\n .reg .pred p;\n elect.sync _|p, 0xffffffff;\n selp.u32 %0, 1, 0, p;\n}" : "=r"(leader));
    if (!leader) return;
    int it = 0;  // K slices loaded so far by this CTA, over all its tiles: picks the slot and phase
    for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
      int tile_m, tile_n;
      tile_coordinates(tile, tiles_m, tiles_n, tile_m, tile_n);
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
    tile_coordinates(tile, tiles_m, tiles_n, tile_m, tile_n);
    for (int t = 0; t < k_tiles; ++t, ++it) {
      const int slot = it % kStages;
      mbar_wait(smem_address(&full[slot]), (it / kStages) & 1);
      const uint32_t a_tile = ring + slot * kStageBytes + consumer * (kTileBytesA / kConsumers);
      const uint32_t b_tile = ring + slot * kStageBytes + kTileBytesA;
      asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
      for (int kk = 0; kk < kTileK / 16; ++kk)  // 16 bf16 = 32 bytes along the swizzled row
        wgmma_m64n256k16(d, descriptor(a_tile + kk * 32), descriptor(b_tile + kk * 32), t > 0 || kk > 0);
      asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
      // One group stays in flight: the previous slice's wgmmas are done, so its slot is free.
      asm volatile("wgmma.wait_group.sync.aligned 1;" ::: "memory");
      if (t > 0 && lane == 0) mbar_arrive(smem_address(&empty[(it - 1) % kStages]));
    }
    asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory");
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
