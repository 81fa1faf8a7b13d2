// The sm_90a inline-PTX wrappers the Hopper GEMM kernels share (hopper_gemm.cu,
// hopper_gemm_cluster.cu): mbarriers, TMA (cp.async.bulk.tensor) loads and stores, the wgmma
// shared-memory descriptor of a 128B-swizzled K-major tile, wgmma m64n256k16 bf16 -> f32, and
// the cluster primitives. Written the way sm_90a code without CUTLASS writes them: one asm
// statement per PTX instruction, "memory" clobbers where the instruction orders memory.
// Included, not compiled on its own (workloads/CMakeLists.txt embeds *.cu only; nvcc's depfile
// makes the kernels' PTX rebuild when this header changes). Everything sits in an unnamed
// namespace, so each kernel file gets its own copy.
#pragma once

#include <cuda.h>
#include <cstdint>

namespace {

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

// Spins until the phase with the given parity has completed (try_wait may also return false
// after a time-out of its own, hence the loop).
__device__ __forceinline__ void mbar_wait(uint32_t bar, unsigned parity) {
  uint32_t done = 0;
  while (!done)
    asm volatile(
        "{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}"
        : "=r"(done) : "r"(bar), "r"(parity) : "memory");
}

// One thread of the (converged) warp: 1 in the elected lane, 0 in the others.
__device__ __forceinline__ uint32_t elect_one() {
  uint32_t leader;
  asm volatile("{\n .reg .pred p;\n elect.sync _|p, 0xffffffff;\n selp.u32 %0, 1, 0, p;\n}" : "=r"(leader));
  return leader;
}

// The 2-D box at (inner, outer) of the tensor map into shared memory at `dst`, completing its
// bytes on the mbarrier `bar`.
__device__ __forceinline__ void tma_load_2d(uint32_t dst, const CUtensorMap* map, int inner, int outer, uint32_t bar) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];"
      ::"r"(dst), "l"(reinterpret_cast<uint64_t>(map)), "r"(inner), "r"(outer), "r"(bar) : "memory");
}

// The box of shared memory at `src` into the tensor at (inner, outer), tracked by the issuing
// thread's bulk async-groups (tma_store_commit / tma_store_wait_read).
__device__ __forceinline__ void tma_store_2d(const CUtensorMap* map, int inner, int outer, uint32_t src) {
  asm volatile("cp.async.bulk.tensor.2d.global.shared::cta.bulk_group [%0, {%1, %2}], [%3];"
               ::"l"(reinterpret_cast<uint64_t>(map)), "r"(inner), "r"(outer), "r"(src) : "memory");
}

__device__ __forceinline__ void tma_store_commit() { asm volatile("cp.async.bulk.commit_group;" ::: "memory"); }

// Waits until at most `Pending` committed store groups still read their shared source.
template <int Pending>
__device__ __forceinline__ void tma_store_wait_read() {
  asm volatile("cp.async.bulk.wait_group.read %0;" ::"n"(Pending) : "memory");
}

// Generic-proxy writes to shared memory become visible to the TMA (async proxy) reading them.
__device__ __forceinline__ void fence_proxy_async_shared() {
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}

// A named barrier among `threads` threads (a multiple of 32), ids 1-15 (0 is __syncthreads).
__device__ __forceinline__ void named_barrier_sync(unsigned id, unsigned threads) {
  asm volatile("bar.sync %0, %1;" ::"r"(id), "r"(threads) : "memory");
}

__device__ __forceinline__ void named_barrier_arrive(unsigned id, unsigned threads) {
  asm volatile("bar.arrive %0, %1;" ::"r"(id), "r"(threads) : "memory");
}

// wgmma shared-memory descriptor of a K-major bf16 tile whose rows are one swizzle span wide
// (kSwizzleBytes 64 or 128, as the TMA wrote it): start address / 16, leading offset 1 (unused
// by swizzled K-major layouts), 8-row groups 8 x kSwizzleBytes apart, layout type 1 (128B) or 2 (64B).
template <int kSwizzleBytes>
__device__ __forceinline__ uint64_t descriptor(uint32_t addr) {
  static_assert(kSwizzleBytes == 64 || kSwizzleBytes == 128, "64B or 128B swizzle");
  constexpr uint64_t layout = kSwizzleBytes == 128 ? 1 : 2;
  return uint64_t((addr & 0x3ffff) >> 4) | uint64_t(1) << 16 | uint64_t(8 * kSwizzleBytes >> 4) << 32 | layout << 62;
}

// Byte offset of (row, 16-byte chunk) in a tile of 128-byte rows written with the 128B swizzle
// (the TMA's CU_TENSOR_MAP_SWIZZLE_128B on a 1024-byte aligned buffer): chunk ^= row % 8.
__device__ __forceinline__ uint32_t swizzle128_offset(uint32_t row, uint32_t byte_in_row) {
  return row * 128u + (byte_in_row ^ ((row % 8u) << 4));
}

// Output tile `tile` of the grouped order: groups of `group_m` tile rows (fewer in the last
// group), each walked column by column with the row index running fastest, so the CTAs working
// at the same time share A and B panels in the L2.
__device__ __forceinline__ void tile_coordinates(int tile, int tiles_m, int tiles_n, int group_m, int& tile_m,
                                                 int& tile_n) {
  const int group = tile / (group_m * tiles_n), first_m = group * group_m;
  const int rows = min(tiles_m - first_m, group_m), in_group = tile % (group_m * tiles_n);
  tile_m = first_m + in_group % rows;
  tile_n = in_group / rows;
}

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }

template <int Pending>
__device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(Pending) : "memory");
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

__device__ __forceinline__ void st_shared_v2(uint32_t addr, float x, float y) {
  asm volatile("st.shared.v2.f32 [%0], {%1, %2};" ::"r"(addr), "f"(x), "f"(y) : "memory");
}

// ---- the TMA-store epilogue of a consumer warpgroup's 64 x 256 f32 accumulators ----
// Not used by the committed kernels: on the simulator it made them slower (docs/PERFORMANCE.md,
// "hopper_gemm: hiding the epilogue"); kept so that the measured variant can be rebuilt.
//
// The warpgroup writes its accumulators into its own shared staging buffer (`staging`,
// 1024-byte aligned, kStagingBoxes boxes) as 64-row x 32-column boxes of 128-byte rows in the 128B
// swizzle, and one thread hands them to the TMA (cp.async.bulk.tensor shared -> global; map_c: f32,
// box 32 x 64, CU_TENSOR_MAP_SWIZZLE_128B). A staging buffer smaller than the 8 boxes of the
// warpgroup's rows is filled in rounds: before it overwrites the buffer, the issuing thread waits
// until the previous round's stores have read it (wait_group.read); the last round goes out while
// the warps start the next tile's wgmmas.
// The swizzle keeps each st.shared.v2 at the minimum of two wavefronts: the 8 rows one warp
// instruction writes (lane / 4) land in different 16-byte chunks of their 128-byte rows.
constexpr unsigned kEpilogueBoxCols = 32, kEpilogueBoxBytes = 64 * kEpilogueBoxCols * 4;  // 8 KiB
constexpr unsigned kEpilogueBoxes = 256 / kEpilogueBoxCols;                               // per warpgroup

template <unsigned kStagingBoxes>
__device__ __forceinline__ void epilogue_tma_store(const float (&d)[128], uint32_t staging, const CUtensorMap* map_c,
                                                   int col0, int row0, unsigned barrier_id) {
  static_assert(kEpilogueBoxes % kStagingBoxes == 0, "whole rounds");
  const unsigned thread = threadIdx.x % 128, warp = thread / 32, lane = thread % 32;
  const bool issuer = thread == 0;
#pragma unroll
  for (unsigned round = 0; round < kEpilogueBoxes / kStagingBoxes; ++round) {
    if (issuer) tma_store_wait_read<0>();
    named_barrier_sync(barrier_id, 128);  // the staging buffer is free for every warp of the group
    // The m64nN accumulator fragment: warp w holds rows 16w..16w+15; register i of lane l is row
    // 16w + l/4 + 8*((i/2)%2), column 8*(i/4) + 2*(l%4) + i%2 (the round's columns: i in a range).
    // Lanes of odd rows store the register pair of column group g ^ 2 when the others store
    // group g (a per-lane select between two fixed registers): 64-bit stores are served per
    // half-warp, whose rows 0-3 would otherwise meet in two 32-byte chunk pairs (2-way conflict).
    const bool odd_row = (lane / 4) % 2;
#pragma unroll
    for (unsigned i = round * kStagingBoxes * 16; i < (round + 1) * kStagingBoxes * 16; i += 2) {
      const unsigned j = odd_row ? (i / 4) ^ 2u : i / 4, r = i % 4;  // column group, pair in it
      const float x = odd_row ? d[4 * ((i / 4) ^ 2u) + r] : d[i], y = odd_row ? d[4 * ((i / 4) ^ 2u) + r + 1] : d[i + 1];
      const unsigned row = warp * 16 + lane / 4 + 8 * ((i / 2) % 2), col = 8 * j + 2 * (lane % 4);
      const uint32_t box = staging + (col / kEpilogueBoxCols % kStagingBoxes) * kEpilogueBoxBytes;
      st_shared_v2(box + swizzle128_offset(row, (col % kEpilogueBoxCols) * 4), x, y);
    }
    fence_proxy_async_shared();           // each writer's st.shared before the TMA reads them
    named_barrier_sync(barrier_id, 128);  // all 128 threads have written
    if (issuer) {
      for (unsigned b = 0; b < kStagingBoxes; ++b)
        tma_store_2d(map_c, col0 + int((round * kStagingBoxes + b) * kEpilogueBoxCols), row0,
                     staging + b * kEpilogueBoxBytes);
      tma_store_commit();
    }
  }
}

// At the end of the kernel: the last stores have read shared memory before the CTA exits.
__device__ __forceinline__ void epilogue_drain() {
  if (threadIdx.x % 128 == 0) tma_store_wait_read<0>();
}

// ---- thread-block clusters ----

// Arrives on the mbarrier at shared offset `bar` of the cluster's CTA `rank` (mapa).
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
